package org.spinnaker4j.mapper;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.spinnaker4j.mapper.cost.BoundCalculator;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Conv1DGeometry;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.LossFunction;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.TrainingSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.CoreMemory;
import org.spinnaker4j.mapper.partition.CoreShape;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.partition.TrialLayout;

/** Shared fixtures: a simple DTCM formula and the networks the tests map. */
public final class TestSupport {

    /** The DTCM of a core in the tests' memory models: a SpiNNaker core's 64 KiB. */
    public static final int DTCM_BYTES = 64 * 1024;

    /** The bytes of an inference core's state, as a test's memory model computes them. */
    @FunctionalInterface
    public interface StateBytes {
        int of(VertexKind kind, int rows, int cols, boolean fused, int ranges, int peers);
    }

    /** A memory model of {@link #DTCM_BYTES} per core whose inference cores need {@code bytes}. */
    public static CoreMemory memory(StateBytes bytes) {
        return new CoreMemory() {
            @Override
            public int dtcmBytes() {
                return DTCM_BYTES;
            }

            @Override
            public int stateBytes(VertexKind kind, int nRows, int nCols, boolean fused, int nInputRanges,
                    int nSoftmaxPeers) {
                return bytes.of(kind, nRows, nCols, fused, nInputRanges, nSoftmaxPeers);
            }
        };
    }

    /** 64 bytes of fixed state, 16 per key range, 4 per weight, per row and two per column. */
    public static final CoreMemory MEMORY = memory((kind, rows, cols, fused, ranges, peers) ->
            64 + 16 * ranges + 4 * (rows * cols + rows + 2 * cols));

    /**
     * The same formula with {@code scale} times the bytes per weight: as if DTCM were smaller,
     * so FEWEST_CORES partitioning spreads a network over many chips and needs reduce cores.
     */
    public static CoreMemory tightMemory(int scale) {
        return memory((kind, rows, cols, fused, ranges, peers) ->
                64 + 16 * ranges + 4 * (scale * rows * cols + rows + 2 * cols));
    }

    /** The (name, strategy, network, memory) cases the key tests run on: every strategy, loose and tight DTCM. */
    public static Stream<Arguments> mappingCases() {
        return Stream.of(
                Arguments.of("FEWEST_CORES mnist", PartitioningStrategy.FEWEST_CORES, mnist(), MEMORY),
                Arguments.of("FEWEST_CORES tight mnist", PartitioningStrategy.FEWEST_CORES, mnist(), tightMemory(16)),
                Arguments.of("FEWEST_CORES tight deep", PartitioningStrategy.FEWEST_CORES, deep(), tightMemory(128)),
                Arguments.of("FEWEST_CORES wide softmax", PartitioningStrategy.FEWEST_CORES,
                        network(ActivationKind.SOFTMAX, 300, 700), tightMemory(4)),
                Arguments.of("FASTEST mnist", PartitioningStrategy.FASTEST, mnist(), MEMORY),
                Arguments.of("FASTEST deep", PartitioningStrategy.FASTEST, deep(), MEMORY),
                Arguments.of("FASTEST tight mnist", PartitioningStrategy.FASTEST, mnist(), tightMemory(16)),
                Arguments.of("FASTEST wide softmax", PartitioningStrategy.FASTEST,
                        network(ActivationKind.SOFTMAX, 300, 700), tightMemory(4)),
                Arguments.of("NPC mnist", PartitioningStrategy.NEURON_PER_CORE, mnist(), MEMORY),
                Arguments.of("NPC deep", PartitioningStrategy.NEURON_PER_CORE, deep(), MEMORY),
                Arguments.of("FEWEST_CORES tight conv", PartitioningStrategy.FEWEST_CORES, convolutional(),
                        tightMemory(128)),
                Arguments.of("FASTEST conv", PartitioningStrategy.FASTEST, convolutional(), MEMORY),
                Arguments.of("NPC conv", PartitioningStrategy.NEURON_PER_CORE, convolutional(), MEMORY));
    }

    private TestSupport() {
    }

