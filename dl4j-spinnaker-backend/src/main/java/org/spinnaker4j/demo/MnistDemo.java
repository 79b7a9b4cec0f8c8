package org.spinnaker4j.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.SplitTestAndTrain;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.cost.ComputeLimit;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * The demos: trains a {@link DemoPlan}'s network on the first 8,000 digits twice from the same initial parameters,
 * with DL4J on the CPU and on a simulated SpiNN-5 board, then evaluates both on the last 2,000 digits (on the CPU and
 * on the machine respectively) and prints the accuracies and, for the trained partitioning and, on a single small
 * mini-batch, the plan's sampled ones: cores used, packets per sample forward and backward, drops, latency,
 * throughput, the share of the board's compute limit, energy and host link time. The CPU baseline and the sampled
 * runs use the host's second core while the machine trains; the output is the same, in the same order, as if they
 * ran one after another. Arguments: the MNIST directory, then the plan's name ({@link DemoPlan#named}, {@code mlp} by
 * default).
 */
public final class MnistDemo {

    private static final int TRAIN = 8000;
    private static final int BATCH = 32;
    /** The output's sections, in the order they are printed: the CPU, the trained run, then each sampled one. */
    private static final int CPU = 0;
    private static final int TRAINED = 1;

    private MnistDemo() {
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Path dir = Path.of(args.length > 0 ? args[0] : "data/mnist");
        DemoPlan plan = DemoPlan.named(args.length > 1 ? args[1] : "mlp");
        DataSet all = MnistIdx.load(dir);
        SplitTestAndTrain split = all.splitTestAndTrain(TRAIN);
        DataSet train = split.getTrain();
        DataSet test = split.getTest();
        OrderedOutput out = new OrderedOutput(System.out, TRAINED + 1 + plan.sampled().size());
        out.printf(CPU, "MNIST, %s: %d training and %d test digits from %s; %d epochs, mini-batches of %d%n",
                plan.name(), train.numExamples(), test.numExamples(), dir, plan.epochs(), BATCH);

        MultiLayerNetwork cpu = new MultiLayerNetwork(plan.network().get());
        cpu.init();
        INDArray initial = cpu.params().dup();
        // the CPU baseline and the sampled runs do not depend on the trained run: they run on the host's other core
        // meanwhile, their lines printed in the same order as when they ran one after another
        ExecutorService other = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "demo-cpu-and-sampled-runs");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<Evaluation> cpuDone = other.submit(() -> trainOnCpu(plan, cpu, train, test, out));
            List<Future<?>> sampledDone = new ArrayList<>();
            for (int s = 0; s < plan.sampled().size(); s++) {
                int section = TRAINED + 1 + s;
                sampledDone.add(other.submit(() -> sampled(plan, section, initial, train, out)));
            }
            trainOnMachine(plan, initial, train, test, cpu, cpuDone, out);
            for (Future<?> done : sampledDone) {
                done.get();
            }
        } finally {
            other.shutdownNow();
        }
    }

    /** Trains and evaluates the CPU baseline (section {@link #CPU}); returns its evaluation on the test digits. */
    private static Evaluation trainOnCpu(DemoPlan plan, MultiLayerNetwork cpu, DataSet train, DataSet test,
            OrderedOutput out) {
        for (int epoch = 1; epoch <= plan.epochs(); epoch++) {
            long t0 = System.nanoTime();
            cpu.fit(new ListDataSetIterator<>(train.asList(), BATCH));
            out.printf(CPU, "CPU (nd4j-native) epoch %d/%d: score %.4f, %.1f s%n", epoch, plan.epochs(), cpu.score(),
                    (System.nanoTime() - t0) / 1e9);
        }
        Evaluation cpuEval = new Evaluation(10);
        cpuEval.eval(test.getLabels(), cpu.output(test.getFeatures()));
        out.done(CPU);
        return cpuEval;
    }

    /**
     * Trains and evaluates on the simulated machine with the plan's trained partitioning (section {@link #TRAINED}),
     * and compares with the CPU baseline once it is done.
     */
    private static void trainOnMachine(DemoPlan plan, INDArray initial, DataSet train, DataSet test,
            MultiLayerNetwork cpu, Future<Evaluation> cpuDone, OrderedOutput out)
            throws InterruptedException, ExecutionException {
        String strategy = plan.trained().name() + (plan.arithmetic() == Arithmetic.FLOAT32 ? "" : " s16.15");
        SpiNNakerOptions options = SpiNNakerOptions.builder().partitioning(plan.trained())
                .arithmetic(plan.arithmetic()).fixedPointRounding(plan.rounding()).build();
        try (SpiNNakerMultiLayerNetwork block = new SpiNNakerMultiLayerNetwork(plan.network().get(), options)) {
            block.init();
            block.setParams(initial);
            RunStats training = null;
            long events = 0;
            double wall = 0;
            for (int epoch = 1; epoch <= plan.epochs(); epoch++) {
                long t0 = System.nanoTime();
                EventCounter counter = new EventCounter();
                block.setListeners(counter);
                block.fit(new ListDataSetIterator<>(train.asList(), BATCH));
                double seconds = (System.nanoTime() - t0) / 1e9;
                training = block.lastTrainingStats();
                events += counter.events;
                wall += seconds;
                out.printf(TRAINED, "SpiNNaker (%s) epoch %d/%d: score %.4f, %.1f s host time, %.2f s simulated, "
                        + "%d packets dropped%n", strategy, epoch, plan.epochs(), block.score(), seconds,
                        counter.simulatedSeconds, counter.dropped);
            }
            out.printf(TRAINED, "SpiNNaker (%s): evaluating %d test digits on the simulated machine...%n", strategy,
                    test.numExamples());
            INDArray output = block.output(test.getFeatures());
            Evaluation eval = new Evaluation(10);
            eval.eval(test.getLabels(), output);
            RunStats inference = block.lastRunStats();
            Evaluation cpuEval = cpuDone.get();
            out.printf(TRAINED, "%nTest accuracy: CPU (nd4j-native) %.2f %%, SpiNNaker %.2f %% (difference %.2f points)%n",
                    100 * cpuEval.accuracy(), 100 * eval.accuracy(), 100 * Math.abs(eval.accuracy() - cpuEval.accuracy()));
            out.printf(TRAINED, "Max |parameter difference| after %d iterations: %.3g (%s)%n", block.getIterationCount(),
                    Transforms.abs(block.params().sub(cpu.params())).maxNumber().doubleValue(),
                    plan.arithmetic() == Arithmetic.FLOAT32 ? "the cores add in another order than nd4j's matrix "
                            + "products and round each block's sums once; Adam amplifies these float32 differences "
                            + "over the epochs" : "the cores compute and update in s16.15 fixed point, "
                            + plan.rounding() + ", where the CPU computes in float32");
            report(out, TRAINED, strategy, training, block.trainingMapping(), inference, block.mapping());
            out.printf(TRAINED, "  simulator speed: %.2f M events per second of host time while training%n",
                    events / wall / 1e6);
            out.done(TRAINED);
        }
    }

    /** Trains one mini-batch with a sampled partitioning and runs a batch (section {@code section}). */
    private static Void sampled(DemoPlan plan, int section, INDArray initial, DataSet train, OrderedOutput out) {
        DemoPlan.Sampled sample = plan.sampled().get(section - TRAINED - 1);
        PartitioningStrategy strategy = sample.strategy();
        SpiNNakerOptions options = SpiNNakerOptions.builder().partitioning(strategy).build();
        try (SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(plan.network().get(), options)) {
            net.init();
            net.setParams(initial);
            net.fit((DataSet) train.getRange(0, sample.digits()));
            net.output(((DataSet) train.getRange(0, sample.inferenceDigits())).getFeatures());
            out.printf(section, "%s on one mini-batch of %d digits, inference on %d:%n", strategy, sample.digits(),
                    sample.inferenceDigits());
            report(out, section, strategy.name(), net.lastTrainingStats(), net.trainingMapping(), net.lastRunStats(),
                    net.mapping());
        }
        out.done(section);
        return null;
    }

    private static void report(OrderedOutput out, int section, String strategy, RunStats training,
            Mapping trainingMapping, RunStats inference, Mapping inferenceMapping) {
        out.printf(section, "  %-15s training:  %4d cores on %2d chips, per sample %6.0f packets forward and %8.0f "
                + "backward (%9.0f delivered), %d dropped; %s%n", strategy, training.coresUsed(), training.chipsUsed(),
                training.forwardPacketsPerSample(), training.backwardPacketsPerSample(),
                training.packetsDeliveredPerSample(), training.packetsDropped(), time(training, trainingMapping));
        out.printf(section, "  %-15s inference: %4d cores on %2d chips, per sample %6.0f packets sent (%9.0f delivered), "
                + "%d dropped; %s%n", strategy, inference.coresUsed(), inference.chipsUsed(),
                inference.packetsSentPerSample(), inference.packetsDeliveredPerSample(), inference.packetsDropped(),
                time(inference, inferenceMapping));
    }

    /** Latency, throughput, the share of the board's compute limit, energy and host link time of a run. */
    private static String time(RunStats s, Mapping m) {
        double limit = ComputeLimit.secondsPerSample(m.network(), m.machine(), CoreCostModel.ARM968_SOFT_FLOAT,
                MachineTiming.SPINNAKER1);
        return String.format("latency %.0f µs, %.0f µs per sample (%.0f samples/s, %.0f %% of the board's compute "
                + "limit of %.0f µs), %.0f µJ per sample; host link %.0f µs per sample", s.latencySeconds() * 1e6,
                s.simulatedSecondsPerSample() * 1e6, s.samplesPerSecond(),
                100 * limit / s.simulatedSecondsPerSample(), limit * 1e6, s.energyJoulesPerSample() * 1e6,
                s.hostSecondsPerSample() * 1e6);
    }

    /** Adds up the machine's statistics over an epoch's mini-batches. */
    private static final class EventCounter extends org.deeplearning4j.optimize.api.BaseTrainingListener {
        long events;
        long dropped;
        double simulatedSeconds;

        @Override
        public void iterationDone(org.deeplearning4j.nn.api.Model model, int iteration, int epoch) {
            RunStats s = ((SpiNNakerMultiLayerNetwork) model).lastTrainingStats();
            events += s.events();
            dropped += s.packetsDropped();
            simulatedSeconds += s.simulatedSeconds();
        }
    }
}
