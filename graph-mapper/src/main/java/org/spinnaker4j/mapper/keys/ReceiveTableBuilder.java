package org.spinnaker4j.mapper.keys;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;

/**
 * Works out, for every vertex, which keys it receives and where each value goes in its
 * input; ranges that continue one another (consecutive keys, consecutive slots) are merged.
 */
public final class ReceiveTableBuilder {

    public List<List<InputRange>> build(MachineGraph graph, RoutingInfo keys) {
        List<List<InputRange>> tables = new ArrayList<>();
        for (MachineVertex v : graph.vertices()) {
            List<InputRange> ranges = new ArrayList<>();
            for (OutgoingPartition p : graph.incoming(v.id())) {
                ranges.add(rangeFor(v, p, keys.of(p.id())));
            }
            tables.add(merge(ranges));
        }
        return tables;
    }

    private static InputRange rangeFor(MachineVertex v, OutgoingPartition p, KeyAndMask km) {
        if (p.kind() == PartitionKind.SOFTMAX_SYNC) {
            return new InputRange(km.key(), km.key() + 2, 0, PartitionKind.SOFTMAX_SYNC);
        }
        Slice in = v.inputSlice();
        if (p.values().lo() < in.lo() || p.values().hi() > in.hi()) {
            throw new MappingException("partition " + p.id() + " sends values " + p.values() + " to " + v
                    + ", which takes only " + in + "; the partitioner must align the slices");
        }
        return new InputRange(km.key(), km.key() + p.values().size(), p.values().lo() - in.lo(),
                PartitionKind.FORWARD);
    }

    private static List<InputRange> merge(List<InputRange> ranges) {
        List<InputRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(r -> Integer.toUnsignedLong(r.keyLo())));
        List<InputRange> merged = new ArrayList<>();
        for (InputRange r : sorted) {
            InputRange last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && last.kind() == PartitionKind.FORWARD && r.kind() == PartitionKind.FORWARD
                    && last.keyHi() == r.keyLo()
                    && last.localOffset() + (last.keyHi() - last.keyLo()) == r.localOffset()) {
                merged.set(merged.size() - 1, new InputRange(last.keyLo(), r.keyHi(), last.localOffset(),
                        PartitionKind.FORWARD));
            } else {
                merged.add(r);
            }
        }
        return merged;
    }
}
