package org.spinnaker4j.mapper.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.cost.BoundCalculator;
import org.spinnaker4j.mapper.cost.SampleBound;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Chip;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.place.Placements;
import org.spinnaker4j.mapper.place.Placer;
import org.spinnaker4j.mapper.route.LinkLoads;

/**
 * Searches for the slicing with the lowest {@link SampleBound}: slices per activation vector
 * (shared, as in {@link FewestCoresPartitioner}, by the layer producing it and the layer
 * consuming it) and input sources per row slice of the first layer. It starts from the
 * fewest-cores slicing. Each round it tries, for every vector and every two neighbouring vectors,
 * the fewest more slices that make the largest slice smaller and twice as many slices, and one
 * more and twice as many sources; it places each candidate with the strategy's placer to count
 * its link loads, and moves to the candidate with the lowest bound (of nearly equal ones, the one
 * on fewer cores) if that lowers the bound by at least {@link #MIN_GAIN} and by
 * {@link #MIN_SAVING_PER_CORE} per core it adds; otherwise it stops. A candidate must fit DTCM,
 * the machine's cores and (counted before compression) its routing tables, and keep whole an output layer whose
 * loss {@link org.spinnaker4j.mapper.ir.LossFunction#needsWholeLayer() needs it whole}.
 */
final class FastestPartitioner implements Partitioner {

    /** The least fraction by which a step must lower the bound. */
    static final double MIN_GAIN = 0.02;
    /**
     * Core clocks per sample a step must save for each core it adds (0.2 µs): the simulator's
     * host time grows with the packets, and a tiny network gains nothing worth its cores.
     */
    static final long MIN_SAVING_PER_CORE = 40;
    /** Bounds this close count as equal, and the one on fewer cores wins. */
    static final double TIE = 0.01;

    private static final Logger LOG = LoggerFactory.getLogger(FastestPartitioner.class);

    private final BoundCalculator bounds;
    private final Placer placer;

    FastestPartitioner(BoundCalculator bounds, Placer placer) {
        this.bounds = bounds;
        this.placer = placer;
    }

    /** A slicing: slices per activation vector and input sources per row slice of the first layer. */
    private record Slicing(int[] parts, int sourcesPerSlice) {
    }

    /** A slicing, its graph and its bound. */
    private record Candidate(Slicing slicing, MachineGraph graph, SampleBound bound) {
    }

    @Override
    public MachineGraph partition(NetworkSpec network, CoreMemory memory, Machine machine) {
        int[] start = FewestCoresPartitioner.vectorParts(network, memory);
        Candidate best = evaluate(network, memory, machine, new Slicing(start, 1), Double.MAX_VALUE);
        if (best == null) {
            // it does not fit this machine: the mapper says why
            return GraphBuilder.build(network, LayerSlicing.ofVectorParts(network, start, 1));
        }
        int evaluated = 1;
        while (true) {
            Candidate next = null;
            for (Slicing move : moves(network, best.slicing())) {
                double threshold = best.bound().clocks() * (1 - MIN_GAIN);
                if (next != null) {
                    threshold = Math.min(threshold, next.bound().clocks() * (1 + TIE));
                }
                Candidate c = evaluate(network, memory, machine, move, threshold);
                evaluated++;
                if (c != null && pays(best, c) && (next == null || better(c, next))) {
                    next = c;
                }
            }
            if (next == null) {
                break;
            }
            best = next;
        }
        LOG.debug("FASTEST slices per vector {}, {} sources per row slice: {} cores, bound {} clocks ({}), "
                + "{} slicings evaluated", Arrays.toString(best.slicing().parts()), best.slicing().sourcesPerSlice(),
                best.graph().vertices().size(), Math.round(best.bound().clocks()), best.bound().limitedBy(),
                evaluated);
        return best.graph();
    }

    /** Whether a step from {@code from} to {@code to} saves at least {@link #MIN_SAVING_PER_CORE} per core it adds. */
    private static boolean pays(Candidate from, Candidate to) {
        int added = to.graph().vertices().size() - from.graph().vertices().size();
        return from.bound().clocks() - to.bound().clocks() >= (double) MIN_SAVING_PER_CORE * added;
    }

