package org.spinnaker4j.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OrderedOutputTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final OrderedOutput out = new OrderedOutput(new PrintStream(bytes, true, StandardCharsets.UTF_8), 3);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsTheCurrentSectionAtOnceAndHoldsLaterOnesUntilEarlierAreDone() {
        out.printf(0, "a%d ", 1);
        out.printf(2, "c1 ");
        out.printf(1, "b1 ");
        assertEquals("a1 ", printed());
        out.printf(0, "a2 ");
        out.done(0);
        assertEquals("a1 a2 b1 ", printed());
        out.printf(1, "b2 ");
        out.printf(2, "c2 ");
        assertEquals("a1 a2 b1 b2 ", printed());
        out.done(1);
        assertEquals("a1 a2 b1 b2 c1 c2 ", printed());
        out.printf(2, "c3 ");
        out.done(2);
        assertEquals("a1 a2 b1 b2 c1 c2 c3 ", printed());
    }

    @Test
    void aSectionDoneBeforeEarlierOnesFollowsThemWhole() {
        out.printf(2, "c ");
        out.done(2);
        out.printf(1, "b ");
        out.done(1);
        assertEquals("", printed());
        out.printf(0, "a ");
        out.done(0);
        assertEquals("a b c ", printed());
        assertThrows(IllegalStateException.class, () -> out.printf(1, "late"));
    }
}
