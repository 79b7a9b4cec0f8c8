package org.spinnaker4j.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.backend.sim.EmbeddedSimulator;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * The simulator's own speed: simulator events per second of host time, on one SpiNN-5 board
 * with TDMA, for inference and one training mini-batch of the seed network and the MNIST MLP
 * with each partitioning strategy, and inference of a LeNet-like CNN. Each configuration runs
 * {@code repeats} times from the same parameters (the first runs warm the JIT; the best is
 * reported: the least CPU time on one host thread, the least wall time on more) and prints the host time per
 * sample and a fingerprint of
 * its results (outputs or trained parameters, bit for bit, and every {@link RunStats} field),
 * which must be the same in every repeat and before and after a change to the simulator; and the
 * events per link time (380 ns of simulated time), which bounds the work a thread could do between
 * two synchronisations of the chips' two lanes ({@code hostThreads} 2: a pipelined run goes on two threads, and its
 * host CPU time is the calling thread's alone; compare wall times; 0: the simulator chooses, each repeat anew).
 * Usage: {@code SimulatorSpeed [repeats [filter [hostThreads]]]}, where a filter keeps the rows whose network,
 * pass and partitioning contain each of its words (e.g. {@code "seed inference FASTEST"}).
 */
public final class SimulatorSpeed {

    /**
     * One network with its input width and the samples each pass runs (neuron-per-core training is slow; 0: the pass
     * is not run).
     */
    private record Case(String name, MultiLayerConfiguration conf, int nIn, int inference, int trainingBlock,
            int trainingNeuronPerCore) {
    }

    /**
     * One timed run: host seconds of the calling thread's CPU time (the machine may be shared, so
     * wall time would count other processes' turns) and of wall time, its statistics and the
     * fingerprint of its results.
     */
    private record Run(double hostSeconds, double wallSeconds, RunStats stats, String fingerprint) {
    }

    /** A packet's time on a link: the look-ahead a simulation split across threads by chips would have. */
    private static final double LINK_SECONDS = MachineTiming.SPINNAKER1.linkPacketPs() / 1e12;

    private SimulatorSpeed() {
    }

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String filter = args.length > 1 ? args[1] : "";
        int hostThreads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        List<Case> cases = List.of(
                new Case("seed 10-50-50-300-50-25", ReferenceNetworks.seedNetwork(), 10, 500, 64, 8),
                new Case("MNIST MLP 784-256-128-10", ReferenceNetworks.mnistMlp(), 784, 50, 16, 2),
                new Case("LeNet-like 28x28 conv5x8 conv5s2x16 32 10", ReferenceNetworks.lenetLikeChain(), 28 * 28, 8,
                        0, 0));
        System.out.println("| network | pass | partitioning | samples | events | host CPU s | wall s | M events / CPU s "
                + "| host ms / sample | events per link time | fingerprint |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Case c : cases) {
            for (PartitioningStrategy strategy : PartitioningStrategy.values()) {
                for (boolean training : new boolean[] {false, true}) {
                    int samples = !training ? c.inference()
                            : strategy == PartitioningStrategy.NEURON_PER_CORE ? c.trainingNeuronPerCore() : c.trainingBlock();
                    String pass = training ? "training" : "inference";
                    if (samples == 0) {
                        continue;
                    }
                    String label = c.name() + " " + pass + " " + strategy;
                    if (!Arrays.stream(filter.split(" ")).allMatch(label::contains)) {
                        continue;
                    }
                    boolean inferenceOnly = c.trainingBlock() == 0 && c.trainingNeuronPerCore() == 0;
                    Run best = null;
                    for (int r = 0; r < repeats; r++) {
                        Run run = run(c.conf(), c.nIn(), strategy, training, samples, inferenceOnly, hostThreads);
                        if (best != null && !best.fingerprint().equals(run.fingerprint())) {
                            throw new IllegalStateException("not deterministic: " + c.name() + " " + strategy
                                    + " repeat " + r + " gave " + run.fingerprint() + ", earlier " + best.fingerprint());
                        }
                        if (best == null || (hostThreads == 1 ? run.hostSeconds() < best.hostSeconds()
                                : run.wallSeconds() < best.wallSeconds())) {
                            best = run;
                        }
                    }
                    RunStats stats = best.stats();
                    System.out.printf(Locale.ROOT, "| %s | %s | %s | %d | %d | %.3f | %.3f | %.2f | %.2f | %.2f | %s |%n",
                            c.name(), pass, strategy, samples, stats.events(), best.hostSeconds(), best.wallSeconds(),
                            stats.events() / best.hostSeconds() / 1e6, best.hostSeconds() * 1e3 / samples,
                            stats.events() * LINK_SECONDS / stats.simulatedSeconds(), best.fingerprint());
                }
            }
        }
    }

    private static Run run(MultiLayerConfiguration conf, int nIn, PartitioningStrategy strategy, boolean training,
            int samples, boolean inferenceOnly, int hostThreads) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        int nOut = (int) cpu.layerSize(cpu.getnLayers() - 1);
        Nd4j.getRandom().setSeed(17);
        INDArray x = Nd4j.rand(DataType.FLOAT, samples, nIn);
        INDArray y = Nd4j.zeros(DataType.FLOAT, samples, nOut);
        for (int r = 0; r < samples; r++) {
            y.putScalar(r, r % nOut, 1f);
        }
        SpiNNakerOptions.Builder builder = SpiNNakerOptions.builder().machine(Machine.spinn5()).partitioning(strategy)
                .hostThreads(hostThreads);
        SpiNNakerOptions options = (inferenceOnly ? builder.inferenceOnly() : builder).build();
        try (SpiNNakerMultiLayerNetwork net = SpiNNakerMultiLayerNetwork.wrap(cpu, options)) {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long start = System.nanoTime();
            long startCpu = threads.getCurrentThreadCpuTime();
            INDArray result;
            RunStats stats;
            if (training) {
                net.fit(x, y);
                result = net.params();
                stats = net.lastTrainingStats();
            } else {
                result = net.output(x);
                stats = net.lastRunStats();
            }
            double cpuSeconds = (threads.getCurrentThreadCpuTime() - startCpu) / 1e9;
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Run(cpuSeconds, seconds, stats, fingerprint(result, stats));
        }
    }

    /** SHA-256 (first 16 hex digits) of the result's float bits and every field of the statistics. */
    static String fingerprint(INDArray result, RunStats stats) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            float[] values = result.dup().data().asFloat();
            ByteBuffer bits = ByteBuffer.allocate(4 * values.length);
            for (float v : values) {
                bits.putInt(Float.floatToRawIntBits(v));
            }
            sha.update(bits.array());
            sha.update(canonical(stats).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every component of a record (maps sorted by key, doubles as raw bits, long arrays by value), recursively. */
    private static String canonical(Object value) {
        if (value instanceof Record r) {
            List<String> parts = new ArrayList<>();
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    parts.add(c.getName() + "=" + canonical(c.getAccessor().invoke(r)));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            return "(" + String.join(",", parts) + ")";
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, String> sorted = new TreeMap<>();
            m.forEach((k, v) -> sorted.put(canonical(k), canonical(v)));
            return sorted.toString();
        }
        if (value instanceof List<?> l) {
            return l.stream().map(SimulatorSpeed::canonical).toList().toString();
        }
        if (value instanceof Double d) {
            return Long.toHexString(Double.doubleToRawLongBits(d));
        }
        if (value instanceof long[] counts) {
            return Arrays.toString(counts); // RunStats.Saturations: String.valueOf would give the array's identity
        }
        return String.valueOf(value);
    }
}
