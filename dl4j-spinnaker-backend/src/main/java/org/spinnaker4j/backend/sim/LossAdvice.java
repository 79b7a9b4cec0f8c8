package org.spinnaker4j.backend.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * What would stop a run losing packets, given why it lost them and how it was set up: only
 * BURST runs are told to try TDMA, only runs whose routers dropped packets with reinjection off
 * are told to turn it on, only NEURON_PER_CORE mappings are told to try FASTEST.
 */
final class LossAdvice {

    private LossAdvice() {
    }

    static String of(Set<LossCause> causes, SendMode mode, PartitioningStrategy strategy) {
        List<String> sentences = new ArrayList<>();
        if (causes.contains(LossCause.MISROUTED)) {
            sentences.add("Misrouted packets (a routing loop, a key without an entry, a dead link or a core without a"
                    + " program) mean the routing tables do not match the machine: a mapping bug, please report it.");
        }
        if (causes.stream().anyMatch(c -> c != LossCause.MISROUTED)) {
            sentences.add(congestion(causes, mode, strategy));
        }
        return String.join(" ", sentences);
    }

    private static String congestion(Set<LossCause> causes, SendMode mode, PartitioningStrategy strategy) {
        List<String> remedies = new ArrayList<>();
        if (mode == SendMode.BURST) {
            remedies.add("the TDMA send mode (SpiNNakerOptions.Builder.sendMode(SendMode.TDMA)), which paces every"
                    + " core so routers and receivers keep up");
        }
        if (causes.contains(LossCause.DROPPED_WITHOUT_REINJECTION)) {
            remedies.add("reinjection on (SimulatorParameters.withReinjection(true)), so the extra monitor resends"
                    + " the packets routers drop");
        }
        if (strategy == PartitioningStrategy.NEURON_PER_CORE) {
            remedies.add("FASTEST partitioning, which sends far fewer packets per sample than NEURON_PER_CORE");
        }
        if (remedies.isEmpty()) {
            return "The TDMA schedule should keep every router and receive queue within capacity: map the network"
                    + " for this simulator's cost model and receive queue (the TdmaScheduler given to the Mapper);"
                    + " if it was, this is a bug, please report it.";
        }
        int last = remedies.size() - 1;
        String options = last == 0 ? remedies.get(0)
                : String.join("; ", remedies.subList(0, last)) + "; or " + remedies.get(last);
        return "Try " + options + ".";
    }
}
