package org.spinnaker4j.backend.runtime;

import java.util.ArrayList;
import java.util.List;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.ir.Conv1DGeometry;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.RowBlock;

/**
 * Cuts a layer-shaped array set (parameters, or one updater state array laid out like them)
 * into the slices each core owns ({@link ParameterGather} puts the cores' slices back together): a dense block
 * holds W[rows, cols], an activating core the bias of its columns ({@link #parameterSlices} says where those lie
 * in a convolution's kernel).
 */
public final class LayerSlices {

    private LayerSlices() {
    }

    /** The weights a dense block owns, row-major. */
    public static float[] block(DenseParameters p, Slice rows, Slice cols) {
        float[] w = new float[rows.size() * cols.size()];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(p.weights(), (rows.lo() + i) * p.nOut() + cols.lo(), w, i * cols.size(), cols.size());
        }
        return w;
    }

    /**
     * The weights a block holds of a layer-shaped array whose slices {@code held} it takes ({@link #parameterSlices}):
     * {@link #rowBlock} for a 2-D convolution's block, else {@link #block}.
     */
    public static float[] weights(DenseParameters p, MachineVertex v, Slice[] held) {
        return v.rowBlock() != null ? rowBlock(p, v.rowBlock(), held[0]) : block(p, held[0], held[1]);
    }

    /**
     * The kernel a 2-D convolution's block holds once ({@link RowBlock}), from the layer's lowered kernel (the
     * Toeplitz matrix along the row, {@link org.spinnaker4j.mapper.ir.Conv2DGeometry#alongRows()}) whose rows
     * {@code rows} it takes: weight ((r·kernelW + kx)·channelsIn + in)·channels + k of its field's input row r is the
     * lowered weight of that row's input column under kernel column kx for an output column that has one, at
     * channel firstChannel + k (0 where no output column puts kx on the image: nothing ever multiplies it).
     */
    public static float[] rowBlock(DenseParameters p, RowBlock block, Slice rows) {
        Conv2DGeometry g = block.image();
        int perRow = g.width() * g.channelsIn();
        int firstTap = rows.lo() / perRow;
        int channels = block.channels();
        float[] w = new float[Math.toIntExact(block.weights(rows.size()))];
        for (int kx = 0; kx < g.kernelW(); kx++) {
            for (int ox = 0; ox < g.outWidth(); ox++) {
                int x = ox * g.strideW() - g.padLeft() + kx;
                if (x < 0 || x >= g.width()) {
                    continue;
                }
                for (int r = 0; r < rows.size() / perRow; r++) {
                    for (int in = 0; in < g.channelsIn(); in++) {
                        int from = (((firstTap + r) * g.width() + x) * g.channelsIn() + in) * p.nOut()
                                + ox * g.channelsOut() + block.firstChannel();
                        System.arraycopy(p.weights(), from, w, ((r * g.kernelW() + kx) * g.channelsIn() + in)
                                * channels, channels);
                    }
                }
                break;
            }
        }
        return w;
    }

    /**
     * Where a vertex's rows and columns of the layer's W lie in the stored weights: the same slices for a fully
     * connected layer; for a convolution's block (one output position, its receptive field as rows), the kernel
     * rows of the taps that fall on its rows and the output channels of its columns; for a batch normalization's
     * block, all its rows of weights and its columns' channels.
     */
    public static Slice[] parameterSlices(DenseLayerSpec layer, Slice rows, Slice cols) {
        if (!layer.isConvolution()) {
            return new Slice[] {rows, cols};
        }
        Conv1DGeometry g = layer.convolution();
        int position = cols.lo() / g.channelsOut();
        if ((cols.hi() - 1) / g.channelsOut() != position) {
            throw new IllegalArgumentException("a convolution's block holds one output position, columns " + cols
                    + " span several");
        }
        Slice channels = new Slice(cols.lo() - position * g.channelsOut(), cols.hi() - position * g.channelsOut());
        if (rows == null) {
            return new Slice[] {null, channels};
        }
        if (layer.isBatchNorm()) {
            return new Slice[] {new Slice(0, layer.weightRows()), channels};
        }
        int tapRow = (rows.lo() - g.firstInput(position) * g.channelsIn());
        return new Slice[] {new Slice(tapRow, tapRow + rows.size()), channels};
    }

    /**
     * The bias an activating core holds: its columns' ({@link #bias(DenseParameters, Slice)}), but a 2-D convolution's
     * block holds one per channel of its kernel ({@link RowBlock}), output column 0's (the layer's bias is repeated
     * along the row).
     */
    public static float[] bias(DenseParameters p, MachineVertex v, Slice cols) {
        RowBlock block = v.rowBlock();
        return block == null ? bias(p, cols)
                : bias(p, new Slice(block.firstChannel(), block.firstChannel() + block.channels()));
    }

    /** The bias of an activating core's columns (zeros for a layer without bias). */
    public static float[] bias(DenseParameters p, Slice cols) {
        float[] b = new float[cols.size()];
        if (p.bias().length > 0) {
            System.arraycopy(p.bias(), cols.lo(), b, 0, cols.size());
        }
        return b;
    }

    /** The loss weights of an output core's columns (empty for an unweighted loss). */
    public static List<Float> lossWeights(List<Float> layerWeights, Slice cols) {
        return layerWeights.isEmpty() ? List.of() : layerWeights.subList(cols.lo(), cols.lo() + cols.size());
    }

    /** Zeroed layer-shaped arrays for every layer of the network (no bias where a layer has none). */
    public static List<DenseParameters> zeros(NetworkSpec network) {
        List<DenseParameters> layers = new ArrayList<>();
        for (DenseLayerSpec layer : network.layers()) {
            layers.add(zeros(layer));
        }
        return layers;
    }

    /** Zeroed arrays shaped like one layer's parameters. */
    public static DenseParameters zeros(DenseLayerSpec layer) {
        return new DenseParameters(layer.weightRows(), layer.weightCols(),
                new float[layer.weightRows() * layer.weightCols()], new float[layer.hasBias() ? layer.weightCols() : 0]);
    }
}
