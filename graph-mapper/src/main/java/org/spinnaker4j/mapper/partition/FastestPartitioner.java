package org.spinnaker4j.mapper.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.cost.BoundCalculator;
import org.spinnaker4j.mapper.cost.SampleBound;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Chip;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.place.ColumnGroupPlacer;
import org.spinnaker4j.mapper.place.SdramPartials;
import org.spinnaker4j.mapper.route.LinkLoads;
import org.spinnaker4j.mapper.tdma.LatencyEstimator;
import org.spinnaker4j.mapper.tdma.TdmaSchedule;
import org.spinnaker4j.mapper.tdma.TdmaScheduler;

/**
 * Searches for the slicing with the lowest time per sample (in training its {@link SampleBound}; in inference the
 * period the TDMA schedule will allow: estimated, the bound or the longest window at its own pace the {@link
 * LatencyEstimator} expects, over the sending fraction; at last, laid out) and, for inference, a longer period only
 * where the latency it saves is worth twice the period given up ({@link #LATENCY_PER_PERIOD}): slices per activation
 * vector
 * (shared, as in {@link FewestCoresPartitioner}, by the layer producing it and the layer
 * consuming it, or, for inference, joined in groups for the consumer's rows, which relays gather),
 * and input sources per row slice of the first layer ({@link Slicing}). It descends
 * greedily from several starts: the fewest-cores slicing and the {@link #DESCENTS} best of the
 * uniform slicings (every vector in slices of at most {@link #START_WIDTHS} values) that fit. Each
 * round of a descent tries every {@link Slicing#neighbours neighbour} (each vector and each two
 * neighbouring vectors finer, coarser, twice or half as fine; groups larger or smaller; more or
 * fewer sources), placing each
 * candidate with the strategy's placer to count its link loads, and moves to the one with the lowest
 * time (of nearly equal ones, the one on fewer cores) if that lowers it by at least
 * {@link #MIN_GAIN} and by {@link #MIN_SAVING_PER_CORE} per core it adds; otherwise the descent ends
 * by trimming: it takes coarser neighbours on fewer cores while the time stays within {@link #TIE}
 * of where the descent ended. The best end of all descents wins; for inference, rounds of a descent in estimated
 * latency ({@link Search#quicken}) and a descent in time from its end follow ({@link Search#settle}), a latency
 * descent runs from the best slicing with every group taken straight from its producers ({@link
 * Slicing#withoutRelays}: no relay window in the step; with no bound on its period, since the last phase judges
 * where it ends), and the last
 * phase lays out the fastest slicings seen and their neighbours and takes the fastest schedule ({@link
 * Search#layOutFastest}). A candidate
 * must fit DTCM, the
 * machine's cores and (counted before compression) its routing tables; each slicing is built and
 * timed once per search, and one whose busiest core alone cannot beat the time it must
 * beat is not placed. Deterministic: the starts and the moves come in a fixed order.
 * A slicing that splits an output layer whose loss {@link
 * org.spinnaker4j.mapper.ir.LossFunction#needsWholeLayer() needs it whole} is not a candidate while the
 * fewest-cores slicing keeps that layer whole.
 */
final class FastestPartitioner implements Partitioner {

