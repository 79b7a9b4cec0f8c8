package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/** The advice for each cause of loss, for the set-ups the simulator runs cannot easily produce. */
class LossAdviceTest {

    @Test
    void misroutedPacketsAreABugNotCongestion() {
        String advice = LossAdvice.of(EnumSet.of(LossCause.MISROUTED), SendMode.BURST,
                PartitioningStrategy.NEURON_PER_CORE);
        assertTrue(advice.contains("mapping bug"), advice);
        assertFalse(advice.contains("Try"), "no send mode, reinjection or partitioning fixes a wrong table: " + advice);
    }

    @Test
    void everyRemedyThatAppliesIsNamedOnce() {
        String advice = LossAdvice.of(EnumSet.of(LossCause.DROPPED_WITHOUT_REINJECTION, LossCause.RECEIVE_QUEUE_FULL),
                SendMode.BURST, PartitioningStrategy.NEURON_PER_CORE);
        assertTrue(advice.startsWith("Try the TDMA send mode"), advice);
        assertTrue(advice.contains("; reinjection on"), advice);
        assertTrue(advice.contains("; or FASTEST partitioning"), advice);
        assertFalse(advice.contains("mapping bug"), advice);
    }

    @Test
    void aFullReceiveQueueIsNotToldToTurnReinjectionOn() {
        String advice = LossAdvice.of(EnumSet.of(LossCause.RECEIVE_QUEUE_FULL), SendMode.BURST,
                PartitioningStrategy.FEWEST_CORES);
        assertEquals("Try the TDMA send mode (SpiNNakerOptions.Builder.sendMode(SendMode.TDMA)), which paces every core"
                + " so routers and receivers keep up.", advice);
    }
}
