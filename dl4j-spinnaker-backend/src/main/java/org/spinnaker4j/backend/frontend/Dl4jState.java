package org.spinnaker4j.backend.frontend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AMSGradUpdater;
import org.nd4j.linalg.learning.AdaDeltaUpdater;
import org.nd4j.linalg.learning.AdaGradUpdater;
import org.nd4j.linalg.learning.AdaMaxUpdater;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.NadamUpdater;
import org.nd4j.linalg.learning.NesterovsUpdater;
import org.nd4j.linalg.learning.RmsPropUpdater;
import org.spinnaker4j.backend.runtime.LayerSlices;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;

/**
 * Moves a DL4J network's state (its parameters and its updater's state) to and from the
 * layer-shaped arrays the machine loads and reads back. DL4J lays both out in one flat vector
 * per kind: layer after layer, each layer's W (nIn × nOut, column-major) then its bias; an
 * updater block (one per run of parameters with equal updaters: a layer whose bias has an updater of its own
 * splits in two) keeps each of its state arrays (Adam's M and V, Nesterovs' V, ...) laid out like the
 * parameters it covers, so arrays of one name (Nesterovs' V and Adam's V) can sit side by side in two blocks.
 */
public final class Dl4jState {

    private Dl4jState() {
    }

    /** Writes each layer's W (row-major) and bias into an initialised network's parameters. */
    public static void setParameters(MultiLayerNetwork net, NetworkSpec spec, List<DenseParameters> layers) {
        net.params().assign(Nd4j.create(join(layers, spec), net.params().shape(), 'c'));
    }

    /**
     * The network's updater state, {@code result.get(l).get(k - 1)} being layer l's state array k as
     * {@code Machine.readUpdaterState} lays it out: its weights the weights' updater's array k (in the order of
     * {@link #stateKeys}), its bias the bias' updater's, zeros where that updater keeps fewer; DL4J's updater is
     * created (with zero state) if the network has none yet.
     */
    public static List<List<DenseParameters>> updaterState(MultiLayerNetwork net, NetworkSpec spec) {
        Map<String, float[]> byKey = new HashMap<>();
        for (UpdaterBlock block : blocks(net)) {
            Map<String, INDArray> arrays = block.getGradientUpdater().getState();
            for (Map.Entry<String, INDArray> array : arrays.entrySet()) {
                float[] values = flat(array.getValue());
                System.arraycopy(values, 0, byKey.computeIfAbsent(array.getKey(), k -> new float[numParams(spec)]),
                        block.getParamOffsetStart(), values.length);
            }
        }
        Map<String, List<DenseParameters>> byKeyAndLayer = new HashMap<>();
        byKey.forEach((key, values) -> byKeyAndLayer.put(key, split(values, spec, false)));
        List<List<DenseParameters>> state = new ArrayList<>();
        for (int l = 0; l < spec.layers().size(); l++) {
            List<String> weights = stateKeys(spec, l, false);
            List<String> bias = stateKeys(spec, l, true);
            DenseParameters zeros = LayerSlices.zeros(spec.layers().get(l));
            List<DenseParameters> arrays = new ArrayList<>();
            for (int k = 0; k < Math.max(weights.size(), bias.size()); k++) {
                DenseParameters w = k < weights.size() ? layerOf(byKeyAndLayer, weights.get(k), l) : zeros;
                DenseParameters b = k < bias.size() ? layerOf(byKeyAndLayer, bias.get(k), l) : zeros;
                arrays.add(new DenseParameters(w.nIn(), w.nOut(), w.weights(), b.bias()));
            }
            state.add(arrays);
        }
        return state;
    }

    private static DenseParameters layerOf(Map<String, List<DenseParameters>> byKeyAndLayer, String key, int layer) {
        List<DenseParameters> layers = byKeyAndLayer.get(key);
        if (layers == null) {
            throw new IllegalStateException("DL4J's updater keeps no state array " + key + " for layer " + layer
                    + ", whose updater needs one");
        }
        return layers.get(layer);
    }

