package org.spinnaker4j.backend.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.spinnaker4j.kernels.KernelCore;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.MachineVertex;

import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.GradientNormalizationSpec;
import org.spinnaker4j.mapper.ir.GradientNormalizationType;
import org.spinnaker4j.mapper.ir.LossFunction;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.RegularizationSpec;
import org.spinnaker4j.mapper.ir.TrainingSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;
import org.spinnaker4j.mapper.keys.InputRange;
import org.spinnaker4j.mapper.keys.ReceiveKind;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.DtcmCheck;
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
        NativeCoreMemory memory = new NativeCoreMemory();
        Mapping mapping = new Mapper(strategy, memory).map(net, Machine.spinn5());
        List<CoreData> data = CoreDataBuilder.build(mapping, randomParameters(net));
        boolean sawPeers = false;
        int heldMost = 1;
        for (MachineVertex v : mapping.graph().vertices()) {
            List<InputRange> ranges = mapping.receiveTables().get(v.id());
            int peers = (int) ranges.stream().filter(r -> r.kind() == ReceiveKind.SOFTMAX_SYNC).count();
            sawPeers |= peers > 0;
            int normPeers = (int) ranges.stream().filter(r -> r.kind() == ReceiveKind.NORM).count();
            int held = mapping.tdma().samplesInFlight(v.id());
            heldMost = Math.max(heldMost, held);
            int planned = memory.stateBytes(DtcmCheck.shape(net, v, ranges.size(), peers, normPeers).holding(held));
            int loaded = KernelCore.stateBytes(data.get(v.id()).config());
            assertEquals(loaded, planned, v.toString());
            assertTrue(loaded <= KernelCore.DTCM_BYTES, v.toString());
        }
        assertTrue(sawPeers || strategy == PartitioningStrategy.FEWEST_CORES,
                "NEURON_PER_CORE splits the softmax layer over peers");
        assertEquals(training != null && mapping.tdma().pipelined(), heldMost > 1,
                "pipelined training cores hold several samples, and only then");
    }

    private static List<DenseParameters> randomParameters(NetworkSpec net) {
        Random random = new Random(1);
        List<DenseParameters> params = new ArrayList<>();
        for (DenseLayerSpec l : net.layers()) {
            float[] w = new float[l.nIn() * l.nOut()];
            float[] b = new float[l.nOut()];
            for (int i = 0; i < w.length; i++) {
                w[i] = random.nextFloat();
            }
            params.add(new DenseParameters(l.nIn(), l.nOut(), w, b));
        }
        return params;
    }
}
