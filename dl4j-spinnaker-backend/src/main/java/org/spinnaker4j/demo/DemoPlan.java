package org.spinnaker4j.demo;

import java.util.List;
import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.spinnaker4j.backend.runtime.FixedPointRounding;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * What a run of {@link MnistDemo} trains and how: the network, its epochs, the partitioning that trains it on the
 * simulated machine for every epoch, and the partitionings measured beside it on a single mini-batch of a few digits
 * (the ones whose simulation costs the host too much to train a whole epoch within the demo's few minutes).
 *
 * @param name what the demo's first line calls the network
 * @param network a fresh configuration of the network on each call
 * @param epochs passes over the training digits
 * @param trained the partitioning of the run trained for every epoch and evaluated on the test digits
 * @param arithmetic what the cores of the trained run compute in (the sampled runs: float32)
 * @param rounding how the trained run's s16.15 update steps round (unused in float32)
 * @param sampled the partitionings measured on one mini-batch each
 */
public record DemoPlan(String name, Supplier<MultiLayerConfiguration> network, int epochs,
        PartitioningStrategy trained, Arithmetic arithmetic, FixedPointRounding rounding, List<Sampled> sampled) {

    /**
     * A partitioning measured on one mini-batch, and on one batch of inference.
     *
     * @param strategy the partitioning
     * @param digits the mini-batch it trains
     * @param inferenceDigits the batch it then runs (the first training digits)
     */
    public record Sampled(PartitioningStrategy strategy, int digits, int inferenceDigits) {
    }

    /**
     * The README's demo: the MNIST MLP, two epochs on FEWEST_CORES (a third of FASTEST's packets delivered per training
     * sample, and of its simulator time), FASTEST, the default, on a mini-batch of 32 and an inference batch of 500 (the machine report's), and
     * NEURON_PER_CORE on 4 digits.
     */
    public static DemoPlan mlp() {
        return new DemoPlan("the 784-256-128-10 MLP", ReferenceNetworks::mnistMlp, 2,
                PartitioningStrategy.FEWEST_CORES, Arithmetic.FLOAT32, FixedPointRounding.defaults(), List.of(new Sampled(PartitioningStrategy.FASTEST, 32, 500),
                        new Sampled(PartitioningStrategy.NEURON_PER_CORE, 4, 4)));
    }

    /**
     * The CNN demo: the LeNet-style network, three epochs on FEWEST_CORES (about 150,000 simulator events per training
     * sample, a third of FASTEST's: some 2.5 minutes of a host core an epoch), FASTEST on a mini-batch of 32.
     */
    public static DemoPlan cnn() {
        return new DemoPlan("the LeNet-style CNN (conv 5x5x4, max 2x2, conv 5x5x8, max 2x2, dense 64, 10)",
                ReferenceNetworks::mnistLeNet, 3, PartitioningStrategy.FEWEST_CORES, Arithmetic.FLOAT32,
                FixedPointRounding.defaults(), List.of(new Sampled(PartitioningStrategy.FASTEST, 32, 32)));
    }

    /**
     * The fixed-point demo: the MNIST MLP's two epochs with its cores in s16.15 (docs/fixed-point.md, "Training in
     * s16.15 through fit"), on FEWEST_CORES (the partitioning s16.15 trains on), update steps rounded stochastically
     * (seed 2026); nothing sampled beside it.
     */
    public static DemoPlan mlpFixed() {
        return new DemoPlan("the 784-256-128-10 MLP in s16.15 fixed point", ReferenceNetworks::mnistMlp, 2,
                PartitioningStrategy.FEWEST_CORES, Arithmetic.S16_15, FixedPointRounding.stochastic(2026), List.of());
    }

    /** The plan a command-line name stands for: {@code mlp}, {@code mlp-fixed} or {@code cnn}. */
    public static DemoPlan named(String name) {
        return switch (name) {
            case "mlp" -> mlp();
            case "mlp-fixed" -> mlpFixed();
            case "cnn" -> cnn();
            default -> throw new IllegalArgumentException("unknown demo '" + name + "': give mlp (the MNIST MLP), "
                    + "mlp-fixed (the MNIST MLP in s16.15) or cnn (the LeNet-style CNN)");
        };
    }
}
