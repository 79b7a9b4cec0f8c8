package org.spinnaker4j.mapper.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.backend.frontend.Dl4jFrontEnd;
import org.spinnaker4j.backend.runtime.NativeCoreMemory;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.backend.sim.EmbeddedSimulator;
import org.spinnaker4j.backend.sim.SimulatorParameters;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.tdma.TdmaScheduler;

/**
 * A slicing of the softmax network (100-100-100-300-100-100, softmax layers spread over reduce cores) whose pipelined
 * schedule let a layer-2 reduce get the next sample's partials while it was still exchanging its softmax
 * ({@code SAMPLE_OVERLAP}; FASTEST took it in session 15 with moves of 0.5 % allowed): laid out by the mapper as it is,
 * it runs a batch with no drop and no overrun, every sample getting the bits it gets alone.
 */
class SoftmaxSpanLayoutTest {

    /** The 664-core slicing: two sources per input row slice, layer 2's 100 inputs in 15 slices gathered 4 a row. */
    private static final Slicing SLICING = new Slicing(new int[] {3, 12, 15, 34, 18, 25},
            new int[] {1, 3, 4, 5, 3, 1}, 2);

    @Test
    void samplesOfTheSoftmaxNetworkDoNotOverlapAtItsReduces() {
        NetworkSpec network = Dl4jFrontEnd.translate(ReferenceNetworks.softmaxNetwork(), false);
        SimulatorParameters parameters = SimulatorParameters.defaults();
        Mapping mapping = new Mapper(PartitioningStrategy.FASTEST, new NativeCoreMemory(), new TdmaScheduler(
                parameters.cost(), parameters.timing(), parameters.coreReceiveDepth()))
                .layOut(network, GraphBuilder.build(network, SLICING.layerSlicing(network)), Machine.spinn5());
        assertEquals(664, mapping.coresUsed(), mapping.describe());
        assertTrue(mapping.tdma().pipelined(), mapping.describe());
        List<DenseParameters> weights = randomParameters(network);
        float[][] samples = randomSamples(4, network.layers().get(0).nIn());
        try (EmbeddedSimulator sim = new EmbeddedSimulator(parameters)) {
            sim.load(mapping, weights);
            float[][] batch = sim.run(samples);
            RunStats stats = sim.lastRunStats();
            assertEquals(0, stats.packetsDropped(), stats.toString());
            assertEquals(0, stats.tdmaOverruns(), stats.toString());
            for (int r = 0; r < samples.length; r++) {
                assertArrayEquals(sim.run(new float[][] {samples[r]})[0], batch[r], "sample " + r);
            }
        }
    }

    private static List<DenseParameters> randomParameters(NetworkSpec network) {
        Random random = new Random(3);
        List<DenseParameters> params = new ArrayList<>();
        for (DenseLayerSpec l : network.layers()) {
            params.add(new DenseParameters(l.weightRows(), l.weightCols(),
                    gaussian(random, l.weightRows() * l.weightCols()), gaussian(random, l.weightCols())));
        }
        return params;
    }

    private static float[][] randomSamples(int rows, int cols) {
        Random random = new Random(17);
        float[][] samples = new float[rows][];
        for (int r = 0; r < rows; r++) {
            samples[r] = gaussian(random, cols);
        }
        return samples;
    }

    private static float[] gaussian(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * 0.3);
        }
        return v;
    }
}
