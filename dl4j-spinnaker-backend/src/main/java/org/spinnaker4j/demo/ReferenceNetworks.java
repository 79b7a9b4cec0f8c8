package org.spinnaker4j.demo;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/** The reference networks the demo, the parity tests and the benchmarks share. */
public final class ReferenceNetworks {

    private ReferenceNetworks() {
    }

    /**
     * The 2020 prototype's example: 10 → Dense 50 relu → Dense 50 softmax → Dense 300 tanh →
     * Dense 50 sigmoid → 25 linear (MSE).
     */
    public static MultiLayerConfiguration seedNetwork() {
        return new NeuralNetConfiguration.Builder().seed(2020).weightInit(WeightInit.XAVIER).list()
                .layer(dense(10, 50, Activation.RELU))
                .layer(dense(50, 50, Activation.SOFTMAX))
                .layer(dense(50, 300, Activation.TANH))
                .layer(dense(300, 50, Activation.SIGMOID))
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(50).nOut(25).activation(Activation.IDENTITY)
                        .build())
                .build();
    }

    /** The MNIST MLP: 784 → 256 relu → 128 relu → 10 softmax (MCXENT), Adam 1e-3. */
    public static MultiLayerConfiguration mnistMlp() {
        return new NeuralNetConfiguration.Builder().seed(42).updater(new Adam(1e-3)).weightInit(WeightInit.XAVIER)
                .list()
                .layer(dense(784, 256, Activation.RELU))
                .layer(dense(256, 128, Activation.RELU))
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(128).nOut(10).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    /**
     * The CNN demo's LeNet-style network on flat 28 × 28 MNIST digits: Conv2D 5 × 5, 4 channels, relu → MAX pooling
     * 2 × 2 → Conv2D 5 × 5, 8 channels, relu → MAX pooling 2 × 2 (4 × 4 × 8) → Dense 64 relu → 10 softmax (MCXENT),
     * Adam at 1e-2 decaying exponentially by iteration to a fifth over 750 iterations (the CNN demo's three epochs of
     * 250 mini-batches).
     */
    public static MultiLayerConfiguration mnistLeNet() {
        Adam adam = new Adam(new ExponentialSchedule(ScheduleType.ITERATION, 1e-2, Math.pow(0.2, 1.0 / 750)));
        return new NeuralNetConfiguration.Builder().seed(42).updater(adam).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(4).activation(Activation.RELU).build())
                .layer(maxPooling2x2())
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(8).activation(Activation.RELU).build())
                .layer(maxPooling2x2())
                .layer(new DenseLayer.Builder().nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1))
                .build();
    }

    /**
     * 100 → Dense 100 relu → Dense 100 softmax → Dense 300 softmax → Dense 100 tanh → 100 softmax
     * (MCXENT), Sgd 0.1: softmax layers wide enough to span cores, so their exchanges between
     * cores are part of every pass.
     */
    public static MultiLayerConfiguration softmaxNetwork() {
        return new NeuralNetConfiguration.Builder().seed(7).updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER).list()
                .layer(dense(100, 100, Activation.RELU))
                .layer(dense(100, 100, Activation.SOFTMAX))
                .layer(dense(100, 300, Activation.SOFTMAX))
                .layer(dense(300, 100, Activation.TANH))
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(100).nOut(100).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    /**
     * A Conv1D network of the prototype's kind, on sequences of 4 channels × 32 positions: Conv1D 8 channels,
     * kernel 5 (Same), relu → Conv1D 8, kernel 3, stride 2 (Same), tanh → softmax over 5 classes at each of the 16
     * output positions (MCXENT), Sgd 0.1. Its labels are one row per (sample, output position).
     */
    public static MultiLayerConfiguration conv1dNetwork() {
        return new NeuralNetConfiguration.Builder().seed(11).updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new Convolution1DLayer.Builder().nIn(4).nOut(8).kernelSize(5)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .layer(new Convolution1DLayer.Builder().nIn(8).nOut(8).kernelSize(3).stride(2)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build())
                .inputPreProcessor(2, new RnnToFeedForwardPreProcessor())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(8).nOut(5).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    /**
     * A small LeNet-style network on 12 × 12 single-channel images (convolutionalFlat input): Conv2D 4 channels,
     * 3 × 3 (Truncate), relu → MAX pooling 2 × 2 → Conv2D 8 channels, 3 × 3, relu → softmax over 10 classes (MCXENT),
     * Sgd 0.1. Small enough that a neuron per core (the 2020 prototype's decomposition) fits one SpiNN-5 board.
     */
    public static MultiLayerConfiguration conv2dNetwork() {
        return new NeuralNetConfiguration.Builder().seed(13).updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new ConvolutionLayer.Builder().nOut(4).kernelSize(3, 3)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).build())
                .layer(maxPooling2x2())
                .layer(new ConvolutionLayer.Builder().nOut(8).kernelSize(3, 3)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(12, 12, 1)).build();
    }

    /**
     * A LeNet-like chain of MNIST's size without pooling (the simulator and mapping benchmarks', Conv2DParityTest's):
     * 28 × 28 × 1 → {@link #lenetLikeConvolutions} of 8 and 16 channels → Dense 32 relu → 10 softmax (MCXENT), float,
     * biases 0.1, DL4J's default updater.
     */
    public static MultiLayerConfiguration lenetLikeChain() {
        NeuralNetConfiguration.Builder builder = new NeuralNetConfiguration.Builder().seed(29).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).biasInit(0.1);
        return lenetLikeConvolutions(builder, 8, 16)
                .layer(new DenseLayer.Builder().nOut(32).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .build();
    }

    /**
     * The two convolutions a LeNet-like chain starts with, on flat 28 × 28 × 1 digits: 5 × 5 (Truncate) to
     * {@code first} channels, relu → 5 × 5, stride 2 (Same) to {@code second} channels, relu; the caller adds the
     * layers after them.
     */
    public static NeuralNetConfiguration.ListBuilder lenetLikeConvolutions(NeuralNetConfiguration.Builder builder,
            int first, int second) {
        return builder.list()
                .layer(new ConvolutionLayer.Builder().nOut(first).kernelSize(5, 5)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder().nOut(second).kernelSize(5, 5).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1));
    }

    private static SubsamplingLayer maxPooling2x2() {
        return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build();
    }

    /** A dense layer of the given size and activation. */
    public static DenseLayer dense(int nIn, int nOut, Activation activation) {
        return new DenseLayer.Builder().nIn(nIn).nOut(nOut).activation(activation).build();
    }
}
