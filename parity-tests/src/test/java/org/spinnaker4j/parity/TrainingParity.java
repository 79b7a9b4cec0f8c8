package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;

/** Trains the same configuration from the same parameters on nd4j-native and on SpiNNaker, step by step. */
final class TrainingParity {

    /** Largest allowed |SpiNNaker − CPU| of any parameter after training. */
    static final double PARAMETER_TOLERANCE = 1e-3;
    /** Largest allowed relative difference of any iteration's score. */
    static final double SCORE_TOLERANCE = 1e-4;

    private static final Logger LOG = LoggerFactory.getLogger(TrainingParity.class);

    private TrainingParity() {
    }

    /**
     * What the labels of a run look like: one-hot rows, 0/1 values, uniform in [0, 1), -1/+1 values (hinge,
     * Wasserstein), uniform in [0.5, 1.5) (percentage and logarithmic errors, Poisson counts), rows summing to 1
     * (Kullback-Leibler), or one class index per example in a [rows, 1] column (sparse cross-entropy).
     */
    enum Labels { ONE_HOT, BINARY, UNIFORM, SIGNED, POSITIVE, DISTRIBUTION, CLASS_INDEX }

    static INDArray labels(Labels kind, int rows, int nOut, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray u = Nd4j.rand(DataType.FLOAT, rows, nOut);
        return switch (kind) {
            case UNIFORM -> u;
            case BINARY -> u.gt(0.5).castTo(DataType.FLOAT);
            case SIGNED -> u.gt(0.5).castTo(DataType.FLOAT).mul(2).sub(1);
            case POSITIVE -> u.add(0.5);
            case DISTRIBUTION -> u.divColumnVector(u.sum(true, 1));
            case CLASS_INDEX -> u.argMax(1).reshape(rows, 1).castTo(DataType.FLOAT);
            case ONE_HOT -> {
                INDArray oneHot = Nd4j.zeros(DataType.FLOAT, rows, nOut);
                INDArray classes = u.argMax(1);
                for (int r = 0; r < rows; r++) {
                    oneHot.putScalar(r, classes.getInt(r), 1f);
                }
                yield oneHot;
            }
        };
    }

    /** {@link #assertTrainingParity(String, MultiLayerConfiguration, SpiNNakerOptions, Labels, int, int)} unnamed. */
    static RunStats assertTrainingParity(MultiLayerConfiguration conf, SpiNNakerOptions options, Labels labelKind,
            int batches, int batchSize) {
        return assertTrainingParity("", conf, options, labelKind, batches, batchSize);
    }

