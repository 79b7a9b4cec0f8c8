package org.spinnaker4j.mapper.cost;

import java.util.List;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.partition.BatchNormExchange;
import org.spinnaker4j.mapper.tdma.TdmaScheduler;

/**
 * The core clocks a mini-batch's batch normalization exchanges take ({@link BatchNormExchange}: a normalization after
 * a 2-D convolution whose blocks share channels), as the simulator runs them: in each of the three rounds every block
 * computes its partial sums ({@link CoreCostModel#batchNormExchangeCycles}; the round waits for the slowest), then
 * receives its peers' sums, each for {@link CoreCostModel#batchNormPartialCycles}, which the schedule paces within
 * the {@link TdmaScheduler#SENDING_FRACTION sending fraction} of the busiest receiver. No sample moves while a round
 * runs, so the rounds add to a mini-batch's time whatever else its cores do.
 */
final class BatchNormRounds {

    private BatchNormRounds() {
    }

    /** The clocks of every exchanging normalization's rounds for a mini-batch of {@code batch} samples. */
    static long clocks(NetworkSpec network, MachineGraph graph, CoreCostModel cost, int batch) {
        long clocks = 0;
        for (int l = 0; l < network.layers().size(); l++) {
            int layer = l;
            List<MachineVertex> blocks = graph.vertices().stream().filter(v -> v.layer() == layer
                    && graph.outgoing(v.id()).stream().anyMatch(p -> p.kind() == PartitionKind.BATCH_NORM)).toList();
            if (blocks.isEmpty()) {
                continue;
            }
            int channels = network.layers().get(l).convolution().image().channelsIn();
            for (int round = 0; round < BatchNormExchange.ROUNDS; round++) {
                long work = 0;
                long receiving = 0;
                for (MachineVertex b : blocks) {
                    work = Math.max(work, cost.batchNormExchangeCycles(round, b.cols().size(), batch, blocks.size()));
                    long peers = graph.incoming(b.id()).stream()
                            .filter(p -> p.kind() == PartitionKind.BATCH_NORM).count();
                    receiving = Math.max(receiving, peers * channels * BatchNormExchange.sumsPerChannel(round)
                            * cost.batchNormPartialCycles());
                }
                clocks += work + (long) Math.ceil(receiving / TdmaScheduler.SENDING_FRACTION);
            }
        }
        return clocks;
    }
}