    /** Whether {@code a} has a lower bound than {@code b}, or one within {@link #TIE} of it on fewer cores. */
    private static boolean better(Candidate a, Candidate b) {
        double ratio = a.bound().clocks() / b.bound().clocks();
        return ratio < 1 - TIE || ratio < 1 + TIE && a.graph().vertices().size() < b.graph().vertices().size();
    }

    /**
     * The slicings one step from {@code c}: one more or twice the slices of one vector, or of two
     * neighbouring vectors at once (splitting a layer's columns alone adds to the next layer's
     * reduce fan-in), or one more or twice the sources per row slice.
     */
    private static List<Slicing> moves(NetworkSpec network, Slicing c) {
        List<Slicing> moves = new ArrayList<>();
        int[] parts = c.parts();
        for (int v = 0; v < parts.length; v++) {
            for (int width = 1; width <= 2 && v + width <= parts.length; width++) {
                for (boolean doubling : new boolean[] {false, true}) {
                    int[] p = parts.clone();
                    boolean changed = false;
                    for (int w = v; w < v + width; w++) {
                        p[w] = doubling ? Math.min(network.vectorSize(w), 2 * parts[w])
                                : finer(network.vectorSize(w), parts[w]);
                        changed |= p[w] != parts[w];
                    }
                    if (changed && !(doubling && Arrays.equals(p, finer(network, parts, v, width)))
                            && !splitsWholeLayer(network, parts, p)) {
                        moves.add(new Slicing(p, c.sourcesPerSlice()));
                    }
                }
            }
        }
        int widestRow = (network.nIn() + parts[0] - 1) / parts[0];
        for (int k : steps(c.sourcesPerSlice(), widestRow)) {
            moves.add(new Slicing(parts, k));
        }
        return moves;
    }

    /** Whether {@code to} splits an output layer that {@code from} keeps whole and whose loss needs it whole. */
    private static boolean splitsWholeLayer(NetworkSpec network, int[] from, int[] to) {
        int last = from.length - 1;
        return network.trains() && network.training().loss().needsWholeLayer() && from[last] == 1 && to[last] > 1;
    }

    /** {@code parts} with each of the {@code width} vectors from {@code v} {@link #finer(int, int) finer}. */
    private static int[] finer(NetworkSpec network, int[] parts, int v, int width) {
        int[] p = parts.clone();
        for (int w = v; w < v + width; w++) {
            p[w] = finer(network.vectorSize(w), parts[w]);
        }
        return p;
    }

    /**
     * The fewest slices of a vector of {@code size} values, more than {@code parts}, whose largest
     * slice is smaller than with {@code parts} ({@code parts} itself if slices are single values):
     * fewer would only add cores, the largest core's work staying the same.
     */
    static int finer(int size, int parts) {
        int largest = (size + parts - 1) / parts;
        return largest == 1 ? parts : (size + largest - 2) / (largest - 1);
    }

    /** One more than {@code n} and twice {@code n}, each if at most {@code max}. */
    private static List<Integer> steps(int n, int max) {
        List<Integer> steps = new ArrayList<>();
        if (n + 1 <= max) {
            steps.add(n + 1);
        }
        if (2 * n > n + 1 && 2 * n <= max) {
            steps.add(2 * n);
        }
        return steps;
    }

    /** The candidate of this slicing if it fits and its bound is below {@code threshold} clocks, else null. */
    private Candidate evaluate(NetworkSpec network, CoreMemory memory, Machine machine, Slicing slicing,
            double threshold) {
        MachineGraph graph = GraphBuilder.build(network,
                LayerSlicing.ofVectorParts(network, slicing.parts(), slicing.sourcesPerSlice()));
        if (graph.vertices().size() > machine.applicationCores()) {
            return null;
        }
        long[] cycles = bounds.coreCycles(network, graph);
        if (Arrays.stream(cycles).max().orElse(0) >= threshold) {
            return null;
        }
        if (DtcmCheck.firstOverflow(network, graph, memory).isPresent()) {
            return null;
        }
        Placements placements;
        try {
            placements = placer.place(graph, machine);
        } catch (MappingException doesNotFit) {
            return null;
        }
        LinkLoads loads = LinkLoads.of(graph, placements, machine);
        SampleBound bound = bounds.bound(cycles, loads);
        if (loads.maxEntries() > Chip.ROUTER_ENTRIES || bound.clocks() >= threshold) {
            return null;
        }
        return new Candidate(slicing, graph, bound);
    }
}
