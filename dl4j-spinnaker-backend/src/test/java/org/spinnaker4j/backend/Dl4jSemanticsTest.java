package org.spinnaker4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.OptimizationAlgorithm;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.stepfunctions.DefaultStepFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.spinnaker4j.backend.frontend.UnsupportedNetworkException;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.machine.Machine;

/**
 * DL4J paths that cannot run exactly on the machine throw, loudly and at the right time: masks on every entry point,
 * solver options and settings changed after init, the gradient the cores never hand back, and networks whose
 * training mapping does not fit the machine (at init, not at the first fit).
 */
class Dl4jSemanticsTest {

    private SpiNNakerMultiLayerNetwork net;
    private DataSet data;
    private INDArray mask;

    @BeforeEach
    void setUp() {
        net = new SpiNNakerMultiLayerNetwork(TestNetworks.small());
        net.init();
        Nd4j.getRandom().setSeed(11);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 6, 4);
        for (int i = 0; i < 6; i++) {
            labels.putScalar(i, i % 4, 1);
        }
        data = new DataSet(Nd4j.rand(DataType.FLOAT, 6, 6), labels);
        mask = Nd4j.create(new float[][] {{1}, {1}, {0}, {1}, {0}, {1}});
    }

    @AfterEach
    void tearDown() {
        net.close();
    }

    static Stream<Arguments> maskedCalls() {
        return Stream.of(
                call("output(x, train, fMask, lMask)", (n, d, m) -> n.output(d.getFeatures(), false, m, null)),
                call("feedForward(x, fMask, lMask)", (n, d, m) -> n.feedForward(d.getFeatures(), m, null)),
                call("setLayerMaskArrays + output(x)", (n, d, m) -> {
                    n.setLayerMaskArrays(m, null);
                    n.output(d.getFeatures());
                }),
                call("setLayerMaskArrays + feedForward(x)", (n, d, m) -> {
                    n.setLayerMaskArrays(m, null);
                    n.feedForward(d.getFeatures());
                }),
                call("fit(DataSet with a labels mask)", (n, d, m) -> n.fit(masked(d, m))),
                call("fit(x, y, fMask, lMask)", (n, d, m) -> n.fit(d.getFeatures(), d.getLabels(), m, null)),
                call("evaluate(iterator with masks)",
                        (n, d, m) -> n.evaluate(new ListDataSetIterator<>(List.of(masked(d, m))))),
                call("score(DataSet with a mask)", (n, d, m) -> n.score(masked(d, m))));
    }

    private static DataSet masked(DataSet d, INDArray m) {
        return new DataSet(d.getFeatures(), d.getLabels(), m, m);
    }

    /** A call on a network with data and a mask. */
    interface MaskedCall {
        void run(SpiNNakerMultiLayerNetwork net, DataSet data, INDArray mask);
    }

    private static Arguments call(String name, MaskedCall call) {
        return Arguments.of(name, call);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maskedCalls")
    void everyMaskedPathThrowsInsteadOfIgnoringTheMask(String name, MaskedCall call) {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> call.run(net, data, mask));
        assertTrue(e.getMessage().contains("masks do not run on SpiNNaker yet"), e.getMessage());
        net.clearLayerMaskArrays();
        assertEquals(6, net.output(data.getFeatures()).rows(), "without masks the network runs again");
    }

    private static MultiLayerConfiguration withSolver(Consumer<NeuralNetConfiguration.Builder> option) {
        NeuralNetConfiguration.Builder builder = new NeuralNetConfiguration.Builder().updater(new Adam(1e-3));
        option.accept(builder);
        return builder.list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(5).nOut(3).activation(Activation.IDENTITY).build())
                .build();
    }

    @ParameterizedTest
    @EnumSource(value = OptimizationAlgorithm.class, names = "STOCHASTIC_GRADIENT_DESCENT",
            mode = EnumSource.Mode.EXCLUDE)
    void otherOptimizationAlgorithmsAreListedAtInit(OptimizationAlgorithm algorithm) {
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new SpiNNakerMultiLayerNetwork(withSolver(b -> b.optimizationAlgo(algorithm))).init());
        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("layer 0 (DenseLayer): optimizationAlgo(" + algorithm + ") is not supported"),
                e.getMessage());
    }

    @Test
    void anotherStepFunctionIsListedAtInit() {
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new SpiNNakerMultiLayerNetwork(withSolver(b -> b.stepFunction(new DefaultStepFunction()))).init());
        assertTrue(e.getMessage().contains("stepFunction(DefaultStepFunction) is not supported"), e.getMessage());
    }

    @Test
    void trainingALayerWithoutBiasIsListedAtInit() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(5).hasBias(false).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(5).nOut(3).activation(Activation.IDENTITY).build())
                .build();
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new SpiNNakerMultiLayerNetwork(conf).init());
        assertTrue(e.getMessage().contains("layer 0 (DenseLayer): hasBias(false) does not train on SpiNNaker yet"),
                e.getMessage());
    }

    @Test
    void aScheduleSetAfterInitIsFollowedFromTheNextFit() {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork cpu =
                new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(TestNetworks.small());
        cpu.init();
        cpu.setParams(net.params());
        net.fit(data);
        cpu.fit(data);
        ExponentialSchedule schedule = new ExponentialSchedule(ScheduleType.ITERATION, 0.1, 0.5);
        net.setLearningRate(schedule);
        cpu.setLearningRate(schedule);
        for (int i = 0; i < 3; i++) {
            net.fit(data);
            cpu.fit(data);
        }
        assertEquals(4, net.getIterationCount());
        double diff = net.params().sub(cpu.params()).amaxNumber().doubleValue();
        assertTrue(diff < 1e-5, "max |parameter diff| " + diff + " after a learning-rate schedule set since init");
    }

    @Test
    void theGradientNeverLeavesTheCoresSoAskingForItThrows() {
        net.fit(data);
        assertThrows(UnsupportedOperationException.class, net::gradient);
        assertThrows(UnsupportedOperationException.class, net::gradientAndScore);
    }

    @Test
    void escapeHatchesStayOnTheMachineOrThrowWithTheWayOff() {
        assertSame(net, net.convertDataType(DataType.FLOAT));
        UnsupportedOperationException toDouble = assertThrows(UnsupportedOperationException.class,
                () -> net.convertDataType(DataType.DOUBLE));
        assertTrue(toDouble.getMessage().contains("toCpu().convertDataType(DOUBLE)"), toDouble.getMessage());
        UnsupportedOperationException graph = assertThrows(UnsupportedOperationException.class,
                net::toComputationGraph);
        assertTrue(graph.getMessage().contains("toCpu().toComputationGraph()"), graph.getMessage());
        assertEquals(org.deeplearning4j.nn.multilayer.MultiLayerNetwork.class, net.toCpu().getClass());
        BitExact.assertSameBits(net.params(), net.toCpu().params(), "toCpu() copies the parameters");
    }

    /** The MNIST MLP's inference mapping fits a SpiNN-3 board (64 cores); its training mapping does not. */
    @Test
    void aTrainingMappingThatDoesNotFitFailsAtInitAndLaterCallsSaySo() {
        SpiNNakerOptions spinn3 = SpiNNakerOptions.builder().machine(Machine.spinn3()).build();
        SpiNNakerMultiLayerNetwork mnist = new SpiNNakerMultiLayerNetwork(ReferenceNetworks.mnistMlp(), spinn3);
        MappingException e = assertThrows(MappingException.class, mnist::init);
        assertTrue(e.getMessage().contains("cores"), e.getMessage());
        IllegalStateException later = assertThrows(IllegalStateException.class,
                () -> mnist.output(Nd4j.rand(DataType.FLOAT, 1, 784)));
        assertTrue(later.getMessage().contains("whose init() failed: " + e.getMessage()), later.getMessage());
        assertTrue(!later.getMessage().contains("call init() first"), later.getMessage());

        try (SpiNNakerMultiLayerNetwork inference = new SpiNNakerMultiLayerNetwork(ReferenceNetworks.mnistMlp(),
                spinn3.toBuilder().inferenceOnly().build())) {
            inference.init();
            assertEquals(3, inference.output(Nd4j.rand(DataType.FLOAT, 3, 784)).rows());
            UnsupportedOperationException fit = assertThrows(UnsupportedOperationException.class,
                    () -> inference.fit(Nd4j.rand(DataType.FLOAT, 3, 784), Nd4j.rand(DataType.FLOAT, 3, 10)));
            assertTrue(fit.getMessage().contains("inferenceOnly()"), fit.getMessage());
        }
    }
}
