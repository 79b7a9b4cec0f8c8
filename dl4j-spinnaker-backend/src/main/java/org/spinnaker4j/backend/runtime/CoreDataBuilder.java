package org.spinnaker4j.backend.runtime;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.spinnaker4j.kernels.GradientNormalizationConfig;
import org.spinnaker4j.kernels.GradientNormalizationKind;
import org.spinnaker4j.kernels.KernelActivation;
import org.spinnaker4j.kernels.KernelConfig;
import org.spinnaker4j.kernels.KeyRange;
import org.spinnaker4j.kernels.LossKind;
import org.spinnaker4j.kernels.PoolingConfig;
import org.spinnaker4j.kernels.TrainingConfig;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.GradientNormalizationSpec;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.PoolingSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.keys.ReceiveTableBuilder;

/**
 * Turns a {@link Mapping} and the layers' parameters into each core's kernel configuration
 * and data: the part of W and b it owns, the keys it sends with, the keys it listens to and,
 * for a training mapping, its updater, loss and backward keys. A relay runs the reduce kernel with one partial
 * per value, a zero bias and the identity, as an inference core whether or not the network trains. A pooling layer's
 * block holds no weights and a zero bias: its {@link PoolingConfig} says what it pools.
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
        Map<PartitionKind, Integer> sendKeys = new EnumMap<>(PartitionKind.class);
        for (OutgoingPartition p : mapping.graph().outgoing(v.id())) {
            sendKeys.put(p.kind(), mapping.keys().of(p.id()).key());
        }
        List<OutgoingPartition> incoming = mapping.graph().incoming(v.id());
        int peers = count(incoming, PartitionKind.SOFTMAX_SYNC);
        // a relay's every value comes from one of its senders, once
        int partials = v.kind() == VertexKind.REDUCE ? count(incoming, PartitionKind.FORWARD)
                : v.kind() == VertexKind.RELAY ? 1 : 0;
        List<KeyRange> ranges = mapping.receiveTables().get(v.id()).stream()
                .map(r -> new KeyRange(r.keyLo(), r.keyHi(), r.localOffset(), KernelKinds.of(r.kind())))
                .toList();
        boolean inLayer = v.kind() == VertexKind.DENSE_BLOCK || v.kind() == VertexKind.REDUCE;
        Activation activation = inLayer ? mapping.network().layers().get(v.layer()).activation() : null;
        int outKey = sendKeys.getOrDefault(PartitionKind.FORWARD, sendKeys.getOrDefault(PartitionKind.LABEL, 0));
        KernelConfig config = new KernelConfig(KernelKinds.of(v.kind()),
                v.kind() == VertexKind.DENSE_BLOCK ? v.rows().size() : 0, v.cols().size(),
                activation == null ? KernelActivation.IDENTITY : KernelKinds.of(activation.kind()),
                activation == null ? 0f : activation.alpha(), v.fused(), outKey, partials, peers,
                sendKeys.getOrDefault(PartitionKind.SOFTMAX_SYNC, 0), ranges,
                inLayer && mapping.network().trains() ? training(mapping, v, sendKeys, incoming) : null,
                v.kind() == VertexKind.DENSE_BLOCK ? pooling(mapping.network().layers().get(v.layer()), v) : null);
        Slice[] held = inLayer ? LayerSlices.parameterSlices(mapping.network().layers().get(v.layer()), v.rows(),
                v.cols()) : null;
        float[] weights = v.kind() == VertexKind.DENSE_BLOCK && config.pooling() == null
                ? LayerSlices.block(parameters.get(v.layer()), held[0], held[1]) : new float[0];
        float[] bias = v.activates() ? LayerSlices.bias(parameters.get(v.layer()), held[1])
                : v.kind() == VertexKind.RELAY ? new float[v.cols().size()] : new float[0];
        return new CoreData(config, weights, bias);
    }

    /**
     * A pooling layer's block (one output position, a slice of its channels; its rows the positions its window
     * covers, every channel): what it pools, from which channel, and AVG's divisor at that position. Null for any
     * other layer's block.
     */
    private static PoolingConfig pooling(DenseLayerSpec layer, MachineVertex v) {
        PoolingSpec pooling = layer.pooling();
        if (pooling == null) {
            return null;
        }
        int channels = layer.convolution().channelsIn();
        int position = v.cols().lo() / channels;
        int first = v.cols().lo() - position * channels;
        return pooling.kind() == PoolingSpec.Kind.MAX ? PoolingConfig.max(channels, first, pooling.maxStart())
                : PoolingConfig.avg(channels, first, pooling.divisor(layer.convolution(), position));
    }

    private static TrainingConfig training(Mapping mapping, MachineVertex v, Map<PartitionKind, Integer> sendKeys,
            List<OutgoingPartition> incoming) {
        NetworkSpec network = mapping.network();
        UpdaterSpec updater = network.training().updater(v.layer());
        boolean outputLayer = v.layer() == network.layers().size() - 1;
        boolean computesLoss = v.activates() && outputLayer;
        TrainingConfig.Builder config = TrainingConfig.builder(KernelKinds.of(updater))
                .deltaKeyBase(sendKeys.getOrDefault(PartitionKind.DELTA, 0))
                .regularization(KernelKinds.of(updater.weights()), KernelKinds.of(updater.bias()))
                .biasUpdater(KernelKinds.of(updater.forBias()))
                .gradientNormalization(normalization(mapping, v, updater, sendKeys, incoming))
                .samplesInFlight(mapping.tdma().samplesInFlight(v.id()));
        if (computesLoss) {
            // a per-position output layer's rows are its channels: the loss divides by them and weights each
            DenseLayerSpec layer = network.layers().get(v.layer());
            config.loss(KernelKinds.of(network.training().loss()), layer.weightCols(),
                    sendKeys.getOrDefault(PartitionKind.LOSS, 0))
                    .lossWeights(LayerSlices.lossWeights(network.training().lossWeights(),
                            LayerSlices.parameterSlices(layer, null, v.cols())[1]));
        } else if (v.activates()) {
            config.backwardPartials(count(incoming, PartitionKind.BACKWARD));
        }
        if (sendKeys.containsKey(PartitionKind.BACKWARD)) {
            config.sendsBackward(sendKeys.get(PartitionKind.BACKWARD));
        }
        return config.build();
    }

    /**
     * A core's gradient normalization and, for an L2 mode, its part in the layer's exchange of partials: its own
     * key, its peers (the cores whose NORM partitions reach it) and its position among them all (by vertex id).
     */
    private static GradientNormalizationConfig normalization(Mapping mapping, MachineVertex v, UpdaterSpec updater,
            Map<PartitionKind, Integer> sendKeys, List<OutgoingPartition> incoming) {
        GradientNormalizationSpec spec = updater.gradientNormalization();
        GradientNormalizationKind kind = KernelKinds.of(spec.type());
        if (!kind.needsNorm()) {
            return new GradientNormalizationConfig(kind, spec.threshold());
        }
        int position = mapping.graph().outgoing(v.id()).stream().filter(p -> p.kind() == PartitionKind.NORM)
                .findFirst().map(p -> ReceiveTableBuilder.normPosition(p, v.id())).orElse(0);
        return new GradientNormalizationConfig(kind, spec.threshold(), sendKeys.getOrDefault(PartitionKind.NORM, 0),
                count(incoming, PartitionKind.NORM), position);
    }

    private static int count(List<OutgoingPartition> partitions, PartitionKind kind) {
        return (int) partitions.stream().filter(p -> p.kind() == kind).count();
    }
}
