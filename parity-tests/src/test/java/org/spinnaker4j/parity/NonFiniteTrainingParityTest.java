package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.demo.ReferenceNetworks.dense;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.AMSGrad;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.AdaMax;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nadam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.parity.NonFinite.Layout;
import org.spinnaker4j.parity.NonFiniteInferenceParityTest.SoftmaxRow;

/**
 * NaN, infinities and overflowing finite values go through training on the machine exactly as
 * through nd4j-native: special output pre-activations and labels (one per column) for every loss,
 * every activation the front end trains it with and every updater; special hidden
 * pre-activations, softmax rows and inputs for every layout. After each of two mini-batches the
 * score and every parameter must match (NaN where the CPU has NaN, the same infinities).
 */
class NonFiniteTrainingParityTest {

    private static final int STEPS = 2;
    private static final int BATCH = 4;

    static final List<IUpdater> UPDATERS = List.of(new Sgd(0.1), new Nesterovs(0.1, 0.9), new Adam(0.01));
    static final List<IUpdater> ALL_UPDATERS = List.of(new Sgd(0.1), new Nesterovs(0.1, 0.9), new Adam(0.01),
            new AdaMax(0.01), new Nadam(0.01), new AMSGrad(0.01), new AdaGrad(0.05), new AdaDelta(), new RmsProp(0.01),
            new NoOp());
    static final LossFunction[] LOSSES = {LossFunction.MSE, LossFunction.L1, LossFunction.L2,
        LossFunction.MEAN_ABSOLUTE_ERROR, LossFunction.XENT, LossFunction.MCXENT, LossFunction.NEGATIVELOGLIKELIHOOD};

