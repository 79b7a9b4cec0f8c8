package org.spinnaker4j.benchmarks;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link SeedNetworkOutputBenchmark} and prints, for each partitioning, the simulator's host
 * time of {@code output()} on 500 rows over nd4j-native's, both measured in this run (issue 10's
 * target: at most 10). Usage: {@code SeedNetworkOutputRatio [JMH options]}, e.g. {@code -wi 1 -i 3}, or {@code -p
 * hostThreads=1,2} for the simulator on one host thread and on two lanes.
 */
public final class SeedNetworkOutputRatio {

    private SeedNetworkOutputRatio() {
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        Options options = new OptionsBuilder().parent(new CommandLineOptions(args))
                .include(SeedNetworkOutputBenchmark.class.getName()).build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, Double> cpu = new TreeMap<>();
        Map<String, Double> simulator = new TreeMap<>();
        for (RunResult r : results) {
            String run = r.getParams().getParam("strategy") + " | " + r.getParams().getParam("hostThreads");
            double ms = r.getPrimaryResult().getScore();
            (r.getParams().getBenchmark().endsWith("cpuNd4jNative") ? cpu : simulator).put(run, ms);
        }
        System.out.println("| partitioning | simulator's host threads | nd4j-native ms | simulator ms "
                + "| simulator / nd4j-native |");
        System.out.println("|---|---|---|---|---|");
        simulator.forEach((run, ms) -> System.out.printf(Locale.ROOT, "| %s | %.3f | %.1f | %.1f |%n", run,
                cpu.get(run), ms, ms / cpu.get(run)));
    }
}
