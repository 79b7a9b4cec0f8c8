package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.spinnaker4j.backend.runtime.PacketLossException;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.machine.ChipLocation;

/**
 * The router model on {@link TwoChipScenario}: packets reach chip (1,0) every 380 ns (one
 * link time); the sink's receive register is busy for the interrupt time after each packet it
 * takes; with wait1 of one router cycle a packet that finds the register busy is dropped.
 * The loss message suggests only what would help: TDMA only to BURST runs, reinjection only
 * when it is off, FEWEST_CORES never (the scenario is not NEURON_PER_CORE).
 */
class DropAndReinjectionTest {

    /** What a run that lost packets on chip (1,0) reported. */
    private record Loss(String message, RunStats stats) {
    }

    private static Loss runExpectingLoss(int n, SimulatorParameters parameters) {
        Mapping mapping = TwoChipScenario.mapping(n);
        try (EmbeddedSimulator sim = new EmbeddedSimulator(parameters)) {
            sim.load(mapping, TwoChipScenario.unusedParameters(n));
            PacketLossException e = assertThrows(PacketLossException.class, () -> sim.run(TwoChipScenario.ramp(n)));
            assertTrue(e.getMessage().contains("chip (1,0)"), e.getMessage());
            return new Loss(e.getMessage(), sim.lastRunStats());
        }
    }

    private static void assertAdvises(String message, boolean tdma, boolean reinjection) {
        assertEquals(tdma, message.contains("TDMA send mode"), message);
        assertEquals(reinjection, message.contains("reinjection on"), message);
        assertFalse(message.contains("FASTEST partitioning"), "the mapping is not NEURON_PER_CORE: " + message);
    }

    @Test
    void everySecondPacketIsDroppedWhenTheInterruptTakesLongerThanALinkTime() {
        // interrupt 100 cycles = 500 ns > 380 ns: packet 0 is taken, packet 1 arrives 380 ns later while
        // the register is busy (until 500 ns), packet 2 at 760 ns finds it free, and so on: 1, 3, 5 drop.
        Loss loss = runExpectingLoss(6, TwoChipScenario.parameters(100, false));
        assertAdvises(loss.message(), true, true);
        RunStats stats = loss.stats();
        assertEquals(3, stats.packetsDropped());
        assertEquals(3, stats.packetsLost());
        assertEquals(0, stats.packetsReinjected());
        RunStats.ChipStats receiver = stats.chips().stream().filter(c -> c.chip().equals(new ChipLocation(1, 0)))
                .findFirst().orElseThrow();
        assertEquals(3, receiver.dropped());
        assertEquals(3, receiver.lost());
        assertEquals(0, receiver.coreReceiveDrops(), "the router dropped them, not a core's queue");
        assertEquals(3, stats.packetsDelivered());
    }

    @Test
    void reinjectionRecoversASingleDrop() {
        Mapping mapping = TwoChipScenario.mapping(2);
        try (EmbeddedSimulator sim = new EmbeddedSimulator(TwoChipScenario.parameters(100, true))) {
            sim.load(mapping, TwoChipScenario.unusedParameters(2));
            float[][] x = TwoChipScenario.ramp(2);
            float[][] out = sim.run(x);
            assertArrayEquals(x[0], out[0]);
            RunStats stats = sim.lastRunStats();
            assertEquals(1, stats.packetsDropped());
            assertEquals(1, stats.packetsReinjected());
            assertEquals(0, stats.packetsLost());
        }
    }

    @Test
    void aSecondDropBeforeTheDumpRegisterIsEmptiedIsLost() {
        // interrupt 300 cycles = 1.5 µs: packets 1 (at 380 ns) and 2 (at 760 ns) both find the register
        // busy; the monitor needs 500 ns to copy the first drop out of the dump register, so the second
        // drop finds it full and is lost; the first is reinjected and delivered.
        Loss loss = runExpectingLoss(3, TwoChipScenario.parameters(300, true));
        assertAdvises(loss.message(), true, false);
        RunStats stats = loss.stats();
        assertEquals(2, stats.packetsDropped());
        assertEquals(1, stats.packetsReinjected());
        assertEquals(1, stats.packetsLost());
        assertEquals(2, stats.packetsDelivered());
    }

    @Test
    void aTdmaRunIsNotToldToUseTdma() {
        // the schedule was made for the default receive interrupt; one of 1000 cycles (5 µs) outlasts its period
        SimulatorParameters slow = TwoChipScenario.parameters(1000, false).withSendMode(SendMode.TDMA);
        assertAdvises(runExpectingLoss(6, slow).message(), false, true);

        String message = runExpectingLoss(6, slow.withReinjection(true)).message();
        assertAdvises(message, false, false);
        assertTrue(message.contains("map the network for this simulator's cost model"), message);
    }
}