    /** The least fraction by which a step must lower the time per sample (and the latency descent the latency). */
    static final double MIN_GAIN = 0.02;
    /**
     * Core clocks per sample a step must save for each core it adds (0.2 µs): the simulator's
     * host time grows with the packets, and a tiny network gains nothing worth its cores.
     */
    static final long MIN_SAVING_PER_CORE = 40;
    /** Bounds this close count as equal, and the one on fewer cores wins. */
    static final double TIE = 0.01;
    /** The slice widths of the uniform starting slicings. */
    static final int[] START_WIDTHS = {4, 8, 16, 32, 64, 128};
    /** How many of the best uniform starts a descent runs from, besides the fewest-cores slicing. */
    static final int DESCENTS = 2;
    /**
     * How far above the time per sample it starts from the latency descent of {@link Search#settle}, which explores
     * for slicings that lead to a lower time, may go (the one from the slicing without relays has no such bound).
     */
    static final double LATENCY_MARGIN = 0.03;
    /**
     * How much longer than another's period a slicing's may be in the last phase ({@link #fastest}) when its step
     * pays for the difference.
     */
    static final double PERIOD_ALLOWANCE = 0.08;
    /**
     * The fraction of step a slicing must gain for each fraction of period it gives up against a lower period ({@link
     * #fastest}): a period gain is worth at least half the step it costs.
     */
    static final double LATENCY_PER_PERIOD = 2;
    /** Slicings the last phase lays out per round, besides those it has laid out before. */
    static final int TRIALS = 4;
    /** {@link Slicing#regroupings Regroupings} the last phase lays out per round, besides {@link #TRIALS}. */
    static final int REGROUPING_TRIALS = 1;
    /** {@link Slicing#relayChoices Relay choices} the last phase lays out per round, besides the others. */
    static final int RELAY_TRIALS = 2;
    /**
     * Rounds of neighbours in the last phase at most: a layout takes the host a hundred milliseconds to seconds (the
     * modulo scheduler's period search), so the phase lays out at most {@code 3 + TRIALS + 2 * (TRIALS +
     * REGROUPING_TRIALS + RELAY_TRIALS) * LAYOUT_ROUNDS} slicings.
     */
    static final int LAYOUT_ROUNDS = 2;

    private static final Logger LOG = LoggerFactory.getLogger(FastestPartitioner.class);

    private final BoundCalculator bounds;
    private final ColumnGroupPlacer placer;
    private final LatencyEstimator latencies;
    private final TrialLayout layout;

    FastestPartitioner(BoundCalculator bounds, ColumnGroupPlacer placer, TrialLayout layout) {
        this.bounds = bounds;
        this.placer = placer;
        this.layout = layout;
        this.latencies = new LatencyEstimator(bounds.cost(), bounds.timing());
    }

    /**
     * A slicing, the cores its graph has, its bound, its time per sample in clocks ({@code period}: in training the
     * bound; in inference the longer of the bound and the longest window the {@link LatencyEstimator} expects, over
     * the sending fraction, as the TDMA schedule's period is) and, in inference, its estimated latency in clocks.
     */
    private record Candidate(Slicing slicing, int cores, SampleBound bound, double period, long latency) {
    }

    @Override
    public MachineGraph partition(NetworkSpec network, CoreMemory memory, Machine machine) {
        Slicing fewest = new Slicing(FewestCoresPartitioner.vectorParts(network, memory), 1);
        int last = fewest.parts().length - 1;
        boolean keepOutputWhole = network.trains() && network.training().loss().needsWholeLayer()
                && fewest.parts()[last] == 1;
        Search search = new Search(network, memory, machine, keepOutputWhole);
        Candidate first = search.evaluate(fewest, Double.MAX_VALUE);
        if (first == null) {
            // it does not fit this machine: the mapper says why
            return GraphBuilder.build(network, fewest.layerSlicing(network));
        }
        List<Candidate> starts = new ArrayList<>();
        for (int width : START_WIDTHS) {
            Candidate c = search.evaluate(Slicing.uniform(network, width), Double.MAX_VALUE);
            if (c != null && !starts.contains(c) && !c.slicing().equals(fewest)) {
                starts.add(c);
            }
        }
        starts.sort(Comparator.comparingDouble(Candidate::period).thenComparingInt(Candidate::cores));
        List<Candidate> from = new ArrayList<>();
        from.add(first);
        from.addAll(starts.subList(0, Math.min(DESCENTS, starts.size())));
        Candidate best = null;
        for (Candidate start : from) {
            Candidate end = search.trim(search.descend(start));
            if (best == null || better(end, best)) {
                best = end;
            }
        }
        if (!network.trains()) {
            // the latency descent also runs from the best slicing with no relay, with no bound on its period: the last
            // phase judges whether its step pays for the period
            Candidate relayFree = search.evaluate(best.slicing().withoutRelays(), Double.MAX_VALUE);
            Candidate quickRelayFree = relayFree == null || relayFree.slicing().equals(best.slicing()) ? null
                    : search.quicken(relayFree, Double.MAX_VALUE);
            best = search.layOutFastest(search.settle(best), quickRelayFree);
        }
        LOG.debug("FASTEST {}: {} cores, bound {} clocks ({}), period about {} and latency about {} clocks, {} "
                + "slicings built, {} placed, {} laid out", best.slicing(), best.cores(),
                Math.round(best.bound().clocks()), best.bound().limitedBy(), Math.round(best.period()), best.latency(),
                search.built, search.placed, search.trials.size());
        return search.graph(best.slicing());
    }

