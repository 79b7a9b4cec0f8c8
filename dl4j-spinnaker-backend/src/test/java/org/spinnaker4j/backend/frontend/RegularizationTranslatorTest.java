package org.spinnaker4j.backend.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.mapper.ir.RegularizationSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;

/** What the front end makes of DL4J's regularization lists, in the cases where DL4J's own behaviour is subtle. */
class RegularizationTranslatorTest {

    private static MultiLayerConfiguration conf(NeuralNetConfiguration.Builder b) {
        return b.list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(5).nOut(2).activation(Activation.IDENTITY).build())
                .build();
    }

    private static UpdaterSpec layer0(MultiLayerConfiguration conf) {
        return Dl4jFrontEnd.translate(conf, true).training().updater(0);
    }

    @Test
    void aNetworkWideWeightDecayIsListedTwiceByDl4jAndAppliedTwice() {
        MultiLayerConfiguration conf = conf(new NeuralNetConfiguration.Builder().updater(new Sgd(0.5)).weightDecay(1e-2));
        List<?> list = ((BaseLayer) conf.getConf(0).getLayer()).getRegularization();
        assertEquals(2, list.size(), "DL4J's layer validation adds the builder's WeightDecay to the list it shares");
        assertEquals(new RegularizationSpec(0f, 0f, (float) (1e-2 * 0.5), false, 2), layer0(conf).weights());
        assertEquals(RegularizationSpec.NONE, layer0(conf).bias());
    }

    @Test
    void weightDecayWithoutALearningRateUsesOne() {
        MultiLayerConfiguration conf = conf(new NeuralNetConfiguration.Builder().updater(new AdaDelta())
                .regularization(List.of(new WeightDecay(1e-3, true))));
        assertEquals(1e-3f, layer0(conf).weights().weightDecay());
    }

    @Test
    void l1AndL2KeepTheirListOrder() {
        MultiLayerConfiguration l2First = conf(new NeuralNetConfiguration.Builder().updater(new Sgd(0.1))
                .regularization(List.of(new L2Regularization(1e-2), new L1Regularization(1e-3))));
        MultiLayerConfiguration l1First = conf(new NeuralNetConfiguration.Builder().updater(new Sgd(0.1))
                .l1(1e-3).l2(1e-2).l2Bias(1e-4));
        assertEquals(new RegularizationSpec(1e-3f, 1e-2f, 0f, true, 0), layer0(l2First).weights());
        assertEquals(new RegularizationSpec(1e-3f, 1e-2f, 0f, false, 0), layer0(l1First).weights());
        assertEquals(new RegularizationSpec(0f, 1e-4f, 0f, false, 0), layer0(l1First).bias());
    }
}
