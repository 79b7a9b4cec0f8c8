package org.spinnaker4j.mapper.keys;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.partition.KernelCopies;

/**
 * Works out, for every vertex, which keys it receives and where each value goes in its
 * input; ranges of one kind that continue one another (consecutive keys, consecutive slots)
 * are merged.
 */
public final class ReceiveTableBuilder {

    /** The receive tables of a graph without kernel copies' exchange (no PARAM partitions). */
    public List<List<InputRange>> build(MachineGraph graph, RoutingInfo keys) {
        return build(graph, keys, List.of());
    }

    /**
     * The receive tables of a graph whose kernel copies are {@code copies} ({@link KernelCopies#of}); a PARAM
     * partition's values go where the receiver's copy has them.
     */
    public List<List<InputRange>> build(MachineGraph graph, RoutingInfo keys, List<KernelCopies> copies) {
        Map<Integer, KernelCopies> copiesOf = new HashMap<>();
        for (KernelCopies k : copies) {
            k.copies().forEach(c -> copiesOf.put(c.vertex(), k));
        }
        List<List<InputRange>> tables = new ArrayList<>();
        for (MachineVertex v : graph.vertices()) {
            List<InputRange> ranges = new ArrayList<>();
            for (OutgoingPartition p : graph.incoming(v.id())) {
                ranges.addAll(p.kind() == PartitionKind.PARAM ? List.of(param(v, p, keys.of(p.id()), copiesOf))
                        : rangesFor(v, p, keys.of(p.id())));
            }
            tables.add(merge(ranges));
        }
        return tables;
    }

    /** A chunk's new values, at their index in the receiving copy's block. */
    private static InputRange param(MachineVertex v, OutgoingPartition p, KeyAndMask km,
            Map<Integer, KernelCopies> copiesOf) {
        KernelCopies copies = copiesOf.get(v.id());
        if (copies == null) {
            throw new MappingException("PARAM partition " + p.id() + " reaches " + v + ", which holds no kernel copy");
        }
        int c = 0;
        while (copies.copies().get(c).vertex() != v.id()) {
            c++;
        }
        return new InputRange(km.key(), km.key() + p.nKeys(), copies.localIndex(c, p.values().lo()), ReceiveKind.PARAM);
    }

    private static List<InputRange> rangesFor(MachineVertex v, OutgoingPartition p, KeyAndMask km) {
        return switch (p.kind()) {
            case SOFTMAX_SYNC -> List.of(new InputRange(km.key(), km.key() + p.nKeys(), 0, ReceiveKind.SOFTMAX_SYNC));
            case FORWARD -> List.of(within(v, p, km, v.inputSlice(), ReceiveKind.DATA));
            case LABEL -> List.of(within(v, p, km, v.cols(), ReceiveKind.LABEL));
            case DELTA -> List.of(within(v, p, km, v.cols(), ReceiveKind.DELTA));
            case LOSS -> List.of(new InputRange(km.key(), km.key() + 1, p.values().lo(), ReceiveKind.DATA));
            case BACKWARD -> backward(v, p, km);
            case NORM -> List.of(new InputRange(km.key(), km.key() + p.nKeys(), normPosition(p, p.source()),
                    ReceiveKind.NORM));
            case SHARE -> List.of(new InputRange(km.key(), km.key() + p.nKeys(), p.values().lo(), ReceiveKind.SHARE));
            case BATCH_NORM -> List.of(new InputRange(km.key(), km.key() + p.nKeys(), normPosition(p, p.source()),
                    ReceiveKind.BN_PARTIAL));
            case PARAM -> throw new MappingException("PARAM partition " + p.id() + " needs its network's kernel copies");
        };
    }

    /**
     * The position of {@code vertex} among the cores of a NORM or BATCH_NORM exchange (the partition's source and
     * targets, which are all the parameter-owning cores or all the blocks of its layer), in order of vertex id: every
     * core adds their partials in this order.
     */
    public static int normPosition(OutgoingPartition p, int vertex) {
        int position = p.source() < vertex ? 1 : 0;
        for (int t : p.targets()) {
            if (t < vertex) {
                position++;
            }
        }
        return position;
    }

    /**
     * A range for a partition whose values all fall inside the receiver's slice {@code into}; its local offsets count
     * keys (a partial sum's halves: two a value).
     */
    private static InputRange within(MachineVertex v, OutgoingPartition p, KeyAndMask km, Slice into,
            ReceiveKind kind) {
        if (p.values().lo() < into.lo() || p.values().hi() > into.hi()) {
            throw new MappingException("partition " + p.id() + " sends values " + p.values() + " to " + v
                    + ", which takes only " + into + "; the partitioner must align the slices");
        }
        return new InputRange(km.key(), km.key() + p.nKeys(), (p.values().lo() - into.lo()) * p.keysPerValue(), kind);
    }

    /**
     * A block's W·delta: the rows that are the receiver's columns are its input, the others are ignored; an s16.15
     * block's partial errors take two keys a row (its halves), local offsets counting keys.
     */
    private static List<InputRange> backward(MachineVertex v, OutgoingPartition p, KeyAndMask km) {
        Slice rows = p.values();
        Slice mine = rows.intersect(v.cols());
        int k = p.keysPerValue();
        List<InputRange> ranges = new ArrayList<>();
        if (mine.lo() > rows.lo()) {
            ranges.add(new InputRange(km.key(), km.key() + k * (mine.lo() - rows.lo()), 0, ReceiveKind.IGNORE));
        }
        ranges.add(new InputRange(km.key() + k * (mine.lo() - rows.lo()), km.key() + k * (mine.hi() - rows.lo()),
                k * (mine.lo() - v.cols().lo()), ReceiveKind.BACKWARD_PARTIAL));
        if (mine.hi() < rows.hi()) {
            ranges.add(new InputRange(km.key() + k * (mine.hi() - rows.lo()), km.key() + k * rows.size(), 0,
                    ReceiveKind.IGNORE));
        }
        return ranges;
    }

    private static List<InputRange> merge(List<InputRange> ranges) {
        List<InputRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(r -> Integer.toUnsignedLong(r.keyLo())));
        List<InputRange> merged = new ArrayList<>();
        for (InputRange r : sorted) {
            InputRange last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && continues(last, r)) {
                merged.set(merged.size() - 1, new InputRange(last.keyLo(), r.keyHi(), last.localOffset(), r.kind()));
            } else {
                merged.add(r);
            }
        }
        return merged;
    }

    private static boolean continues(InputRange last, InputRange r) {
        if (last.kind() != r.kind() || last.keyHi() != r.keyLo() || r.kind() == ReceiveKind.SOFTMAX_SYNC
                || r.kind() == ReceiveKind.NORM || r.kind() == ReceiveKind.SHARE
                || r.kind() == ReceiveKind.BN_PARTIAL) {
            return false;
        }
        return r.kind() == ReceiveKind.IGNORE || last.localOffset() + (last.keyHi() - last.keyLo()) == r.localOffset();
    }
}
