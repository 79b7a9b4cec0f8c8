package org.spinnaker4j.mapper.tdma;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.partition.KernelCopies;

/**
 * The kernel copies' shares in the order their kernels send them ({@link KernelCopies#shareOrder}): the SHARE
 * partition (to one owner) of each copy's k-th share. A SHARE window sends a share per copy per round, so round k
 * uses only the links and owners of the copies' k-th shares; the scheduler paces the window by those, not by every
 * link and owner of every copy at once.
 */
final class ShareRounds {

    /** Per copy's vertex id, the partition of each share it sends, in order. */
    private final Map<Integer, List<OutgoingPartition>> sends;

    private ShareRounds(Map<Integer, List<OutgoingPartition>> sends) {
        this.sends = sends;
    }

    /** The shares of every kernel copy of {@code graph}'s convolutions. */
    static ShareRounds of(NetworkSpec network, MachineGraph graph) {
        Map<Integer, List<OutgoingPartition>> sends = new HashMap<>();
        for (KernelCopies copies : KernelCopies.of(network, graph)) {
            if (!copies.exchanges() || !network.exchangesKernelCopies(copies.layer())) {
                continue;
            }
            for (int c = 0; c < copies.copies().size(); c++) {
                int vertex = copies.copies().get(c).vertex();
                List<OutgoingPartition> partitions = new ArrayList<>();
                for (KernelCopies.Chunk k : copies.shareOrder(c)) {
                    List<Integer> owner = List.of(copies.copies().get(k.owner()).vertex());
                    OutgoingPartition share = graph.outgoing(vertex).stream()
                            .filter(p -> p.kind() == PartitionKind.SHARE && p.targets().equals(owner)).findFirst()
                            .orElseThrow(() -> new IllegalStateException("copy " + vertex + " has no SHARE "
                                    + "partition to its chunk " + k.params() + "'s owner " + owner));
                    for (int i = 0; i < k.params().size(); i++) {
                        partitions.add(share);
                    }
                }
                sends.put(vertex, partitions);
            }
        }
        return new ShareRounds(sends);
    }

    /** The partition vertex {@code v} sends its {@code k}th share on, {@code null} past its last. */
    OutgoingPartition partition(int v, int k) {
        List<OutgoingPartition> own = sends.get(v);
        if (own == null) {
            throw new IllegalArgumentException("vertex " + v + " sends no shares");
        }
        return k < own.size() ? own.get(k) : null;
    }
}
