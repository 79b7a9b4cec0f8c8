package org.spinnaker4j.mapper.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MachineTimingTest {

    @Test
    void spinnaker1InCoreClocks() {
        MachineTiming t = MachineTiming.SPINNAKER1;
        assertEquals(76, t.linkClocks(), "380 ns at 5 ns per clock");
        assertEquals(2, t.routerClocks(), "7.5 ns rounded up to whole 5 ns clocks");
        assertEquals(1.0, t.microseconds(200), 1e-12);
    }

    @Test
    void timesMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new MachineTiming(0, 7_500, 380_000));
        assertThrows(IllegalArgumentException.class, () -> new MachineTiming(5_000, 7_500, -1));
    }
}
