package org.spinnaker4j.benchmarks;

import java.util.Locale;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.cost.SampleBound;
import org.spinnaker4j.mapper.machine.MachineTiming;

/**
 * A report's table of an issue's targets: per target the measured figure, the wanted one, whether it is met and what
 * limits it, as Markdown. {@link TimeTargets} and {@link ArithmeticComparison} fill one each.
 */
final class TargetTable {

    private final StringBuilder lines = new StringBuilder();

    /** A target met when {@code measured} is at least {@code wanted}. */
    TargetTable atLeast(String what, double measured, double wanted, String limits) {
        return line(what, measured, "≥ " + figure(wanted), measured >= wanted, limits);
    }

    /** A target met when {@code measured} is at most {@code wanted}. */
    TargetTable atMost(String what, double measured, double wanted, String limits) {
        return line(what, measured, "≤ " + figure(wanted), measured <= wanted, limits);
    }

    /** The table under a second-level {@code heading}, after the paragraph {@code intro}. */
    String markdown(String heading, String intro) {
        return "\n## " + heading + "\n\n" + intro + "\n\n| target | measured | wanted | met | what limits it |\n"
                + "|---|---|---|---|---|\n" + lines;
    }

    /** What limits a throughput: the run's time a sample against its mapping's bound, and what sets that bound. */
    static String throughputLimit(RunStats stats, SampleBound bound) {
        return String.format(Locale.ROOT, "%.1f µs a sample against a bound of %.1f µs (%s)",
                stats.simulatedSecondsPerSample() * 1e6, bound.microseconds(MachineTiming.SPINNAKER1),
                bound.limitedBy());
    }

    private TargetTable line(String what, double measured, String wanted, boolean met, String limits) {
        lines.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", what, figure(measured), wanted,
                met ? "yes" : "**no**", limits));
        return this;
    }

    /** A figure whole when it is (to a millionth) or at least 100, else to a tenth, or in e-notation below 0.1. */
    private static String figure(double value) {
        double magnitude = Math.abs(value);
        if (magnitude >= 100 || Math.abs(value - Math.rint(value)) < 1e-6) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return String.format(Locale.ROOT, magnitude < 0.1 ? "%.1e" : "%,.1f", value);
    }
}
