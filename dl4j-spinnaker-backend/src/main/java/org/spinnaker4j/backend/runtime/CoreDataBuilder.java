package org.spinnaker4j.backend.runtime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.spinnaker4j.kernels.BatchNormTrainingConfig;
import org.spinnaker4j.kernels.GradientNormalizationConfig;
import org.spinnaker4j.kernels.GradientNormalizationKind;
import org.spinnaker4j.kernels.KernelActivation;
import org.spinnaker4j.kernels.KernelConfig;
import org.spinnaker4j.kernels.KernelCopyConfig;
import org.spinnaker4j.kernels.KeyRange;
import org.spinnaker4j.kernels.LossKind;
import org.spinnaker4j.kernels.PoolingConfig;
import org.spinnaker4j.kernels.RangeKind;
import org.spinnaker4j.kernels.TrainingConfig;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.BackwardSendOrder;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.Conv1DGeometry;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.GradientNormalizationSpec;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.PoolingSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.keys.ReceiveKind;
import org.spinnaker4j.mapper.keys.ReceiveTableBuilder;
import org.spinnaker4j.mapper.partition.KernelCopies;

/**
 * Turns a {@link Mapping} and the layers' parameters into each core's kernel configuration
 * and data: the part of W and b it owns, the keys it sends with, the keys it listens to and,
 * for a training mapping, its updater, loss and backward keys. A relay runs the reduce kernel with one partial
 * per value, a zero bias and the identity, as an inference core whether or not the network trains. A pooling layer's
 * block holds no weights and a zero bias: its {@link PoolingConfig} says what it pools (a batch normalization's holds
 * its rows of gamma, mean, statistic and std, and beta as its bias).
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
        Map<Integer, KernelCopies> copiesOf = new HashMap<>();
        if (mapping.network().trains()) {
            for (KernelCopies k : mapping.kernelCopies()) {
                if (k.exchanges() && mapping.network().exchangesKernelCopies(k.layer())) {
                    k.copies().forEach(c -> copiesOf.put(c.vertex(), k));
                }
            }
        }
        List<CoreData> data = new ArrayList<>();
        BackwardSendOrder backwardOrder = BackwardSendOrder.of(mapping.graph());
        for (MachineVertex v : mapping.graph().vertices()) {
            data.add(coreData(mapping, parameters, v, copiesOf.get(v.id()), backwardOrder));
        }
        return data;
    }

    private static CoreData coreData(Mapping mapping, List<DenseParameters> parameters, MachineVertex v,
            KernelCopies copies, BackwardSendOrder backwardOrder) {
        Map<PartitionKind, Integer> sendKeys = new EnumMap<>(PartitionKind.class);
        for (OutgoingPartition p : mapping.graph().outgoing(v.id())) {
            // each kind read here is one partition a core, or a block's rows sent back in parts (one a receiver),
            // which lie end to end from the first part's key; a kernel copy's SHARE and PARAM partitions, several a
            // core, are configured apart (copy)
            sendKeys.putIfAbsent(p.kind(), mapping.keys().of(p.id()).key());
        }
        List<OutgoingPartition> incoming = mapping.graph().incoming(v.id());
        int peers = count(incoming, PartitionKind.SOFTMAX_SYNC);
        // a relay's every value comes from one of its senders, once
        int partials = v.kind() == VertexKind.REDUCE ? count(incoming, PartitionKind.FORWARD)
                : v.kind() == VertexKind.RELAY ? 1 : 0;
        // a batch normalization's block loaded without its mini-batch mode (an inference mapping's) sends no partial
        // sums: its peers' ranges are laid out as ranges it ignores; the kernel takes them after every other range,
        // each from the slot of its peer's first sum (the peer's position times its keys)
        boolean exchanges = exchangesBatchNormSums(mapping, v);
        List<KeyRange> ranges = mapping.receiveTables().get(v.id()).stream()
                .map(r -> r.kind() != ReceiveKind.BN_PARTIAL
                        ? new KeyRange(r.keyLo(), r.keyHi(), r.localOffset(), KernelKinds.of(r.kind()))
                        : exchanges ? KeyRange.batchNormPartial(r.keyLo(), channels(mapping, v), r.localOffset())
                        : new KeyRange(r.keyLo(), r.keyHi(), r.localOffset(), RangeKind.IGNORE))
                .sorted(Comparator.comparing(r -> r.kind() == RangeKind.BN_PARTIAL))
                .toList();
        boolean inLayer = v.kind() == VertexKind.DENSE_BLOCK || v.kind() == VertexKind.REDUCE;
        Activation activation = inLayer ? mapping.network().layers().get(v.layer()).activation() : null;
        int outKey = sendKeys.getOrDefault(PartitionKind.FORWARD, sendKeys.getOrDefault(PartitionKind.LABEL, 0));
        // a reduce of s16.15 blocks' partial sums takes each as its two halves (the mapper's keys per value)
        boolean partialHalves = incoming.stream().anyMatch(p -> p.kind() == PartitionKind.FORWARD
                && p.keysPerValue() == OutgoingPartition.PARTIAL_HALVES);
        KernelConfig config = new KernelConfig(KernelKinds.of(v.kind()),
                v.kind() == VertexKind.DENSE_BLOCK ? v.rows().size() : 0, v.cols().size(),
                activation == null ? KernelActivation.IDENTITY : KernelKinds.of(activation.kind()),
                activation == null ? 0f : activation.alpha(), v.fused(), outKey, partials, peers,
                sendKeys.getOrDefault(PartitionKind.SOFTMAX_SYNC, 0), ranges,
                inLayer && mapping.network().trains()
                        ? training(mapping, v, sendKeys, incoming, copies, backwardOrder) : null,
                v.kind() == VertexKind.DENSE_BLOCK ? pooling(mapping.network().layers().get(v.layer()), v) : null,
                KernelKinds.of(v.rowBlock()), mapping.network().fixedPoint(), partialHalves);
        Slice[] held = inLayer ? LayerSlices.parameterSlices(mapping.network().layers().get(v.layer()), v.rows(),
                v.cols()) : null;
        float[] weights = v.kind() == VertexKind.DENSE_BLOCK && config.weightCount() > 0
                ? LayerSlices.weights(parameters.get(v.layer()), v, held) : new float[0];
        float[] bias = v.activates() ? LayerSlices.bias(parameters.get(v.layer()), v, held[1])
                : v.kind() == VertexKind.RELAY ? new float[v.cols().size()] : new float[0];
        DenseLayerSpec layer = v.kind() == VertexKind.DENSE_BLOCK ? mapping.network().layers().get(v.layer()) : null;
        return new CoreData(config, weights, bias, layer != null && layer.isBatchNorm() ? layer.pooling() : null);
    }

    /**
     * A pooling layer's block (one output position, a slice of its (pixel, channel) outputs; its rows the positions
     * its window covers, whole): what it pools, from which output, across how wide a row (1 along a sequence), and
     * AVG's divisor of the rows at that position. Null for any other layer's block.
     */
    private static PoolingConfig pooling(DenseLayerSpec layer, MachineVertex v) {
        PoolingSpec pooling = layer.pooling();
        if (pooling == null) {
            return null;
        }
        Conv1DGeometry g = layer.convolution();
        Conv2DGeometry image = g.image();
        int position = v.cols().lo() / g.channelsOut();
        int first = v.cols().lo() - position * g.channelsOut();
        if (pooling.kind() == PoolingSpec.Kind.NORM) {
            // one position of its 1-D geometry (an image row as the row of one pixel)
            return PoolingConfig.norm(g.channelsIn(), first);
        }
        int channels = image == null ? g.channelsIn() : image.channelsIn();
        PoolingConfig rows = pooling.kind() == PoolingSpec.Kind.MAX ? PoolingConfig.max(channels, 0, pooling.maxStart())
                : PoolingConfig.avg(channels, 0, pooling.divisor(g, position));
        return image == null ? rows.acrossRows(first, 1, 1, 1, 0, 1, false)
                : rows.acrossRows(first, image.width(), image.kernelW(), image.strideW(), image.padLeft(),
                        image.outWidth(), pooling.padInDivisor());
    }

    private static TrainingConfig training(Mapping mapping, MachineVertex v, Map<PartitionKind, Integer> sendKeys,
            List<OutgoingPartition> incoming, KernelCopies copies, BackwardSendOrder backwardOrder) {
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
            config.sendsBackward(sendKeys.get(PartitionKind.BACKWARD))
                    .backwardFirstRow(backwardOrder.firstRow(v.id()) - v.rows().lo());
            if (network.fixedPoint() && !computesLoss) {
                // an s16.15 block that sends back states its layer's width: more than its columns, it sends halves
                config.layerOutputs(network.layers().get(v.layer()).nOut());
            }
        }
        if (copies != null) {
            config.copy(copy(mapping, v, copies));
        }
        if (trainsBatchNorm(mapping, v)) {
            config.batchNorm(batchNorm(mapping, v, sendKeys));
        }
        return config.build();
    }

    /** Whether {@code v} is a batch normalization's block that trains with the mini-batch's statistics. */
    private static boolean trainsBatchNorm(Mapping mapping, MachineVertex v) {
        NetworkSpec network = mapping.network();
        return v.kind() == VertexKind.DENSE_BLOCK && network.trains()
                && network.layers().get(v.layer()).holdsMiniBatch() && network.updatesOnTheMachine()
                && mapping.largestMiniBatch() > 0;
    }

    /** Whether {@code v} trains a normalization per channel with other blocks: it listens to their partial sums. */
    private static boolean exchangesBatchNormSums(Mapping mapping, MachineVertex v) {
        return trainsBatchNorm(mapping, v) && mapping.network().layers().get(v.layer()).normalizesChannels();
    }

    /** The image channels of the normalization whose block {@code v} is. */
    private static int channels(Mapping mapping, MachineVertex v) {
        return mapping.network().layers().get(v.layer()).convolution().image().channelsIn();
    }

    /**
     * A normalization's block in its mini-batch mode: per feature alone; per channel (after a 2-D convolution) with
     * the image's channels and pixels, its layer's blocks as peers, its place among them (by vertex id, as
     * {@link ReceiveTableBuilder#normPosition} orders them) and the key of its exchange partition.
     */
    private static BatchNormTrainingConfig batchNorm(Mapping mapping, MachineVertex v,
            Map<PartitionKind, Integer> sendKeys) {
        DenseLayerSpec layer = mapping.network().layers().get(v.layer());
        PoolingSpec norm = layer.pooling();
        int largest = mapping.largestMiniBatch();
        if (!layer.normalizesChannels()) {
            return new BatchNormTrainingConfig(largest, norm.decay(), norm.eps(), norm.logStd());
        }
        int peers = (int) mapping.graph().vertices().stream()
                .filter(b -> b.kind() == VertexKind.DENSE_BLOCK && b.layer() == v.layer()).count();
        int index = mapping.graph().outgoing(v.id()).stream().filter(p -> p.kind() == PartitionKind.BATCH_NORM)
                .findFirst().map(p -> ReceiveTableBuilder.normPosition(p, v.id())).orElse(0);
        Conv2DGeometry image = layer.convolution().image();
        return new BatchNormTrainingConfig(largest, norm.decay(), norm.eps(), norm.logStd(), channels(mapping, v),
                image.height() * image.width(), peers, index,
                peers > 1 ? sendKeys.getOrDefault(PartitionKind.BATCH_NORM, 0) : 0);
    }

    /**
     * A kernel copy's part in its slice's exchange: the chunks it holds at their index in its block, each it owns
     * with its slot and the key of its PARAM partition, each other with the key of its share in its SHARE partition to
     * the owner.
     */
    private static KernelCopyConfig copy(Mapping mapping, MachineVertex v, KernelCopies copies) {
        int self = 0;
        while (copies.copies().get(self).vertex() != v.id()) {
            self++;
        }
        List<OutgoingPartition> out = mapping.graph().outgoing(v.id());
        List<KernelCopyConfig.Chunk> chunks = new ArrayList<>();
        int owned = 0;
        int shares = 0;
        int held = 0;
        for (KernelCopies.Chunk k : copies.chunks()) {
            if (!k.holders().contains(self)) {
                continue;
            }
            int lo = copies.localIndex(self, k.params().lo());
            int hi = lo + k.params().size();
            if (k.owner() == self) {
                OutgoingPartition param = out.stream()
                        .filter(p -> p.kind() == PartitionKind.PARAM && p.values().equals(k.params())).findFirst()
                        .orElseThrow(() -> new IllegalStateException("layer " + copies.layer() + "'s parameters "
                                + k.params() + " are held by " + v + " alone, which the exchange does not cover"));
                chunks.add(new KernelCopyConfig.Chunk(lo, hi, owned, mapping.keys().of(param.id()).key()));
                owned += k.params().size();
                shares += k.params().size() * (k.holders().size() - 1);
            } else {
                int ownerVertex = copies.copies().get(k.owner()).vertex();
                OutgoingPartition share = out.stream()
                        .filter(p -> p.kind() == PartitionKind.SHARE && p.targets().equals(List.of(ownerVertex)))
                        .findFirst().orElseThrow();
                chunks.add(new KernelCopyConfig.Chunk(lo, hi, -1,
                        mapping.keys().of(share.id()).key() + copies.ownedOffset(k, k.params().lo())));
                held += k.params().size();
            }
        }
        return new KernelCopyConfig(copies.copies().size(), self, shares, held, chunks);
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
