package org.spinnaker4j.backend.frontend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;

/**
 * Moves a DL4J network's state (its parameters and its updater's state) to and from the
 * layer-shaped arrays the machine loads and reads back. DL4J lays both out in one flat vector
 * per kind: layer after layer, each layer's W (nIn × nOut, column-major) then its bias; an
 * updater block keeps each of its state arrays (Adam's M and V, Nesterovs' V, ...) laid out like the
 * parameters it covers.
 */
public final class Dl4jState {

    private Dl4jState() {
    }

    /** Writes each layer's W (row-major) and bias into an initialised network's parameters. */
    public static void setParameters(MultiLayerNetwork net, NetworkSpec spec, List<DenseParameters> layers) {
        net.params().assign(Nd4j.create(join(layers, spec), net.params().shape(), 'c'));
    }

    /**
     * The network's updater state, {@code result.get(l).get(k)} being layer l's state array k in the order
     * of {@link #stateKeys}; DL4J's updater is created (with zero state) if the network has none yet.
     */
    public static List<List<DenseParameters>> updaterState(MultiLayerNetwork net, NetworkSpec spec) {
        List<String> keys = allStateKeys(spec);
        List<List<DenseParameters>> state = new ArrayList<>();
        spec.layers().forEach(layer -> state.add(new ArrayList<>()));
        if (keys.isEmpty()) {
            return state;
        }
        float[][] byKey = new float[keys.size()][numParams(spec)];
        for (UpdaterBlock block : blocks(net)) {
            Map<String, INDArray> arrays = block.getGradientUpdater().getState();
            for (Map.Entry<String, INDArray> array : arrays.entrySet()) {
                float[] values = flat(array.getValue());
                System.arraycopy(values, 0, byKey[index(keys, array.getKey())], block.getParamOffsetStart(),
                        values.length);
            }
        }
        List<List<DenseParameters>> byKeyAndLayer = new ArrayList<>();
        for (float[] values : byKey) {
            byKeyAndLayer.add(split(values, spec));
        }
        for (int l = 0; l < spec.layers().size(); l++) {
            for (String key : stateKeys(spec, l)) {
                state.get(l).add(byKeyAndLayer.get(keys.indexOf(key)).get(l));
            }
        }
        return state;
    }

    /** Writes updater state shaped as {@link #updaterState} returns it into the network's updater. */
    public static void setUpdaterState(MultiLayerNetwork net, NetworkSpec spec, List<List<DenseParameters>> state) {
        List<String> keys = allStateKeys(spec);
        for (String key : keys) {
            List<DenseParameters> layers = new ArrayList<>();
            for (int l = 0; l < spec.layers().size(); l++) {
                int k = stateKeys(spec, l).indexOf(key);
                layers.add(k >= 0 ? state.get(l).get(k) : LayerSlices.zeros(spec.layers().get(l)));
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

    /** The names DL4J gives layer l's updater state arrays, in the order the kernels number them (1, 2, ...). */
    public static List<String> stateKeys(NetworkSpec spec, int layer) {
        UpdaterType type = spec.training().updater(layer).type();
        return switch (type) {
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

    private static List<String> allStateKeys(NetworkSpec spec) {
        List<String> keys = new ArrayList<>();
        for (int l = 0; l < spec.layers().size(); l++) {
            stateKeys(spec, l).stream().filter(k -> !keys.contains(k)).forEach(keys::add);
        }
        return keys;
    }

    private static int index(List<String> keys, String key) {
        int k = keys.indexOf(key);
        if (k < 0) {
            throw new IllegalStateException("DL4J's updater has a state array " + key + " that none of the layers' "
                    + "updaters (" + keys + ") keeps");
        }
        return k;
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
            n += layer.nIn() * layer.nOut() + (layer.hasBias() ? layer.nOut() : 0);
        }
        return n;
    }

    /**
     * Layer-shaped arrays (W row-major, bias) from a flat vector in DL4J's layout, such as a copy of
     * {@code params()}: W column-major, then bias, layer after layer.
     */
    public static List<DenseParameters> split(float[] flat, NetworkSpec spec) {
        if (flat.length != numParams(spec)) {
            throw new IllegalStateException("the network's parameters have " + flat.length + " values, expected "
                    + numParams(spec) + " for its layers");
        }
        List<DenseParameters> layers = new ArrayList<>();
        int offset = 0;
        for (DenseLayerSpec layer : spec.layers()) {
            int nIn = layer.nIn();
            int nOut = layer.nOut();
            float[] w = new float[nIn * nOut];
            for (int j = 0; j < nOut; j++) {
                for (int i = 0; i < nIn; i++) {
                    w[i * nOut + j] = flat[offset + j * nIn + i];
                }
            }
            offset += nIn * nOut;
            float[] b = new float[layer.hasBias() ? nOut : 0];
            System.arraycopy(flat, offset, b, 0, b.length);
            offset += b.length;
            layers.add(new DenseParameters(nIn, nOut, w, b));
        }
        return layers;
    }

    /** The inverse of {@link #split}. */
    static float[] join(List<DenseParameters> layers, NetworkSpec spec) {
        if (layers.size() != spec.layers().size()) {
            throw new IllegalArgumentException("arrays for " + layers.size() + " layers, the network has "
                    + spec.layers().size());
        }
        float[] flat = new float[numParams(spec)];
        int offset = 0;
        for (DenseParameters p : layers) {
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
