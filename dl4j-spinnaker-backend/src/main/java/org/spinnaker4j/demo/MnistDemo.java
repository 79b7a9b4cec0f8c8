package org.spinnaker4j.demo;

import java.nio.file.Path;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.SplitTestAndTrain;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * The README's demo: trains a 784-256-128-10 MLP with DL4J on the CPU (first 8,000 digits),
 * then runs the 2,000 test digits on a simulated SpiNN-5 board and compares: accuracy on
 * both, the largest output difference, and the machine's packet statistics for BLOCK and
 * (on fewer digits, it is the slow baseline) NEURON_PER_CORE partitioning.
 */
public final class MnistDemo {

    private static final int TRAIN = 8000;
    private static final int EPOCHS = 3;
    private static final int NEURON_PER_CORE_SAMPLES = 100;

    private MnistDemo() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "data/mnist");
        DataSet all = MnistIdx.load(dir);
        SplitTestAndTrain split = all.splitTestAndTrain(TRAIN);
        DataSet train = split.getTrain();
        DataSet test = split.getTest();
        System.out.printf("MNIST: %d training and %d test digits from %s%n", train.numExamples(),
                test.numExamples(), dir);

        MultiLayerNetwork cpu = new MultiLayerNetwork(ReferenceNetworks.mnistMlp());
        cpu.init();
        for (int epoch = 1; epoch <= EPOCHS; epoch++) {
            cpu.fit(new ListDataSetIterator<>(train.asList(), 64));
            System.out.printf("CPU training: epoch %d/%d, score %.4f%n", epoch, EPOCHS, cpu.score());
        }
        INDArray cpuOut = cpu.output(test.getFeatures());
        Evaluation cpuEval = new Evaluation(10);
        cpuEval.eval(test.getLabels(), cpuOut);

        try (SpiNNakerMultiLayerNetwork block = SpiNNakerMultiLayerNetwork.wrap(cpu)) {
            System.out.printf("SpiNNaker (BLOCK): running %d test digits on the simulated machine...%n",
                    test.numExamples());
            INDArray out = block.output(test.getFeatures());
            Evaluation eval = new Evaluation(10);
            eval.eval(test.getLabels(), out);
            System.out.printf("%nTest accuracy: CPU (nd4j-native) %.2f %%, SpiNNaker %.2f %%%n",
                    100 * cpuEval.accuracy(), 100 * eval.accuracy());
            System.out.printf("Max |SpiNNaker - CPU| over all outputs: %.3g%n", maxAbsDiff(out, cpuOut));
            report("BLOCK", block.lastRunStats());
        }

        SpiNNakerOptions npc = SpiNNakerOptions.builder().partitioning(PartitioningStrategy.NEURON_PER_CORE).build();
        try (SpiNNakerMultiLayerNetwork neuronPerCore = SpiNNakerMultiLayerNetwork.wrap(cpu, npc)) {
            INDArray x = test.getFeatures().getRows(range(NEURON_PER_CORE_SAMPLES));
            INDArray out = neuronPerCore.output(x);
            System.out.printf("NEURON_PER_CORE on the first %d test digits: max |SpiNNaker - CPU| %.3g%n",
                    NEURON_PER_CORE_SAMPLES, maxAbsDiff(out, cpu.output(x)));
            report("NEURON_PER_CORE", neuronPerCore.lastRunStats());
        }
    }

    private static void report(String strategy, RunStats s) {
        System.out.printf("  %-15s %4d cores on %2d chips, %7.0f packets sent and %8.0f delivered per sample, "
                + "%d dropped, max %d routing entries per chip, %.1f µs simulated per sample%n",
                strategy, s.coresUsed(), s.chipsUsed(), s.packetsSentPerSample(), s.packetsDeliveredPerSample(),
                s.packetsDropped(), s.maxRoutingEntries(), s.simulatedSecondsPerSample() * 1e6);
    }

    private static double maxAbsDiff(INDArray a, INDArray b) {
        return Transforms.abs(a.sub(b)).maxNumber().doubleValue();
    }

    private static int[] range(int n) {
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        return rows;
    }
}