    /** Fits {@link #STEPS} times on both backends and compares score and parameters after each. */
    private static void assertFitParity(String what, MultiLayerNetwork cpu, Layout layout, INDArray x, INDArray y) {
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu, layout.options())) {
            for (int step = 0; step < STEPS; step++) {
                cpu.fit(x, y);
                machine.fit(x, y);
                String at = what + ", step " + step;
                assertTrue(NonFinite.same(cpu.score(), machine.score(), TrainingParity.SCORE_TOLERANCE),
                        at + ": score " + machine.score() + " on SpiNNaker, " + cpu.score() + " on the CPU");
                NonFinite.assertSameValues(at + " parameters", cpu.params(), machine.params(),
                        TrainingParity.PARAMETER_TOLERANCE);
            }
            layout.assertShape(machine.trainingMapping());
        }
    }

    /** DL4J's check of loss against activation is off: the front end accepts every pair, and so does nd4j. */
    private static NeuralNetConfiguration.ListBuilder builder(IUpdater updater) {
        return builder(updater, Regularized.NONE);
    }

    private static NeuralNetConfiguration.ListBuilder builder(IUpdater updater, Regularized regularized) {
        NeuralNetConfiguration.ListBuilder list = regularized.apply(new NeuralNetConfiguration.Builder().seed(41)
                .weightInit(WeightInit.XAVIER).updater(updater)).list();
        list.validateOutputLayerConfig(false);
        return list;
    }

    private static boolean trains(LossFunction loss, Activation activation) {
        return activation != Activation.SOFTMAX || loss == LossFunction.MCXENT
                || loss == LossFunction.NEGATIVELOGLIKELIHOOD;
    }

    static Stream<Arguments> lossActivationUpdater() {
        return Arrays.stream(LOSSES).flatMap(loss -> Stream.concat(
                        Arrays.stream(NonFiniteInferenceParityTest.ELEMENT_WISE), Stream.of(Activation.SOFTMAX))
                .filter(a -> trains(loss, a))
                .flatMap(a -> UPDATERS.stream().map(u -> Arguments.of(loss, a, u))));
    }

    /**
     * One output layer, 3 → 2 × 17 columns: the first 17 get the special values as pre-activations
     * (in the bias), the other 17 as labels (of the first sample). With one layer the columns stay
     * apart, so a column gone NaN must leave the others, and their updater state, alone in step 2.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("lossActivationUpdater")
    void everyLossActivationAndUpdater(LossFunction loss, Activation activation, IUpdater updater) {
        int n = NonFinite.VALUES.length;
        MultiLayerConfiguration conf = builder(updater)
                .layer(new OutputLayer.Builder(loss).nIn(3).nOut(2 * n).activation(activation).build())
                .build();
        assertPlantedFitParity(loss + " " + activation + " " + updater, conf);
    }

    /**
     * Trains {@code conf}, a 3 → 2n output layer, with the special values planted in the first n biases and, in the
     * last n labels of the first example, on the machine and on the CPU, and compares them.
     */
    private static void assertPlantedFitParity(String name, MultiLayerConfiguration conf) {
        int n = NonFinite.VALUES.length;
        float[] bias = Arrays.copyOf(NonFinite.VALUES, 2 * n);
        INDArray y = TrainingParity.labels(TrainingParity.Labels.UNIFORM, BATCH, 2 * n, 42);
        for (int k = 0; k < n; k++) {
            y.putScalar(0, n + k, NonFinite.VALUES[k]);
        }
        MultiLayerNetwork cpu = NonFinite.cpu(conf, net -> NonFinite.setBias(net, 0, bias));
        assertFitParity(name, cpu, Layout.FUSED, Parity.uniformInputs(BATCH, 3, 43), y);
    }

    /** Regularization planted with the special values: none, or every kind on weights and bias. */
    enum Regularized {
        NONE, L1_L2_DECAY;

        NeuralNetConfiguration.Builder apply(NeuralNetConfiguration.Builder b) {
            return this == NONE ? b : b.l1(1e-3).l2(1e-3).l1Bias(1e-3).weightDecayBias(1e-3, false);
        }
    }

    static Stream<Arguments> updaterRegularized() {
        return ALL_UPDATERS.stream().flatMap(u -> Arrays.stream(Regularized.values()).map(r -> Arguments.of(u, r)));
    }

    /**
     * Every updater, with and without regularization, on the special values planted as in
     * {@link #everyLossActivationAndUpdater} (MSE, identity): NaN and infinite gradients and parameters go through
     * l1's sign, l2, the updater's state and weight decay as on the CPU.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("updaterRegularized")
    void everyUpdaterAndRegularization(IUpdater updater, Regularized regularized) {
        int n = NonFinite.VALUES.length;
        MultiLayerConfiguration conf = builder(updater, regularized)
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(3).nOut(2 * n).activation(Activation.IDENTITY)
                        .build())
                .build();
        assertPlantedFitParity(updater + " " + regularized, conf);
    }

    /** The special values of one sign, -0.0 and 0 included (and no NaN: that is everywhere after one layer). */
    enum Sign {
        NEGATIVE, POSITIVE;

        float[] planted() {
            float[] picked = new float[NonFinite.VALUES.length];
            int n = 0;
            for (float v : NonFinite.VALUES) {
                if (!Float.isNaN(v) && (Math.copySign(1f, v) > 0) == (this == POSITIVE)) {
                    picked[n++] = v;
                }
            }
            return Arrays.copyOf(picked, n);
        }
    }

    static Stream<Arguments> hiddenActivationSignLayout() {
        return Stream.concat(Arrays.stream(NonFiniteInferenceParityTest.ELEMENT_WISE), Stream.of(Activation.SOFTMAX))
                .flatMap(a -> Arrays.stream(Sign.values())
                        .flatMap(s -> Arrays.stream(Layout.values()).map(l -> Arguments.of(a, s, l))));
    }

    /** nIn → one hidden column per special value of a sign (in its bias) → 2 identity (MSE), Adam. */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("hiddenActivationSignLayout")
    void specialHiddenPreActivations(Activation activation, Sign sign, Layout layout) {
        float[] values = sign.planted();
        MultiLayerConfiguration conf = builder(new Adam(0.01))
                .layer(dense(layout.nIn, values.length, activation))
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(values.length).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork cpu = NonFinite.cpu(conf, net -> NonFinite.setBias(net, 0, values));
        assertFitParity(activation + " " + sign + " " + layout, cpu, layout, Parity.uniformInputs(BATCH, layout.nIn, 44),
                TrainingParity.labels(TrainingParity.Labels.UNIFORM, BATCH, 2, 45));
    }

    static Stream<Arguments> softmaxRowLossLayout() {
        return Arrays.stream(NonFiniteInferenceParityTest.SOFTMAX_ROWS).flatMap(r -> Stream.of(LossFunction.MCXENT,
                LossFunction.NEGATIVELOGLIKELIHOOD).flatMap(loss -> Arrays.stream(Layout.values())
                .map(l -> Arguments.of(r, loss, l))));
    }

    /** nIn → 6 softmax output whose bias is a special row, Adam. */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("softmaxRowLossLayout")
    void softmaxOutputWithSpecialRow(SoftmaxRow row, LossFunction loss, Layout layout) {
        int n = 6;
        MultiLayerConfiguration conf = builder(new Adam(0.01))
                .layer(new OutputLayer.Builder(loss).nIn(layout.nIn).nOut(n).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork cpu = NonFinite.cpu(conf, net -> NonFinite.setBias(net, 0, row.bias(n)));
        assertFitParity(row + " " + loss + " " + layout, cpu, layout, Parity.uniformInputs(BATCH, layout.nIn, 46),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, BATCH, n, 47));
    }

    static Stream<Arguments> valueUpdater() {
        return Stream.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e30f, -1e30f)
                .flatMap(v -> ALL_UPDATERS.stream().map(u -> Arguments.of(v, u)));
    }

    /** One input of the first sample is special, through 3 → 4 relu → 3 sigmoid (XENT). */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("valueUpdater")
    void specialInput(float value, IUpdater updater) {
        MultiLayerConfiguration conf = builder(updater)
                .layer(dense(3, 4, Activation.RELU))
                .layer(new OutputLayer.Builder(LossFunction.XENT).nIn(4).nOut(3).activation(Activation.SIGMOID)
                        .build())
                .build();
        INDArray x = Parity.uniformInputs(BATCH, 3, 48);
        x.putScalar(0, 1, value);
        assertFitParity(value + " " + updater, NonFinite.cpu(conf, net -> { }), Layout.FUSED, x,
                TrainingParity.labels(TrainingParity.Labels.BINARY, BATCH, 3, 49));
    }
}
