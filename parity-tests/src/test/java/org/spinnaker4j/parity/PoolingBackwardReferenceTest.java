package org.spinnaker4j.parity;

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

class PoolingBackwardReferenceTest {

    static String back(org.deeplearning4j.nn.conf.layers.Layer layer, InputType type, INDArray x, INDArray eps) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
                .layer(layer).setInputType(type).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Layer l = net.getLayer(0);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        INDArray y = l.activate(x, true, mgr);
        INDArray g = l.backpropGradient(eps, mgr).getSecond();
        return l.getClass().getSimpleName() + " y=" + Arrays.toString(y.ravel().toFloatVector()) + " g="
                + Arrays.toString(g.ravel().toFloatVector());
    }

    @Test
    void explore() {
        float nan = Float.NaN;
        float ninf = Float.NEGATIVE_INFINITY;
        INDArray x = Nd4j.create(new float[] {3, 3, nan, nan, ninf, ninf, 1, 5, nan, 2, ninf, 7}, new long[] {1, 1, 12});
        INDArray eps = Nd4j.create(new float[] {10, 20, 30, 40, 50, 60}, new long[] {1, 1, 6});
        Subsampling1DLayer max = (Subsampling1DLayer) new Subsampling1DLayer.Builder().kernelSize(2).stride(2)
                .poolingType(PoolingType.MAX).build();
        System.out.println("MAX1D " + back(max, InputType.recurrent(1, 12), x, eps));
        INDArray x3 = Nd4j.create(new float[] {nan, 1, 2, 2, 1, 0}, new long[] {1, 1, 6});
        INDArray e3 = Nd4j.create(new float[] {1, 10, 100, 1000, 10000, 100000}, new long[] {1, 1, 6});
        Subsampling1DLayer same = (Subsampling1DLayer) new Subsampling1DLayer.Builder().kernelSize(3).stride(1)
                .convolutionMode(ConvolutionMode.Same).poolingType(PoolingType.MAX).build();
        System.out.println("MAX1D same " + back(same, InputType.recurrent(1, 6), x3, e3));
        INDArray xn = Nd4j.create(new float[] {nan, nan, ninf, nan, 5, 5}, new long[] {1, 1, 6});
        System.out.println("MAX1D same nan " + back(same, InputType.recurrent(1, 6), xn, e3));
        Subsampling1DLayer avg = (Subsampling1DLayer) new Subsampling1DLayer.Builder().kernelSize(3).stride(1)
                .convolutionMode(ConvolutionMode.Same).poolingType(PoolingType.AVG).build();
        INDArray xa = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6}, new long[] {1, 1, 6});
        INDArray ea = Nd4j.create(new float[] {0.1f, 0.7f, 0.3f, 1.9f, 2.3f, 0.01f}, new long[] {1, 1, 6});
        System.out.println("AVG1D same " + back(avg, InputType.recurrent(1, 6), xa, ea));
        for (float[] v : new float[][] {{nan, 2, 2, nan}, {nan, nan, nan, nan}, {ninf, ninf, ninf, ninf},
                {ninf, nan, ninf, nan}, {1, 3, 3, 2}}) {
            INDArray xg = Nd4j.create(v, new long[] {1, 1, 4});
            INDArray eg = Nd4j.create(new float[] {7}, new long[] {1, 1});
            System.out.println("GMAX " + Arrays.toString(v) + " " + back(new GlobalPoolingLayer.Builder(PoolingType.MAX)
                    .build(), InputType.recurrent(1, 4), xg, eg));
        }
        INDArray xg = Nd4j.create(new float[] {1, 3, 3}, new long[] {1, 1, 3});
        System.out.println("GAVG " + back(new GlobalPoolingLayer.Builder(PoolingType.AVG).build(),
                InputType.recurrent(1, 3), xg, Nd4j.create(new float[] {0.7f}, new long[] {1, 1})));
        // 2-D: 1 channel 2 x 2 windows, ties across rows and columns
        INDArray x2 = Nd4j.create(new float[] {1, 2, nan, nan, 2, 1, nan, nan, ninf, ninf, 4, 4, ninf, ninf, 4, 4},
                new long[] {1, 1, 4, 4});
        INDArray e2 = Nd4j.create(new float[] {1, 2, 3, 4}, new long[] {1, 1, 2, 2});
        SubsamplingLayer m2 = new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build();
        System.out.println("MAX2D " + back(m2, InputType.convolutional(4, 4, 1), x2, e2));
        SubsamplingLayer m2s = new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(1, 1)
                .convolutionMode(ConvolutionMode.Same).build();
        INDArray x2b = Nd4j.create(new float[] {nan, nan, 1, nan, ninf, ninf, 0, nan, 1}, new long[] {1, 1, 3, 3});
        INDArray e2b = Nd4j.create(new float[] {1, 10, 100, 1000, 10000, 100000, 1e6f, 1e7f, 1e8f}, new long[] {1, 1, 3, 3});
        System.out.println("MAX2D same " + back(m2s, InputType.convolutional(3, 3, 1), x2b, e2b));
        SubsamplingLayer a2 = new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(3, 3).stride(1, 1)
                .convolutionMode(ConvolutionMode.Same).build();
        INDArray ea2 = Nd4j.rand(DataType.FLOAT, 1, 1, 3, 3);
        System.out.println("AVG2D same " + back(a2, InputType.convolutional(3, 3, 1), Nd4j.rand(DataType.FLOAT, 1, 1, 3, 3), ea2)
                + " e=" + Arrays.toString(ea2.ravel().toFloatVector()));
    }
}
