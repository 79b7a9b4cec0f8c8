package org.spinnaker4j.parity;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** The networks the parity tests compare on. */
final class ParityNetworks {

    private ParityNetworks() {
    }

    /**
     * The 2020 prototype's example: 10 → Dense 50 relu → Dense 50 softmax → Dense 300 tanh →
     * Dense 50 sigmoid → 25 linear.
     */
    static MultiLayerConfiguration seedNetwork() {
        return new NeuralNetConfiguration.Builder().seed(2020).weightInit(WeightInit.XAVIER).list()
                .layer(dense(10, 50, Activation.RELU))
                .layer(dense(50, 50, Activation.SOFTMAX))
                .layer(dense(50, 300, Activation.TANH))
                .layer(dense(300, 50, Activation.SIGMOID))
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(50).nOut(25).activation(Activation.IDENTITY).build())
                .build();
    }

    /** The MNIST-sized MLP: 784 → 256 relu → 128 relu → 10 softmax. */
    static MultiLayerConfiguration mnistMlp() {
        return new NeuralNetConfiguration.Builder().seed(784).weightInit(WeightInit.XAVIER).list()
                .layer(dense(784, 256, Activation.RELU))
                .layer(dense(256, 128, Activation.RELU))
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(128).nOut(10).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    /** Every supported activation once, for a small net: 12 → 9 each → … → 5 softmax. */
    static MultiLayerConfiguration everyActivation() {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(11)
                .weightInit(WeightInit.XAVIER).list();
        Activation[] hidden = {Activation.IDENTITY, Activation.RELU, Activation.LEAKYRELU, Activation.SIGMOID,
            Activation.TANH, Activation.HARDTANH, Activation.SOFTPLUS, Activation.ELU, Activation.SOFTMAX};
        int nIn = 12;
        for (Activation a : hidden) {
            list.layer(dense(nIn, 9, a));
            nIn = 9;
        }
        return list.layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(nIn).nOut(5)
                .activation(Activation.SOFTMAX).build()).build();
    }

    /** A network too big for one SpiNN-5 board under NEURON_PER_CORE: 100 → 1000 → 1000 → 10. */
    static MultiLayerConfiguration multiBoard() {
        return new NeuralNetConfiguration.Builder().seed(5).weightInit(WeightInit.XAVIER).list()
                .layer(dense(100, 1000, Activation.RELU))
                .layer(dense(1000, 1000, Activation.TANH))
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(1000).nOut(10).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    private static DenseLayer dense(int nIn, int nOut, Activation activation) {
        return new DenseLayer.Builder().nIn(nIn).nOut(nOut).activation(activation).build();
    }
}