    /**
     * A slicing's figures as the last phase weighs them: its period (clocks a sample), its step (a sample's latency)
     * and its cores, laid out or estimated.
     */
    record Figures(double period, long step, int cores) {

        /** The period with {@link #MIN_SAVING_PER_CORE} for each core: what a core must save to be worth it. */
        double weighedPeriod() {
            return period + (double) MIN_SAVING_PER_CORE * cores;
        }
    }

    /**
     * The fastest of {@code candidates} by {@code figures}: of those whose step {@link #paysForPeriod pays} for the
     * period it gives up against every one with a lower period (each core counting {@link #MIN_SAVING_PER_CORE}
     * clocks, as a descent's step must save them), the one with the shortest step (of equal ones the lower period):
     * the lowest period unless a longer one's step is shorter by {@link #LATENCY_PER_PERIOD} times what it gives up.
     * Null if there are none.
     */
    private static Candidate fastest(List<Candidate> candidates, Function<Candidate, Figures> figures) {
        Map<Candidate, Figures> of = new IdentityHashMap<>();
        candidates.forEach(c -> of.put(c, figures.apply(c)));
        return candidates.stream().filter(c -> candidates.stream().allMatch(m -> of.get(m).weighedPeriod()
                >= of.get(c).weighedPeriod() || paysForPeriod(of.get(m), of.get(c)))).min(Comparator.comparing(of::get,
                Comparator.comparingLong(Figures::step).thenComparingDouble(Figures::weighedPeriod))).orElse(null);
    }

    /**
     * Of {@code candidates}, the one with the lowest period by {@code figures}, each core counting {@link
     * #MIN_SAVING_PER_CORE} clocks (of equal ones the shortest step); null if there are none.
     */
    private static Candidate anchor(List<Candidate> candidates, Function<Candidate, Figures> figures) {
        return candidates.stream().min(Comparator.comparing(figures,
                Comparator.comparingDouble(Figures::weighedPeriod).thenComparingLong(Figures::step))).orElse(null);
    }

    /**
     * Whether {@code other}'s step pays, against {@code base} (a lower period), for the period it gives up: it is
     * within {@link #PERIOD_ALLOWANCE} and the step is shorter by {@link #LATENCY_PER_PERIOD} times the fraction of
     * period given up, by {@link #MIN_GAIN} and by {@link #MIN_SAVING_PER_CORE} per core added.
     */
    static boolean paysForPeriod(Figures base, Figures other) {
        double given = Math.max(0, other.period() / base.period() - 1);
        double gained = 1 - (double) other.step() / base.step();
        return given <= PERIOD_ALLOWANCE && gained >= Math.max(MIN_GAIN, LATENCY_PER_PERIOD * given)
                && paysFor(base.step() - other.step(), other.cores() - base.cores());
    }

    /** Estimated candidates by period, latency and cores: those that may be the fastest first. */
    private static final Comparator<Candidate> BY_PERIOD = Comparator.comparingDouble(Candidate::period)
            .thenComparingLong(Candidate::latency).thenComparingInt(Candidate::cores);
    /** Estimated candidates by latency, period and cores: those that may have the shortest step first. */
    private static final Comparator<Candidate> BY_LATENCY = Comparator.comparingLong(Candidate::latency)
            .thenComparingDouble(Candidate::period).thenComparingInt(Candidate::cores);

    /** Whether a step from {@code from} to {@code to} saves at least {@link #MIN_SAVING_PER_CORE} per core it adds. */
    private static boolean pays(Candidate from, Candidate to) {
        return paysFor(from.period() - to.period(), to.cores() - from.cores());
    }

