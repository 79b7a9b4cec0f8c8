package org.spinnaker4j.backend.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.spinnaker4j.kernels.KernelActivation;
import org.spinnaker4j.kernels.KernelConfig;
import org.spinnaker4j.kernels.KernelCore;
import org.spinnaker4j.kernels.KernelKind;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.CoreShape;
import org.spinnaker4j.mapper.partition.DtcmCheck;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * A relay (FASTEST's consumer row groups on the seed network) is loaded as a reduce that forwards its values: one
 * partial per value, the identity, a zero bias whatever the layer's bias is, no weights and no training.
 */
class RelayCoreDataTest {

    @Test
    void aRelayIsAReduceWithOnePartialPerValueTheIdentityAndAZeroBias() {
        // the seed network's shape (MNIST's FASTEST slicing has taken its groups straight since session 33)
        NetworkSpec seed = new NetworkSpec(List.of(
                new DenseLayerSpec(10, 50, Activation.of(ActivationKind.RELU), true),
                new DenseLayerSpec(50, 50, Activation.of(ActivationKind.SOFTMAX), true),
                new DenseLayerSpec(50, 300, Activation.of(ActivationKind.TANH), true),
                new DenseLayerSpec(300, 50, Activation.of(ActivationKind.SIGMOID), true),
                new DenseLayerSpec(50, 25, Activation.of(ActivationKind.IDENTITY), true)), null);
        assertTrue(mostSendersOfARelay(seed, PartitioningStrategy.FASTEST) > 0);
    }

    /**
     * A block of a grouped layer without relays (FASTEST's MNIST slicing: layer 2 since session 33, layers 1 and 2
     * since session 34) takes its rows straight from several reduces (whose consecutive keys its receive table may
     * join into one range): the mapper plans the DTCM the kernel takes for it.
     */
    @Test
    void aBlockFedStraightBySeveralProducersIsPlannedAsTheKernelLaysItOut() {
        NetworkSpec mnist = new NetworkSpec(List.of(
                new DenseLayerSpec(784, 256, Activation.of(ActivationKind.RELU), true),
                new DenseLayerSpec(256, 128, Activation.of(ActivationKind.RELU), true),
                new DenseLayerSpec(128, 10, Activation.of(ActivationKind.SOFTMAX), true)), null);
        NativeCoreMemory memory = new NativeCoreMemory();
        Mapping mapping = new Mapper(PartitioningStrategy.FASTEST, memory).map(mnist, Machine.spinn5());
        List<CoreData> data = CoreDataBuilder.build(mapping, ones(mnist));
        int checked = 0;
        for (MachineVertex v : mapping.graph().vertices()) {
            int ranges = mapping.receiveTables().get(v.id()).size();
            if (v.kind() == VertexKind.DENSE_BLOCK && v.layer() > 0 && mapping.graph().incoming(v.id()).stream()
                    .filter(p -> p.kind() == PartitionKind.FORWARD).count() > 1) {
                assertEquals(KernelCore.stateBytes(data.get(v.id()).config()), memory.stateBytes(DtcmCheck.shape(
                        mnist, v, ranges, 0, 0, 0, CoreShape.Copy.NONE)), v + " listens to " + ranges + " key ranges");
                checked++;
            }
        }
        assertTrue(checked > 0, mapping.describe());
    }

    /**
     * A dense layer over an image gathers it through one relay from every block of the convolution before it: the
     * kernel keeps one slot row for all those senders, and the mapper plans exactly that.
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void aRelayOfManySendersIsPlannedAsTheKernelLaysItOut(PartitioningStrategy strategy) {
        NetworkSpec image = new NetworkSpec(List.of(
                DenseLayerSpec.convolution(new Conv2DGeometry(1, 12, 12, 4, 3, 3, 1, 1, 0, 0, 10, 10, false)
                        .alongRows(), Activation.of(ActivationKind.RELU), true),
                DenseLayerSpec.convolution(Conv2DGeometry.dense(4, 10, 10, 6).alongRows(),
                        Activation.of(ActivationKind.TANH), true)), null);
        assertTrue(mostSendersOfARelay(image, strategy) > 1, strategy.toString());
    }

    /**
     * Checks every relay of the network's mapping (a reduce forwarding its values, planned at the DTCM the kernel
     * takes) and returns the most key ranges one listens to.
     */
    private static int mostSendersOfARelay(NetworkSpec net, PartitioningStrategy strategy) {
        NativeCoreMemory memory = new NativeCoreMemory();
        Mapping mapping = new Mapper(strategy, memory).map(net, Machine.spinn5());
        List<CoreData> data = CoreDataBuilder.build(mapping, ones(net));
        int most = 0;
        for (MachineVertex v : mapping.graph().vertices()) {
            if (v.kind() != VertexKind.RELAY) {
                continue;
            }
            KernelConfig c = data.get(v.id()).config();
            assertEquals(KernelKind.REDUCE, c.kind(), v.toString());
            assertEquals(1, c.expectedPartials(), v.toString());
            assertEquals(KernelActivation.IDENTITY, c.activation(), v.toString());
            assertEquals(v.cols().size(), c.nCols(), v.toString());
            assertNull(c.training(), v.toString());
            assertArrayEquals(new float[v.cols().size()], data.get(v.id()).bias(), v + ": the layer's bias is 1");
            assertEquals(0, data.get(v.id()).weights().length, v.toString());
            int ranges = mapping.receiveTables().get(v.id()).size();
            assertEquals(KernelCore.stateBytes(c), memory.stateBytes(DtcmCheck.shape(net, v, ranges, 0, 0, 0,
                    CoreShape.Copy.NONE)),
                    v + ": the mapper plans the DTCM the kernel takes");
            most = Math.max(most, ranges);
        }
        return most;
    }

    private static List<DenseParameters> ones(NetworkSpec net) {
        List<DenseParameters> params = new ArrayList<>();
        for (DenseLayerSpec l : net.layers()) {
            float[] w = new float[l.weightRows() * l.weightCols()];
            float[] b = new float[l.weightCols()];
            java.util.Arrays.fill(w, 1f);
            java.util.Arrays.fill(b, 1f);
            params.add(new DenseParameters(l.weightRows(), l.weightCols(), w, b));
        }
        return params;
    }
}
