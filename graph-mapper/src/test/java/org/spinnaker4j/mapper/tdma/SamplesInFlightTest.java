package org.spinnaker4j.mapper.tdma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Conv1DGeometry;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.LossFunction;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.PoolingSpec;
import org.spinnaker4j.mapper.ir.TrainingSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * With a batch normalization, every training core at or before the last one holds the largest mini-batch all of them
 * can hold (a segmented mini-batch), the cores after it the pipeline's samples.
 */
class SamplesInFlightTest {

    /**
     * BatchNormalization of 4 features → a dense layer (4 → 3), trained with MSE: a fully connected network as the front
     * end lowers it, an image of one pixel.
     */
    private static NetworkSpec normThenDense() {
        DenseLayerSpec norm = DenseLayerSpec.batchNorm(Conv2DGeometry.dense(4, 1, 1, 4).alongRows(),
                PoolingSpec.batchNorm(1e-3, true));
        DenseLayerSpec pointwise = DenseLayerSpec.convolution(Conv2DGeometry.dense(4, 1, 1, 3).alongRows(),
                Activation.of(ActivationKind.IDENTITY), true);
        return new NetworkSpec(List.of(norm, pointwise), new TrainingSpec(LossFunction.MSE,
                Collections.nCopies(2, new UpdaterSpec(UpdaterType.SGD, 0.1f, 0f, 0f, 0f)), true));
    }

    private static Mapping map(NetworkSpec network) {
        return new Mapper(PartitioningStrategy.FASTEST, TdmaSchedulerTest.holding(64),
                new TdmaScheduler(CoreCostModel.ARM968_SOFT_FLOAT, MachineTiming.SPINNAKER1,
                        TdmaScheduler.DEFAULT_RECEIVE_QUEUE)).map(network, Machine.spinn5Triads(1, 1));
    }

    @Test
    void coresUpToTheLastNormalizationHoldTheLargestMiniBatchTheyAllHold() {
        Mapping m = map(normThenDense());
        TdmaSchedule tdma = m.tdma();
        assertTrue(tdma.pipelined(), "period " + tdma.periodClocks() + " step " + tdma.stepClocks());
        assertEquals(64, m.largestMiniBatch());
        int pipeline = SamplesInFlight.needed(tdma.stepClocks(), tdma.periodClocks());
        TdmaSchedule twenty = SamplesInFlight.fit(tdma.withPeriod(tdma.periodClocks(),
                Collections.nCopies(tdma.samplesInFlight().size(), 1)), m.graph(), m.network(),
                (v, samples) -> samples <= (v.layer() == 0 && v.cols().lo() == 0 ? 20 : 64));
        assertEquals(20, SamplesInFlight.largestMiniBatch(twenty, m.graph(), m.network()));
        for (MachineVertex v : m.graph().vertices()) {
            boolean holds = v.kind() == VertexKind.DENSE_BLOCK || v.kind() == VertexKind.REDUCE;
            assertEquals(!holds ? 1 : v.layer() == 0 ? 64 : pipeline, tdma.samplesInFlight(v.id()), v.toString());
            assertEquals(!holds ? 1 : v.layer() == 0 ? 20 : pipeline, twenty.samplesInFlight(v.id()), v.toString());
        }
    }

    /** Without a normalization, or with one that does not train (per position of a sequence), no core holds more. */
    @Test
    void withoutANormalizationPerFeatureThereIsNoMiniBatchLimit() {
        TrainingSpec sgd = new TrainingSpec(LossFunction.MSE, Collections.nCopies(2,
                new UpdaterSpec(UpdaterType.SGD, 0.1f, 0f, 0f, 0f)), true);
        NetworkSpec dense = new NetworkSpec(List.of(normThenDense().layers().get(1)),
                new TrainingSpec(LossFunction.MSE, sgd.updaters().subList(0, 1), true));
        assertEquals(0, map(dense).largestMiniBatch());
        NetworkSpec sequence = new NetworkSpec(List.of(DenseLayerSpec.batchNorm(new Conv1DGeometry(4, 5, 4, 1, 1, 0,
                5, false), PoolingSpec.batchNorm(1e-3, true)), DenseLayerSpec.convolution(new Conv1DGeometry(4, 5, 3,
                1, 1, 0, 5, true), Activation.of(ActivationKind.IDENTITY), true)), sgd);
        Mapping m = map(sequence);
        assertEquals(0, m.largestMiniBatch());
        int pipeline = SamplesInFlight.needed(m.tdma().stepClocks(), m.tdma().periodClocks());
        assertTrue(m.tdma().samplesInFlight().stream().allMatch(n -> n == 1 || n == pipeline),
                m.tdma().samplesInFlight().toString());
    }
}
