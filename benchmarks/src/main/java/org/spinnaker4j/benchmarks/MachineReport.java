package org.spinnaker4j.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.PacketLossException;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.backend.sim.SendMode;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.cost.BoundCalculator;
import org.spinnaker4j.mapper.cost.ComputeLimit;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.cost.SampleBound;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.tdma.StepWindows;

/**
 * The machine report: for the seed network, the MNIST MLP, a network of softmax layers that
 * span cores, a Conv1D network and a small Conv2D network with pooling, every partitioning strategy × {BURST, TDMA} runs inference on a
 * batch and one training mini-batch on a simulated SpiNN-5 board. The report
 * gives, per run, time (latency, throughput, against the compute limit of the whole board and
 * against the mapping's own time bound ({@link BoundCalculator}), and the host link's time),
 * energy, packets forward and backward, link load, drops and overruns, as Markdown and as an HTML
 * page with a per-chip heat map of packets and drops.
 * After it, issue 10's targets against those runs ({@link TimeTargets}), {@link ArithmeticComparison}'s table of
 * float32 against s16.15 fixed point with issue 12's targets, and {@link TrainingArithmeticComparison}'s for training.
 * Usage: {@code MachineReport [output directory [MNIST directory]]}.
 */
public final class MachineReport {

    static final String SEED = "seed 10-50-50-300-50-25";
    static final String MNIST = "MNIST MLP 784-256-128-10";

    /**
     * One configuration's outcome; {@code bound} is its mapping's time bound per sample, {@code limitSeconds}
     * the board's compute limit per sample for the pass, {@code stepWindows} an inference mapping's longest forward
     * TDMA windows ({@link StepWindows}; empty for training).
     */
    record Row(String network, String pass, PartitioningStrategy strategy, SendMode mode, RunStats stats,
            SampleBound bound, double limitSeconds, String outcome, String stepWindows) {

        /** The run's share of its mapping's bound: the bound's time a sample over the run's. */
        double shareOfBound() {
            return bound.microseconds(MachineTiming.SPINNAKER1) / 1e6 / stats.simulatedSecondsPerSample();
        }
    }

    /**
     * How many samples each pass runs: a batch for inference, a mini-batch for training, and fewer
     * for neuron-per-core training where it delivers millions of packets per sample (a mini-batch of a few
     * samples is mostly the pipeline's fill and the once-a-mini-batch update, so its share of the bound is low).
     */
    private record Samples(int inference, int training, int trainingNeuronPerCore) {
    }

    /** How many of a mapping's longest TDMA windows the targets' table names. */
    private static final int STEP_WINDOWS = 3;

