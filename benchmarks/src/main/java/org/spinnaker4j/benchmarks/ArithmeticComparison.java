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
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.cost.SampleBound;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.InputPath;
import org.spinnaker4j.mapper.machine.Machine;

/**
 * The machine report's float32 against s16.15 fixed-point table: the seed network on random inputs and the MNIST MLP
 * trained on the host (nd4j-native) as the demo trains it, each run for inference on one SpiNN-5 board with the default
 * options in both arithmetics, MNIST also in s16.15 with its input from SDRAM. Per run: cores, time and energy per
 * sample, the largest output difference to nd4j-native, the values s16.15 saturated, and for MNIST the test accuracy
 * and the digits whose class agrees with nd4j-native's; then issue 12's targets against those runs.
 */
final class ArithmeticComparison {

    private static final int MNIST_TRAIN = 8000;
    private static final int MNIST_EPOCHS = 2;
    private static final int MNIST_BATCH = 32;
    private static final int SEED_ROWS = 200;

    private static final String MNIST = MachineReport.MNIST + ", trained";
    private static final String MNIST_FROM_SDRAM = MNIST + ", input from SDRAM";
    private static final double MNIST_FIXED_PER_SECOND = 15_000;
    private static final double ACCURACY_POINTS_BELOW_FLOAT = 0.3;
    private static final double SEED_MAX_DIFFERENCE = 1e-3;
    private static final double MAC_CHEAPER = 10;

    /**
     * One network in one arithmetic: its run and its mapping's time bound, the largest output difference and (MNIST)
     * its classes.
     */
    private record Row(String network, Arithmetic arithmetic, RunStats stats, SampleBound bound, double maxDifference,
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
            rows.add(run(MachineReport.SEED, seed, seedRows, null, arithmetic));
        }
        SplitTestAndTrain split = MnistIdx.load(mnistDir).splitTestAndTrain(MNIST_TRAIN);
        MultiLayerNetwork mnist = new MultiLayerNetwork(ReferenceNetworks.mnistMlp());
        mnist.init();
        for (int epoch = 0; epoch < MNIST_EPOCHS; epoch++) {
            mnist.fit(new ListDataSetIterator<>(split.getTrain().asList(), MNIST_BATCH));
        }
        DataSet test = split.getTest();
        for (Arithmetic arithmetic : Arithmetic.values()) {
            rows.add(run(MNIST, mnist, test.getFeatures(), test.getLabels(), arithmetic));
        }
        rows.add(run(MNIST_FROM_SDRAM, mnist, test.getFeatures(), test.getLabels(), Arithmetic.S16_15,
                InputPath.SDRAM));
        return table(rows, test.numExamples()) + targets(rows);
    }

    private static Row run(String name, MultiLayerNetwork cpu, INDArray x, INDArray labels, Arithmetic arithmetic) {
        return run(name, cpu, x, labels, arithmetic, InputPath.PACKETS);
    }

    private static Row run(String name, MultiLayerNetwork cpu, INDArray x, INDArray labels, Arithmetic arithmetic,
            InputPath input) {
        SpiNNakerOptions options = SpiNNakerOptions.builder().machine(Machine.spinn5()).arithmetic(arithmetic)
                .inputPath(input).inferenceOnly().build();
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
            return new Row(name, arithmetic, net.lastRunStats(), MachineReport.bound(net.mapping()), diff, accuracy,
                    agreement);
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
                        the run, all layers together. The last row reads the input from SDRAM \
                        (InputPath.SDRAM: the first layer's blocks read their rows by DMA, no input sources).""",
                        SEED_ROWS, MNIST_EPOCHS, MNIST_TRAIN, MNIST_BATCH,
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

    /**
     * Issue 12's targets: a dense MAC's cost in float32 over s16.15 (the cost table's ARM968 figures, which the
     * calibration measures under qemu), MNIST in s16.15 against its throughput and float32's accuracy, the seed
     * network's largest difference.
     */
    private static String targets(List<Row> rows) {
        CoreCostModel cost = CoreCostModel.ARM968_SOFT_FLOAT;
        double floatMac = cost.macCycles(Arithmetic.FLOAT32, false);
        double fixedMac = cost.macCycles(Arithmetic.S16_15, false);
        Row mnistFloat = find(rows, MNIST, Arithmetic.FLOAT32);
        Row mnistFixed = find(rows, MNIST, Arithmetic.S16_15);
        Row fromSdram = find(rows, MNIST_FROM_SDRAM, Arithmetic.S16_15);
        return new TargetTable()
                .atLeast("a dense MAC's cycles in float32 over s16.15's", floatMac / fixedMac, MAC_CHEAPER,
                        String.format(Locale.ROOT, "%.1f cycles against %.1f (ARM968 cost table)", floatMac,
                                fixedMac))
                .atLeast("MNIST MLP inference in s16.15, samples / s", mnistFixed.stats().samplesPerSecond(),
                        MNIST_FIXED_PER_SECOND, TargetTable.throughputLimit(mnistFixed.stats(), mnistFixed.bound()))
                .atLeast("the same, input from SDRAM (InputPath.SDRAM), samples / s",
                        fromSdram.stats().samplesPerSecond(), MNIST_FIXED_PER_SECOND,
                        TargetTable.throughputLimit(fromSdram.stats(), fromSdram.bound()))
                .atMost("MNIST MLP test accuracy, points below float32's", 100 * (mnistFloat.accuracy()
                        - mnistFixed.accuracy()), ACCURACY_POINTS_BELOW_FLOAT, "")
                .atMost("seed network in s16.15, largest output difference to nd4j-native",
                        find(rows, MachineReport.SEED, Arithmetic.S16_15).maxDifference(), SEED_MAX_DIFFERENCE, "")
                .markdown("Issue 12's targets", "One SpiNN-5 board, default options but the arithmetic (and, "
                        + "where said, the input path), from the runs above.");
    }

    private static Row find(List<Row> rows, String network, Arithmetic arithmetic) {
        return rows.stream().filter(r -> r.network().equals(network) && r.arithmetic() == arithmetic).findFirst()
                .orElseThrow(() -> new IllegalStateException("the report ran no " + arithmetic + " inference of "
                        + network + ", which the fixed-point targets compare"));
    }

    private static String percent(double fraction) {
        return Double.isNaN(fraction) ? "" : String.format(Locale.ROOT, "%.2f %%", 100 * fraction);
    }
}