    /** Whether {@code saved} clocks are at least {@link #MIN_SAVING_PER_CORE} for each of {@code added} cores. */
    private static boolean paysFor(double saved, int added) {
        return saved >= (double) MIN_SAVING_PER_CORE * added;
    }

    /** Whether {@code a} has a lower time than {@code b}, or one within {@link #TIE} of it on fewer cores. */
    private static boolean better(Candidate a, Candidate b) {
        double ratio = a.period() / b.period();
        return ratio < 1 - TIE || ratio < 1 + TIE && a.cores() < b.cores();
    }

    /** One search's network and machine, and what it knows of every slicing it has built. */
    private final class Search {

        private final NetworkSpec network;
        private final CoreMemory memory;
        private final Machine machine;
        /** Per slicing built: its candidate, or the least its time can be (infinite if it does not fit). */
        private final Map<Slicing, Object> known = new HashMap<>();
        /** Per slicing built: the cores of its graph. */
        private final Map<Slicing, Integer> coresOf = new HashMap<>();
        /** Whether the output layer must stay on one core (its loss needs the whole row). */
        private final boolean keepOutputWhole;
        /** Per slicing laid out ({@link #layOutNear}): its schedule, or empty if it does not map. */
        private final Map<Slicing, Optional<TdmaSchedule>> trials = new LinkedHashMap<>();
        /** Per slicing whose graph was kept: that graph. */
        private final Map<Slicing, MachineGraph> graphs = new HashMap<>();
        /** The graphs kept, by their vertices and partitions: slicings that build equal graphs share one. */
        private final Map<List<?>, MachineGraph> sameGraph = new HashMap<>();
        /** Per graph laid out: its schedule, or empty if it does not map; laid out once for all its slicings. */
        private final Map<MachineGraph, Optional<TdmaSchedule>> layouts = new IdentityHashMap<>();
        private int built;
        private int placed;

        Search(NetworkSpec network, CoreMemory memory, Machine machine, boolean keepOutputWhole) {
            this.network = network;
            this.memory = memory;
            this.machine = machine;
            this.keepOutputWhole = keepOutputWhole;
        }

        /** Steepest descent from {@code start}: the candidate where no neighbour pays for its step. */
        Candidate descend(Candidate start) {
            Candidate current = start;
            while (true) {
                Candidate next = null;
                for (Slicing move : current.slicing().neighbours(network)) {
                    double threshold = current.period() * (1 - MIN_GAIN);
                    if (next != null) {
                        threshold = Math.min(threshold, next.period() * (1 + TIE));
                    }
                    Candidate c = evaluate(move, threshold, machine.applicationCores());
                    if (c != null && pays(current, c) && (next == null || better(c, next))) {
                        next = c;
                    }
                }
                if (next == null) {
                    return current;
                }
                current = next;
            }
        }

        /**
         * From the end of a descent, neighbours on fewer cores whose time stays within {@link #TIE} of it: the
         * fewest of them each step, while there is one.
         */
        Candidate trim(Candidate end) {
            double limit = end.period() * (1 + TIE);
            Candidate current = end;
            while (true) {
                Candidate next = null;
                for (Slicing move : current.slicing().neighbours(network)) {
                    Candidate c = evaluate(move, limit, (next == null ? current : next).cores() - 1);
                    if (c != null) {
                        next = c;
                    }
                }
                if (next == null) {
                    return current;
                }
                current = next;
            }
        }

        /**
         * From an inference candidate, steepest descent in estimated latency ({@link LatencyEstimator}) among the
         * slicings whose time stays under {@code limit}: each step to the neighbour with the lowest latency, if that
         * is at least {@link #MIN_GAIN} lower and saves {@link #MIN_SAVING_PER_CORE} per core it adds.
         */
        Candidate quicken(Candidate from, double limit) {
            Candidate current = from;
            while (true) {
                Candidate next = null;
                for (Slicing move : current.slicing().neighbours(network)) {
                    Candidate c = evaluate(move, limit);
                    if (c != null && c.latency() < current.latency() * (1 - MIN_GAIN)
                            && paysFor(current.latency() - c.latency(), c.cores() - current.cores())
                            && (next == null || c.latency() < next.latency())) {
                        next = c;
                    }
                }
                if (next == null) {
                    return current;
                }
                current = next;
            }
        }