    /** Writes updater state shaped as {@link #updaterState} returns it into the network's updater. */
    public static void setUpdaterState(MultiLayerNetwork net, NetworkSpec spec, List<List<DenseParameters>> state) {
        Set<String> keys = new LinkedHashSet<>();
        for (int l = 0; l < spec.layers().size(); l++) {
            keys.addAll(stateKeys(spec, l, false));
            keys.addAll(stateKeys(spec, l, true));
        }
        for (String key : keys) {
            List<DenseParameters> layers = new ArrayList<>();
            for (int l = 0; l < spec.layers().size(); l++) {
                int w = stateKeys(spec, l, false).indexOf(key);
                int b = stateKeys(spec, l, true).indexOf(key);
                DenseParameters zeros = LayerSlices.zeros(spec.layers().get(l));
                DenseParameters weights = w >= 0 ? state.get(l).get(w) : zeros;
                layers.add(new DenseParameters(weights.nIn(), weights.nOut(), weights.weights(),
                        (b >= 0 ? state.get(l).get(b) : zeros).bias()));
            }
            float[] values = join(layers, spec);
            for (UpdaterBlock block : blocks(net)) {
                Map<String, INDArray> arrays = block.getGradientUpdater().getState();
                INDArray array = arrays.get(key);
                if (array != null) {
                    float[] slice = Arrays.copyOfRange(values, block.getParamOffsetStart(), block.getParamOffsetEnd());
                    array.assign(Nd4j.create(slice, array.shape(), 'c'));
                }
            }
        }
    }

    /**
     * The names DL4J gives the state arrays of layer l's weights' updater, or of its bias' updater if {@code bias},
     * in the order the kernels number them (1, 2, ...).
     */
    public static List<String> stateKeys(NetworkSpec spec, int layer, boolean bias) {
        UpdaterSpec updater = spec.training().updater(layer);
        return switch ((bias ? updater.forBias() : updater).type()) {
            case SGD, NOOP -> List.of();
            case NESTEROVS -> List.of(NesterovsUpdater.V_STATE);
            case ADAM -> List.of(AdamUpdater.M_STATE, AdamUpdater.V_STATE);
            case ADAMAX -> List.of(AdaMaxUpdater.M_STATE, AdaMaxUpdater.U_STATE);
            case NADAM -> List.of(NadamUpdater.M_STATE, NadamUpdater.V_STATE);
            case AMSGRAD -> List.of(AMSGradUpdater.M_STATE, AMSGradUpdater.V_STATE, AMSGradUpdater.V_HAT_STATE);
            case ADAGRAD -> List.of(AdaGradUpdater.GRAD_STATE);
            case ADADELTA -> List.of(AdaDeltaUpdater.MSG_STATE, AdaDeltaUpdater.MSDX_STATE);
            case RMSPROP -> List.of(RmsPropUpdater.G_STATE);
        };
    }

    /** The DL4J updater's state as one flat vector (a copy), for comparing it bit for bit. */
    public static float[] updaterStateVector(MultiLayerNetwork net) {
        INDArray view = net.getUpdater().getStateViewArray();
        return view == null ? new float[0] : flat(view);
    }

    private static List<UpdaterBlock> blocks(MultiLayerNetwork net) {
        Updater updater = net.getUpdater();
        if (!(updater instanceof BaseMultiLayerUpdater<?> multi)) {
            throw new IllegalStateException("expected DL4J's MultiLayerUpdater, got "
                    + (updater == null ? "none" : updater.getClass().getName()));
        }
        return multi.getUpdaterBlocks();
    }

    /** A vector's values as floats in order (a copy). */
    private static float[] flat(INDArray vector) {
        return vector.castTo(DataType.FLOAT).ravel().toFloatVector();
    }

