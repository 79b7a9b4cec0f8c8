package org.spinnaker4j.backend;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** Small configurations for the backend's own tests. */
final class TestNetworks {

    private TestNetworks() {
    }

    /** 6 → 12 tanh → 4 softmax. */
    static MultiLayerConfiguration small() {
        return small(4);
    }

    /** 6 → 12 tanh → {@code classes} softmax. */
    static MultiLayerConfiguration small(int classes) {
        return new NeuralNetConfiguration.Builder().seed(7).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(12).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(12).nOut(classes).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }
}
