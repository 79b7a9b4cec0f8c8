package org.spinnaker4j.parity;

import static org.spinnaker4j.parity.TrainingOptionsParityTest.network;

import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.CycleSchedule;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.InverseSchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.PolySchedule;
import org.nd4j.linalg.schedule.RampSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.SigmoidSchedule;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * Every ND4J schedule, by iteration and by epoch, drives the learning rate (and Nesterovs' momentum, and the
 * regularization coefficients) on the machine as on nd4j-native: 4 epochs of 5 mini-batches of 16 with
 * {@code fit(DataSetIterator, 4)} (20 updates, the epoch count moving), on TrainingOptionsParityTest's network;
 * every parameter within 1e-3, the updater state within 1e-3 (relative above 1), every iteration's score within
 * 1e-4 relative.
 */
class ScheduleParityTest {

    private static final int EPOCHS = 4;
    private static final int BATCHES_PER_EPOCH = 5;
    private static final int BATCH_SIZE = 16;

    /** A schedule of a learning rate around 0.1 that changes within 20 iterations or 4 epochs. */
    private static ISchedule learningRate(String kind, ScheduleType type) {
        boolean byIteration = type == ScheduleType.ITERATION;
        return switch (kind) {
            case "Step" -> new StepSchedule(type, 0.1, 0.5, byIteration ? 5 : 1);
            case "Exponential" -> new ExponentialSchedule(type, 0.1, byIteration ? 0.9 : 0.6);
            case "Inverse" -> new InverseSchedule(type, 0.1, byIteration ? 0.2 : 0.5, 1.0);
            case "Poly" -> new PolySchedule(type, 0.1, 2.0, byIteration ? 25 : 5);
            case "Sigmoid" -> new SigmoidSchedule(type, 0.2, byIteration ? 0.5 : 1.0, byIteration ? 10 : 2);
            case "Map" -> new MapSchedule(type, byIteration ? Map.of(0, 0.1, 5, 0.05, 12, 0.2)
                    : Map.of(0, 0.1, 1, 0.03, 3, 0.15));
            case "Cycle" -> new CycleSchedule(type, 0.02, 0.2, byIteration ? 10 : 4, byIteration ? 2 : 1, 0.1);
            // RampSchedule ramps by iteration over a base schedule of either type
            case "Ramp" -> new RampSchedule(new ExponentialSchedule(type, 0.1, byIteration ? 0.95 : 0.7), 8);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static Arguments sgd(String kind, ScheduleType type) {
        return Arguments.of(kind + " " + type, network(b -> b.updater(new Sgd(learningRate(kind, type)))));
    }

    static Stream<Arguments> learningRateSchedules() {
        return Stream.of("Step", "Exponential", "Inverse", "Poly", "Sigmoid", "Map", "Cycle", "Ramp")
                .flatMap(kind -> Stream.of(sgd(kind, ScheduleType.ITERATION), sgd(kind, ScheduleType.EPOCH)));
    }

    static Stream<Arguments> otherSchedules() {
        ISchedule momentumByIteration = new MapSchedule(ScheduleType.ITERATION, Map.of(0, 0.5, 4, 0.9, 12, 0.7));
        ISchedule momentumByEpoch = new StepSchedule(ScheduleType.EPOCH, 0.95, 0.6, 1);
        return Stream.of(
                Arguments.of("Fixed", network(b -> b.updater(new Sgd(new FixedSchedule(0.1))))),
                Arguments.of("Nesterovs momentum ITERATION",
                        network(b -> b.updater(new Nesterovs(0.05, momentumByIteration)))),
                Arguments.of("Nesterovs momentum EPOCH + learning rate ITERATION", network(b -> b.updater(
                        new Nesterovs(learningRate("Step", ScheduleType.ITERATION), momentumByEpoch)))),
                Arguments.of("Nesterovs scheduled + l2", network(b -> b.updater(new Nesterovs(
                        learningRate("Exponential", ScheduleType.EPOCH), momentumByIteration)).l2(1e-3))),
                Arguments.of("Adam scheduled + l2", network(b -> b.updater(
                        new Adam(new ExponentialSchedule(ScheduleType.ITERATION, 0.02, 0.9))).l2(1e-3))),
                Arguments.of("Adam scheduled + weightDecay applyLR", network(b -> b.updater(
                        new Adam(new StepSchedule(ScheduleType.EPOCH, 0.02, 0.3, 1))).weightDecay(1e-2))),
                Arguments.of("RmsProp scheduled", network(b -> b.updater(
                        new RmsProp(new CycleSchedule(ScheduleType.ITERATION, 0.002, 0.02, 10, 2, 0.1))))),
                Arguments.of("scheduled l1, l2 and weight decay", network(b -> b.updater(new Sgd(0.1))
                        .regularization(java.util.List.of(
                                new L1Regularization(new StepSchedule(ScheduleType.ITERATION, 1e-2, 0.5, 5)),
                                new L2Regularization(new ExponentialSchedule(ScheduleType.EPOCH, 1e-2, 0.5)),
                                new WeightDecay(new MapSchedule(ScheduleType.ITERATION, Map.of(0, 0.0, 6, 1e-2)),
                                        true))))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("learningRateSchedules")
    void everyLearningRateScheduleTrainsAsOnTheCpu(String name, MultiLayerConfiguration conf) {
        TrainingParity.assertEpochTrainingParity(name, conf, EPOCHS, BATCHES_PER_EPOCH, BATCH_SIZE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherSchedules")
    void momentumAndRegularizationSchedulesTrainAsOnTheCpu(String name, MultiLayerConfiguration conf) {
        TrainingParity.assertEpochTrainingParity(name, conf, EPOCHS, BATCHES_PER_EPOCH, BATCH_SIZE);
    }
}
