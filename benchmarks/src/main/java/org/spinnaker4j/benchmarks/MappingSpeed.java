package org.spinnaker4j.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * The mapper's host time: CPU seconds of the calling thread to wrap (map) the MNIST MLP for training and
 * inference, the seed network and the LeNet-like chain ({@link ReferenceNetworks#lenetLikeChain}) for inference with
 * FASTEST on one SpiNN-5 board, best of
 * {@code repeats} (the first runs warm the JIT). Usage: {@code MappingSpeed [repeats]}.
 */
public final class MappingSpeed {

    private record Case(String name, MultiLayerConfiguration conf, boolean inferenceOnly) {
    }

    private MappingSpeed() {
    }

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<Case> cases = List.of(new Case("MNIST MLP 784-256-128-10, training", ReferenceNetworks.mnistMlp(), false),
                new Case("MNIST MLP 784-256-128-10, inference", ReferenceNetworks.mnistMlp(), true),
                new Case("seed network, inference", ReferenceNetworks.seedNetwork(), true),
                new Case("LeNet-like chain, inference", ReferenceNetworks.lenetLikeChain(), true));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.println("| network | host CPU s (best of " + repeats + ") |");
        System.out.println("|---|---|");
        for (Case c : cases) {
            double best = Double.MAX_VALUE;
            for (int r = 0; r < repeats; r++) {
                MultiLayerNetwork cpu = new MultiLayerNetwork(c.conf().clone());
                cpu.init();
                SpiNNakerOptions.Builder builder = SpiNNakerOptions.builder().machine(Machine.spinn5())
                        .partitioning(PartitioningStrategy.FASTEST);
                SpiNNakerOptions options = (c.inferenceOnly() ? builder.inferenceOnly() : builder).build();
                long start = threads.getCurrentThreadCpuTime();
                try (SpiNNakerMultiLayerNetwork net = SpiNNakerMultiLayerNetwork.wrap(cpu, options)) {
                    best = Math.min(best, (threads.getCurrentThreadCpuTime() - start) / 1e9);
                }
            }
            System.out.printf(Locale.ROOT, "| %s | %.3f |%n", c.name(), best);
        }
    }
}