    private MachineReport() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/machine-report");
        Files.createDirectories(out);
        List<Row> rows = new ArrayList<>();
        List<PartitioningStrategy> all = List.of(PartitioningStrategy.values());
        rows.addAll(measure(Workload.dense(SEED, ReferenceNetworks.seedNetwork(), 10, 25),
                new Samples(200, 32, 4), all));
        rows.addAll(measure(Workload.dense(MNIST, ReferenceNetworks.mnistMlp(), 784, 10),
                new Samples(500, 32, 2), all));
        // 800 neurons: one per core does not fit the board's 768 cores
        rows.addAll(measure(Workload.dense("softmax 100-100-100-300-100-100", ReferenceNetworks.softmaxNetwork(), 100,
                100), new Samples(200, 32, 2), List.of(PartitioningStrategy.FASTEST, PartitioningStrategy.FEWEST_CORES)));
        rows.addAll(measure(new Workload("Conv1D 4x32 -> 8 (k5) -> 8 (k3 s2) -> 5 per position",
                ReferenceNetworks.conv1dNetwork(), 32, n -> Nd4j.rand(DataType.FLOAT, n, 4, 32),
                n -> oneHot(n * 16, 5)), new Samples(200, 32, 32), all));
        rows.addAll(measure(Workload.dense("Conv2D 1x12x12 -> 4 (3x3) -> max 2x2 -> 8 (3x3) -> 10",
                ReferenceNetworks.conv2dNetwork(), 12 * 12, 10), new Samples(200, 32, 4), all));
        Path mnist = Path.of(args.length > 1 ? args[1] : "data/mnist");
        String markdown = markdown(rows) + TimeTargets.markdown(rows) + ArithmeticComparison.markdown(mnist)
                + TrainingArithmeticComparison.markdown(mnist);
        Files.writeString(out.resolve("machine-report.md"), markdown);
        Files.writeString(out.resolve("machine-report.html"), html(rows));
        System.out.println(markdown);
        System.out.println("Written to " + out.toAbsolutePath());
    }

    /**
     * A network and its data: {@code sequenceLength} is its input sequences' length (0 for a fully connected
     * network), {@code features(n)} and {@code labels(n)} give n samples' inputs and label rows.
     */
    private record Workload(String name, MultiLayerConfiguration conf, int sequenceLength,
            IntFunction<INDArray> features, IntFunction<INDArray> labels) {

        /** A fully connected network with {@code nIn} inputs and {@code nOut} one-hot classes. */
        static Workload dense(String name, MultiLayerConfiguration conf, int nIn, int nOut) {
            return new Workload(name, conf, 0, n -> Nd4j.rand(DataType.FLOAT, n, nIn), n -> oneHot(n, nOut));
        }
    }

    private static List<Row> measure(Workload work, Samples samples, List<PartitioningStrategy> strategies) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(work.conf().clone());
        cpu.init();
        Nd4j.getRandom().setSeed(17);
        INDArray x = work.features().apply(samples.inference());
        List<Row> rows = new ArrayList<>();
        for (PartitioningStrategy strategy : strategies) {
            for (SendMode mode : SendMode.values()) {
                SpiNNakerOptions.Builder builder = SpiNNakerOptions.builder().machine(Machine.spinn5())
                        .partitioning(strategy).sendMode(mode);
                SpiNNakerOptions options = (work.sequenceLength() > 0 ? builder.sequenceLength(work.sequenceLength())
                        : builder).build();
                try (SpiNNakerMultiLayerNetwork net = SpiNNakerMultiLayerNetwork.wrap(cpu, options)) {
                    String outcome;
                    try {
                        INDArray result = net.output(x);
                        double diff = result.sub(cpu.output(x)).amaxNumber().doubleValue();
                        outcome = String.format(Locale.ROOT, "ok, max difference %.1e", diff);
                    } catch (PacketLossException e) {
                        outcome = "packets lost";
                    }
                    rows.add(new Row(work.name(), "inference", strategy, mode, net.lastRunStats(),
                            bound(net.mapping()), limit(net.mapping()), outcome,
                            StepWindows.longest(net.mapping().graph(), net.mapping().tdma(), STEP_WINDOWS)));
                    int n = strategy == PartitioningStrategy.NEURON_PER_CORE ? samples.trainingNeuronPerCore()
                            : samples.training();
                    DataSet batch = new DataSet(x.get(NDArrayIndex.interval(0, n)), work.labels().apply(n));
                    try {
                        net.fit(batch);
                        outcome = String.format(Locale.ROOT, "ok, score %.4f", net.score());
                    } catch (PacketLossException e) {
                        outcome = "packets lost";
                    }
                    rows.add(new Row(work.name(), "training", strategy, mode, net.lastTrainingStats(),
                            bound(net.trainingMapping()), limit(net.trainingMapping()), outcome, ""));
                    System.err.printf("%s %s %s: %s%n", work.name(), strategy, mode, outcome);
                }
            }
        }
        return rows;
    }

    /** {@code m}'s time bound a sample, as the FASTEST partitioner computes it. */
    static SampleBound bound(Mapping m) {
        return BoundCalculator.SPINNAKER1.bound(m.network(), m.graph(), m.placements(), m.machine());
    }

    private static double limit(Mapping m) {
        return ComputeLimit.secondsPerSample(m.network(), m.machine(), CoreCostModel.ARM968_SOFT_FLOAT,
                MachineTiming.SPINNAKER1);
    }

    private static INDArray oneHot(int rows, int classes) {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, rows, classes);
        for (int r = 0; r < rows; r++) {
            labels.putScalar(r, r % classes, 1f);
        }
        return labels;
    }

    private static String markdown(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Machine report: inference and training on a simulated SpiNN-5 board\n\n");
        sb.append("Inference runs a batch through the forward pass; training runs one mini-batch (forward and "
                + "backward per sample, then the update); under TDMA the samples are pipelined, a sample starting every "
                + "period. The seed network's loss is MSE, so its labels are one-hot vectors treated as regression "
                + "targets. The Conv1D network's labels are a row per sample and output position; its kernels are held "
                + "by several position blocks, whose gradients meet at each parameter chunk's owner once per "
                + "mini-batch. "
                + "Time: the latency (the longest any sample took from its start to its result), the simulated time "
                + "per sample (the run's length over its samples: 1 / throughput), the board's compute limit (every "
                + "one of its 768 application cores doing nothing but the pass's soft-float MACs: one per weight "
                + "forward, three in training) and the share of it reached, the mapping's time bound per sample "
                + "with samples pipelined (the busiest core's cycles, link's or router's packets, from the cost model "
                + "and the routes, as the FASTEST partitioner computes it), what sets it and the share reached, the "
                + "host link's time to move each sample in and its results out (beside the machine's time, not in "
                + "it), and energy from SpiNNMachine's power figures. Packets per sample: sent by cores forward and "
                + "backward, delivered to cores, on the busiest link; router drops (reinjected or lost), packets lost "
                + "in full core receive queues, TDMA slots missed. A BURST run stops at the first sample that loses "
                + "a packet, so its figures cover the samples it ran.\n\n");
        sb.append("| network | pass | partitioning | send | cores / chips | samples | latency µs | µs / sample "
                + "| samples / s | compute limit µs | of limit | mapping bound µs | of bound | host link µs / sample "
                + "| µJ / sample | sent forward | sent backward | delivered | peak link | dropped | reinjected | lost "
                + "| overruns | result |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            RunStats s = r.stats();
            double perSample = s.simulatedSecondsPerSample();
            sb.append(String.format(Locale.ROOT,
                    "| %s | %s | %s | %s | %d / %d | %d | %.1f | %.1f | %.0f | %.1f | %.0f %% | %.1f (%s) | %.0f %% "
                            + "| %.1f | %.1f | %.0f | %.0f | %.0f | %.0f | %d | %d | %d | %d | %s |%n",
                    r.network(), r.pass(), r.strategy(), r.mode(), s.coresUsed(), s.chipsUsed(), s.samples(),
                    s.latencySeconds() * 1e6, perSample * 1e6, s.samplesPerSecond(), r.limitSeconds() * 1e6,
                    100 * r.limitSeconds() / perSample, r.bound().microseconds(MachineTiming.SPINNAKER1),
                    r.bound().limitedBy(), 100 * r.shareOfBound(),
                    s.hostSecondsPerSample() * 1e6, s.energyJoulesPerSample() * 1e6, s.forwardPacketsPerSample(),
                    s.backwardPacketsPerSample(), s.packetsDeliveredPerSample(),
                    (double) s.peakLinkPackets() / s.samples(), s.packetsDropped(), s.packetsReinjected(),
                    s.packetsLost(), s.tdmaOverruns(), r.outcome()));
        }
        return sb.toString();
    }

    private static String html(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>spinnaker4j machine report</title>"
                + "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}"
                + ".map td{width:46px;height:30px;text-align:center;font-size:10px;border:1px solid #fff}"
                + ".maps{display:flex;flex-wrap:wrap;gap:24px}</style></head><body>");
        sb.append("<h1>spinnaker4j machine report</h1><p>Per-chip heat maps of one SpiNN-5 board: shade = packets "
                + "routed by the chip's router per sample (darkest = the busiest chip of that run); a red border and "
                + "count = packets dropped there (by its router, or by its cores' full receive queues). "
                + "Chip (0,0), the Ethernet chip, is bottom left.</p>");
        sb.append(markdownTableAsHtml(rows));
        sb.append("<div class=\"maps\">");
        for (Row r : rows) {
            sb.append("<div><h3>").append(r.network()).append(", ").append(r.pass()).append("<br>")
                    .append(r.strategy()).append(" + ")
                    .append(r.mode()).append(" (").append(r.outcome()).append(")</h3>").append(heatMap(r.stats()))
                    .append("</div>");
        }
        sb.append("</div></body></html>\n");
        return sb.toString();
    }

    private static String markdownTableAsHtml(List<Row> rows) {
        StringBuilder sb = new StringBuilder("<table>");
        String[] lines = markdown(rows).split("\n");
        for (String line : lines) {
            if (!line.startsWith("|") || line.startsWith("|---")) {
                continue;
            }
            boolean header = line.contains("partitioning");
            sb.append("<tr>");
            for (String cell : line.substring(1, line.length() - 1).split("\\|")) {
                sb.append(header ? "<th>" : "<td>").append(cell.trim()).append(header ? "</th>" : "</td>");
            }
            sb.append("</tr>");
        }
        return sb.append("</table>").toString();
    }

    private static String heatMap(RunStats s) {
        Machine board = Machine.spinn5();
        long max = s.chips().stream().mapToLong(RunStats.ChipStats::routed).max().orElse(1);
        StringBuilder sb = new StringBuilder("<table class=\"map\">");
        for (int y = board.height() - 1; y >= 0; y--) {
            sb.append("<tr>");
            for (int x = 0; x < board.width(); x++) {
                int cx = x;
                int cy = y;
                boolean present = board.chips().stream().anyMatch(c -> c.location().x() == cx && c.location().y() == cy);
                RunStats.ChipStats chip = s.chips().stream()
                        .filter(c -> c.chip().x() == cx && c.chip().y() == cy).findFirst().orElse(null);
                if (!present) {
                    sb.append("<td style=\"background:#fff\"></td>");
                    continue;
                }
                long routed = chip == null ? 0 : chip.routed();
                long dropped = chip == null ? 0 : chip.dropped() + chip.coreReceiveDrops();
                int shade = (int) Math.round(230 - 200.0 * routed / Math.max(1, max));
                sb.append(String.format(Locale.ROOT, "<td style=\"background:rgb(%d,%d,255);%s\" title=\"(%d,%d)\">%s"
                        + "</td>", shade, shade, dropped > 0 ? "border:3px solid red" : "", x, y,
                        routed == 0 ? "" : (routed / s.samples()) + (dropped > 0 ? "<br>✕" + dropped : "")));
            }
            sb.append("</tr>");
        }
        return sb.append("</table>").toString();
    }
}
