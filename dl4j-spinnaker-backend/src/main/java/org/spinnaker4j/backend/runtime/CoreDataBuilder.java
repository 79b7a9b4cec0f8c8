package org.spinnaker4j.backend.runtime;

import java.util.ArrayList;
import java.util.List;
import org.spinnaker4j.kernels.KernelActivation;
import org.spinnaker4j.kernels.KernelConfig;
import org.spinnaker4j.kernels.KernelKind;
import org.spinnaker4j.kernels.KeyRange;
import org.spinnaker4j.kernels.RangeKind;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.keys.InputRange;

/**
 * Turns a {@link Mapping} and the layers' parameters into each core's kernel configuration
 * and data: the part of W and b it owns, the keys it sends with and the keys it listens to.
 * Any machine backend loads the same data.
 */
public final class CoreDataBuilder {

    private CoreDataBuilder() {
    }

    /** {@code result.get(vertexId)} is the data of that vertex's core. */
    public static List<CoreData> build(Mapping mapping, List<DenseParameters> parameters) {
        if (parameters.size() != mapping.network().layers().size()) {
            throw new IllegalArgumentException("parameters for " + parameters.size() + " layers, the network has "
                    + mapping.network().layers().size());
        }
        List<CoreData> data = new ArrayList<>();
        for (MachineVertex v : mapping.graph().vertices()) {
            data.add(coreData(mapping, parameters, v));
        }
        return data;
    }

    private static CoreData coreData(Mapping mapping, List<DenseParameters> parameters, MachineVertex v) {
        int outKey = 0;
        int syncKey = 0;
        for (OutgoingPartition p : mapping.graph().outgoing(v.id())) {
            if (p.kind() == PartitionKind.FORWARD) {
                outKey = mapping.keys().of(p.id()).key();
            } else {
                syncKey = mapping.keys().of(p.id()).key();
            }
        }
        List<OutgoingPartition> incoming = mapping.graph().incoming(v.id());
        int peers = (int) incoming.stream().filter(p -> p.kind() == PartitionKind.SOFTMAX_SYNC).count();
        int partials = v.kind() == VertexKind.REDUCE ? incoming.size() - peers : 0;
        List<KeyRange> ranges = mapping.receiveTables().get(v.id()).stream().map(CoreDataBuilder::keyRange).toList();
        boolean inLayer = v.kind() == VertexKind.DENSE_BLOCK || v.kind() == VertexKind.REDUCE;
        Activation activation = inLayer ? mapping.network().layers().get(v.layer()).activation() : null;
        KernelConfig config = new KernelConfig(KernelKind.valueOf(v.kind().name()),
                v.kind() == VertexKind.DENSE_BLOCK ? v.rows().size() : 0, v.cols().size(),
                activation == null ? KernelActivation.IDENTITY : KernelActivation.valueOf(activation.kind().name()),
                activation == null ? 0f : activation.alpha(), v.fused(), outKey, partials, peers, syncKey, ranges);
        float[] weights = v.kind() == VertexKind.DENSE_BLOCK ? block(parameters.get(v.layer()), v.rows(), v.cols())
                : new float[0];
        float[] bias = v.activates() ? bias(parameters.get(v.layer()), v.cols()) : new float[0];
        return new CoreData(config, weights, bias);
    }

    private static KeyRange keyRange(InputRange r) {
        return new KeyRange(r.keyLo(), r.keyHi(), r.localOffset(),
                r.kind() == PartitionKind.FORWARD ? RangeKind.DATA : RangeKind.SOFTMAX_SYNC);
    }

    private static float[] block(DenseParameters p, Slice rows, Slice cols) {
        float[] w = new float[rows.size() * cols.size()];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(p.weights(), (rows.lo() + i) * p.nOut() + cols.lo(), w, i * cols.size(), cols.size());
        }
        return w;
    }

    private static float[] bias(DenseParameters p, Slice cols) {
        float[] b = new float[cols.size()];
        if (p.bias().length > 0) {
            System.arraycopy(p.bias(), cols.lo(), b, 0, cols.size());
        }
        return b;
    }
}
