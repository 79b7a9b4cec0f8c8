package org.spinnaker4j.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.demo.DemoPlan;
import org.spinnaker4j.demo.MnistIdx;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * The host time of training a demo's network on the embedded simulator, without the rest of the demo: the demo's
 * first mini-batches of 32 MNIST digits (its training split), one {@link DemoPlan}'s network (the README demo's MNIST
 * MLP by default, or the CNN demo's LeNet-style network), one mapping with the given partitioning (FASTEST, the
 * default, by default; the demos train their epochs with FEWEST_CORES). The first mini-batch warms the JIT and is not
 * timed; the others are, in the calling thread's CPU time (the host may be shared) and wall time, per block of 5 and
 * in all. Prints the events and packets, and a fingerprint of the trained parameters and the last mini-batch's
 * statistics, which must be the same before and after a change that keeps the simulated results. Usage:
 * {@code DemoTrainingSpeed [mini-batches [mnist directory [plan [partitioning]]]]} (21, {@code data/mnist},
 * {@code mlp} and {@code FASTEST} by default; the CNN demo's training is {@code cnn FEWEST_CORES}).
 */
public final class DemoTrainingSpeed {

    /** The demo's training digits and mini-batch size ({@code MnistDemo}). */
    private static final int TRAIN = 8000;
    private static final int BATCH = 32;
    private static final int BLOCK = 5;

    private DemoTrainingSpeed() {
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        Path dir = Path.of(args.length > 1 ? args[1] : "data/mnist");
        DemoPlan plan = DemoPlan.named(args.length > 2 ? args[2] : "mlp");
        SpiNNakerOptions options = SpiNNakerOptions.builder()
                .partitioning(PartitioningStrategy.valueOf(args.length > 3 ? args[3] : "FASTEST")).build();
        List<DataSet> train = MnistIdx.load(dir).splitTestAndTrain(TRAIN).getTrain().batchBy(BATCH)
                .subList(0, batches);
        MultiLayerNetwork initial = new MultiLayerNetwork(plan.network().get());
        initial.init();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(plan.network().get(),
                options)) {
            long mapStart = threads.getCurrentThreadCpuTime();
            net.init();
            net.setParams(initial.params());
            net.fit(train.get(0));
            double firstSeconds = (threads.getCurrentThreadCpuTime() - mapStart) / 1e9;
            long events = 0;
            long packets = 0;
            StringBuilder blocks = new StringBuilder();
            long start = threads.getCurrentThreadCpuTime();
            long wallStart = System.nanoTime();
            long blockStart = start;
            for (int b = 1; b < batches; b++) {
                net.fit(train.get(b));
                RunStats stats = net.lastTrainingStats();
                events += stats.events();
                packets += stats.packetsSent();
                if (b % BLOCK == 0) {
                    long now = threads.getCurrentThreadCpuTime();
                    blocks.append(String.format(" %.2f", (now - blockStart) / 1e9));
                    blockStart = now;
                }
            }
            double cpu = (threads.getCurrentThreadCpuTime() - start) / 1e9;
            double wall = (System.nanoTime() - wallStart) / 1e9;
            System.out.printf("mappings and first mini-batch: %.2f CPU s%n", firstSeconds);
            System.out.printf("%d mini-batches of %d: %d events, %d packets sent (%.2f events per packet), %.2f CPU s "
                    + "(per %d:%s), %.2f wall s, %.2f M events per CPU s%n", batches - 1, BATCH, events, packets,
                    (double) events / packets, cpu, BLOCK, blocks, wall, events / cpu / 1e6);
            System.out.println("fingerprint " + SimulatorSpeed.fingerprint(net.params(), net.lastTrainingStats()));
        }
    }
}
