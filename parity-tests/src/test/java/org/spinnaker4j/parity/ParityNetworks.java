package org.spinnaker4j.parity;

import static org.spinnaker4j.demo.ReferenceNetworks.dense;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** Networks the parity tests compare on, besides {@link org.spinnaker4j.demo.ReferenceNetworks}. */
final class ParityNetworks {

    private ParityNetworks() {
    }

    /**
     * The first nine supported activations once, for a small net: 12 → 9 each → … → 5 softmax. The others are in
     * {@link ActivationParityTest}, each in a network of its own: chained after these, they squash the outputs to a
     * constant that no longer depends on the layers before.
     */
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
}
