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
        return of(new int[] {12, 10, 8, 4}, updater, first, second, out, loss);
    }

    /** {@code sizes[0]} → {@code sizes[1]} → {@code sizes[2]} → {@code sizes[3]}, otherwise as {@link #of}. */
    static MultiLayerNetwork of(int[] sizes, IUpdater updater, Activation first, Activation second, Activation out,
            LossFunction loss) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(12).updater(updater)
                .weightInit(WeightInit.XAVIER).biasInit(0.1).list()
                .layer(ReferenceNetworks.dense(sizes[0], sizes[1], first))
                .layer(ReferenceNetworks.dense(sizes[1], sizes[2], second))
                .layer(new OutputLayer.Builder(loss).nIn(sizes[2]).nOut(sizes[3]).activation(out).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
