package org.spinnaker4j.benchmarks;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * Host time of {@code output()} for the 2020 seed network (10-50-50-300-50-25) on a batch of
 * 500 uniform inputs: nd4j-native on the CPU against the embedded SpiNNaker simulator with
 * each partitioning strategy (on 1 host thread, or on 2 with {@code -p hostThreads=2}). Measures the simulator's
 * cost to the user, not SpiNNaker's speed;
 * {@link SeedNetworkOutputRatio} runs it and prints the ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class SeedNetworkOutputBenchmark {

    @Param({"FASTEST", "FEWEST_CORES", "NEURON_PER_CORE"})
    public String strategy;

    /** The simulator's host threads ({@code SpiNNakerOptions.Builder.hostThreads}): 1, or 2 (two lanes). */
    @Param({"1"})
    public int hostThreads;

    private MultiLayerNetwork cpu;
    private SpiNNakerMultiLayerNetwork machine;
    private INDArray input;

    @Setup(Level.Trial)
    public void setUp() {
        MultiLayerConfiguration conf = ReferenceNetworks.seedNetwork();
        cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        machine = new SpiNNakerMultiLayerNetwork(conf.clone(), SpiNNakerOptions.builder()
                .partitioning(PartitioningStrategy.valueOf(strategy)).hostThreads(hostThreads).build());
        machine.init();
        machine.setParams(cpu.params());
        Nd4j.getRandom().setSeed(1);
        input = Nd4j.rand(DataType.FLOAT, 500, 10);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        machine.close();
    }

    @Benchmark
    public INDArray cpuNd4jNative() {
        return cpu.output(input);
    }

    @Benchmark
    public INDArray spinnakerSimulator() {
        return machine.output(input);
    }
}
