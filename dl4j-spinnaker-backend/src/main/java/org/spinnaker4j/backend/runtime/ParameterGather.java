package org.spinnaker4j.backend.runtime;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntPredicate;
import org.spinnaker4j.kernels.KernelCopyConfig;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.RowBlock;

/**
 * Puts the cores' slices (parameters, or one updater state array laid out like them) back into layer-shaped arrays,
 * where {@link LayerSlices#parameterSlices} puts them. A convolution's kernel has a copy in each position block; a
 * value put by a second copy must have the first one's bits, or the gather throws, naming the layer, the parameter
 * and the vertex: copies that drifted apart are never read back as one of them. Updater state lives on each chunk's
 * owner only ({@link #putOwned}).
 */
public final class ParameterGather {

    private final NetworkSpec network;
    private final List<DenseParameters> layers;
    private final List<BitSet> weightsPut = new ArrayList<>();
    private final List<BitSet> biasPut = new ArrayList<>();

    /** Zeroed arrays for every layer of {@code network}, nothing put yet. */
    public ParameterGather(NetworkSpec network) {
        this.network = network;
        this.layers = LayerSlices.zeros(network);
        for (int l = 0; l < layers.size(); l++) {
            weightsPut.add(new BitSet());
            biasPut.add(new BitSet());
        }
    }

    /** Copies a vertex's slice (its block of W, or its columns' bias; null: left as it is) into the layer's arrays. */
    public void put(MachineVertex v, float[] blockWeights, float[] columnBias) {
        put(v, blockWeights, columnBias, k -> true);
    }

    /**
     * Copies the parts of a kernel copy's slice that it owns ({@code copy}'s owned chunks, by index in its block: the
     * weights row-major, then the bias): its updater state, which the other copies do not keep.
     */
    public void putOwned(MachineVertex v, float[] blockWeights, float[] columnBias, KernelCopyConfig copy) {
        put(v, blockWeights, columnBias, k -> copy.chunks().stream().anyMatch(c -> c.owned() && c.lo() <= k
                && k < c.hi()));
    }

    private void put(MachineVertex v, float[] blockWeights, float[] columnBias, IntPredicate takes) {
        DenseParameters p = layers.get(v.layer());
        Slice[] held = LayerSlices.parameterSlices(network.layers().get(v.layer()), v.rows(), v.cols());
        // a pooling layer's blocks hold no weights (a batch normalization's do)
        DenseLayerSpec layer = network.layers().get(v.layer());
        boolean weighted = v.kind() == VertexKind.DENSE_BLOCK && (!layer.isPooling() || layer.isBatchNorm());
        RowBlock rowBlock = v.rowBlock();
        if (weighted && blockWeights != null) {
            for (int i = 0; i < held[0].size(); i++) {
                for (int j = 0; j < held[1].size(); j++) {
                    int at = (held[0].lo() + i) * p.nOut() + held[1].lo() + j;
                    // a 2-D convolution's block holds its kernel once: the lowered kernel's zeros are not held
                    int k = rowBlock != null ? LayerSlices.rowBlockIndex(rowBlock, i, j) : i * held[1].size() + j;
                    if (k < 0) {
                        set(v, "weight", p.weights(), weightsPut.get(v.layer()), at, 0f);
                    } else if (takes.test(k)) {
                        set(v, "weight", p.weights(), weightsPut.get(v.layer()), at, blockWeights[k]);
                    }
                }
            }
        }
        int blockWeightCount = !weighted ? 0 : rowBlock != null ? Math.toIntExact(rowBlock.weights(held[0].size()))
                : held[0].size() * held[1].size();
        if (v.activates() && p.bias().length > 0 && columnBias != null) {
            for (int j = 0; j < columnBias.length; j++) {
                if (takes.test(blockWeightCount + j)) {
                    set(v, "bias", p.bias(), biasPut.get(v.layer()), held[1].lo() + j, columnBias[j]);
                }
            }
        }
    }

    private static void set(MachineVertex v, String what, float[] values, BitSet put, int at, float value) {
        if (put.get(at) && Float.floatToRawIntBits(values[at]) != Float.floatToRawIntBits(value)) {
            throw new IllegalStateException("copies of layer " + v.layer() + "'s kernel differ: " + what + " " + at
                    + " is " + values[at] + " in an earlier copy and " + value + " in " + v);
        }
        values[at] = value;
        put.set(at);
    }

    /** The layer-shaped arrays, with every slice put so far. */
    public List<DenseParameters> layers() {
        return layers;
    }
}