        /** The latency descent ({@link #quicken}) within {@link #LATENCY_MARGIN} of {@code from}'s time. */
        private Candidate quickenNear(Candidate from) {
            return quicken(from, from.period() * (1 + LATENCY_MARGIN));
        }

        /**
         * Inference: rounds of the latency descent ({@link #quicken}) and, from where it ends, a descent in time
         * ({@link #descend}, {@link #trim}), since a slicing the latency descent reaches may lead to a lower time than
         * any start did (on the seed network from a 580-core end of a latency descent to a 605-core slicing 17 %
         * faster a sample), until a round ends where an earlier one did. What they evaluate joins what {@link
         * #layOutFastest} chooses from; of the rounds' ends, the one with the lowest latency among those within
         * {@link #LATENCY_MARGIN} of the lowest time, which the last phase lays out.
         */
        Candidate settle(Candidate fastest) {
            List<Candidate> ends = new ArrayList<>();
            Set<Slicing> seen = new HashSet<>();
            Candidate end = quickenNear(fastest);
            while (seen.add(end.slicing())) {
                ends.add(end);
                end = quickenNear(trim(descend(end)));
            }
            double limit = ends.stream().mapToDouble(Candidate::period).min().orElseThrow() * (1 + LATENCY_MARGIN);
            return ends.stream().filter(c -> c.period() <= limit).min(Comparator.comparingLong(Candidate::latency))
                    .orElseThrow();
        }

        /**
         * Inference, last: the fastest of the slicings seen, by the schedules the mapper lays out, which the estimates
         * rank only roughly (an estimated period is the least the scheduler may take; it takes up to a few per cent
         * more, and the estimated latency is up to 25 % off, docs/architecture.md). It lays out the {@link #fastest}
         * of every slicing the search has evaluated by its estimates, {@code quickest} ({@link #settle}'s choice,
         * the lowest latency near the lowest time) and {@code relayFree} (the end of the latency descent from the
         * best slicing without relays; null if there is none), then up to {@link #TRIALS} more of them, lowest
         * estimated period first ({@link #layOutPromising}), then, for at most {@link #LAYOUT_ROUNDS} rounds while a
         * round changes either, the neighbours of the fastest laid out (lowest estimated period first) and of the one
         * with the shortest step within {@link #PERIOD_ALLOWANCE} (lowest estimated latency first: a step the rule
         * would not take may lead to one it takes; session 15 found MNIST's under 1 ms 3 or 4 moves away). Of all
         * slicings laid out, the {@link #fastest} by laid-out period and step. Without layouts ({@link
         * TrialLayout#NONE}), the fastest by the estimates.
         */
        Candidate layOutFastest(Candidate quickest, Candidate relayFree) {
            List<Candidate> seen = known.values().stream().filter(Candidate.class::isInstance)
                    .map(Candidate.class::cast).toList();
            Candidate chosen = fastest(seen, c -> new Figures(c.period(), c.latency(), c.cores()));
            if (trial(chosen).isEmpty()) {
                return chosen;
            }
            trial(quickest);
            if (relayFree != null) {
                trial(relayFree);
            }
            layOutPromising(seen, TRIALS, BY_PERIOD);
            Candidate current = null;
            Candidate shortest = null;
            for (int round = 0; round < LAYOUT_ROUNDS; round++) {
                Candidate next = fastest(laidOut(), this::laidOutFigures);
                Candidate nextShortest = shortestStep();
                if (next == current && nextShortest == shortest) {
                    break;
                }
                current = next;
                shortest = nextShortest;
                layOutNear(current, BY_PERIOD);
                layOutNear(shortest, BY_LATENCY);
            }
            current = fastest(laidOut(), this::laidOutFigures);
            LOG.debug("laid out {} slicings: took {}, a sample every {} clocks, {} clocks a step", trials.size(),
                    current.slicing(), periodOf(current), stepOf(current));
            return current;
        }

