package org.spinnaker4j.backend.frontend;

import java.util.List;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.MachineVertex;

/**
 * The check of a training mapping whose loss needs the whole output row on one core: COSINE_PROXIMITY divides
 * by the norms of the label and output rows, which its cores do not exchange (a split softmax exchanges one sum,
 * not the three norms and dot); such a mapping is refused when the partitioner split the output layer
 * (NEURON_PER_CORE always does; FASTEST and FEWEST_CORES keep it whole when it fits one core's DTCM).
 */
public final class WholeLayerLosses {

    private WholeLayerLosses() {
    }

    /** Throws an {@link UnsupportedNetworkException} if the mapping splits a whole-layer loss's output layer. */
    public static void check(Mapping mapping) {
        if (!mapping.network().trains() || !mapping.network().training().loss().needsWholeLayer()) {
            return;
        }
        int last = mapping.network().layers().size() - 1;
        long cores = mapping.graph().vertices().stream().filter(v -> v.layer() == last)
                .filter(MachineVertex::activates).count();
        if (cores > 1) {
            throw new UnsupportedNetworkException(List.of(new Problem(last, "OutputLayer",
                    mapping.network().training().loss() + " needs the output layer on one core (its norms span the "
                    + "layer), but the " + mapping.strategy() + " partitioning split it over " + cores + " cores; "
                    + "FASTEST and FEWEST_CORES keep it whole when it fits one core's DTCM")));
        }
    }
}
