package org.spinnaker4j.mapper.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.spinnaker4j.mapper.ir.NetworkSpec;

/**
 * One point of the {@link FastestPartitioner}'s search: slices per activation vector, the layer producing it
 * taking them as its column slices and the layer consuming it as its row slices, joined in groups of
 * {@code groups[v]} (1: the consumer's rows are the producer's columns; more: a relay gathers each group for the
 * consumer's blocks, see {@link GraphBuilder}, unless {@code direct[v]}: the blocks take the group straight from its
 * producers); and input sources per row slice of the first layer. Equal when all four are.
 */
final class Slicing {

    private final int[] parts;
    private final int[] groups;
    private final boolean[] direct;
    private final int sourcesPerSlice;

    /** Slices per vector shared by producer and consumer. */
    Slicing(int[] parts, int sourcesPerSlice) {
        this(parts, ones(parts.length), sourcesPerSlice);
    }

    /** Slices per vector, the consumer of vector v ≥ 1 taking them in groups of {@code groups[v]} through relays. */
    Slicing(int[] parts, int[] groups, int sourcesPerSlice) {
        this(parts, groups, new boolean[parts.length], sourcesPerSlice);
    }

    /**
     * Slices per vector, the consumer of vector v ≥ 1 taking them in groups of {@code groups[v]}, straight from their
     * producers where {@code direct[v]}, else through relays.
     */
    Slicing(int[] parts, int[] groups, boolean[] direct, int sourcesPerSlice) {
        if (groups.length != parts.length || direct.length != parts.length) {
            throw new IllegalArgumentException(parts.length + " vectors, " + groups.length + " groups, "
                    + direct.length + " relay choices");
        }
        this.parts = parts.clone();
        this.groups = groups.clone();
        this.direct = new boolean[direct.length];
        for (int v = 0; v < direct.length; v++) {
            // a group of one slice has nothing to gather: the same graph either way
            this.direct[v] = direct[v] && Math.min(groups[v], parts[v]) > 1;
        }
        this.sourcesPerSlice = sourcesPerSlice;
    }

    private static int[] ones(int n) {
        int[] ones = new int[n];
        Arrays.fill(ones, 1);
        return ones;
    }

    /** Every vector cut into slices of at most {@code width} values, one source per row slice. */
    static Slicing uniform(NetworkSpec network, int width) {
        int[] parts = new int[network.layers().size() + 1];
        for (int v = 0; v < parts.length; v++) {
            parts[v] = (network.vectorSize(v) + width - 1) / width;
        }
        return new Slicing(parts, 1);
    }

    int[] parts() {
        return parts.clone();
    }

    int[] groups() {
        return groups.clone();
    }

    int sourcesPerSlice() {
        return sourcesPerSlice;
    }

    LayerSlicing layerSlicing(NetworkSpec network) {
        return LayerSlicing.ofVectorParts(network, parts, groups, direct, sourcesPerSlice);
    }

    /**
     * The slicings one step away, each once, in a fixed order: each vector, and each two neighbouring vectors
     * together (cutting a layer's columns finer alone adds to the next layer's reduce fan-in, so such a pair must
     * move together), made {@link #finer}, {@link #coarser}, twice as fine or half as fine (its groups no larger
     * than its slices); for inference, each hidden vector's consumer groups one larger, one smaller, twice or half
     * as large, and its slices and groups both twice or half as many (the consumer's rows staying as they are);
     * and one more, one fewer, twice or half as many sources per row slice. Training keeps every group at 1: a
     * grouped layer's blocks would send their backward partials to every producer of their rows, and allowed, the
     * search gained no bound (docs/architecture.md, Partitioning).
     */
    List<Slicing> neighbours(NetworkSpec network) {
        Set<Slicing> moves = new LinkedHashSet<>();
        for (int v = 0; v < parts.length; v++) {
            for (int width = 1; width <= 2 && v + width <= parts.length; width++) {
                for (Step step : Step.values()) {
                    int[] p = parts.clone();
                    int[] g = groups.clone();
                    for (int w = v; w < v + width; w++) {
                        p[w] = step.apply(network.vectorSize(w), parts[w]);
                        g[w] = Math.min(g[w], p[w]);
                    }
                    moves.add(new Slicing(p, g, direct, sourcesPerSlice));
                }
            }
        }
        for (int v = 1; v + 1 < parts.length && !network.trains(); v++) {
            for (int k : new int[] {groups[v] + 1, groups[v] - 1, 2 * groups[v], groups[v] / 2}) {
                if (k >= 1 && k <= parts[v]) {
                    moves.add(withGroup(v, parts[v], k));
                }
            }
            if (2 * parts[v] <= network.vectorSize(v)) {
                moves.add(withGroup(v, 2 * parts[v], 2 * groups[v]));
            }
            if (groups[v] % 2 == 0) {
                moves.add(withGroup(v, Math.max(1, parts[v] / 2), groups[v] / 2));
            }
        }
        int widestRow = (network.nIn() + parts[0] - 1) / parts[0];
        for (int k : new int[] {sourcesPerSlice + 1, sourcesPerSlice - 1, 2 * sourcesPerSlice, sourcesPerSlice / 2}) {
            if (k >= 1 && k <= widestRow) {
                moves.add(new Slicing(parts, groups, direct, k));
            }
        }
        moves.remove(this);
        return new ArrayList<>(moves);
    }

