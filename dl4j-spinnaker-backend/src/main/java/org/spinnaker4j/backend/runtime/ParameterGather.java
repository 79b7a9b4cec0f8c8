package org.spinnaker4j.backend.runtime;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntPredicate;
import org.spinnaker4j.kernels.KernelCopyConfig;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
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
        if (rowBlock != null) {
            putRowBlock(v, rowBlock, held[0], blockWeights, columnBias, takes);
            return;
        }
        if (weighted && blockWeights != null) {
            for (int i = 0; i < held[0].size(); i++) {
                for (int j = 0; j < held[1].size(); j++) {
                    int k = i * held[1].size() + j;
                    if (takes.test(k)) {
                        set(v, "weight", p.weights(), weightsPut.get(v.layer()),
                                (held[0].lo() + i) * p.nOut() + held[1].lo() + j, blockWeights[k]);
                    }
                }
            }
        }
        int blockWeightCount = weighted ? held[0].size() * held[1].size() : 0;
        if (v.activates() && p.bias().length > 0 && columnBias != null) {
            for (int j = 0; j < columnBias.length; j++) {
                if (takes.test(blockWeightCount + j)) {
                    set(v, "bias", p.bias(), biasPut.get(v.layer()), held[1].lo() + j, columnBias[j]);
                }
            }
        }
    }

    /**
     * A 2-D convolution's block ({@link RowBlock}: its kernel held once, kernel rows {@code rows} of the lowered
     * kernel, a bias per channel): each value it takes goes to every place of the lowered kernel (and bias) that
     * holds it, in every output column of the row, not only the block's (the lowered kernel repeats it along the
     * row), so a value held by several copies is compared wherever it lies and a chunk's owner alone fills it.
     */
    private void putRowBlock(MachineVertex v, RowBlock block, Slice rows, float[] blockWeights, float[] channelBias,
            IntPredicate takes) {
        DenseParameters p = layers.get(v.layer());
        Conv2DGeometry g = block.image();
        int perRow = g.width() * g.channelsIn();
        int co = g.channelsOut();
        int channels = block.channels();
        if (channelBias != null && channelBias.length != channels) {
            throw new IllegalArgumentException(v + " holds a bias per channel of its kernel, " + channels + ", got "
                    + channelBias.length);
        }
        if (blockWeights != null) {
            for (int r = 0; r < rows.size() / perRow; r++) {
                for (int kx = 0; kx < g.kernelW(); kx++) {
                    for (int in = 0; in < g.channelsIn(); in++) {
                        for (int k = 0; k < channels; k++) {
                            int at = ((r * g.kernelW() + kx) * g.channelsIn() + in) * channels + k;
                            if (!takes.test(at)) {
                                continue;
                            }
                            for (int ox = 0; ox < g.outWidth(); ox++) {
                                int x = ox * g.strideW() - g.padLeft() + kx;
                                if (x >= 0 && x < g.width()) {
                                    set(v, "weight", p.weights(), weightsPut.get(v.layer()),
                                            (rows.lo() + r * perRow + x * g.channelsIn() + in) * p.nOut() + ox * co
                                                    + block.firstChannel() + k, blockWeights[at]);
                                }
                            }
                        }
                    }
                }
            }
        }
        int weights = Math.toIntExact(block.weights(rows.size()));
        if (v.activates() && p.bias().length > 0 && channelBias != null) {
            for (int k = 0; k < channelBias.length; k++) {
                if (takes.test(weights + k)) {
                    for (int ox = 0; ox < g.outWidth(); ox++) {
                        set(v, "bias", p.bias(), biasPut.get(v.layer()), ox * co + block.firstChannel() + k,
                                channelBias[k]);
                    }
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