    private static int numParams(NetworkSpec spec) {
        int n = 0;
        for (DenseLayerSpec layer : spec.layers()) {
            n += numParams(layer);
        }
        return n;
    }

    /**
     * DL4J's parameters of one layer: a 2-D convolution's kernel is smaller than the rows' kernel it runs as; a batch
     * normalization keeps gamma, beta, mean and its statistic per channel.
     */
    private static int numParams(DenseLayerSpec layer) {
        if (layer.isBatchNorm()) {
            return 4 * normChannels(layer);
        }
        Conv2DGeometry image = image(layer);
        if (image == null || image.dense()) {
            return layer.weightRows() * layer.weightCols() + (layer.hasBias() ? layer.weightCols() : 0);
        }
        return image.channelsOut() * (image.channelsIn() * image.kernelH() * image.kernelW() + (layer.hasBias() ? 1
                : 0));
    }

    /** A batch normalization's channels: of a sequence's position, or of an image's pixel. */
    private static int normChannels(DenseLayerSpec layer) {
        Conv2DGeometry image = layer.convolution().image();
        return image == null ? layer.convolution().channelsOut() : image.channelsOut();
    }

    /**
     * A batch normalization's parameters as its blocks hold them: from DL4J's gamma, beta, mean and statistic (each
     * a value per channel), the rows gamma, mean, statistic and the std the kernels divide by
     * ({@link org.spinnaker4j.mapper.ir.PoolingSpec#std}; 0 unless {@code withStd}) for every column (an image's:
     * every pixel of a row), and beta as the bias.
     */
    private static DenseParameters normParameters(float[] flat, int offset, DenseLayerSpec layer, boolean withStd) {
        int c = normChannels(layer);
        int cols = layer.weightCols();
        float[] w = new float[layer.weightRows() * cols];
        float[] b = new float[cols];
        for (int j = 0; j < cols; j++) {
            int ch = j % c;
            float stat = flat[offset + 3 * c + ch];
            w[j] = flat[offset + ch];
            b[j] = flat[offset + c + ch];
            w[cols + j] = flat[offset + 2 * c + ch];
            w[2 * cols + j] = stat;
            w[3 * cols + j] = withStd ? layer.pooling().std(stat) : 0f;
        }
        return new DenseParameters(layer.weightRows(), cols, w, b);
    }

    /** The inverse of {@link #normParameters}: DL4J's four arrays from each channel's first column. */
    private static void joinNorm(DenseParameters p, DenseLayerSpec layer, float[] flat, int offset) {
        int c = normChannels(layer);
        for (int ch = 0; ch < c; ch++) {
            flat[offset + ch] = p.weight(0, ch);
            flat[offset + c + ch] = p.bias()[ch];
            flat[offset + 2 * c + ch] = p.weight(1, ch);
            flat[offset + 3 * c + ch] = p.weight(2, ch);
        }
    }

    /** A 2-D convolution's geometry, or null for any other layer (a 2-D pooling layer too: it has no parameters). */
    private static Conv2DGeometry image(DenseLayerSpec layer) {
        return layer.isConvolution() && !layer.isPooling() ? layer.convolution().image() : null;
    }

