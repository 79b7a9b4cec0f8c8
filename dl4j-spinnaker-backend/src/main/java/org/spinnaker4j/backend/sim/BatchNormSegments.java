package org.spinnaker4j.backend.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.spinnaker4j.kernels.BatchNormTrainingConfig;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.tdma.Phase;

/**
 * The timing of a mini-batch that batch normalizations train with their statistics: its pass splits into segments
 * at them (docs/architecture.md, "A simpler timing for the segments"). The first runs every sample up to the first
 * normalization, whose blocks keep them; firing a normalization's forward event moves every core at or after it to
 * the one-segment pipeline's slots shifted by one constant, so that its blocks' first slot of sample 0 comes once
 * their work on the whole mini-batch is done; the last segment runs the rest forward and backward, the deltas kept
 * at the last normalization; its backward event shifts the backward slots of its blocks and every core before it
 * the same way, segment by segment back to the first.
 */
final class BatchNormSegments {

    private final Mapping mapping;
    private final SimCore[] cores;
    private final CoreCostModel cost;
    /** The layers of the batch normalizations whose blocks train with the mini-batch's statistics, in order. */
    private final List<Integer> layers;

    BatchNormSegments(Mapping mapping, SimCore[] cores, CoreCostModel cost) {
        this.mapping = mapping;
        this.cores = cores;
        this.cost = cost;
        List<Integer> found = new ArrayList<>();
        for (int l = 0; l < mapping.network().layers().size(); l++) {
            if (mapping.network().layers().get(l).isBatchNorm()) {
                found.add(l);
            }
        }
        this.layers = List.copyOf(found);
    }

    /** The normalizations' layers, first to last. */
    List<Integer> layers() {
        return layers;
    }

    /**
     * Layer {@code layer}'s blocks hold the mini-batch's {@code batchSize} samples: each computes their statistics and
     * outputs, and every core at or after it times its forward slots (and, after the last normalization, its
     * backward slots) from each sample's start plus the returned shift. The shift puts each block's first slot of
     * sample 0 after its work on the whole mini-batch; after the last normalization it is at least now, so that
     * the label sources, started at each sample's shifted start, send in their own slots as in the one-segment
     * pipeline (each sample's labels reach the output layer no earlier than there, where its cores hold as many
     * samples as the pipeline needs).
     */
    long fireForward(int layer, int batchSize, long nowPs, long clockPs) {
        boolean last = layer == layers.get(layers.size() - 1);
        List<MachineVertex> blocks = blocks(layer);
        long[] cycles = blocks.stream().mapToLong(v -> forwardCycles(v, batchSize)).toArray();
        long shift = shift(blocks, cycles, Phase.FORWARD, last ? nowPs : Long.MIN_VALUE, nowPs, clockPs);
        for (MachineVertex v : mapping.graph().vertices()) {
            if (forwardPosition(v) >= layer) {
                cores[v.id()].shiftForward(shift);
                if (last) {
                    cores[v.id()].shiftBackward(shift);
                }
            }
        }
        for (int i = 0; i < blocks.size(); i++) {
            cores[blocks.get(i).id()].startBatchNormForward(batchSize, cycles[i]);
        }
        return shift;
    }

    /**
     * Layer {@code layer}'s blocks hold every sample's delta: each sends them back, and it and every core before it
     * times its backward slots from each sample's start plus the returned shift.
     */
    long fireBackward(int layer, int batchSize, long nowPs, long clockPs) {
        List<MachineVertex> blocks = blocks(layer);
        long[] cycles = blocks.stream().mapToLong(v -> backwardCycles(v, batchSize)).toArray();
        long shift = shift(blocks, cycles, Phase.BACKWARD, Long.MIN_VALUE, nowPs, clockPs);
        for (MachineVertex v : mapping.graph().vertices()) {
            if ((v.kind() == VertexKind.DENSE_BLOCK || v.kind() == VertexKind.REDUCE) && v.layer() <= layer) {
                cores[v.id()].shiftBackward(shift);
            }
        }
        for (int i = 0; i < blocks.size(); i++) {
            cores[blocks.get(i).id()].startBatchNormBackward(batchSize, cycles[i]);
        }
        return shift;
    }

    /**
     * Starts exchange round {@code round} (0 and 1 before the forward event, 2 before the backward event) of layer
     * {@code layer}'s blocks if they share channels ({@link BatchNormTrainingConfig#exchanges()}): each computes its
     * partial sums per channel, charged by {@link CoreCostModel#batchNormExchangeCycles}, and sends them in its
     * {@link Phase#BATCH_NORM} slots, which count from when the slowest block is done (the schedule lays that window
     * out with no work before it). Returns whether any block exchanges.
     */
    boolean startRound(int layer, int round, int batchSize, long nowPs, long clockPs) {
        List<MachineVertex> blocks = blocks(layer);
        if (!mode(blocks.get(0)).exchanges()) {
            return false;
        }
        long[] cycles = blocks.stream().mapToLong(v -> cost.batchNormExchangeCycles(round, v.cols().size(),
                batchSize, mode(v).peers())).toArray();
        long startPs = nowPs + Arrays.stream(cycles).max().orElse(0) * clockPs;
        for (int i = 0; i < blocks.size(); i++) {
            cores[blocks.get(i).id()].startBatchNormExchange(batchSize, round, cycles[i], startPs);
        }
        return true;
    }

    /** A block's forward event on the whole mini-batch: per feature, or per channel after its exchange. */
    private long forwardCycles(MachineVertex v, int batchSize) {
        BatchNormTrainingConfig mode = mode(v);
        return mode.channels() == 0 ? cost.batchNormForwardCycles(v.cols().size(), batchSize)
                : cost.batchNormChannelForwardCycles(v.cols().size(), batchSize, mode.peers());
    }

    /** A block's backward event on the whole mini-batch: per feature, or per channel after its exchange. */
    private long backwardCycles(MachineVertex v, int batchSize) {
        BatchNormTrainingConfig mode = mode(v);
        return mode.channels() == 0 ? cost.batchNormBackwardCycles(v.cols().size(), batchSize)
                : cost.batchNormChannelBackwardCycles(v.cols().size(), batchSize, mode.peers());
    }

    /** The mini-batch mode block {@code v} is loaded with. */
    private BatchNormTrainingConfig mode(MachineVertex v) {
        return cores[v.id()].kernel().config().training().batchNorm();
    }

    /**
     * The shift, at least {@code floor}, that puts each block's first slot of {@code phase} for sample 0 after its
     * {@code cycles} of work from now.
     */
    private long shift(List<MachineVertex> blocks, long[] cycles, Phase phase, long floor, long nowPs, long clockPs) {
        long shift = floor;
        for (int i = 0; i < blocks.size(); i++) {
            shift = Math.max(shift, nowPs + cycles[i] * clockPs - cores[blocks.get(i).id()].firstSlotPs(phase));
        }
        return shift;
    }

    private List<MachineVertex> blocks(int layer) {
        return mapping.graph().vertices().stream()
                .filter(v -> v.kind() == VertexKind.DENSE_BLOCK && v.layer() == layer).toList();
    }

    /**
     * The layer whose forward values a core sends: -1 for an input source, the layer before the one it feeds for a
     * relay, its layer for the others (a label source's is the output layer's, so its labels go in the last segment).
     */
    private static int forwardPosition(MachineVertex v) {
        return switch (v.kind()) {
            case INPUT_SOURCE -> -1;
            case RELAY -> v.layer() - 1;
            default -> v.layer();
        };
    }
}
