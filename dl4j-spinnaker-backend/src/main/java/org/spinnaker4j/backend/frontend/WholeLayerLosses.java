package org.spinnaker4j.backend.frontend;

import java.util.List;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.ir.LossFunction;

/**
 * The check of a training mapping whose loss needs the whole output row on one core: COSINE_PROXIMITY divides
 * by the norms of the label and output rows, which its cores do not exchange (a split softmax exchanges one sum,
 * not the three norms and dot); such a mapping is refused when the partitioner split the output layer (FASTEST
 * splits even small layers for speed; FEWEST_CORES keeps a layer that fits one core whole).
 */
public final class WholeLayerLosses {

    private WholeLayerLosses() {
    }

    /** Throws an {@link UnsupportedNetworkException} if the mapping splits a whole-layer loss's output layer. */
    public static void check(Mapping mapping) {
        if (!mapping.network().trains() || mapping.network().training().loss() != LossFunction.COSINE_PROXIMITY) {
            return;
        }
        int last = mapping.network().layers().size() - 1;
        long cores = mapping.graph().vertices().stream().filter(v -> v.layer() == last)
                .filter(MachineVertex::activates).count();
        if (cores > 1) {
            throw new UnsupportedNetworkException(List.of(new Problem(last, "OutputLayer", "COSINE_PROXIMITY needs "
                    + "the output layer on one core (its norms span the layer), but it is split over " + cores
                    + " cores; use SpiNNakerOptions partitioning(FEWEST_CORES), which keeps a layer that fits one "
                    + "core's DTCM on one core")));
        }
    }
}
