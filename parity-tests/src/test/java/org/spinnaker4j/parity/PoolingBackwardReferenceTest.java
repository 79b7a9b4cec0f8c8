package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the pooling blocks' backward pass reproduces, measured on nd4j-native (the gradient a pooling layer gives
 * its input for a given delta): MAX gives each window's delta to one value, the first where the running maximum
 * grew, its window's values taken rows first, pixels next; a Subsampling layer's maximum starts at -3.402823e38 at
 * the window's first value (libnd4j's maxpool2d_bp), so a window of NaN or -inf gives its delta to its first value;
 * a GlobalPoolingLayer's starts at its first value (nd4j's IsMax), so a NaN there takes the delta even where the
 * forward pass skipped it. AVG divides each window's delta by its divisor and adds it to every value of the window,
 * overlapping windows' shares adding up; a global AVG divides by the sequence's length.
 */
class PoolingBackwardReferenceTest {

    private static final float NAN = Float.NaN;
    private static final float NINF = Float.NEGATIVE_INFINITY;

    /** The layer's output and its input's gradient for the delta {@code eps}, as nd4j-native computes them. */
    private static String backward(org.deeplearning4j.nn.conf.layers.Layer layer, InputType type, INDArray x,
            INDArray eps) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
                .layer(layer).setInputType(type).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Layer l = net.getLayer(0);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        INDArray y = l.activate(x, true, mgr);
        INDArray g = l.backpropGradient(eps, mgr).getSecond();
        return Arrays.toString(y.ravel().toFloatVector()) + " " + Arrays.toString(g.ravel().toFloatVector());
    }

    private static INDArray sequence(float... v) {
        return Nd4j.create(v, new long[] {1, 1, v.length});
    }

    private static Subsampling1DLayer pool1d(PoolingType type, int kernel, int stride, ConvolutionMode mode) {
        return (Subsampling1DLayer) new Subsampling1DLayer.Builder().kernelSize(kernel).stride(stride).poolingType(type)
                .convolutionMode(mode).build();
    }

    @Test
    void subsampling1DMax() {
        // windows of 2: a tie, NaN, -inf, then greater values later
        assertEquals("[3.0, -3.402823E38, -3.402823E38, 5.0, 2.0, 7.0] "
                + "[10.0, 0.0, 20.0, 0.0, 30.0, 0.0, 0.0, 40.0, 0.0, 50.0, 0.0, 60.0]",
                backward(pool1d(PoolingType.MAX, 2, 2, ConvolutionMode.Truncate), InputType.recurrent(1, 12),
                        sequence(3, 3, NAN, NAN, NINF, NINF, 1, 5, NAN, 2, NINF, 7), sequence(10, 20, 30, 40, 50, 60)));
        // overlapping windows of 3, Same (one tap of padding on each side): shares add up at the argmax
        Subsampling1DLayer same = pool1d(PoolingType.MAX, 3, 1, ConvolutionMode.Same);
        INDArray eps = sequence(1, 10, 100, 1000, 10000, 100000);
        assertEquals("[1.0, 2.0, 2.0, 2.0, 2.0, 1.0] [0.0, 1.0, 1110.0, 10000.0, 100000.0, 0.0]",
                backward(same, InputType.recurrent(1, 6), sequence(NAN, 1, 2, 2, 1, 0), eps));
        // a window of NaN and -inf gives its delta to its first value on the input, not the padding
        assertEquals("[-3.402823E38, -3.402823E38, -3.402823E38, 5.0, 5.0, 5.0] [11.0, 100.0, 0.0, 0.0, 111000.0, 0.0]",
                backward(same, InputType.recurrent(1, 6), sequence(NAN, NAN, NINF, NAN, 5, 5), eps));
    }

    @Test
    void globalMaxStartsAtTheFirstValue() {
        INDArray eps = Nd4j.create(new float[] {7}, new long[] {1, 1});
        GlobalPoolingLayer max = new GlobalPoolingLayer.Builder(PoolingType.MAX).build();
        assertEquals("[2.0] [7.0, 0.0, 0.0, 0.0]",
                backward(max, InputType.recurrent(1, 4), sequence(NAN, 2, 2, NAN), eps));
        assertEquals("[-Infinity] [7.0, 0.0, 0.0, 0.0]",
                backward(max, InputType.recurrent(1, 4), sequence(NINF, NAN, NINF, NAN), eps));
        assertEquals("[3.0] [0.0, 0.0, 7.0, 0.0]",
                backward(max, InputType.recurrent(1, 4), sequence(1, NAN, 3, 3), eps));
        assertEquals("[2.3333333] [0.23333333, 0.23333333, 0.23333333]",
                backward(new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), InputType.recurrent(1, 3),
                        sequence(1, 3, 3), Nd4j.create(new float[] {0.7f}, new long[] {1, 1})));
    }

    @Test
    void subsampling2DMaxTakesRowsFirst() {
        INDArray x = Nd4j.create(new float[] {1, 2, NAN, NAN, 2, 1, NAN, NAN, NINF, NINF, 4, 4, NINF, NINF, 4, 4},
                new long[] {1, 1, 4, 4});
        assertEquals("[2.0, -3.402823E38, -3.402823E38, 4.0] "
                + "[0.0, 1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0]",
                backward(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(),
                        InputType.convolutional(4, 4, 1), x, Nd4j.create(new float[] {1, 2, 3, 4}, new long[] {1, 1, 2, 2})));
        INDArray y = Nd4j.create(new float[] {NAN, NAN, 1, NAN, NINF, NINF, 0, NAN, 1}, new long[] {1, 1, 3, 3});
        INDArray eps = Nd4j.create(new float[] {1, 10, 100, 1000, 10000, 100000, 1e6f, 1e7f, 1e8f},
                new long[] {1, 1, 3, 3});
        assertEquals("[-3.402823E38, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0] "
                + "[1.0, 0.0, 110.0, 0.0, 0.0, 0.0, 1001000.0, 0.0, 1.1011E8]",
                backward(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(1, 1)
                        .convolutionMode(ConvolutionMode.Same).build(), InputType.convolutional(3, 3, 1), y, eps));
    }

    /** AVG: each window's delta divided once by its divisor (the taps on the input), added to its values in float. */
    @Test
    void avgSharesAddUp() {
        INDArray eps = sequence(0.1f, 0.7f, 0.3f, 1.9f, 2.3f, 0.01f);
        float[] expected = new float[6];
        for (int t = 0; t < 6; t++) {
            int lo = Math.max(0, t - 1);
            int hi = Math.min(6, t + 2);
            float share = eps.getFloat(t) / (float) (hi - lo);
            for (int i = lo; i < hi; i++) {
                expected[i] += share;
            }
        }
        assertEquals("[1.5, 2.0, 3.0, 4.0, 5.0, 5.5] " + Arrays.toString(expected),
                backward(pool1d(PoolingType.AVG, 3, 1, ConvolutionMode.Same), InputType.recurrent(1, 6),
                        sequence(1, 2, 3, 4, 5, 6), eps));
    }
}