        /**
         * Lays out up to {@code fresh} of {@code candidates} not laid out before whose estimated period is below
         * {@link #PERIOD_ALLOWANCE} over the lowest laid-out period (each core counting {@link #MIN_SAVING_PER_CORE}
         * clocks, as {@link #fastest} ranks them), in {@code order}.
         */
        private void layOutPromising(List<Candidate> candidates, int fresh, Comparator<Candidate> order) {
            double bar = periodOf(anchor(laidOut(), this::laidOutFigures)) * (1 + PERIOD_ALLOWANCE);
            candidates.stream().filter(c -> !trials.containsKey(c.slicing()) && c.period() < bar).sorted(order)
                    .limit(fresh).forEach(this::trial);
        }

        /**
         * Lays out up to {@link #TRIALS} of {@code from}'s neighbours, {@link #REGROUPING_TRIALS} of its {@link
         * Slicing#regroupings regroupings} and {@link #RELAY_TRIALS} of its {@link Slicing#relayChoices relay choices}
         * alike ({@link #layOutPromising}).
         */
        private void layOutNear(Candidate from, Comparator<Candidate> order) {
            layOutPromising(evaluated(from.slicing().neighbours(network)), TRIALS, order);
            layOutPromising(evaluated(from.slicing().regroupings(network)), REGROUPING_TRIALS, order);
            layOutPromising(evaluated(from.slicing().relayChoices(network)), RELAY_TRIALS, order);
        }

        /** The candidates of {@code slicings} that fit. */
        private List<Candidate> evaluated(List<Slicing> slicings) {
            List<Candidate> fit = new ArrayList<>();
            for (Slicing s : slicings) {
                Optional.ofNullable(evaluate(s, Double.MAX_VALUE)).ifPresent(fit::add);
            }
            return fit;
        }

        /**
         * Of the candidates laid out whose period is within {@link #PERIOD_ALLOWANCE} of the lowest (each core
         * counting {@link #MIN_SAVING_PER_CORE} clocks), the one with the shortest step.
         */
        private Candidate shortestStep() {
            List<Candidate> laidOut = laidOut();
            double limit = periodOf(anchor(laidOut, this::laidOutFigures)) * (1 + PERIOD_ALLOWANCE);
            return laidOut.stream().filter(c -> periodOf(c) <= limit)
                    .min(Comparator.comparingLong(this::stepOf).thenComparingDouble(this::periodOf)).orElseThrow();
        }

        /** The candidates laid out that map, in the order they were laid out. */
        private List<Candidate> laidOut() {
            return trials.entrySet().stream().filter(e -> e.getValue().isPresent())
                    .map(e -> (Candidate) known.get(e.getKey())).toList();
        }

        /** A laid-out candidate's figures: the schedule's period and step. */
        private Figures laidOutFigures(Candidate c) {
            return new Figures(periodOf(c), stepOf(c), c.cores());
        }

        /** The laid-out period of a candidate {@link #trial} has laid out (the longest if it does not map). */
        private double periodOf(Candidate c) {
            return trials.get(c.slicing()).map(t -> (double) t.periodClocks()).orElse(Double.MAX_VALUE);
        }

        /** The laid-out step of a candidate {@link #trial} has laid out (the longest if it does not map). */
        private long stepOf(Candidate c) {
            return trials.get(c.slicing()).map(TdmaSchedule::stepClocks).orElse(Long.MAX_VALUE);
        }

        /** The schedule {@link #layout} lays out for the candidate's graph, once per graph. */
        private Optional<TdmaSchedule> trial(Candidate c) {
            return trials.computeIfAbsent(c.slicing(),
                    s -> layouts.computeIfAbsent(graph(s), g -> layout.layOut(network, g, machine)));
        }

