package org.spinnaker4j.mapper.tdma;

import java.util.ArrayList;
import java.util.List;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;

/**
 * How many samples each training core holds at once when training is pipelined. A core holds a
 * sample (a block its inputs, an activator its outputs and labels) from its forward pass to its
 * backward pass, both within the sample's step, while a new sample starts every period: so at most
 * {@code step / period + 1} samples, plus one for slack, which it keeps in rings in its DTCM. If a
 * core's DTCM cannot hold that many, the period grows until it can (with room for fewer than three,
 * samples run one per step). A network with a batch normalization trains a mini-batch in segments (its forward pass
 * up to a normalization for every sample, then the next segment's), so every core at or before its last
 * normalization (per feature or, after a 2-D convolution, per channel: {@code DenseLayerSpec.holdsMiniBatch}) holds a
 * whole mini-batch from its forward to its backward pass: as many samples as every such core
 * can hold ({@link #largestMiniBatch}), the largest mini-batch the mapping trains.
 */
public final class SamplesInFlight {

    /** Whether a vertex's core fits its DTCM holding a number of samples. */
    @FunctionalInterface
    public interface Room {
        boolean fits(MachineVertex v, int samples);
    }

    private SamplesInFlight() {
    }

    /** The schedule with each training core's samples held, and the period they allow. */
    public static TdmaSchedule fit(TdmaSchedule schedule, MachineGraph graph, NetworkSpec network, Room room) {
        if (!network.trains() || !schedule.pipelined()) {
            return schedule;
        }
        long step = schedule.stepClocks();
        long period = schedule.periodClocks();
        for (MachineVertex v : graph.vertices()) {
            if (holdsSamples(v)) {
                int most = most(v, needed(step, period), room);
                if (needed(step, period) > most) {
                    // step / period + 2 <= most; with room for fewer than three, one sample per step
                    period = most < 3 ? step : Math.max(period, step / (most - 1) + 1);
                }
            }
        }
        int lastNorm = lastBatchNorm(network);
        int miniBatch = Integer.MAX_VALUE;
        for (MachineVertex v : graph.vertices()) {
            if (holdsSamples(v) && v.layer() <= lastNorm) {
                miniBatch = Math.min(miniBatch, mostHeld(v, needed(step, period), room));
            }
        }
        List<Integer> held = new ArrayList<>();
        for (MachineVertex v : graph.vertices()) {
            held.add(!holdsSamples(v) ? 1 : v.layer() <= lastNorm ? miniBatch : needed(step, period));
        }
        return schedule.withPeriod(period, held);
    }

    /**
     * The largest mini-batch a training mapping with a batch normalization trains: the samples its normalizations'
     * cores hold (every core at or before the last one holds as many); 0 without a normalization or when its samples
     * run one per step.
     */
    public static int largestMiniBatch(TdmaSchedule schedule, MachineGraph graph, NetworkSpec network) {
        int lastNorm = lastBatchNorm(network);
        if (!network.trains() || !schedule.pipelined() || lastNorm < 0) {
            return 0;
        }
        return graph.vertices().stream().filter(v -> holdsSamples(v) && v.layer() == lastNorm)
                .mapToInt(v -> schedule.samplesInFlight(v.id())).min().orElse(0);
    }

    /**
     * The index of the network's last batch normalization that trains with the mini-batch's statistics (per feature
     * or per channel), -1 without one.
     */
    private static int lastBatchNorm(NetworkSpec network) {
        int last = -1;
        for (int l = 0; l < network.layers().size(); l++) {
            if (network.layers().get(l).holdsMiniBatch()) {
                last = l;
            }
        }
        return last;
    }

    /** The most samples the vertex's core holds within its DTCM, {@code fits} of them known to fit. */
    private static int mostHeld(MachineVertex v, int fits, Room room) {
        int wanted = fits;
        while (wanted < Integer.MAX_VALUE / 2 && room.fits(v, 2 * wanted)) {
            wanted *= 2;
        }
        return most(v, 2 * wanted - 1, room);
    }

    /** Samples a core holds at once, with a sample starting every {@code period} of a {@code step}. */
    static int needed(long step, long period) {
        return period >= step ? 1 : (int) Math.min(Integer.MAX_VALUE, step / period + 2);
    }

    /** The most samples, up to {@code wanted}, that the vertex's core holds within its DTCM. */
    private static int most(MachineVertex v, int wanted, Room room) {
        int lo = 1;
        int hi = wanted;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (room.fits(v, mid)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private static boolean holdsSamples(MachineVertex v) {
        return v.kind() == VertexKind.DENSE_BLOCK || v.kind() == VertexKind.REDUCE;
    }
}
