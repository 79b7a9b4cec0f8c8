package org.spinnaker4j.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.SplitTestAndTrain;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.FixedPointRounding;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.demo.MnistIdx;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * The machine report's float32 against s16.15 fixed-point table for training: the MNIST MLP trained on the machine
 * as the demos train it (the first 8,000 digits in mini-batches of 32, 2 epochs, FEWEST_CORES, from the same initial
 * parameters; s16.15's steps rounded stochastically, seed 2026, as the fixed-point demo's), in each arithmetic, then
 * evaluated on the machine on the last 2,000 digits in the same arithmetic, beside nd4j-native trained alike. Per
 * run: cores, the last mini-batch's time and energy per sample, the accuracies, s16.15's update steps rounded to 0 in
 * the last mini-batch, and the drops and overruns of all mini-batches.
 */
final class TrainingArithmeticComparison {

    private static final int TRAIN = 8000;
    private static final int EPOCHS = 2;
    private static final int BATCH = 32;
    private static final FixedPointRounding ROUNDING = FixedPointRounding.stochastic(2026);

    /** One arithmetic's training run. */
    private record Row(Arithmetic arithmetic, RunStats last, double accuracy, long dropped, long overruns) {
    }

    private TrainingArithmeticComparison() {
    }

    /** Trains the MNIST MLP in both arithmetics and returns the table as Markdown. */
    static String markdown(Path mnistDir) throws IOException {
        SplitTestAndTrain split = MnistIdx.load(mnistDir).splitTestAndTrain(TRAIN);
        List<DataSet> miniBatches = split.getTrain().batchBy(BATCH);
        DataSet test = split.getTest();
        MultiLayerNetwork cpu = new MultiLayerNetwork(ReferenceNetworks.mnistMlp());
        cpu.init();
        INDArray initial = cpu.params().dup();
        List<Row> rows = new ArrayList<>();
        for (Arithmetic arithmetic : Arithmetic.values()) {
            rows.add(train(arithmetic, initial, miniBatches, test));
        }
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            cpu.fit(new ListDataSetIterator<>(split.getTrain().asList(), BATCH));
        }
        return table(rows, accuracy(cpu.output(test.getFeatures()), test));
    }

    private static Row train(Arithmetic arithmetic, INDArray initial, List<DataSet> miniBatches, DataSet test) {
        SpiNNakerOptions options = SpiNNakerOptions.builder().partitioning(PartitioningStrategy.FEWEST_CORES)
                .arithmetic(arithmetic).fixedPointRounding(ROUNDING).build();
        try (SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(ReferenceNetworks.mnistMlp(), options)) {
            net.init();
            net.setParams(initial);
            long dropped = 0;
            long overruns = 0;
            for (int epoch = 1; epoch <= EPOCHS; epoch++) {
                long start = System.nanoTime();
                for (DataSet miniBatch : miniBatches) {
                    net.fit(miniBatch);
                    dropped += net.lastTrainingStats().packetsDropped();
                    overruns += net.lastTrainingStats().tdmaOverruns();
                }
                System.err.printf(Locale.ROOT, "training MNIST in %s: epoch %d/%d, %.0f s host time%n", arithmetic,
                        epoch, EPOCHS, (System.nanoTime() - start) / 1e9);
            }
            RunStats last = net.lastTrainingStats();
            return new Row(arithmetic, last, accuracy(net.output(test.getFeatures()), test), dropped, overruns);
        }
    }

    private static double accuracy(INDArray output, DataSet test) {
        return output.argMax(1).eq(test.getLabels().argMax(1)).castTo(DataType.INT).sumNumber().doubleValue()
                / test.numExamples();
    }

    private static String table(List<Row> rows, double cpuAccuracy) {
        RunTable table = new RunTable("float32 against s16.15 fixed point (training, FEWEST_CORES)",
                String.format(Locale.ROOT, """
                        The MNIST MLP trained on the machine from the same initial parameters, %d epochs of the \
                        first %d digits in mini-batches of %d (s16.15's steps rounded stochastically, seed %d), then \
                        evaluated on the machine on the last %d in the same arithmetic; nd4j-native trained alike: \
                        %.2f %%. Time and energy: the last mini-batch's; steps rounded to 0: s16.15's of its non-zero \
                        gradients in the last mini-batch, all layers; dropped and overruns: all mini-batches.""",
                        EPOCHS, TRAIN, BATCH, ROUNDING.seed(), 10_000 - TRAIN, 100 * cpuAccuracy),
                List.of("arithmetic"), List.of("accuracy", "steps rounded to 0", "dropped", "overruns"));
        for (Row r : rows) {
            RunStats.Steps steps = r.last().saturations().steps().stream().reduce(RunStats.Steps.NONE,
                    RunStats.Steps::plus);
            table.row(List.of(r.arithmetic()), r.last(), List.of(String.format(Locale.ROOT, "%.2f %%",
                    100 * r.accuracy()), r.arithmetic() == Arithmetic.FLOAT32 ? ""
                            : steps.zeroSteps() + " of " + steps.nonZero(), r.dropped(), r.overruns()));
        }
        return table.markdown();
    }
}
