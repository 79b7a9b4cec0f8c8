package org.spinnaker4j.backend.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;
import org.spinnaker4j.backend.runtime.LayerUpdate;
import org.spinnaker4j.kernels.UpdateValues;
import org.spinnaker4j.mapper.ir.RegularizationSpec;

/** The values the host sends with each update: DL4J's schedules evaluated at that update's iteration and epoch. */
class UpdateValuesTranslatorTest {

    private static MultiLayerConfiguration conf(NeuralNetConfiguration.Builder b) {
        return b.list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(5).nOut(2).activation(Activation.IDENTITY)
                        .updater(new Sgd(0.3)).build())
                .build();
    }

    @Test
    void learningRateMomentumAndRegularizationFollowTheirSchedules() {
        MultiLayerConfiguration conf = conf(new NeuralNetConfiguration.Builder()
                .updater(new Nesterovs(new ExponentialSchedule(ScheduleType.ITERATION, 0.1, 0.5),
                        new StepSchedule(ScheduleType.EPOCH, 0.9, 0.5, 1)))
                .regularization(List.of(new L2Regularization(new ExponentialSchedule(ScheduleType.EPOCH, 1e-2, 0.1)),
                        new WeightDecay(1e-2, true))));
        List<LayerUpdate> at = UpdateValuesTranslator.at(conf, 3, 2);
        assertEquals(2, at.size());
        double lr = 0.1 * Math.pow(0.5, 3);
        assertEquals(new UpdateValues((float) lr, (float) (0.9 * 0.25), 0f, (float) (1e-2 * 0.01),
                (float) (1e-2 * lr)), at.get(0).weights(), "weight decay times the scheduled learning rate, in double");
        assertEquals(new UpdateValues((float) lr, (float) (0.9 * 0.25), 0f, 0f, 0f), at.get(0).bias());
        assertEquals(new UpdateValues(0.3f, 0f, 0f, (float) (1e-2 * 0.01), (float) (1e-2 * 0.3)), at.get(1).weights(),
                "a fixed updater of its own, in its weight decay too; the network-wide regularization");
    }

    @Test
    void aBiasUpdaterOfItsOwnGivesTheBiasItsLearningRateAndMomentum() {
        MultiLayerConfiguration conf = conf(new NeuralNetConfiguration.Builder().updater(new Sgd(0.1))
                .biasUpdater(new Nesterovs(new StepSchedule(ScheduleType.ITERATION, 0.4, 0.5, 2), 0.8))
                .regularizationBias(List.of(new WeightDecay(1e-2, true))));
        LayerUpdate at = UpdateValuesTranslator.at(conf, 2, 0).get(0);
        assertEquals(new UpdateValues(0.1f, 0f, 0f, 0f, 0f), at.weights());
        assertEquals(new UpdateValues(0.2f, 0.8f, 0f, 0f, (float) (1e-2 * 0.2)), at.bias(),
                "the bias updater's scheduled learning rate, in its weight decay too");
        assertEquals(new org.spinnaker4j.mapper.ir.UpdaterSpec(org.spinnaker4j.mapper.ir.UpdaterType.NESTEROVS, 0.4f,
                0.8f, 0f, 0f), Dl4jFrontEnd.translate(conf, true).training().updater(0).biasUpdater());
    }

    @Test
    void anUpdaterWithoutALearningRateSendsNoneAndDecaysByOne() {
        MultiLayerConfiguration conf = conf(new NeuralNetConfiguration.Builder().updater(new AdaDelta())
                .regularization(List.of(new WeightDecay(1e-3, true))));
        assertEquals(new UpdateValues(0f, 0f, 0f, 0f, 1e-3f), UpdateValuesTranslator.at(conf, 7, 1).get(0).weights());
    }

    @Test
    void aWeightDecayThatStartsAtZeroIsCountedAtLoad() {
        MultiLayerConfiguration conf = conf(new NeuralNetConfiguration.Builder().updater(new Sgd(0.1))
                .regularization(List.of(new WeightDecay(new MapSchedule(ScheduleType.ITERATION,
                        Map.of(0, 0.0, 4, 1e-2)), false))));
        // DL4J lists a network-wide WeightDecay twice (and applies it twice)
        assertEquals(new RegularizationSpec(0f, 0f, 0f, false, 2),
                Dl4jFrontEnd.translate(conf, true).training().updater(0).weights());
        assertEquals(1e-2f, UpdateValuesTranslator.at(conf, 4, 0).get(0).weights().weightDecay());
    }

    @Test
    void aScheduleGivingANegativeLearningRateFailsTheFitThatMeetsIt() {
        MultiLayerConfiguration conf = conf(new NeuralNetConfiguration.Builder()
                .updater(new Sgd(new MapSchedule(ScheduleType.EPOCH, Map.of(0, 0.1, 2, -0.1)))));
        assertEquals(0.1f, UpdateValuesTranslator.at(conf, 9, 1).get(0).weights().learningRate());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> UpdateValuesTranslator.at(conf, 10, 2));
        assertTrue(e.getMessage().contains("layer 0 (DenseLayer): at iteration 10, epoch 2 its schedules give values "
                + "the cores cannot use"), e.getMessage());
    }
}
