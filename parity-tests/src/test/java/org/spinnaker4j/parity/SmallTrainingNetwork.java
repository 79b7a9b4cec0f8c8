package org.spinnaker4j.parity;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.demo.ReferenceNetworks;

/** The small 12 → 10 → 8 → 4 network the s16.15 training tests train against their host reference. */
final class SmallTrainingNetwork {

    private SmallTrainingNetwork() {
    }

    /** 12 → 10 → 8 → 4 with the given updater, activations and loss, seeded Xavier weights, biases 0.1. */
    static MultiLayerNetwork of(IUpdater updater, Activation first, Activation second, Activation out,
            LossFunction loss) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(12).updater(updater)
                .weightInit(WeightInit.XAVIER).biasInit(0.1).list()
                .layer(ReferenceNetworks.dense(12, 10, first))
                .layer(ReferenceNetworks.dense(10, 8, second))
                .layer(new OutputLayer.Builder(loss).nIn(8).nOut(4).activation(out).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
