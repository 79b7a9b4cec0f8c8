package org.spinnaker4j.benchmarks;

import java.nio.file.Path;
import java.util.Locale;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.FixedPointRounding;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.demo.MnistIdx;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * The README demo's MNIST MLP trained in s16.15 fixed point on the embedded simulator (docs/fixed-point.md, "Layers
 * split by columns"): the first 8,000 digits in mini-batches of 32, in order, for the demo's epochs, on FEWEST_CORES
 * (the one partitioning s16.15 trains on), stochastic rounding with the given seed; then evaluated on the machine on
 * the last 2,000 digits, beside DL4J's float32 training on nd4j-native from the same initial parameters. Prints a
 * progress line every 50 mini-batches and, per epoch, host time, simulated time, drops, overruns and the last
 * mini-batch's update steps. Usage: {@code FixedPointMnistTraining [mnist directory [epochs [seed]]]}
 * ({@code data/mnist}, 2 and 2026 by default). Slow: about 16 ms of simulated time and 10 host-core minutes an epoch.
 */
public final class FixedPointMnistTraining {

    private static final int TRAIN = 8000;
    private static final int BATCH = 32;
    private static final int PROGRESS = 50;

    private FixedPointMnistTraining() {
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        DataSet all = MnistIdx.load(Path.of(args.length > 0 ? args[0] : "data/mnist"));
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int seed = args.length > 2 ? Integer.parseInt(args[2]) : 2026;
        DataSet train = (DataSet) all.getRange(0, TRAIN);
        DataSet test = (DataSet) all.getRange(TRAIN, all.numExamples());
        MultiLayerNetwork cpu = new MultiLayerNetwork(ReferenceNetworks.mnistMlp());
        cpu.init();
        SpiNNakerOptions options = SpiNNakerOptions.builder().arithmetic(Arithmetic.S16_15)
                .partitioning(PartitioningStrategy.FEWEST_CORES)
                .fixedPointRounding(FixedPointRounding.stochastic(seed)).build();
        try (SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(ReferenceNetworks.mnistMlp(), options)) {
            net.init();
            net.setParams(cpu.params());
            for (int epoch = 1; epoch <= epochs; epoch++) {
                long start = System.nanoTime();
                double simulated = 0;
                long dropped = 0;
                long overruns = 0;
                int batch = 0;
                for (DataSet miniBatch : train.batchBy(BATCH)) {
                    net.fit(miniBatch);
                    RunStats stats = net.lastTrainingStats();
                    simulated += stats.simulatedSeconds();
                    dropped += stats.packetsDropped();
                    overruns += stats.tdmaOverruns();
                    if (++batch % PROGRESS == 0) {
                        System.out.printf("epoch %d: %d mini-batches, %.0f s host time%n", epoch, batch,
                                (System.nanoTime() - start) / 1e9);
                    }
                }
                RunStats last = net.lastTrainingStats();
                System.out.printf("s16.15 epoch %d/%d: %.1f s host time, %.3f s simulated (%.0f µs a sample), %d dropped, "
                        + "%d overruns; %d cores on %d chips; the last mini-batch's steps per layer %s%n", epoch,
                        epochs, (System.nanoTime() - start) / 1e9, simulated, 1e6 * simulated / TRAIN, dropped,
                        overruns, last.coresUsed(), last.chipsUsed(), last.saturations().steps());
                cpu.fit(new ListDataSetIterator<>(train.asList(), BATCH));
            }
            System.out.printf("test accuracy on %d digits: s16.15 on the machine %.2f %%, float32 on nd4j-native "
                    + "%.2f %%%n", test.numExamples(), 100 * accuracy(net.output(test.getFeatures()), test),
                    100 * accuracy(cpu.output(test.getFeatures()), test));
            System.out.println("inference: " + net.lastRunStats());
        }
    }

    private static double accuracy(INDArray output, DataSet test) {
        Evaluation eval = new Evaluation(10);
        eval.eval(test.getLabels(), output);
        return eval.accuracy();
    }
}
