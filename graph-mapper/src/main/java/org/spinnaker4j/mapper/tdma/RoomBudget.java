package org.spinnaker4j.mapper.tdma;

/**
 * How much work an inference mapping's schedules may spend making room ({@link TdmaScheduler}'s depth-first retries
 * of a period at which a values window found none), counted in core layouts: each retry lays out every window of the
 * graph again, so it costs the graph's cores. One budget serves every schedule of a mapping, the FASTEST search's
 * trial layouts and the final one alike; once it is spent, a period must fit as first laid out or the next is tried.
 * A count, never host time, so a mapping is the same run to run and host to host.
 *
 * <p>{@link #MAPPING} is half as much again as the most a SpiNN-5 board's mapping was measured to spend (2.85 million
 * core layouts, 4,242 retries, a FASTEST search of the seed network, session 22), so the board's mappings do not reach
 * it; on a 144-chip machine the FASTEST search's slicings of MNIST on 1,800 to 2,100 cores found no room at 34
 * periods in a row, 256 retries each, about 40 s a schedule, and the search did not finish in 8 minutes; with the
 * budget it takes about 30 s (docs/architecture.md, "The room-making budget").
 */
public final class RoomBudget {

    /** The core layouts one mapping's schedules may spend making room. */
    public static final long MAPPING = 4L << 20;

    private final long limit;
    private long spent;

    /** A budget of {@code limit} core layouts, none spent yet. */
    public RoomBudget(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("Expected a budget of at least 0 core layouts, got " + limit);
        }
        this.limit = limit;
    }

    /** Spends a layout of {@code cores} cores if the budget has that much left; whether it had. */
    boolean spend(int cores) {
        if (spent + cores > limit) {
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