        /**
         * The graph of the slicing: the one laid out if it was, so that the mapper can reuse that layout; the same
         * graph object for slicings that build equal graphs (a convolutional network's input slicings often do).
         */
        MachineGraph graph(Slicing slicing) {
            return graphs.computeIfAbsent(slicing, s -> {
                MachineGraph g = GraphBuilder.build(network, s.layerSlicing(network));
                return sameGraph.computeIfAbsent(List.of(g.vertices(), g.partitions()), k -> g);
            });
        }

        /** {@link #evaluate(Slicing, double, int)} on as many cores as the machine has. */
        Candidate evaluate(Slicing slicing, double threshold) {
            return evaluate(slicing, threshold, machine.applicationCores());
        }

        /**
         * The candidate of this slicing if it fits, needs at most {@code maxCores} cores and its time is below
         * {@code threshold} clocks, else null.
         */
        Candidate evaluate(Slicing slicing, double threshold, int maxCores) {
            if (keepOutputWhole && slicing.parts()[slicing.parts().length - 1] > 1) {
                return null;
            }
            Object k = known.get(slicing);
            if (k instanceof Candidate c) {
                return c.period() < threshold && c.cores() <= maxCores ? c : null;
            }
            if (k != null && (Double) k >= threshold) {
                return null;
            }
            Integer cores = coresOf.get(slicing);
            if (cores != null && cores > maxCores) {
                return null;
            }
            built++;
            MachineGraph graph = GraphBuilder.build(network, slicing.layerSlicing(network));
            coresOf.put(slicing, graph.vertices().size());
            if (graph.vertices().size() > Math.min(maxCores, machine.applicationCores())) {
                if (graph.vertices().size() > machine.applicationCores()) {
                    known.put(slicing, Double.POSITIVE_INFINITY);
                }
                return null;
            }
            // before placing, each core's least: its partial sums through SDRAM where its column group fits a chip
            // (SdramPartials.markGrouped, as the placer places them) or by packets (a block writing them costs more),
            // so that no slicing is rejected that its placement would make fast enough
            long[] cycles = bounds.coreCycles(network, graph);
            MachineGraph grouped = SdramPartials.markGrouped(graph);
            if (grouped != graph) {
                long[] through = bounds.coreCycles(network, grouped);
                for (int v = 0; v < cycles.length; v++) {
                    cycles[v] = Math.min(cycles[v], through[v]);
                }
            }
            // the least period the busiest core allows
            double busiest = Arrays.stream(cycles).max().orElse(0)
                    / (network.trains() ? 1 : TdmaScheduler.SENDING_FRACTION);
            if (busiest >= threshold) {
                known.put(slicing, busiest);
                return null;
            }
            if (DtcmCheck.firstOverflow(network, graph, memory).isPresent()) {
                known.put(slicing, Double.POSITIVE_INFINITY);
                return null;
            }
            ColumnGroupPlacer.Placed placement;
            try {
                placement = placer.placeWithLoads(graph, machine);
            } catch (MappingException doesNotFit) {
                known.put(slicing, Double.POSITIVE_INFINITY);
                return null;
            }
            placed++;
            LinkLoads loads = placement.loads();
            if (grouped != graph) {
                // the cycles above were each core's least; now as placed (a graph the placer can mark is one that
                // markGrouped marks: a reduce's blocks fit its chip only if they fit one)
                graph = placement.graph();
                cycles = bounds.coreCycles(network, graph);
            }
            if (loads.maxEntries() > Chip.ROUTER_ENTRIES) {
                known.put(slicing, Double.POSITIVE_INFINITY);
                return null;
            }
            SampleBound bound = bounds.bound(cycles, loads, bounds.exchangeClocks(network, graph));
            Candidate c;
            if (network.trains()) {
                c = new Candidate(slicing, graph.vertices().size(), bound, bound.clocks(), 0);
            } else {
                LatencyEstimator.Estimate estimate = latencies.forward(network, graph, loads);
                c = new Candidate(slicing, graph.vertices().size(), bound,
                        Math.max(bound.clocks() / TdmaScheduler.SENDING_FRACTION, estimate.windowClocks()),
                        estimate.stepClocks());
            }
            known.put(slicing, c);
            return c.period() < threshold ? c : null;
        }
    }
}