    /**
     * A 2-D convolution's parameters as the convolution along the image's rows runs them ({@link Conv2DGeometry}):
     * from DL4J's bias, then W[out, in, kernel row, kernel column] ('c' order), the rows' kernel with each output
     * column's copy of W at its place and zeros elsewhere, and the bias repeated for every output column; a dense
     * layer over the image (W[in, out] column-major, in = (channel, row, column), then its bias) with its rows in
     * (row, column, channel) order.
     */
    private static DenseParameters expand(float[] flat, int offset, DenseLayerSpec layer) {
        Conv2DGeometry g = layer.convolution().image();
        int nIn = layer.weightRows();
        int nOut = layer.weightCols();
        float[] w = new float[nIn * nOut];
        float[] b = new float[layer.hasBias() ? nOut : 0];
        if (g.dense()) {
            int pixels = g.height() * g.width();
            for (int c = 0; c < g.channelsIn(); c++) {
                for (int p = 0; p < pixels; p++) {
                    for (int j = 0; j < nOut; j++) {
                        w[(p * g.channelsIn() + c) * nOut + j] = flat[offset + j * nIn + c * pixels + p];
                    }
                }
            }
            System.arraycopy(flat, offset + w.length, b, 0, b.length);
            return new DenseParameters(nIn, nOut, w, b);
        }
        int co = g.channelsOut();
        for (int ox = 0; ox < g.outWidth(); ox++) {
            for (int o = 0; o < co; o++) {
                if (b.length > 0) {
                    b[ox * co + o] = flat[offset + o];
                }
                int kernel = offset + (layer.hasBias() ? co : 0) + o * g.channelsIn() * g.kernelH() * g.kernelW();
                for (int ky = 0; ky < g.kernelH(); ky++) {
                    for (int x = 0; x < g.width(); x++) {
                        int kx = g.kernelColumn(ox, x);
                        for (int in = 0; kx >= 0 && in < g.channelsIn(); in++) {
                            int row = (ky * g.width() + x) * g.channelsIn() + in;
                            w[row * nOut + ox * co + o] = flat[kernel + (in * g.kernelH() + ky) * g.kernelW() + kx];
                        }
                    }
                }
            }
        }
        return new DenseParameters(nIn, nOut, w, b);
    }

    /**
     * The inverse of {@link #expand}: DL4J's bias and W[out, in, kernel row, kernel column] of a 2-D convolution from
     * the rows' kernel, each weight from the first output column that puts its kernel column on the image (every
     * output column holds the same value), the bias from output column 0; a dense layer over the image back to its
     * (channel, row, column) rows, column-major, then its bias.
     */
    private static void collapse(DenseParameters p, DenseLayerSpec layer, float[] flat, int offset) {
        Conv2DGeometry g = layer.convolution().image();
        int nIn = p.nIn();
        if (g.dense()) {
            int pixels = g.height() * g.width();
            for (int c = 0; c < g.channelsIn(); c++) {
                for (int px = 0; px < pixels; px++) {
                    for (int j = 0; j < p.nOut(); j++) {
                        flat[offset + j * nIn + c * pixels + px] = p.weight(px * g.channelsIn() + c, j);
                    }
                }
            }
            System.arraycopy(p.bias(), 0, flat, offset + nIn * p.nOut(), p.bias().length);
            return;
        }
        int co = g.channelsOut();
        int biases = layer.hasBias() ? co : 0;
        System.arraycopy(p.bias(), 0, flat, offset, biases);
        for (int kx = 0; kx < g.kernelW(); kx++) {
            int ox = 0;
            while (ox < g.outWidth() && (ox * g.strideW() - g.padLeft() + kx < 0
                    || ox * g.strideW() - g.padLeft() + kx >= g.width())) {
                ox++;
            }
            if (ox == g.outWidth()) {
                throw new IllegalStateException("kernel column " + kx + " of " + g + " never falls on the image: the "
                        + "machine does not hold it");
            }
            int x = ox * g.strideW() - g.padLeft() + kx;
            for (int o = 0; o < co; o++) {
                for (int in = 0; in < g.channelsIn(); in++) {
                    for (int ky = 0; ky < g.kernelH(); ky++) {
                        flat[offset + biases + ((o * g.channelsIn() + in) * g.kernelH() + ky) * g.kernelW() + kx] =
                                p.weight((ky * g.width() + x) * g.channelsIn() + in, ox * co + o);
                    }
                }
            }
        }
    }

    /**
     * Layer-shaped arrays (W row-major, bias) from a flat vector in DL4J's layout, such as a copy of
     * {@code params()}: W column-major, then bias, layer after layer (a 2-D convolution's: {@link #expand}).
     */
    public static List<DenseParameters> split(float[] flat, NetworkSpec spec) {
        return split(flat, spec, true);
    }