    /**
     * For inference, each hidden vector whose consumer takes its slices in groups of 2 or more in half as many slices
     * again, in groups half as large again, the consumer keeping as many row slices ({@code rows × groups} slices,
     * each group full; the producer's reduces narrower, each relay gathering more of them), in a fixed order, none of
     * them a {@link #neighbours neighbour}. Only the {@link FastestPartitioner}'s laid-out phase tries them: on the
     * seed network such a move from 68 slices in groups of 7 to 100 in groups of 10 lays out a 4 % shorter step at
     * the same period, which its estimate ranks 4 % longer, and as moves of its descents they led to a slower end.
     */
    List<Slicing> regroupings(NetworkSpec network) {
        Set<Slicing> moves = new LinkedHashSet<>();
        for (int v = 1; v + 1 < parts.length && !network.trains(); v++) {
            int rows = (parts[v] + groups[v] - 1) / groups[v];
            int k = groups[v] * 3 / 2;
            if (k > groups[v] && rows * k <= network.vectorSize(v)) {
                moves.add(withGroup(v, rows * k, k));
            }
        }
        moves.removeAll(neighbours(network));
        return new ArrayList<>(moves);
    }

    /**
     * For inference, this slicing with every grouped layer taking its groups straight from their producers (no relay),
     * then with each grouped layer's choice alone turned the other way, in a fixed order, none of them a {@link
     * #neighbours neighbour}. Only the {@link FastestPartitioner}'s laid-out phase tries them: a relay-free group
     * saves the relays' window in the step but may lengthen the period (the seed network's search, relay-free
     * throughout, ended at 615 µs a step and 147.6 µs a sample against 750 and 116.3 with relays), and as moves of
     * the descents they led MNIST's search to a lower period at a step over 1 ms.
     */
    List<Slicing> relayChoices(NetworkSpec network) {
        if (network.trains()) {
            return List.of();
        }
        Set<Slicing> moves = new LinkedHashSet<>();
        moves.add(withoutRelays());
        for (int v = 1; v + 1 < parts.length; v++) {
            boolean[] d = direct.clone();
            d[v] = !d[v];
            moves.add(new Slicing(parts, groups, d, sourcesPerSlice));
        }
        moves.remove(this);
        return new ArrayList<>(moves);
    }

    /** This slicing with every grouped layer taking its groups straight from their producers: no relay. */
    Slicing withoutRelays() {
        boolean[] all = new boolean[parts.length];
        Arrays.fill(all, true);
        return new Slicing(parts, groups, all, sourcesPerSlice);
    }

    /** This slicing with vector {@code v} in {@code p} slices joined in groups of {@code g}. */
    private Slicing withGroup(int v, int p, int g) {
        int[] newParts = parts.clone();
        int[] newGroups = groups.clone();
        newParts[v] = p;
        newGroups[v] = g;
        return new Slicing(newParts, newGroups, direct, sourcesPerSlice);
    }

    /** How a move changes a vector's slices. */
    private enum Step {
        FINER, COARSER, DOUBLE, HALVE;

        int apply(int size, int parts) {
            return switch (this) {
                case FINER -> finer(size, parts);
                case COARSER -> coarser(size, parts);
                case DOUBLE -> Math.min(size, 2 * parts);
                case HALVE -> Math.max(1, parts / 2);
            };
        }
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

    /**
     * The fewest slices of a vector of {@code size} values whose largest slice is the smallest that needs fewer
     * than {@code parts} slices ({@code parts} itself if it is one slice): as large a largest slice on fewer
     * slices if {@code parts} is more than that needs, else the next coarser cut, as {@link #finer} is the next
     * finer one.
     */
    static int coarser(int size, int parts) {
        int largest = (size + parts - 1) / parts;
        for (int l = largest; l <= size; l++) {
            int fewer = (size + l - 1) / l;
            if (fewer < parts) {
                return fewer;
            }
        }
        return parts;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Slicing s && sourcesPerSlice == s.sourcesPerSlice && Arrays.equals(parts, s.parts)
                && Arrays.equals(groups, s.groups) && Arrays.equals(direct, s.direct);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * Arrays.hashCode(parts) + Arrays.hashCode(groups)) + Arrays.hashCode(direct))
                + sourcesPerSlice;
    }

    @Override
    public String toString() {
        return "slices per vector " + Arrays.toString(parts) + ", consumed in groups of " + Arrays.toString(groups)
                + (Arrays.equals(direct, new boolean[direct.length]) ? "" : " (straight from the producers: "
                        + Arrays.toString(direct) + ")") + ", " + sourcesPerSlice + " sources per row slice";
    }
}
