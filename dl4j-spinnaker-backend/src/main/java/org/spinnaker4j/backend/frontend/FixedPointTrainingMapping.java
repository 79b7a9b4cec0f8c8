package org.spinnaker4j.backend.frontend;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * Whether an s16.15 training mapping is one the backend trains (docs/fixed-point.md, "Training in s16.15 through
 * fit"): mapped by {@link PartitioningStrategy#FEWEST_CORES}; every layer on fused blocks holding all its rows (no
 * reduce, no relay), its columns on one block or several (a block holding some of its layer's columns sends each
 * row's error back as its exact 64-bit partial, in two halves, which the blocks below add before rounding once); the
 * output layer on one block (its loss takes all its columns).
 */
public final class FixedPointTrainingMapping {

    private static final Set<VertexKind> RUNS = EnumSet.of(VertexKind.INPUT_SOURCE, VertexKind.LABEL_SOURCE,
            VertexKind.DENSE_BLOCK, VertexKind.OUTPUT_SINK);

    private FixedPointTrainingMapping() {
    }

    /**
     * Refuses a mapping the backend does not train in s16.15; does nothing for any other mapping.
     *
     * @throws UnsupportedNetworkException naming the strategy, the vertex or the layer, and what to change
     */
    public static void check(Mapping mapping) {
        if (!mapping.network().fixedPoint() || !mapping.network().trains()) {
            return;
        }
        if (mapping.strategy() != PartitioningStrategy.FEWEST_CORES) {
            throw refusal("it is mapped with " + mapping.strategy() + "; choose SpiNNakerOptions.builder()"
                    + ".partitioning(PartitioningStrategy.FEWEST_CORES), whose blocks hold whole columns");
        }
        int[] blocks = new int[mapping.network().layers().size()];
        for (MachineVertex v : mapping.graph().vertices()) {
            if (!RUNS.contains(v.kind())) {
                throw refusal(v + " is a " + v.kind() + " (a layer split by rows, or values relayed); every layer must "
                        + "be on fused blocks holding all its rows");
            }
            if (v.kind() == VertexKind.DENSE_BLOCK) {
                DenseLayerSpec layer = mapping.network().layers().get(v.layer());
                if (!v.fused() || v.rows().lo() != 0 || v.rows().size() != layer.nIn()) {
                    throw refusal(v + " holds rows " + v.rows() + " of layer " + v.layer() + "'s " + layer.nIn()
                            + "; every block must hold all its layer's rows (fused) to train in s16.15: make the layer "
                            + "small enough for one core to hold its whole fan-in, or train in Arithmetic.FLOAT32");
                }
                blocks[v.layer()]++;
            }
        }
        int output = blocks.length - 1;
        if (blocks[output] != 1) {
            throw refusal("the output layer (" + output + ") is on " + blocks[output] + " blocks; it must be on one "
                    + "(the s16.15 loss takes all its columns). Make the output layer smaller");
        }
    }

    private static UnsupportedNetworkException refusal(String why) {
        return new UnsupportedNetworkException(List.of(new Problem(-1, "Mapping", "cannot train in s16.15 fixed "
                + "point (Arithmetic.S16_15) on this mapping: " + why + " (docs/fixed-point.md, \"Training in s16.15 through fit\")")));
    }
}
