package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * Outside training dropout does nothing: a network with {@code dropOut(p)} on its layers and {@code DropoutLayer}s
 * (first, between layers and last) computes output, evaluate, score(DataSet) and feedForward on the machine as
 * nd4j-native does, within {@link Parity#TOLERANCE}.
 */
class DropoutParityTest {

    /** DropoutLayer → 10 → 16 relu (dropOut 0.7) → DropoutLayer → 12 tanh → 3 softmax (dropOut 0.9) → DropoutLayer. */
    private static MultiLayerConfiguration network(boolean dropoutLayerLast) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(42).list()
                .layer(new DropoutLayer(0.8))
                .layer(new DenseLayer.Builder().nIn(10).nOut(16).activation(Activation.RELU).dropOut(0.7).build())
                .layer(new DropoutLayer(0.5))
                .layer(new DenseLayer.Builder().nIn(16).nOut(12).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(12).nOut(3).activation(Activation.SOFTMAX)
                        .dropOut(0.9).build());
        if (dropoutLayerLast) {
            list.layer(new DropoutLayer(0.6));
        }
        return list.build();
    }

    private static SpiNNakerOptions options(PartitioningStrategy strategy) {
        return SpiNNakerOptions.builder().partitioning(strategy).build();
    }

    private static DataSet data() {
        INDArray x = Parity.uniformInputs(60, 10, 11);
        INDArray y = Nd4j.zeros(60, 3);
        for (int i = 0; i < 60; i++) {
            y.putScalar(i, i % 3, 1);
        }
        return new DataSet(x, y);
    }

    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void outputEvaluateAndScoreAsWithoutDropout(PartitioningStrategy strategy) {
        DataSet data = data();
        Parity.assertParity(network(false), options(strategy), data.getFeatures());
        MultiLayerNetwork cpu = new MultiLayerNetwork(network(false));
        cpu.init();
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu, options(strategy))) {
            double expected = cpu.score(data);
            double actual = machine.score(data);
            assertTrue(Math.abs(actual - expected) < Parity.TOLERANCE, "score " + actual + " vs " + expected);
            assertEquals(0, machine.lastScoreStats().packetsDropped(), machine.lastScoreStats().describeDrops());
            Evaluation onCpu = cpu.evaluate(new ListDataSetIterator<>(data.asList(), 16));
            Evaluation onMachine = machine.evaluate(new ListDataSetIterator<>(data.asList(), 16));
            assertEquals(onCpu.getConfusion(), onMachine.getConfusion());
        }
    }

    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void everyLayerThroughFeedForwardAsDl4jNumbersThem(PartitioningStrategy strategy) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(network(true));
        cpu.init();
        INDArray x = Parity.uniformInputs(40, 10, 12);
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu, options(strategy))) {
            List<INDArray> expected = cpu.feedForward(x, false);
            List<INDArray> actual = machine.feedForward(x, false);
            assertEquals(7, actual.size(), "the input and six layers, three of them DropoutLayers");
            for (int i = 0; i < expected.size(); i++) {
                double diff = Transforms.abs(actual.get(i).sub(expected.get(i))).maxNumber().doubleValue();
                assertTrue(diff < Parity.TOLERANCE, "activation " + i + ": max |diff| " + diff);
            }
            INDArray out = machine.output(x);
            assertTrue(Transforms.abs(out.sub(cpu.output(x))).maxNumber().doubleValue() < Parity.TOLERANCE);
            assertEquals(0, machine.lastFeedForwardStats().packetsDropped());
            assertEquals(0, machine.lastRunStats().packetsDropped());
        }
    }

    /**
     * Conv1D (dropOut 0.8) → DropoutLayer → Conv1D → Dense (dropOut 0.7) → Output: the DropoutLayer between the
     * convolutions, and the RnnToFeedForwardPreProcessor on the layer behind them, as DL4J places it.
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void alongASequence(PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(6).dataType(DataType.FLOAT).list()
                .layer(new Convolution1DLayer.Builder().nIn(3).nOut(7).kernelSize(3).padding(1).dropOut(0.8)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).build())
                .layer(new DropoutLayer(0.5))
                .layer(new Convolution1DLayer.Builder().nIn(7).nOut(5).kernelSize(5).stride(2)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build())
                .inputPreProcessor(3, new RnnToFeedForwardPreProcessor())
                .layer(new DenseLayer.Builder().nIn(5).nOut(9).activation(Activation.SIGMOID).dropOut(0.7).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(9).nOut(4).activation(Activation.SOFTMAX)
                        .build())
                .build();
        SpiNNakerOptions options = options(strategy).toBuilder().sequenceLength(14).build();
        Nd4j.getRandom().setSeed(13);
        INDArray x = Nd4j.rand(DataType.FLOAT, 20, 3, 14).muli(2).subi(1);
        Parity.assertParity(conf, options, x);
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu, options)) {
            List<INDArray> expected = cpu.feedForward(x, false);
            List<INDArray> actual = machine.feedForward(x, false);
            assertEquals(6, actual.size(), "the input and five layers");
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(Arrays.toString(expected.get(i).shape()), Arrays.toString(actual.get(i).shape()),
                        "activation " + i);
                double diff = Transforms.abs(actual.get(i).sub(expected.get(i))).maxNumber().doubleValue();
                assertTrue(diff < Parity.TOLERANCE, "activation " + i + ": max |diff| " + diff);
            }
        }
    }
}
