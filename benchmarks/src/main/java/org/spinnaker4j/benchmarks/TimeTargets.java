package org.spinnaker4j.benchmarks;

import java.util.Comparator;
import java.util.List;
import org.spinnaker4j.backend.sim.SendMode;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * Issue 10's time targets (one SpiNN-5, float32, default options: FASTEST and TDMA), checked against the machine
 * report's runs: met or not and, either way, what limits each (the mapping's time bound and what sets it for a
 * throughput, the step's longest TDMA windows for a latency, the lowest share for the bound target), so that the
 * report itself says where the machine stands.
 */
final class TimeTargets {

    private static final double MNIST_INFERENCE_PER_SECOND = 3_000;
    private static final double MNIST_INFERENCE_LATENCY_MICROS = 1_000;
    private static final double MNIST_TRAINING_PER_SECOND = 1_000;
    private static final double SEED_LATENCY_MICROS = 500;
    private static final double LEAST_SHARE_OF_BOUND = 0.5;

    private TimeTargets() {
    }

    /** The targets' table as Markdown, from {@code rows} (which must hold the default runs of both networks). */
    static String markdown(List<MachineReport.Row> rows) {
        MachineReport.Row mnistInference = defaultRun(rows, MachineReport.MNIST, "inference");
        MachineReport.Row mnistTraining = defaultRun(rows, MachineReport.MNIST, "training");
        MachineReport.Row seedInference = defaultRun(rows, MachineReport.SEED, "inference");
        List<MachineReport.Row> tdma = rows.stream().filter(r -> r.mode() == SendMode.TDMA).toList();
        MachineReport.Row lowest = tdma.stream().min(Comparator.comparingDouble(MachineReport.Row::shareOfBound))
                .orElseThrow();
        long lost = tdma.stream().mapToLong(r -> r.stats().packetsDropped() + r.stats().packetsLost()).sum();
        long overruns = tdma.stream().mapToLong(r -> r.stats().tdmaOverruns()).sum();
        return new TargetTable()
                .atLeast("MNIST MLP inference, samples / s (batch of " + mnistInference.stats().samples() + ")",
                        mnistInference.stats().samplesPerSecond(), MNIST_INFERENCE_PER_SECOND,
                        TargetTable.throughputLimit(mnistInference.stats(), mnistInference.bound()))
                .atMost("MNIST MLP inference latency, µs", latencyMicros(mnistInference),
                        MNIST_INFERENCE_LATENCY_MICROS, mnistInference.stepWindows())
                .atLeast("MNIST MLP training, samples / s (mini-batch of " + mnistTraining.stats().samples() + ")",
                        mnistTraining.stats().samplesPerSecond(), MNIST_TRAINING_PER_SECOND,
                        TargetTable.throughputLimit(mnistTraining.stats(), mnistTraining.bound()))
                .atMost("seed network inference latency, µs", latencyMicros(seedInference), SEED_LATENCY_MICROS,
                        seedInference.stepWindows())
                .atLeast("every TDMA mapping's share of its time bound, %", 100 * lowest.shareOfBound(),
                        100 * LEAST_SHARE_OF_BOUND, "lowest: " + lowest.network() + ", " + lowest.pass() + ", "
                                + lowest.strategy())
                .atMost("packets dropped or lost, TDMA slots missed, every TDMA run", lost + overruns, 0,
                        lost + " dropped or lost, " + overruns + " overruns in " + tdma.size() + " runs")
                .markdown("Issue 10's targets", "One SpiNN-5 board, float32, default options (FASTEST, TDMA), from "
                        + "the runs above. For a throughput, what limits it is the mapping's time bound a sample and "
                        + "what sets it (its busiest core, link or router); for a latency, the step's longest TDMA "
                        + "windows (the cores sending in each, its clocks and share of the step; windows of "
                        + "successive stages overlap where a stage streams its columns).");
    }

    /** The default options' run of {@code network}'s {@code pass}: FASTEST under TDMA. */
    private static MachineReport.Row defaultRun(List<MachineReport.Row> rows, String network, String pass) {
        return rows.stream().filter(r -> r.network().equals(network) && r.pass().equals(pass)
                && r.strategy() == PartitioningStrategy.FASTEST && r.mode() == SendMode.TDMA).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no FASTEST TDMA " + pass + " run of " + network));
    }

    private static double latencyMicros(MachineReport.Row r) {
        return r.stats().latencySeconds() * 1e6;
    }
}
