package org.spinnaker4j.mapper.tdma;

/**
 * How much work an inference mapping's schedules may spend making room ({@link TdmaScheduler}'s depth-first retries
 * of a period at which a values window found none), counted in core layouts: each retry lays out every window of the
 * graph again, so it costs the graph's cores. One budget serves every schedule of a mapping, the FASTEST search's
 * trial layouts and the final one alike; once it is spent, a period must fit as first laid out or the next is tried.
 * A count, never host time, so a mapping is the same run to run and host to host.
 *
 * <p>{@link #MAPPING} is half as much again as the most a SpiNN-5 board's mapping was measured to spend (2.85 million
 * core layouts, 4,242 retries, a FASTEST search of the seed network, session 22), which the board's mappings did not
 * reach until session 33 (below); on a 144-chip machine the FASTEST search's slicings of MNIST on 1,800 to 2,100 cores
 * found no room at 34 periods in a row, 256 retries each, about 40 s a schedule, and the search did not finish in 8
 * minutes; with the budget it takes about 30 s (docs/architecture.md, "The room-making budget"). Each trial layout of
 * the search may spend only a {@link #share} of {@link #TRIAL} (since session 33: one of MNIST's trials spent 3.5
 * million, and the 14 trials after it found the budget spent, so their schedules made no room and looked up to 1.8
 * times slower).
 */
public final class RoomBudget {

    /** The core layouts one mapping's schedules may spend making room. */
    public static final long MAPPING = 4L << 20;
    /** The core layouts one of the FASTEST search's trial layouts may spend of its mapping's {@link #MAPPING}. */
    public static final long TRIAL = MAPPING / 8;

    private final long limit;
    private final RoomBudget whole;
    private long spent;

    /** A budget of {@code limit} core layouts, none spent yet. */
    public RoomBudget(long limit) {
        this(limit, null);
    }

    private RoomBudget(long limit, RoomBudget whole) {
        if (limit < 0) {
            throw new IllegalArgumentException("Expected a budget of at least 0 core layouts, got " + limit);
        }
        this.limit = limit;
        this.whole = whole;
    }

    /**
     * A budget of {@code limit} core layouts drawn from this one: what it spends, this one spends too, and it has no
     * more than this one has left.
     */
    public RoomBudget share(long limit) {
        return new RoomBudget(limit, this);
    }

    /**
     * Spends a layout of {@code cores} cores if the budget (and any it is drawn from) has that much left; whether it
     * had.
     */
    boolean spend(int cores) {
        if (spent + cores > limit || whole != null && !whole.spend(cores)) {
            return false;
        }
        spent += cores;
        return true;
    }

    /** The core layouts spent so far. */
    public long spent() {
        return spent;
    }

    /** The core layouts this budget allows. */
    public long limit() {
        return limit;
    }
}
