package org.spinnaker4j.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.LongStream;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.SplitTestAndTrain;
import org.nd4j.linalg.factory.Nd4j;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.demo.MnistIdx;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.machine.Machine;

/**
 * The machine report's float32 against s16.15 fixed-point table: the seed network on random inputs and the MNIST MLP
 * trained on the host (nd4j-native) as the demo trains it, each run for inference on one SpiNN-5 board with the default
 * options in both arithmetics. Per run: cores, time and energy per sample, the largest output difference to
 * nd4j-native, the values s16.15 saturated, and for MNIST the test accuracy and the digits whose class agrees with
 * nd4j-native's.
 */
final class ArithmeticComparison {

    private static final int MNIST_TRAIN = 8000;
    private static final int MNIST_EPOCHS = 2;
    private static final int MNIST_BATCH = 32;
    private static final int SEED_ROWS = 200;

    /** One network in one arithmetic: its run, the largest output difference and (MNIST) its classes. */
    private record Row(String network, Arithmetic arithmetic, RunStats stats, double maxDifference,
            double accuracy, double agreement) {
    }

    private ArithmeticComparison() {
    }

    /** Runs both networks in both arithmetics and returns the table as Markdown. */
    static String markdown(Path mnistDir) throws IOException {
        List<Row> rows = new ArrayList<>();
        MultiLayerNetwork seed = new MultiLayerNetwork(ReferenceNetworks.seedNetwork());
        seed.init();
        Nd4j.getRandom().setSeed(17);
        INDArray seedRows = Nd4j.rand(DataType.FLOAT, SEED_ROWS, 10);
        for (Arithmetic arithmetic : Arithmetic.values()) {
            rows.add(run("seed 10-50-50-300-50-25", seed, seedRows, null, arithmetic));
        }
        SplitTestAndTrain split = MnistIdx.load(mnistDir).splitTestAndTrain(MNIST_TRAIN);
        MultiLayerNetwork mnist = new MultiLayerNetwork(ReferenceNetworks.mnistMlp());
        mnist.init();
        for (int epoch = 0; epoch < MNIST_EPOCHS; epoch++) {
            mnist.fit(new ListDataSetIterator<>(split.getTrain().asList(), MNIST_BATCH));
        }
        DataSet test = split.getTest();
        for (Arithmetic arithmetic : Arithmetic.values()) {
            rows.add(run("MNIST MLP 784-256-128-10, trained", mnist, test.getFeatures(), test.getLabels(),
                    arithmetic));
        }
        return table(rows, test.numExamples());
    }

    private static Row run(String name, MultiLayerNetwork cpu, INDArray x, INDArray labels, Arithmetic arithmetic) {
        SpiNNakerOptions options = SpiNNakerOptions.builder().machine(Machine.spinn5()).arithmetic(arithmetic)
                .inferenceOnly().build();
        try (SpiNNakerMultiLayerNetwork net = SpiNNakerMultiLayerNetwork.wrap(cpu, options)) {
            INDArray out = net.output(x);
            INDArray expected = cpu.output(x);
            double diff = out.sub(expected).amaxNumber().doubleValue();
            double accuracy = Double.NaN;
            double agreement = Double.NaN;
            if (labels != null) {
                INDArray classes = out.argMax(1);
                accuracy = classes.eq(labels.argMax(1)).castTo(DataType.INT).sumNumber().doubleValue() / x.rows();
                agreement = classes.eq(expected.argMax(1)).castTo(DataType.INT).sumNumber().doubleValue() / x.rows();
            }
            System.err.printf(Locale.ROOT, "%s, %s: max difference %.2e%n", name, arithmetic, diff);
            return new Row(name, arithmetic, net.lastRunStats(), diff, accuracy, agreement);
        }
    }

    private static String table(List<Row> rows, int testDigits) {
        RunTable table = new RunTable("float32 against s16.15 fixed point (inference, default options)",
                String.format(Locale.ROOT, """
                        The seed network (untrained, seed 2020) on %d random rows; the MNIST MLP trained on the host \
                        by nd4j-native (%d epochs of the first %d digits in mini-batches of %d, as the demo) and run \
                        on the last %d. Difference: the largest |output - nd4j-native's output|; agreement: the \
                        digits whose most likely class is nd4j-native's. Saturated: the s16.15 values clamped to the \
                        format's range (docs/fixed-point.md), weights and biases at load, inputs, and sums rounded in \
                        the run, all layers together.""", SEED_ROWS, MNIST_EPOCHS, MNIST_TRAIN, MNIST_BATCH,
                        testDigits),
                List.of("network", "arithmetic"), List.of("max difference", "accuracy", "agreement",
                        "saturated parameters / inputs / sums", "dropped", "overruns"));
        for (Row r : rows) {
            RunStats s = r.stats();
            RunStats.Saturations saturated = s.saturations();
            table.row(List.of(r.network(), r.arithmetic()), s, List.of(
                    String.format(Locale.ROOT, "%.2e", r.maxDifference()), percent(r.accuracy()),
                    percent(r.agreement()), LongStream.of(saturated.parameters()).sum() + " / " + saturated.inputs()
                            + " / " + LongStream.of(saturated.sums()).sum(), s.packetsDropped(), s.tdmaOverruns()));
        }
        return table.markdown();
    }

    private static String percent(double fraction) {
        return Double.isNaN(fraction) ? "" : String.format(Locale.ROOT, "%.2f %%", 100 * fraction);
    }
}
