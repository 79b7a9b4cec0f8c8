package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;

/**
 * The machine holds what DL4J holds: a change made through any DL4J door reaches the cores
 * before the next run, however small, and the updater state trained on the cores is DL4J's
 * updater state, kept through every hand-over (clone, wrap, save and load, serialisation, a
 * reload, a new learning rate, the way back to the CPU).
 */
class StateParityTest {

    @TempDir
    static Path dir;

    // ---- parameters: every change reaches the cores -------------------------------------------------------------

    /**
     * 2 → 2 identity with inputs of 1e5: a parameter change of 9e-6 (below the 1e-5 that {@code INDArray.equals}
     * tolerates) moves the output by about 1, far above float rounding at that size.
     */
    private static MultiLayerConfiguration sensitive() {
        return new NeuralNetConfiguration.Builder().updater(new Sgd(1e-12)).list()
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(2).nOut(2).activation(Activation.IDENTITY).build())
                .build();
    }

    private static final INDArray BIG = Nd4j.create(new float[][] {{1e5f, -3e4f}, {-2e4f, 7e4f}});

    static Stream<Arguments> parameterEdits() {
        return Stream.of(
                edit("setParams(p + 9e-6)", n -> n.setParams(n.params().add(9e-6))),
                edit("bias 20000 -> 20000.1 by putScalar on getParam", n -> n.getParam("0_b").putScalar(0, 20000.1)),
                edit("params().putScalar in place", n -> n.params().putScalar(1, n.params().getDouble(1) + 9e-6)),
                edit("getParam(\"0_W\").assign", n -> n.getParam("0_W").assign(n.getParam("0_W").add(8e-6))),
                edit("setParam", n -> n.setParam("0_W", n.getParam("0_W").mul(1.000005))),
                edit("one fit step with Sgd(1e-12)", n -> n.fit(BIG, Nd4j.zeros(DataType.FLOAT, 2, 2))));
    }

    private static Arguments edit(String name, Consumer<MultiLayerNetwork> edit) {
        return Arguments.of(name, edit);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parameterEdits")
    void everyParameterChangeReachesTheCores(String name, Consumer<MultiLayerNetwork> edit) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(sensitive());
        cpu.init();
        cpu.setParams(Nd4j.create(new float[] {1f, 0.25f, 0.5f, -1f, 20000f, -3f}, new long[] {1, 6}));
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu)) {
            INDArray before = machine.output(BIG);
            assertOutputsEqual(cpu.output(BIG), before, "before the edit");
            edit.accept(cpu);
            edit.accept(machine);
            assertArrayEquals(cpu.params().toFloatVector(), machine.params().toFloatVector(),
                    "the edit itself, bit for bit (a fit step runs on the machine)");
            INDArray after = machine.output(BIG);
            assertTrue(Transforms.abs(after.sub(before)).maxNumber().doubleValue() > 0.05,
                    "the edit must move the output for this test to mean anything");
            assertOutputsEqual(cpu.output(BIG), after, "after " + name);
        }
    }

    private static void assertOutputsEqual(INDArray expected, INDArray actual, String when) {
        double diff = Transforms.abs(actual.sub(expected)).maxNumber().doubleValue();
        assertTrue(diff < 0.02, when + ": max |SpiNNaker - CPU| = " + diff + " on outputs of ~1e5 (" + actual
                + " vs " + expected + ")");
    }

    // ---- updater state: trained on the cores, kept through every hand-over ---------------------------------------

    /** 6 → 9 tanh → 4 softmax with one updater per layer and, if {@code bias} is not null, that bias updater. */
    private static MultiLayerConfiguration small(IUpdater hidden, IUpdater output, IUpdater bias) {
        NeuralNetConfiguration.Builder builder = new NeuralNetConfiguration.Builder().seed(5);
        return (bias == null ? builder : builder.biasUpdater(bias)).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(9).activation(Activation.TANH).updater(hidden).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(9).nOut(4).activation(Activation.SOFTMAX)
                        .updater(output).build())
                .build();
    }

    /**
     * The updaters the hand-overs are tried with: one for the whole network, or different per layer; {@code bias}
     * the bias updater of every layer (null: none of its own).
     */
    private record Updaters(String name, IUpdater hidden, IUpdater output, IUpdater bias) {
    }

    private static final INDArray X = Parity.uniformInputs(8, 6, 40);
    private static final INDArray Y = TrainingParity.labels(TrainingParity.Labels.ONE_HOT, 8, 4, 41);

    static Stream<Arguments> handOffs() {
        Consumer<MultiLayerNetwork> none = n -> { };
        Consumer<MultiLayerNetwork> moveABias = n -> n.getParam("1_b").putScalar(2, n.getParam("1_b").getDouble(2) + 0.125);
        Consumer<MultiLayerNetwork> newLearningRate = n -> n.setLearningRate(0.01);
        Consumer<MultiLayerNetwork> newLayerLearningRate = n -> n.setLearningRate(1, 0.004);
        return Stream.of(new Updaters("Adam", new Adam(0.02), new Adam(0.02), null),
                new Updaters("Nesterovs", new Nesterovs(0.05, 0.9), new Nesterovs(0.05, 0.9), null),
                new Updaters("Sgd then Adam", new Sgd(0.1), new Adam(0.01), null),
                // two state arrays for W, one for b, both named V in DL4J's two blocks of a layer
                new Updaters("Adam with a Nesterovs bias", new Adam(0.02), new Adam(0.02), new Nesterovs(0.05, 0.9)))
                .flatMap(updater -> Stream.of(
                handOff("read back after training", updater, none, n -> n),
                handOff("clone()", updater, none, SpiNNakerMultiLayerNetwork::clone),
                handOff("wrap(toCpu())", updater, none, n -> SpiNNakerMultiLayerNetwork.wrap(n.toCpu())),
                handOff("ModelSerializer.writeModel + load(File)", updater, none, StateParityTest::saveAndLoad),
                handOff("Java serialisation", updater, none, StateParityTest::serialiseAndRead),
                handOff("a parameter reload", updater, moveABias, n -> n),
                handOff("setLearningRate", updater, newLearningRate, n -> n),
                handOff("setLearningRate(layer 1)", updater, newLayerLearningRate, n -> n)));
    }

    private static Arguments handOff(String name, Updaters updaters, Consumer<MultiLayerNetwork> edit,
            UnaryOperator<SpiNNakerMultiLayerNetwork> transfer) {
        return Arguments.of(name + ", " + updaters.name(), updaters, edit, transfer);
    }

    /**
     * Three mini-batches on the machine, the hand-over (a transfer to another network, or an edit made on both
     * backends), two more mini-batches; the CPU does the same and both end with the same parameters and updater state.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("handOffs")
    void updaterStateIsDl4jsAndSurvivesHandOvers(String name, Updaters updaters, Consumer<MultiLayerNetwork> edit,
            UnaryOperator<SpiNNakerMultiLayerNetwork> transfer) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(small(updaters.hidden(), updaters.output(), updaters.bias()));
        cpu.init();
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu)) {
            for (int step = 0; step < 3; step++) {
                cpu.fit(X, Y);
                machine.fit(X, Y);
            }
            assertClose(cpu.getUpdater().getStateViewArray(), machine.getUpdater().getStateViewArray(),
                    "updater state read back from the cores after 3 steps");
            edit.accept(cpu);
            edit.accept(machine);
            try (SpiNNakerMultiLayerNetwork next = transfer.apply(machine)) {
                for (int step = 0; step < 2; step++) {
                    cpu.fit(X, Y);
                    next.fit(X, Y);
                }
                assertClose(cpu.params(), next.params(), "parameters after " + name + " and 2 more steps");
                assertClose(cpu.getUpdater().getStateViewArray(), next.getUpdater().getStateViewArray(),
                        "updater state after " + name + " and 2 more steps");
                assertEquals(cpu.getIterationCount(), next.getIterationCount());
            }
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double diff = Transforms.abs(actual.sub(expected)).maxNumber().doubleValue();
        double scale = Math.max(1e-3, Transforms.abs(expected).maxNumber().doubleValue());
        assertTrue(diff <= 1e-5 * scale, what + ": max |SpiNNaker - CPU| = " + diff + " (scale " + scale + ")");
    }

    private static SpiNNakerMultiLayerNetwork saveAndLoad(SpiNNakerMultiLayerNetwork net) {
        try {
            File file = dir.resolve("net-" + System.nanoTime() + ".zip").toFile();
            ModelSerializer.writeModel(net, file, true);
            return SpiNNakerMultiLayerNetwork.load(file, net.options());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SpiNNakerMultiLayerNetwork serialiseAndRead(SpiNNakerMultiLayerNetwork net) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(net);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                return (SpiNNakerMultiLayerNetwork) in.readObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
