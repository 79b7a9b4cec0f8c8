package org.spinnaker4j.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.spinnaker4j.backend.runtime.RunStats;

/**
 * A Markdown section with a table of machine runs, as the machine report's float32 against s16.15 comparisons write
 * it: a heading, a paragraph, then one row per run, each with the table's own columns around the run's five machine
 * figures (cores and chips, latency, time a sample, samples a second, energy a sample), the header naming them.
 */
final class RunTable {

    private static final List<String> RUN_COLUMNS = List.of("cores / chips", "latency µs", "µs / sample",
            "samples / s", "µJ / sample");

    private final StringBuilder markdown = new StringBuilder();
    private final int leading;
    private final int trailing;

    /**
     * A section headed {@code heading} opening with {@code paragraph}, its table's columns {@code leading}, the run's
     * figures and {@code trailing}.
     */
    RunTable(String heading, String paragraph, List<String> leading, List<String> trailing) {
        this.leading = leading.size();
        this.trailing = trailing.size();
        List<String> columns = new ArrayList<>(leading);
        columns.addAll(RUN_COLUMNS);
        columns.addAll(trailing);
        markdown.append("\n## ").append(heading).append("\n\n").append(paragraph).append(System.lineSeparator())
                .append(System.lineSeparator());
        markdown.append("| ").append(String.join(" | ", columns)).append(" |\n");
        markdown.append("|").append("---|".repeat(columns.size())).append('\n');
    }

    /** A row: the cells of the leading columns, the figures of {@code run}, the cells of the trailing columns. */
    void row(List<?> leadingCells, RunStats run, List<?> trailingCells) {
        if (leadingCells.size() != leading || trailingCells.size() != trailing) {
            throw new IllegalArgumentException("a row of " + leadingCells.size() + " + " + trailingCells.size()
                    + " cells around the run's figures in a table of " + leading + " + " + trailing + " columns");
        }
        List<String> cells = new ArrayList<>();
        leadingCells.forEach(c -> cells.add(String.valueOf(c)));
        cells.add(String.format(Locale.ROOT, "%d / %d | %.1f | %.1f | %.0f | %.1f", run.coresUsed(), run.chipsUsed(),
                run.latencySeconds() * 1e6, run.simulatedSecondsPerSample() * 1e6, run.samplesPerSecond(),
                run.energyJoulesPerSample() * 1e6));
        trailingCells.forEach(c -> cells.add(String.valueOf(c)));
        markdown.append("| ").append(String.join(" | ", cells)).append(" |").append(System.lineSeparator());
    }

    /** The section so far. */
    String markdown() {
        return markdown.toString();
    }
}
