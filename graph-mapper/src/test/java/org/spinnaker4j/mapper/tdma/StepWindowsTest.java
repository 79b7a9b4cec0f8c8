package org.spinnaker4j.mapper.tdma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/** A schedule's longest windows as a mapping's description names them: longest first, with their cores and share. */
class StepWindowsTest {

    private static final Pattern WINDOW = Pattern.compile("stage (\\d+) (softmax exchange )?\\(([^)]+)\\): "
            + "([\\d,]+) clocks, (\\d+) %");

    @Test
    void namesTheLongestWindowsLongestFirst() {
        Mapping m = new Mapper(PartitioningStrategy.FEWEST_CORES, TestSupport.MEMORY).map(TestSupport.seed(),
                Machine.spinn5());
        String[] windows = StepWindows.longest(m.graph(), m.tdma(), 3).split("; ");
        assertEquals(3, windows.length, String.join("; ", windows));
        long longest = m.tdma().stages().stream().mapToLong(TdmaSchedule.Stage::windowClocks).max().orElseThrow();
        long previous = Long.MAX_VALUE;
        for (String w : windows) {
            Matcher matcher = WINDOW.matcher(w);
            assertTrue(matcher.matches(), w);
            long clocks = Long.parseLong(matcher.group(4).replace(",", ""));
            assertTrue(clocks <= previous, String.join("; ", windows));
            assertTrue(matcher.group(3).startsWith("layer ") || matcher.group(3).startsWith("input"), w);
            assertEquals(Math.round(100.0 * clocks / m.tdma().stepClocks()), Long.parseLong(matcher.group(5)), w);
            previous = clocks;
        }
        assertTrue(windows[0].contains(String.format(Locale.ROOT, "%,d clocks", longest)), windows[0]);
        assertTrue(m.describe().contains("longest windows: " + String.join("; ", windows)), m.describe());
    }
}
