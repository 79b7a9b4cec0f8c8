package org.spinnaker4j.mapper.machine;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A SpiNNaker machine: the working chips of a width × height grid (optionally a torus) and
 * the links between them. Dead chips and dead links are simply absent. Immutable; build one
 * with {@link #spinn3()}, {@link #spinn5()}, {@link #spinn5Triads(int, int)} or
 * {@link #grid(int, int, boolean)}, then remove faults with {@link #withoutChip} and
 * {@link #withoutLink}.
 */
public final class Machine implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Where the host's Ethernet connects on every machine built here: chip (0,0) of the first board. */
    private static final ChipLocation ETHERNET_CHIP = new ChipLocation(0, 0);

    /** Chips of a SpiNN-5 board, per column x of its 8 × 8 grid: {lowest y, highest y}. */
    private static final int[][] SPINN5_COLUMNS = {
        {0, 3}, {0, 4}, {0, 5}, {0, 6}, {0, 7}, {1, 7}, {2, 7}, {3, 7}
    };

    private final String description;
    private final int width;
    private final int height;
    private final boolean wrapAround;
    private final Map<ChipLocation, Chip> chips;
    /** The same chips, for looking one up by location (the mapper's searches do, millions of times). */
    private final Map<ChipLocation, Chip> byLocation;
    /** Per source chip: its {@link BreadthFirst} search by chip number, filled as the mapper asks. */
    private transient Map<ChipLocation, BreadthFirst> searches;
    /** {@link #neighbourNumbers}, made when first asked for. */
    private transient int[] neighbourNumbers;

    private Machine(String description, int width, int height, boolean wrapAround,
            Map<ChipLocation, Chip> chips) {
        this.description = description;
        this.width = width;
        this.height = height;
        this.wrapAround = wrapAround;
        this.chips = Collections.unmodifiableMap(new TreeMap<>(chips));
        this.byLocation = new HashMap<>(chips);
    }

    /** A SpiNN-3 board: 4 chips in a 2 × 2 grid, no wrap-around. */
    public static Machine spinn3() {
        return fromLocations("SpiNN-3 (4 chips)", 2, 2, false, allOf(2, 2));
    }

    /** One SpiNN-5 board: 48 chips, the 8 × 8 grid with two corners cut, no wrap-around. */
    public static Machine spinn5() {
        List<ChipLocation> locations = new ArrayList<>();
        for (int x = 0; x < 8; x++) {
            for (int y = SPINN5_COLUMNS[x][0]; y <= SPINN5_COLUMNS[x][1]; y++) {
                locations.add(new ChipLocation(x, y));
            }
        }
        return fromLocations("SpiNN-5 (48 chips)", 8, 8, false, locations);
    }

    /**
     * A torus of SpiNN-5 boards. Hexagonal boards tile a torus only in triads of three
     * (12 × 12 chips), so the machine is {@code triadsWide × triadsHigh} triads: 3·w·h boards,
     * 144·w·h chips, with every chip working.
     */
    public static Machine spinn5Triads(int triadsWide, int triadsHigh) {
        if (triadsWide < 1 || triadsHigh < 1) {
            throw new IllegalArgumentException(
                    "a SpiNN-5 torus needs at least 1 × 1 triads, got " + triadsWide + " × " + triadsHigh);
        }
        int w = 12 * triadsWide;
        int h = 12 * triadsHigh;
        int boards = 3 * triadsWide * triadsHigh;
        return fromLocations(boards + " SpiNN-5 boards (" + w + " × " + h + " chips, torus)",
                w, h, true, allOf(w, h));
    }

    /** A fully populated width × height grid, for tests and experiments. */
    public static Machine grid(int width, int height, boolean wrapAround) {
        return fromLocations(width + " × " + height + " grid" + (wrapAround ? " (torus)" : ""),
                width, height, wrapAround, allOf(width, height));
    }

    private static List<ChipLocation> allOf(int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("a machine needs at least 1 × 1 chips, got " + width + " × " + height);
        }
        List<ChipLocation> all = new ArrayList<>();
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                all.add(new ChipLocation(x, y));
            }
        }
        return all;
    }

    private static Machine fromLocations(String description, int width, int height, boolean wrap,
            Collection<ChipLocation> locations) {
        Set<ChipLocation> present = Set.copyOf(locations);
        Map<ChipLocation, Chip> chips = new HashMap<>();
        for (ChipLocation loc : locations) {
            EnumSet<Direction> links = EnumSet.noneOf(Direction.class);
            for (Direction d : Direction.values()) {
                ChipLocation n = step(loc, d, width, height, wrap);
                if (n != null && present.contains(n)) {
                    links.add(d);
                }
            }
            chips.put(loc, Chip.healthy(loc, links));
        }
        return new Machine(description, width, height, wrap, chips);
    }

    private static ChipLocation step(ChipLocation from, Direction d, int width, int height, boolean wrap) {
        int x = from.x() + d.dx();
        int y = from.y() + d.dy();
        if (wrap) {
            return new ChipLocation(Math.floorMod(x, width), Math.floorMod(y, height));
        }
        if (x < 0 || y < 0 || x >= width || y >= height) {
            return null;
        }
        return new ChipLocation(x, y);
    }

    /** This machine with the chip at {@code location} dead: it and every link to it removed. */
    public Machine withoutChip(ChipLocation location) {
        requireChip(location);
        Map<ChipLocation, Chip> copy = new HashMap<>(chips);
        copy.remove(location);
        for (Direction d : Direction.values()) {
            ChipLocation n = step(location, d, width, height, wrapAround);
            Chip neighbour = n == null ? null : copy.get(n);
            if (neighbour != null) {
                copy.put(n, withoutLinkOn(neighbour, d.opposite()));
            }
        }
        return new Machine(description + " less chip " + location, width, height, wrapAround, copy);
    }

    /** This machine with the link from {@code location} in direction {@code d} dead, both ways. */
    public Machine withoutLink(ChipLocation location, Direction d) {
        Chip chip = requireChip(location);
        if (!chip.hasLink(d)) {
            throw new IllegalArgumentException("chip " + location + " has no working link " + d);
        }
        ChipLocation n = step(location, d, width, height, wrapAround);
        Map<ChipLocation, Chip> copy = new HashMap<>(chips);
        copy.put(location, withoutLinkOn(chip, d));
        copy.put(n, withoutLinkOn(copy.get(n), d.opposite()));
        return new Machine(description + " less link " + location + " " + d, width, height, wrapAround, copy);
    }

    private static Chip withoutLinkOn(Chip chip, Direction d) {
        EnumSet<Direction> links = EnumSet.noneOf(Direction.class);
        links.addAll(chip.links());
        links.remove(d);
        return new Chip(chip.location(), chip.applicationProcessors(), links);
    }

    private Chip requireChip(ChipLocation location) {
        Chip chip = byLocation.get(location);
        if (chip == null) {
            throw new IllegalArgumentException("no working chip at " + location + " in " + description);
        }
        return chip;
    }

    /**
     * The chip the host talks to over Ethernet, (0,0): every input enters and every output
     * leaves through it, so only chips it reaches over working links can be used. It may be
     * dead ({@link #chip} is then empty).
     */
    public ChipLocation ethernetChip() {
        return ETHERNET_CHIP;
    }

    /** The chip at a location, if it exists and works. */
    public Optional<Chip> chip(ChipLocation location) {
        return Optional.ofNullable(byLocation.get(location));
    }

    /** The chip reached over the working link {@code d} of {@code from}, if that link works. */
    public Optional<ChipLocation> neighbour(ChipLocation from, Direction d) {
        Chip chip = byLocation.get(from);
        if (chip == null || !chip.hasLink(d)) {
            return Optional.empty();
        }
        return Optional.of(step(from, d, width, height, wrapAround));
    }

    /** Working chips in (x, y) order. */
    public Collection<Chip> chips() {
        return chips.values();
    }

    /**
     * Working chips reachable from {@code origin} in breadth-first order over working links,
     * directions tried in link-id order; the order placement fills chips in.
     */
    public List<ChipLocation> breadthFirstFrom(ChipLocation origin) {
        requireChip(origin);
        List<ChipLocation> order = new ArrayList<>();
        Set<ChipLocation> seen = new java.util.HashSet<>();
        Deque<ChipLocation> queue = new ArrayDeque<>();
        queue.add(origin);
        seen.add(origin);
        while (!queue.isEmpty()) {
            ChipLocation c = queue.poll();
            order.add(c);
            for (Direction d : Direction.values()) {
                neighbour(c, d).filter(seen::add).ifPresent(queue::add);
            }
        }
        return order;
    }

    /**
     * A breadth-first search from a source chip over working links (directions tried in link-id order), by chip number
     * ({@code x * height + y}): the chips it reaches in the order it reaches them (the source first), the links each
     * is reached by (the multicast trees' choice among equally loaded shortest paths, {@code PartitionTrees}) and how
     * many links from the source it is.
     */
    private record BreadthFirst(int[] order, int[] arrivals, int[] hops) {
    }

    /** The breadth-first search from {@code source}: made once per source, as the mapper's searches ask again. */
    private synchronized BreadthFirst breadthFirst(ChipLocation source) {
        if (searches == null) {
            searches = new HashMap<>();
        }
        return searches.computeIfAbsent(source, s -> {
            int directions = Direction.values().length;
            int[] next = neighbourNumbers();
            int[] hops = new int[width * height];
            int[] arrivals = new int[hops.length];
            int[] order = new int[hops.length];
            Arrays.fill(hops, -1);
            Arrays.fill(arrivals, -1);
            int reached = 0;
            order[reached++] = s.x() * height + s.y();
            hops[order[0]] = 0;
            for (int head = 0; head < reached; head++) {
                int c = order[head];
                for (int d = 0; d < directions; d++) {
                    int n = next[c * directions + d];
                    if (n >= 0 && hops[n] < 0) {
                        hops[n] = hops[c] + 1;
                        arrivals[n] = c * directions + d;
                        order[reached++] = n;
                    }
                }
            }
            return new BreadthFirst(Arrays.copyOf(order, reached), arrivals, hops);
        });
    }

    /**
     * Per chip number ({@code x * height + y}), the number of the link by which a breadth-first shortest-path tree
     * from {@code source} (directions tried in link-id order) reaches the chip (the sending chip's number × 6 + the
     * direction's id), or -1 for a chip the tree does not reach (the source among them). Computed once per source and
     * shared: callers must not change it.
     */
    public int[] arrivalLinkNumbers(ChipLocation source) {
        return breadthFirst(source).arrivals();
    }

    /**
     * Per chip number ({@code x * height + y}): how many links a shortest path from {@code source} over working links
     * crosses to reach it, or -1 for a chip it cannot reach. Computed once per source and shared: callers must not
     * change it.
     */
    public int[] hopNumbers(ChipLocation source) {
        return breadthFirst(source).hops();
    }

    /**
     * The numbers of the chips {@code source} reaches over working links, nearest first (the source first). Computed
     * once per source and shared: callers must not change it.
     */
    public int[] chipNumbersByHops(ChipLocation source) {
        return breadthFirst(source).order();
    }

    /**
     * Per link number (a chip's number × 6 + the direction's id): the number of the chip that working link reaches,
     * or -1 where the link does not work or leads off the machine. Made once and shared: callers must not change it.
     */
    public synchronized int[] neighbourNumbers() {
        if (neighbourNumbers == null) {
            int[] numbers = new int[width * height * Direction.values().length];
            Arrays.fill(numbers, -1);
            for (ChipLocation c : chips.keySet()) {
                for (Direction d : Direction.values()) {
                    neighbour(c, d).ifPresent(n -> numbers[(c.x() * height + c.y()) * Direction.values().length
                            + d.id()] = n.x() * height + n.y());
                }
            }
            neighbourNumbers = numbers;
        }
        return neighbourNumbers;
    }

    public int applicationCores() {
        return chips.values().stream().mapToInt(c -> c.applicationProcessors().size()).sum();
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public boolean wrapAround() {
        return wrapAround;
    }

    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return description + ": " + chips.size() + " chips, " + applicationCores() + " application cores";
    }
}
