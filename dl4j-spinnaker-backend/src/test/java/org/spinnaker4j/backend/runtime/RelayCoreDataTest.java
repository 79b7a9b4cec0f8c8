package org.spinnaker4j.backend.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.KernelActivation;
import org.spinnaker4j.kernels.KernelConfig;
import org.spinnaker4j.kernels.KernelCore;
import org.spinnaker4j.kernels.KernelKind;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.DtcmCheck;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * A relay (FASTEST's consumer row groups on the MNIST MLP) is loaded as a reduce that forwards its values: one
 * partial per value, the identity, a zero bias whatever the layer's bias is, no weights and no training.
 */
class RelayCoreDataTest {

    @Test
    void aRelayIsAReduceWithOnePartialPerValueTheIdentityAndAZeroBias() {
        NetworkSpec mnist = new NetworkSpec(List.of(
                new DenseLayerSpec(784, 256, Activation.of(ActivationKind.RELU), true),
                new DenseLayerSpec(256, 128, Activation.of(ActivationKind.RELU), true),
                new DenseLayerSpec(128, 10, Activation.of(ActivationKind.SOFTMAX), true)), null);
        NativeCoreMemory memory = new NativeCoreMemory();
        Mapping mapping = new Mapper(PartitioningStrategy.FASTEST, memory).map(mnist, Machine.spinn5());
        List<CoreData> data = CoreDataBuilder.build(mapping, ones(mnist));
        int relays = 0;
        for (MachineVertex v : mapping.graph().vertices()) {
            if (v.kind() != VertexKind.RELAY) {
                continue;
            }
            relays++;
            KernelConfig c = data.get(v.id()).config();
            assertEquals(KernelKind.REDUCE, c.kind(), v.toString());
            assertEquals(1, c.expectedPartials(), v.toString());
            assertEquals(KernelActivation.IDENTITY, c.activation(), v.toString());
            assertEquals(v.cols().size(), c.nCols(), v.toString());
            assertNull(c.training(), v.toString());
            assertArrayEquals(new float[v.cols().size()], data.get(v.id()).bias(), v + ": the layer's bias is 1");
            assertEquals(0, data.get(v.id()).weights().length, v.toString());
            int ranges = mapping.receiveTables().get(v.id()).size();
            assertEquals(KernelCore.stateBytes(c), memory.stateBytes(DtcmCheck.shape(mnist, v, ranges, 0, 0)),
                    v + ": the mapper plans the DTCM the kernel takes");
        }
        assertTrue(relays > 0, mapping.describe());
    }

    private static List<DenseParameters> ones(NetworkSpec net) {
        List<DenseParameters> params = new ArrayList<>();
        for (DenseLayerSpec l : net.layers()) {
            float[] w = new float[l.nIn() * l.nOut()];
            float[] b = new float[l.nOut()];
            java.util.Arrays.fill(w, 1f);
            java.util.Arrays.fill(b, 1f);
            params.add(new DenseParameters(l.nIn(), l.nOut(), w, b));
        }
        return params;
    }
}