    /**
     * Fits {@code batches} mini-batches of {@code batchSize} on both backends, asserting every
     * iteration's score and, at the end, {@code score(DataSet)} of the last mini-batch, every
     * parameter and the updater's state (within {@link #PARAMETER_TOLERANCE} times max(1, |CPU's value|));
     * logs the differences under {@code name}; returns the last mini-batch's statistics.
     */
    static RunStats assertTrainingParity(String name, MultiLayerConfiguration conf, SpiNNakerOptions options,
            Labels labelKind, int batches, int batchSize) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        return assertTrainingParity(name, conf, options, inputs(cpu, batches * batchSize),
                labels(cpu, labelKind, batches * batchSize), batches, batchSize);
    }

    /**
     * As {@link #assertTrainingParity(String, MultiLayerConfiguration, SpiNNakerOptions, Labels, int, int)} on given
     * inputs and labels, {@code batches × batchSize} examples each (the first dimension), of any rank; the labels may
     * have several rows per example (a convolution's output positions: a mini-batch takes its examples' share of
     * rows).
     */
    static RunStats assertTrainingParity(String name, MultiLayerConfiguration conf, SpiNNakerOptions options,
            INDArray x, INDArray y, int batches, int batchSize) {
        return assertTrainingParity(name, conf, conf, options, x, y, batches, batchSize);
    }

    /**
     * As {@link #assertTrainingParity(String, MultiLayerConfiguration, SpiNNakerOptions, INDArray, INDArray, int, int)}
     * with the CPU on {@code cpuConf}, the same network (and initial parameters) but for what the test swaps in that
     * only the CPU runs (a dropout that draws the cores' masks).
     */
    static RunStats assertTrainingParity(String name, MultiLayerConfiguration cpuConf, MultiLayerConfiguration conf,
            SpiNNakerOptions options, INDArray x, INDArray y, int batches, int batchSize) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(cpuConf.clone());
        cpu.init();
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(), options)) {
            machine.init();
            machine.setParams(cpu.params());
            double worstScore = 0;
            int rows = (int) (y.size(0) / x.size(0));
            for (int b = 0; b < batches; b++) {
                INDArray xb = examples(x, b * batchSize, (b + 1) * batchSize);
                INDArray yb = examples(y, b * batchSize * rows, (b + 1) * batchSize * rows);
                cpu.fit(xb, yb);
                machine.fit(xb, yb);
                double relative = Math.abs(machine.score() - cpu.score()) / Math.max(Math.abs(cpu.score()), 1e-12);
                worstScore = Math.max(worstScore, relative);
                assertTrue(relative <= SCORE_TOLERANCE, "iteration " + b + ": score " + machine.score() + " on SpiNNaker, "
                        + cpu.score() + " on the CPU");
            }
            DataSet last = new DataSet(examples(x, (batches - 1) * batchSize, batches * batchSize),
                    examples(y, (batches - 1) * batchSize * rows, batches * batchSize * rows));
            double cpuScore = cpu.score(last);
            assertTrue(Math.abs(machine.score(last) - cpuScore) <= SCORE_TOLERANCE * Math.max(Math.abs(cpuScore), 1e-12),
                    "score(DataSet) after training: " + machine.score(last) + " on SpiNNaker, " + cpuScore + " on the CPU");
            return assertSameTrainedState(name, options, cpu, machine, batches, batchSize, worstScore);
        }
    }

    /** Examples [lo, hi) of an array whose first dimension counts them. */
    private static INDArray examples(INDArray a, int lo, int hi) {
        INDArrayIndex[] index = new INDArrayIndex[a.rank()];
        Arrays.fill(index, NDArrayIndex.all());
        index[0] = NDArrayIndex.interval(lo, hi);
        return a.get(index);
    }

    /**
     * The parameters nd4j-native holds after fitting the mini-batches {@link #assertTrainingParity} fits, from the
     * configuration's own initial parameters: for a test to check that an option changes the trajectory at all.
     */
    static INDArray cpuParametersAfter(MultiLayerConfiguration conf, Labels labelKind, int batches, int batchSize) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        INDArray x = inputs(cpu, batches * batchSize);
        INDArray y = labels(cpu, labelKind, batches * batchSize);
        for (int b = 0; b < batches; b++) {
            cpu.fit(x.get(NDArrayIndex.interval(b * batchSize, (b + 1) * batchSize), NDArrayIndex.all()),
                    y.get(NDArrayIndex.interval(b * batchSize, (b + 1) * batchSize), NDArrayIndex.all()));
        }
        return cpu.params();
    }

    private static INDArray inputs(MultiLayerNetwork net, int rows) {
        return Parity.uniformInputs(rows, (int) net.layerInputSize(0), 21);
    }

    private static INDArray labels(MultiLayerNetwork net, Labels kind, int rows) {
        return labels(kind, rows, (int) net.layerSize(net.getnLayers() - 1), 22);
    }

    /**
     * Fits {@code epochs} epochs of {@code batchesPerEpoch} mini-batches of {@code batchSize} with
     * {@code fit(DataSetIterator)} on both backends, so DL4J's epoch count moves (epoch schedules), asserting every
     * iteration's score and the iteration and epoch DL4J's listeners see, then every parameter and the updater's
     * state as {@link #assertTrainingParity} does; returns the max |parameter difference|.
     */
    static double assertEpochTrainingParity(String name, MultiLayerConfiguration conf, int epochs,
            int batchesPerEpoch, int batchSize) {
        return assertEpochTrainingParity(name, conf, SpiNNakerOptions.defaults(), epochs, batchesPerEpoch, batchSize);
    }

    /**
     * As {@link #assertEpochTrainingParity(String, MultiLayerConfiguration, int, int, int)}, the machine's network
     * mapped with {@code options}.
     */
    static double assertEpochTrainingParity(String name, MultiLayerConfiguration conf, SpiNNakerOptions options,
            int epochs, int batchesPerEpoch, int batchSize) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        int nIn = (int) cpu.layerInputSize(0);
        int nOut = (int) cpu.layerSize(cpu.getnLayers() - 1);
        INDArray x = Parity.uniformInputs(batchesPerEpoch * batchSize, nIn, 21);
        INDArray y = labels(Labels.ONE_HOT, batchesPerEpoch * batchSize, nOut, 22);
        List<DataSet> batches = new ArrayList<>();
        for (int b = 0; b < batchesPerEpoch; b++) {
            batches.add(new DataSet(x.get(NDArrayIndex.interval(b * batchSize, (b + 1) * batchSize), NDArrayIndex.all()),
                    y.get(NDArrayIndex.interval(b * batchSize, (b + 1) * batchSize), NDArrayIndex.all())));
        }
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(), options)) {
            machine.init();
            machine.setParams(cpu.params());
            ScoreRecorder cpuScores = new ScoreRecorder();
            ScoreRecorder machineScores = new ScoreRecorder();
            cpu.setListeners(cpuScores);
            machine.setListeners(machineScores);
            cpu.fit(new ListDataSetIterator<>(batches, 1), epochs);
            machine.fit(new ListDataSetIterator<>(batches, 1), epochs);
            assertEquals(epochs, machine.getEpochCount(), "epochs counted");
            assertEquals(cpuScores.steps, machineScores.steps, "the iteration and epoch of every iterationDone");
            double worstScore = 0;
            for (int i = 0; i < cpuScores.scores.size(); i++) {
                double expected = cpuScores.scores.get(i);
                double relative = Math.abs(machineScores.scores.get(i) - expected) / Math.max(Math.abs(expected), 1e-12);
                worstScore = Math.max(worstScore, relative);
                assertTrue(relative <= SCORE_TOLERANCE, "iteration " + i + ": score " + machineScores.scores.get(i)
                        + " on SpiNNaker, " + expected + " on the CPU");
            }
            assertSameTrainedState(name, options, cpu, machine, epochs * batchesPerEpoch,
                    batchSize, worstScore);
            return Transforms.abs(machine.params().sub(cpu.params())).maxNumber().doubleValue();
        }
    }

    /** Records the score, iteration and epoch of every {@code iterationDone}. */
    private static final class ScoreRecorder extends BaseTrainingListener {
        final List<Double> scores = new ArrayList<>();
        final List<String> steps = new ArrayList<>();

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            scores.add(model.score());
            steps.add(iteration + "/" + epoch);
        }
    }

    /** Asserts and logs the parameters, the updater state and the counters after training on both backends. */
    private static RunStats assertSameTrainedState(String name, SpiNNakerOptions options, MultiLayerNetwork cpu,
            SpiNNakerMultiLayerNetwork machine, int batches, int batchSize, double worstScore) {
        double parameterDiff = Transforms.abs(machine.params().sub(cpu.params())).maxNumber().doubleValue();
        double stateDiff = updaterStateDifference(cpu, machine);
        RunStats stats = machine.lastTrainingStats();
        LOG.info("{} {} / {}: {} mini-batches of {}: worst relative score difference {}, max |parameter diff| {}, "
                + "max relative updater state diff {}; last batch: {}", name, options.partitioning(),
                options.simulator().sendMode(), batches, batchSize, worstScore, parameterDiff, stateDiff, stats);
        assertTrue(stateDiff < PARAMETER_TOLERANCE, "max relative |updater state diff| " + stateDiff);
        assertEquals(batches, machine.getIterationCount());
        assertEquals(0, stats.packetsDropped(), stats.describeDrops());
        assertTrue(parameterDiff < PARAMETER_TOLERANCE, "max |parameter diff| " + parameterDiff);
        return stats;
    }

    /** max |machine − CPU| / max(1, |CPU|) over the updater's state view, 0 for updaters without state. */
    private static double updaterStateDifference(MultiLayerNetwork cpu, MultiLayerNetwork machine) {
        INDArray expected = cpu.getUpdater().getStateViewArray();
        INDArray actual = machine.getUpdater().getStateViewArray();
        if (expected == null || actual == null) {
            assertEquals(expected == null, actual == null, "one backend has updater state, the other has none");
            return 0;
        }
        assertEquals(expected.length(), actual.length(), "updater state length");
        INDArray scale = Transforms.max(Transforms.abs(expected), 1.0);
        return Transforms.abs(actual.sub(expected)).div(scale).maxNumber().doubleValue();
    }
}