    /**
     * {@link #split(float[], NetworkSpec)}, a batch normalization's std row derived from its statistic if
     * {@code parameters}, else 0 (updater state: only gamma's row has any).
     */
    private static List<DenseParameters> split(float[] flat, NetworkSpec spec, boolean parameters) {
        if (flat.length != numParams(spec)) {
            throw new IllegalStateException("the network's parameters have " + flat.length + " values, expected "
                    + numParams(spec) + " for its layers");
        }
        List<DenseParameters> layers = new ArrayList<>();
        int offset = 0;
        for (DenseLayerSpec layer : spec.layers()) {
            int nIn = layer.weightRows();
            int nOut = layer.weightCols();
            int biasLength = layer.hasBias() ? nOut : 0;
            if (layer.isBatchNorm()) {
                layers.add(normParameters(flat, offset, layer, parameters));
                offset += numParams(layer);
                continue;
            }
            if (image(layer) != null) {
                layers.add(expand(flat, offset, layer));
                offset += numParams(layer);
                continue;
            }
            float[] w = new float[nIn * nOut];
            float[] b = new float[biasLength];
            if (kernelLayout(layer)) {
                System.arraycopy(flat, offset, b, 0, biasLength);
                System.arraycopy(flat, offset + biasLength, w, 0, w.length);
            } else {
                for (int j = 0; j < nOut; j++) {
                    for (int i = 0; i < nIn; i++) {
                        w[i * nOut + j] = flat[offset + j * nIn + i];
                    }
                }
                System.arraycopy(flat, offset + w.length, b, 0, biasLength);
            }
            offset += w.length + biasLength;
            layers.add(new DenseParameters(nIn, nOut, w, b));
        }
        return layers;
    }

    /**
     * Whether DL4J keeps a layer's parameters as a {@code Convolution1DLayer} does: bias first, then the kernel
     * with w(tap, in, out) at tap·nIn·nOut + in·nOut + out (its W reports the shape [nOut, nIn, k, 1], but its
     * values are in this order, which is the stored weights' row-major order). A dense layer, applied per position
     * or not, keeps W column-major, then its bias.
     */
    private static boolean kernelLayout(DenseLayerSpec layer) {
        return layer.isConvolution() && !layer.convolution().pointwise();
    }

    /** The inverse of {@link #split}. */
    static float[] join(List<DenseParameters> layers, NetworkSpec spec) {
        if (layers.size() != spec.layers().size()) {
            throw new IllegalArgumentException("arrays for " + layers.size() + " layers, the network has "
                    + spec.layers().size());
        }
        float[] flat = new float[numParams(spec)];
        int offset = 0;
        for (int l = 0; l < layers.size(); l++) {
            DenseParameters p = layers.get(l);
            if (spec.layers().get(l).isBatchNorm()) {
                joinNorm(p, spec.layers().get(l), flat, offset);
                offset += numParams(spec.layers().get(l));
                continue;
            }
            if (image(spec.layers().get(l)) != null) {
                collapse(p, spec.layers().get(l), flat, offset);
                offset += numParams(spec.layers().get(l));
                continue;
            }
            if (kernelLayout(spec.layers().get(l))) {
                System.arraycopy(p.bias(), 0, flat, offset, p.bias().length);
                System.arraycopy(p.weights(), 0, flat, offset + p.bias().length, p.weights().length);
                offset += p.bias().length + p.weights().length;
                continue;
            }
            for (int j = 0; j < p.nOut(); j++) {
                for (int i = 0; i < p.nIn(); i++) {
                    flat[offset + j * p.nIn() + i] = p.weight(i, j);
                }
            }
            offset += p.nIn() * p.nOut();
            System.arraycopy(p.bias(), 0, flat, offset, p.bias().length);
            offset += p.bias().length;
        }
        return flat;
    }
}
