package org.spinnaker4j.parity;

import static org.spinnaker4j.demo.ReferenceNetworks.dense;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.stepfunctions.NegativeGradientStepFunction;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * Training on the machine follows nd4j-native's trajectory: after up to 50 mini-batches of 32 every
 * parameter within 1e-3 and every iteration's score within 1e-4 relative.
 */
class TrainingParityTest {

    private static final SpiNNakerOptions DEFAULTS = SpiNNakerOptions.defaults();
    /**
     * The long trajectories (50 mini-batches of 32) run on FEWEST_CORES mappings: FASTEST's spread
     * over hundreds of cores delivers several times the packets per sample, which the simulator pays
     * for in host time; FASTEST itself trains a few mini-batches of the same networks below.
     */
    private static final SpiNNakerOptions FEWEST_CORES = SpiNNakerOptions.builder()
            .partitioning(PartitioningStrategy.FEWEST_CORES).build();

    /** The MNIST MLP's shape with a chosen loss, output activation and updater. */
    private static MultiLayerConfiguration mlp(LossFunction loss, Activation output, IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(784).weightInit(WeightInit.XAVIER).updater(updater).list()
                .layer(dense(784, 256, Activation.RELU))
                .layer(dense(256, 128, Activation.RELU))
                .layer(new OutputLayer.Builder(loss).nIn(128).nOut(10).activation(output).build())
                .build();
    }

    @Test
    void mnistMlpMcxentAdam() {
        TrainingParity.assertTrainingParity(ReferenceNetworks.mnistMlp(), FEWEST_CORES, TrainingParity.Labels.ONE_HOT, 50, 32);
    }

    @Test
    void mnistMlpMseSgd() {
        TrainingParity.assertTrainingParity(mlp(LossFunction.MSE, Activation.IDENTITY, new Sgd(0.05)), FEWEST_CORES,
                TrainingParity.Labels.UNIFORM, 50, 32);
    }

    @Test
    void mnistMlpXentNesterovs() {
        TrainingParity.assertTrainingParity(mlp(LossFunction.XENT, Activation.SIGMOID, new Nesterovs(0.05, 0.9)), FEWEST_CORES,
                TrainingParity.Labels.BINARY, 50, 32);
    }

    @Test
    void mnistMlpMcxentAdamOnTheDefaultFastestMapping() {
        TrainingParity.assertTrainingParity(ReferenceNetworks.mnistMlp(), DEFAULTS, TrainingParity.Labels.ONE_HOT, 3, 32);
    }

    /** The seed network's shape (10-50-50-300-50-25) with a chosen loss, output activation and updater. */
    private static MultiLayerConfiguration seed(LossFunction loss, Activation output, IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(2020).weightInit(WeightInit.XAVIER).updater(updater).list()
                .layer(dense(10, 50, Activation.RELU))
                .layer(dense(50, 50, Activation.SOFTMAX))
                .layer(dense(50, 300, Activation.TANH))
                .layer(dense(300, 50, Activation.SIGMOID))
                .layer(new OutputLayer.Builder(loss).nIn(50).nOut(25).activation(output).build())
                .build();
    }

    @Test
    void seedNetworkMseSgd() {
        TrainingParity.assertTrainingParity(seed(LossFunction.MSE, Activation.IDENTITY, new Sgd(0.1)), FEWEST_CORES,
                TrainingParity.Labels.UNIFORM, 50, 32);
    }

    @Test
    void seedNetworkMcxentAdam() {
        TrainingParity.assertTrainingParity(seed(LossFunction.MCXENT, Activation.SOFTMAX, new Adam(1e-3)), FEWEST_CORES,
                TrainingParity.Labels.ONE_HOT, 50, 32);
    }

    @Test
    void seedNetworkXentNesterovs() {
        TrainingParity.assertTrainingParity(seed(LossFunction.XENT, Activation.SIGMOID, new Nesterovs(0.05, 0.9)),
                FEWEST_CORES, TrainingParity.Labels.BINARY, 50, 32);
    }

    @Test
    void seedNetworkMcxentAdamOnTheDefaultFastestMapping() {
        TrainingParity.assertTrainingParity(seed(LossFunction.MCXENT, Activation.SOFTMAX, new Adam(1e-3)), DEFAULTS,
                TrainingParity.Labels.ONE_HOT, 5, 32);
    }

    @Test
    void seedNetworkMcxentAdamNeuronPerCore() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(9).weightInit(WeightInit.XAVIER)
                .updater(new Adam(1e-2)).list()
                .layer(dense(10, 20, Activation.RELU))
                .layer(dense(20, 12, Activation.SOFTMAX))
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(12).nOut(5).activation(Activation.SOFTMAX)
                        .build())
                .build();
        TrainingParity.assertTrainingParity(conf,
                SpiNNakerOptions.builder().partitioning(PartitioningStrategy.NEURON_PER_CORE).build(),
                TrainingParity.Labels.ONE_HOT, 10, 16);
    }

    /**
     * Solver settings DL4J's stochastic gradient descent does not read (minimize(false), a line-search length) or
     * that name its default (NegativeGradientStepFunction): the CPU's trajectory, so the machine's is the same.
     */
    @Test
    void solverSettingsThatSgdIgnoresTrainAsOnTheCpu() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(13).weightInit(WeightInit.XAVIER)
                .updater(new Adam(1e-2)).minimize(false).maxNumLineSearchIterations(3)
                .stepFunction(new NegativeGradientStepFunction()).list()
                .layer(dense(8, 16, Activation.TANH))
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(16).nOut(4).activation(Activation.SOFTMAX)
                        .build())
                .build();
        TrainingParity.assertTrainingParity(conf, DEFAULTS, TrainingParity.Labels.ONE_HOT, 10, 16);
    }

    /** miniBatch(false): DL4J sums the gradients and the score over the mini-batch instead of averaging them. */
    @Test
    void miniBatchFalseSumsInsteadOfAveraging() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(17).weightInit(WeightInit.XAVIER)
                .updater(new Nesterovs(0.01, 0.9)).miniBatch(false).list()
                .layer(dense(8, 16, Activation.RELU))
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(16).nOut(3).activation(Activation.IDENTITY).build())
                .build();
        TrainingParity.assertTrainingParity(conf, DEFAULTS, TrainingParity.Labels.UNIFORM, 10, 16);
    }
}
