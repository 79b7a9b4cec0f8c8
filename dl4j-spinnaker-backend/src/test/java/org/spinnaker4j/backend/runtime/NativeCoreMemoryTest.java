package org.spinnaker4j.backend.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.spinnaker4j.kernels.KernelCore;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;

import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.Conv1DGeometry;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.GradientNormalizationSpec;
import org.spinnaker4j.mapper.ir.GradientNormalizationType;
import org.spinnaker4j.mapper.ir.LossFunction;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.PoolingSpec;
import org.spinnaker4j.mapper.ir.RegularizationSpec;
import org.spinnaker4j.mapper.ir.TrainingSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;
import org.spinnaker4j.mapper.keys.InputRange;
import org.spinnaker4j.mapper.keys.ReceiveKind;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.CoreShape;
import org.spinnaker4j.mapper.partition.DtcmCheck;
import org.spinnaker4j.mapper.partition.KernelCopies;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/** The DTCM size the mapper plans with is exactly the size of the state each core is loaded with, inference or training. */
class NativeCoreMemoryTest {

    static Stream<Arguments> cases() {
        TrainingSpec adam = new TrainingSpec(LossFunction.MCXENT, List.of(new UpdaterSpec(UpdaterType.ADAM, 1e-3f, 0.9f,
                0.999f, 1e-8f), new UpdaterSpec(UpdaterType.NESTEROVS, 1e-2f, 0.9f, 0f, 0f)), true);
        // L2 gradient normalizations: the cores of each layer hold every peer's partials
        TrainingSpec normalized = new TrainingSpec(LossFunction.MCXENT, List.of(new UpdaterSpec(UpdaterType.SGD, 0.1f,
                0f, 0f, 0f, RegularizationSpec.NONE, RegularizationSpec.NONE, null, new GradientNormalizationSpec(
                        GradientNormalizationType.RENORMALIZE_L2_PER_LAYER, 1f)), new UpdaterSpec(UpdaterType.ADAM,
                1e-3f, 0.9f, 0.999f, 1e-8f, RegularizationSpec.NONE, RegularizationSpec.NONE, null,
                new GradientNormalizationSpec(GradientNormalizationType.CLIP_L2_PER_PARAM_TYPE, 0.5f))), true);
        return Stream.of(PartitioningStrategy.values()).flatMap(s -> Stream.of(Arguments.of(s, null),
                Arguments.of(s, adam), Arguments.of(s, normalized)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void mapperAndKernelsAgreeOnEveryCore(PartitioningStrategy strategy, TrainingSpec training) {
        NetworkSpec net = new NetworkSpec(List.of(
                new DenseLayerSpec(300, 200, Activation.of(ActivationKind.RELU), true),
                new DenseLayerSpec(200, 40, Activation.of(ActivationKind.SOFTMAX), true)), training);
        Mapping mapping = new Mapper(strategy, new NativeCoreMemory()).map(net, Machine.spinn5());
        boolean sawPeers = false;
        int heldMost = 1;
        for (MachineVertex v : mapping.graph().vertices()) {
            sawPeers |= mapping.receiveTables().get(v.id()).stream().anyMatch(r -> r.kind() == ReceiveKind.SOFTMAX_SYNC);
            heldMost = Math.max(heldMost, mapping.tdma().samplesInFlight(v.id()));
        }
        checkEveryCore(mapping);
        assertTrue(sawPeers || strategy == PartitioningStrategy.FEWEST_CORES,
                "NEURON_PER_CORE splits the softmax layer over peers");
        assertEquals(training != null && mapping.tdma().pipelined(), heldMost > 1,
                "pipelined training cores hold several samples, and only then");
    }

    /** A kernel copy's chunk table and share slots are planned: each copy holds all its chunks. */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void kernelCopiesAreCountedWithTheirExchange(PartitioningStrategy strategy) {
        // 4 channels × 16 positions, kernel 5, Same: 16 copies of each slice, every one exchanging
        Conv1DGeometry g = new Conv1DGeometry(4, 16, 8, 5, 1, 2, 16, false);
        NetworkSpec net = new NetworkSpec(List.of(DenseLayerSpec.convolution(g, Activation.of(ActivationKind.TANH),
                true), DenseLayerSpec.convolution(Conv1DGeometry.pointwise(8, 3, 16),
                Activation.of(ActivationKind.SOFTMAX), true)), new TrainingSpec(LossFunction.MCXENT,
                Collections.nCopies(2, new UpdaterSpec(UpdaterType.ADAM, 1e-3f, 0.9f, 0.999f, 1e-8f)), true));
        Mapping mapping = new Mapper(strategy, new NativeCoreMemory()).map(net, Machine.spinn5());
        assertTrue(mapping.kernelCopies().stream().anyMatch(KernelCopies::exchanges), "the copies exchange");
        checkEveryCore(mapping);
    }

    /** A pooling block holds no weights (nor their gradients in training), and is planned without them. */
    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void poolingBlocksAreCountedWithoutWeights(PartitioningStrategy strategy) {
        Conv1DGeometry conv = new Conv1DGeometry(4, 16, 8, 3, 1, 1, 16, false);
        List<DenseLayerSpec> layers = List.of(
                DenseLayerSpec.convolution(conv, Activation.of(ActivationKind.RELU), true),
                DenseLayerSpec.pooling(new Conv1DGeometry(8, 16, 8, 4, 2, 1, 8, false),
                        new PoolingSpec(PoolingSpec.Kind.MAX, false, false)),
                DenseLayerSpec.convolution(Conv1DGeometry.pointwise(8, 3, 8), Activation.of(ActivationKind.SOFTMAX),
                        true));
        checkEveryCore(new Mapper(strategy, new NativeCoreMemory()).map(new NetworkSpec(layers), Machine.spinn5()));
        UpdaterSpec sgd = new UpdaterSpec(UpdaterType.SGD, 0.1f, 0f, 0f, 0f);
        TrainingSpec training = new TrainingSpec(LossFunction.MCXENT, List.of(sgd,
                new UpdaterSpec(UpdaterType.NOOP, 0f, 0f, 0f, 0f), sgd), true);
        checkEveryCore(new Mapper(strategy, new NativeCoreMemory()).map(new NetworkSpec(layers, training),
                Machine.spinn5()));
    }

    /**
     * A fully connected network's batch normalizations train with the mini-batch's statistics: their blocks are planned
     * as loaded (their samples' deltas and statistics besides their rows), holding the mapping's largest mini-batch.
     */
    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void miniBatchNormalizationsAreCountedAsLoaded(PartitioningStrategy strategy) {
        List<DenseLayerSpec> layers = List.of(
                DenseLayerSpec.batchNorm(Conv2DGeometry.dense(24, 1, 1, 24).alongRows(), PoolingSpec.batchNorm(1e-5,
                        true)),
                DenseLayerSpec.convolution(Conv2DGeometry.dense(24, 1, 1, 5).alongRows(),
                        Activation.of(ActivationKind.SOFTMAX), true));
        UpdaterSpec sgd = new UpdaterSpec(UpdaterType.SGD, 0.1f, 0f, 0f, 0f);
        Mapping mapping = new Mapper(strategy, new NativeCoreMemory()).map(new NetworkSpec(layers,
                new TrainingSpec(LossFunction.MCXENT, List.of(sgd, sgd), true)), Machine.spinn5());
        assertTrue(mapping.largestMiniBatch() > 1, mapping.describe());
        checkEveryCore(mapping);
    }

    /**
     * After a 2-D convolution a batch normalization's blocks keep every block's partial sums (7 per channel) besides
     * their mini-batch: they are planned as loaded, with their exchange.
     */
    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void channelNormalizationsAreCountedWithTheirExchange(PartitioningStrategy strategy) {
        Mapping mapping = new Mapper(strategy, new NativeCoreMemory()).map(convNormConv(3, 6, 5), Machine.spinn5());
        assertTrue(mapping.graph().vertices().stream().filter(v -> v.layer() == 1
                && v.kind() == VertexKind.DENSE_BLOCK).count() > 1, mapping.describe());
        checkEveryCore(mapping);
    }

    /**
     * An s16.15 network's cores are planned with their fixed-point state: a reduce's 64-bit sum per column and a bit
     * per half of its blocks' partials, which is not the float32 reduce's size, and a relay's and a block's.
     */
    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void fixedPointCoresArePlannedWithTheirFixedState(PartitioningStrategy strategy) {
        NetworkSpec net = new NetworkSpec(List.of(
                new DenseLayerSpec(300, 200, Activation.of(ActivationKind.RELU), true),
                new DenseLayerSpec(200, 40, Activation.of(ActivationKind.SOFTMAX), true)), null)
                .withArithmetic(Arithmetic.S16_15);
        Mapping mapping = new Mapper(strategy, new NativeCoreMemory()).map(net, Machine.spinn5());
        checkEveryCore(mapping);
        NativeCoreMemory memory = new NativeCoreMemory();
        List<MachineVertex> reduces = mapping.graph().vertices().stream().filter(v -> v.kind() == VertexKind.REDUCE)
                .toList();
        assertTrue(!reduces.isEmpty() || strategy == PartitioningStrategy.NEURON_PER_CORE,
                strategy + " splits the 300 rows over blocks");
        for (MachineVertex reduce : reduces) {
            CoreShape fixed = plannedShape(mapping, reduce, Map.of());
            CoreShape floating = new CoreShape(fixed.kind(), fixed.rows(), fixed.cols(), fixed.fused(),
                    fixed.ranges(), fixed.softmaxPeers(), null, null, false);
            assertTrue(memory.stateBytes(fixed) != memory.stateBytes(floating),
                    reduce + ": " + memory.stateBytes(fixed));
        }
    }

    /**
     * A fused training block the kernels train in s16.15 (Sgd or Adam, docs/fixed-point.md, "Training in s16.15 on the
     * machine") is probed in s16.15, its gradient sums 8 bytes a parameter, so larger than its float32 state; a
     * training block they do not train in s16.15 (Nesterovs; unfused) as float32, which the host refuses at init().
     */
    @Test
    void fixedPointTrainingBlocksAreProbedWithTheirFixedState() {
        NativeCoreMemory memory = new NativeCoreMemory();
        for (UpdaterType u : new UpdaterType[] {UpdaterType.SGD, UpdaterType.ADAM, UpdaterType.NESTEROVS}) {
            for (boolean fused : new boolean[] {true, false}) {
                CoreShape floating = trainingBlock(u, fused, Arithmetic.FLOAT32);
                CoreShape fixed = trainingBlock(u, fused, Arithmetic.S16_15);
                boolean trains = fused && u != UpdaterType.NESTEROVS;
                int f = memory.stateBytes(floating);
                int q = memory.stateBytes(fixed);
                assertTrue(trains ? q > f : q == f, u + (fused ? " fused: " : " unfused: ") + q + " against " + f);
            }
        }
    }

    /** A 128 × 32 training block holding 4 samples, taking its data and (fused) its columns' errors. */
    private static CoreShape trainingBlock(UpdaterType u, boolean fused, Arithmetic arithmetic) {
        return new CoreShape(VertexKind.DENSE_BLOCK, 128, 32, fused, 2, 0, u, u, false, false, 0, 0, 4, false,
                CoreShape.Copy.NONE, null, false, CoreShape.Sums.NONE, arithmetic);
    }

    /**
     * A block of one value of a normalization of 12 channels on 4 × 4 images keeps the sums of 192 blocks, 7 × 12 each:
     * 64,512 bytes, more than a core's DTCM. The mapper refuses it, naming the block, rather than the kernel at load.
     */
    @Test
    void sumsThatDoNotFitAreRefusedWhenMapping() {
        Mapper mapper = new Mapper(PartitioningStrategy.NEURON_PER_CORE, new NativeCoreMemory());
        MappingException e = assertThrows(MappingException.class,
                () -> mapper.map(convNormConv(12, 4, 4), Machine.spinn5()));
        assertTrue(e.getMessage().contains("layer 1") && e.getMessage().contains("bytes of DTCM"), e.getMessage());
        Mapping fewest = new Mapper(PartitioningStrategy.FEWEST_CORES, new NativeCoreMemory())
                .map(convNormConv(12, 4, 4), Machine.spinn5());
        checkEveryCore(fewest);
    }

    /** Conv2D (2 → channels, 3 × 3, Same) → BatchNormalization → Conv2D (channels → 2, 3 × 3, Same), trained. */
    private static NetworkSpec convNormConv(int channels, int height, int width) {
        List<DenseLayerSpec> layers = List.of(
                DenseLayerSpec.convolution(new Conv2DGeometry(2, height, width, channels, 3, 3, 1, 1, 1, 1, height,
                        width, false).alongRows(), Activation.of(ActivationKind.RELU), true),
                DenseLayerSpec.batchNorm(new Conv2DGeometry(channels, height, width, channels, 1, 1, 1, 1, 0, 0,
                        height, width, false).alongRows(), PoolingSpec.batchNorm(1e-5, true)),
                DenseLayerSpec.convolution(new Conv2DGeometry(channels, height, width, 2, 3, 3, 1, 1, 1, 1, height,
                        width, false).alongRows(), Activation.of(ActivationKind.IDENTITY), true));
        UpdaterSpec sgd = new UpdaterSpec(UpdaterType.SGD, 0.1f, 0f, 0f, 0f);
        return new NetworkSpec(layers, new TrainingSpec(LossFunction.MSE, List.of(sgd, sgd, sgd), true));
    }

    /**
     * After LeNet's first convolution (28 × 28 → 24 × 24 × 8, 5 × 5) a batch normalization's blocks hold image rows of
     * 192 values: the largest mini-batch is the most samples every core up to it holds in its DTCM, its samples' rows,
     * outputs and deltas (besides the normalization's exchange ranges).
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = "FEWEST_CORES")
    void aNormalizationAfterLeNetsFirstConvolutionHoldsWhatFits(PartitioningStrategy strategy) {
        List<DenseLayerSpec> layers = List.of(
                DenseLayerSpec.convolution(new Conv2DGeometry(1, 28, 28, 8, 5, 5, 1, 1, 0, 0, 24, 24, false)
                        .alongRows(), Activation.of(ActivationKind.RELU), true),
                DenseLayerSpec.batchNorm(new Conv2DGeometry(8, 24, 24, 8, 1, 1, 1, 1, 0, 0, 24, 24, false)
                        .alongRows(), PoolingSpec.batchNorm(1e-5, true)),
                DenseLayerSpec.convolution(new Conv2DGeometry(8, 24, 24, 4, 5, 5, 1, 1, 0, 0, 20, 20, false)
                        .alongRows(), Activation.of(ActivationKind.IDENTITY), true));
        UpdaterSpec sgd = new UpdaterSpec(UpdaterType.SGD, 0.1f, 0f, 0f, 0f);
        Mapping mapping = new Mapper(strategy, new NativeCoreMemory()).map(new NetworkSpec(layers,
                new TrainingSpec(LossFunction.MSE, List.of(sgd, sgd, sgd), true)), Machine.spinn5());
        int most = mapping.largestMiniBatch();
        assertTrue(most > 1, mapping.describe());
        NativeCoreMemory memory = new NativeCoreMemory();
        boolean full = false;
        for (MachineVertex v : mapping.graph().vertices()) {
            if (v.kind() == VertexKind.DENSE_BLOCK && v.layer() <= 1) {
                CoreShape shape = plannedShape(mapping, v, Map.of());
                assertEquals(most, mapping.tdma().samplesInFlight(v.id()), v.toString());
                assertTrue(memory.stateBytes(shape.holding(most)) <= memory.dtcmBytes(), v.toString());
                full |= memory.stateBytes(shape.holding(most + 1)) > memory.dtcmBytes();
            }
        }
        assertTrue(full || most == memory.mostSamplesInFlight(), "no core limits the mini-batch to " + most);
    }

    /** Every core's planned DTCM, from its shape as the mapper takes it, is that of the state it is loaded with. */
    private static void checkEveryCore(Mapping mapping) {
        NetworkSpec net = mapping.network();
        NativeCoreMemory memory = new NativeCoreMemory();
        List<CoreData> data = CoreDataBuilder.build(mapping, randomParameters(net));
        Map<Integer, CoreShape.Copy> copies = DtcmCheck.copies(net, net.trains() ? mapping.kernelCopies() : List.of(),
                id -> (int) mapping.receiveTables().get(id).stream()
                        .filter(r -> r.kind() == ReceiveKind.SHARE || r.kind() == ReceiveKind.PARAM).count());
        for (MachineVertex v : mapping.graph().vertices()) {
            int held = mapping.tdma().samplesInFlight(v.id());
            int planned = memory.stateBytes(plannedShape(mapping, v, copies).holding(held));
            int loaded = KernelCore.stateBytes(data.get(v.id()).config());
            assertEquals(loaded, planned, v.toString());
            assertTrue(loaded <= KernelCore.DTCM_BYTES, v.toString());
        }
    }

    /** The shape of {@code v}'s core as the mapper takes it, from the key ranges it listens to. */
    private static CoreShape plannedShape(Mapping mapping, MachineVertex v, Map<Integer, CoreShape.Copy> copies) {
        List<InputRange> ranges = mapping.receiveTables().get(v.id());
        return DtcmCheck.shape(mapping.network(), v, ranges.size(), count(ranges, ReceiveKind.SOFTMAX_SYNC),
                count(ranges, ReceiveKind.NORM), count(ranges, ReceiveKind.BN_PARTIAL),
                copies.getOrDefault(v.id(), CoreShape.Copy.NONE));
    }

    private static int count(List<InputRange> ranges, ReceiveKind kind) {
        return (int) ranges.stream().filter(r -> r.kind() == kind).count();
    }

    private static List<DenseParameters> randomParameters(NetworkSpec net) {
        Random random = new Random(1);
        List<DenseParameters> params = new ArrayList<>();
        for (DenseLayerSpec l : net.layers()) {
            float[] w = new float[l.weightRows() * l.weightCols()];
            float[] b = new float[l.weightCols()];
            for (int i = 0; i < w.length; i++) {
                w[i] = random.nextFloat();
            }
            params.add(new DenseParameters(l.weightRows(), l.weightCols(), w, b));
        }
        return params;
    }
}
