package org.spinnaker4j.backend.frontend;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.spinnaker4j.kernels.KernelCore;
import org.spinnaker4j.mapper.ir.InputDropout;

/**
 * Dropout in training: for each layer {@link Dl4jFrontEnd} translated, the dropout DL4J applies to its input in a
 * training forward pass ({@code AbstractLayer.applyDropOutIfNecessary}): its own {@code dropOut(p)}, or a
 * {@code DropoutLayer} just before it, whose output is the layer's input. p is {@code Dropout}'s fixed p or its
 * schedule's value at the layer's iteration and epoch, as DL4J's {@code Dropout.applyDropout} takes it. The cores draw
 * their masks from a hash of the mini-batch's stream key ({@link #stream}), not from ND4J's generator.
 */
public final class DropoutTranslator {

    private DropoutTranslator() {
    }

    /**
     * The configuration's layer whose dropout drops the input of the non-dropout layer {@code i}: {@code i} itself
     * (not a pooling layer, whose own dropout DL4J ignores), the {@code DropoutLayer} before it, or -1 if none does.
     * Call {@link #untrainable} first: with both, the layer's own.
     */
    static int dropoutOf(MultiLayerConfiguration conf, int i) {
        if (dropsOwnInput(conf.getConf(i).getLayer())) {
            return i;
        }
        return afterDropoutLayer(conf, i) ? i - 1 : -1;
    }

    /** Whether the layer's own dropout drops its input (a pooling layer's DL4J ignores). */
    private static boolean dropsOwnInput(Layer layer) {
        return layer.getIDropout() != null && !Dl4jFrontEnd.isPooling(layer);
    }

    private static boolean afterDropoutLayer(MultiLayerConfiguration conf, int i) {
        return i > 0 && Dl4jFrontEnd.isDropoutLayer(conf.getConf(i - 1).getLayer());
    }

    /**
     * The probability of keeping each value of the input of layer {@code i} at this iteration and epoch, as the float
     * the cores scale by (1 without dropout).
     *
     * @throws IllegalStateException if a schedule gives a p outside (0, 1]
     */
    static float keep(MultiLayerConfiguration conf, int i, int iteration, int epoch) {
        int source = dropoutOf(conf, i);
        if (source < 0) {
            return 1f;
        }
        Dropout d = (Dropout) conf.getConf(source).getLayer().getIDropout();
        double p = d.getPSchedule() != null ? d.getPSchedule().valueAt(iteration, epoch) : d.getP();
        float keep = (float) p;
        if (!(keep > 0f && keep <= 1f)) {
            throw new IllegalStateException("layer " + source + ": at iteration " + iteration + ", epoch " + epoch
                    + " its dropout's p is " + p + ", outside (0, 1]");
        }
        return keep;
    }

    /**
     * Whether DL4J's backward pass masks the gradient of layer {@code i}'s dropped input: a {@code DropoutLayer}'s
     * and {@code BaseLayer}'s backprop do ({@code backpropDropOutIfPresent}; a {@code ConvolutionLayer}'s too); a
     * {@code Convolution1DLayer}'s own, in 1.0.0-M2.1, does not, though its forward pass drops its input.
     */
    static boolean dropsGradient(MultiLayerConfiguration conf, int i) {
        int source = dropoutOf(conf, i);
        return source >= 0 && !(conf.getConf(source).getLayer() instanceof Convolution1DLayer);
    }

    /** The dropout of layer {@code i}'s input the mapper charges: none, the input, or with its gradient too. */
    static InputDropout inputDropout(MultiLayerConfiguration conf, int i) {
        return dropoutOf(conf, i) < 0 ? InputDropout.NONE
                : dropsGradient(conf, i) ? InputDropout.INPUT_AND_GRADIENT : InputDropout.INPUT;
    }

    /**
     * The stream key of the cores' dropout hash for the dropout of layer {@code source} in the mini-batch of
     * {@code iteration}: murmur3's finalizer over the seed's two halves, the iteration and the layer, so runs with
     * the same seed draw the same masks and every mini-batch and layer others.
     */
    public static int stream(long seed, int iteration, int source) {
        int h = KernelCore.dropoutHash((int) seed, (int) (seed >>> 32), iteration);
        return KernelCore.dropoutHash(h, source, 0x2545F491);
    }

    /**
     * The configuration's layers whose dropout cannot train on the cores ("layer i (Type, reason)"), comma
     * separated; empty if none: a layer whose input is dropped twice (a {@code DropoutLayer} before a layer with
     * its own dropout, or two {@code DropoutLayer}s in a row). The cores drop every other layer's input: a 2-D
     * convolution's, a pooling layer's after a {@code DropoutLayer} (its blocks drop what they pool and mask the
     * gradient they send back), a dense layer's over an image. A pooling layer's own dropout DL4J ignores
     * ({@code SubsamplingLayer} and {@code GlobalPoolingLayer} never apply it), as the cores do. (A
     * {@code DropoutLayer} at the end leaves no output layer last, which fit refuses anyway, as DL4J's does.)
     */
    public static String untrainable(MultiLayerConfiguration conf) {
        StringBuilder named = new StringBuilder();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            if (afterDropoutLayer(conf, i) && dropsOwnInput(layer)) {
                named.append(named.length() == 0 ? "" : ", ").append("layer ").append(i).append(" (")
                        .append(layer.getClass().getSimpleName())
                        .append(", its input dropped twice, by the DropoutLayer before it and its own)");
            }
        }
        return named.toString();
    }
}
