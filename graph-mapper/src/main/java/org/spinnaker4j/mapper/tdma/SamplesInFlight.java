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
 * samples run one per step).
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
        List<Integer> held = new ArrayList<>();
        for (MachineVertex v : graph.vertices()) {
            held.add(holdsSamples(v) ? needed(step, period) : 1);
        }
        return schedule.withPeriod(period, held);
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