    /** The graph {@code strategy} partitions {@code network} into for a SpiNN-5 board, timed by the default model. */
    public static MachineGraph partition(PartitioningStrategy strategy, NetworkSpec network, CoreMemory memory) {
        if (strategy == PartitioningStrategy.FASTEST) {
            // its inference search ends on trial layouts, which the mapper provides
            return new Mapper(strategy, memory).map(network, Machine.spinn5()).graph();
        }
        return strategy.partitioner(BoundCalculator.SPINNAKER1, TrialLayout.NONE).partition(network, memory,
                Machine.spinn5());
    }

    public static int memoryOf(int rows, int cols, int ranges) {
        return 64 + 16 * ranges + 4 * (rows * cols + rows + 2 * cols);
    }

    /** A chain of dense layers with the given vector sizes: ReLU hidden layers, {@code last} on the final one. */
    public static NetworkSpec network(ActivationKind last, int... sizes) {
        List<DenseLayerSpec> layers = new ArrayList<>();
        for (int i = 0; i + 1 < sizes.length; i++) {
            ActivationKind kind = i + 2 == sizes.length ? last : ActivationKind.RELU;
            layers.add(new DenseLayerSpec(sizes[i], sizes[i + 1], Activation.of(kind), true));
        }
        return new NetworkSpec(layers);
    }

    /**
     * The plain formula for inference cores; a training core holds three times the weights (W, dW
     * and one updater state).
     */
    public static final CoreMemory TRAINING_MEMORY = new CoreMemory() {
        @Override
        public int dtcmBytes() {
            return DTCM_BYTES;
        }

        @Override
        public int stateBytes(VertexKind kind, int nRows, int nCols, boolean fused, int nInputRanges,
                int nSoftmaxPeers) {
            return memoryOf(nRows, nCols, nInputRanges);
        }

        @Override
        public int stateBytes(CoreShape shape) {
            int weights = (shape.updater() == null ? 1 : 3) * shape.rows() * shape.cols();
            return 64 + 16 * shape.ranges() + 4 * (weights + shape.rows() + 2 * shape.cols());
        }
    };

    /** {@code network} trained with Adam on cross-entropy, in mini-batches. */
    public static NetworkSpec training(NetworkSpec network) {
        return new NetworkSpec(network.layers(), new TrainingSpec(LossFunction.MCXENT, Collections.nCopies(
                network.layers().size(), new UpdaterSpec(UpdaterType.ADAM, 1e-3f, 0.9f, 0.999f, 1e-8f)), true));
    }

    /** 784-256-128-10 with softmax output. */
    /**
     * Two convolutions and a dense softmax layer at every position: 3 channels × 13 positions, kernel 5, stride 2,
     * padding 2 → 9 channels × 7 positions, kernel 3, stride 1, padding 1 → 8 × 7 → 4 per position, softmax.
     */
    public static NetworkSpec convolutional() {
        Conv1DGeometry first = new Conv1DGeometry(3, 13, 9, 5, 2, 2, 7, false);
        Conv1DGeometry second = new Conv1DGeometry(9, 7, 8, 3, 1, 1, 7, false);
        return new NetworkSpec(List.of(
                DenseLayerSpec.convolution(first, Activation.of(ActivationKind.RELU), true),
                DenseLayerSpec.convolution(second, Activation.of(ActivationKind.TANH), true),
                DenseLayerSpec.convolution(Conv1DGeometry.pointwise(8, 4, 7), Activation.of(ActivationKind.SOFTMAX),
                        true)));
    }

    public static NetworkSpec mnist() {
        return network(ActivationKind.SOFTMAX, 784, 256, 128, 10);
    }

    /**
     * The seed network as the benchmarks' {@code ReferenceNetworks.seedNetwork} defines it: 10-50-50-300-50-25, relu,
     * softmax, tanh, sigmoid, then an identity output.
     */
    public static NetworkSpec seed() {
        int[] sizes = {10, 50, 50, 300, 50, 25};
        ActivationKind[] kinds = {ActivationKind.RELU, ActivationKind.SOFTMAX, ActivationKind.TANH,
            ActivationKind.SIGMOID, ActivationKind.IDENTITY};
        List<DenseLayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < kinds.length; i++) {
            layers.add(new DenseLayerSpec(sizes[i], sizes[i + 1], Activation.of(kinds[i]), true));
        }
        return new NetworkSpec(layers);
    }

    /** 10-50-50-300-50-25 with softmax output. */
    public static NetworkSpec deep() {
        return network(ActivationKind.SOFTMAX, 10, 50, 50, 300, 50, 25);
    }
}
