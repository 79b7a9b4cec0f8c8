package org.spinnaker4j.mapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.keys.InputRange;
import org.spinnaker4j.mapper.keys.ReceiveKind;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.tdma.Phase;

/**
 * In s16.15 a block's partial sums to its reduces take two keys a value (a 64-bit sum's low and high words), and
 * nothing else does: the keys, the routes, the reduces' receive ranges (span and local offsets in halves) and the
 * TDMA slots (two packets a partial, or one a block whose partial sums go through SDRAM) all follow.
 */
class FixedPointPartialKeysTest {

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String strategy : List.of("FASTEST", "FEWEST_CORES tight")) {
            for (String net : List.of("784-256-128-10", "10-50-50-300-50-25")) {
                for (Arithmetic arithmetic : Arithmetic.values()) {
                    cases.add(Arguments.of(strategy, net, arithmetic));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void partialSumsTakeTwoKeysAValueOnlyInFixedPoint(String strategy, String netName, Arithmetic arithmetic) {
        NetworkSpec net = MapperRoutingTest.net(netName).withArithmetic(arithmetic);
        Mapping m = MapperRoutingTest.mapper(strategy, netName).map(net, Machine.spinn5());
        boolean fixed = arithmetic == Arithmetic.S16_15;
        int halves = 0;
        for (OutgoingPartition p : m.graph().partitions()) {
            MachineVertex source = m.graph().vertex(p.source());
            boolean partials = p.kind() == PartitionKind.FORWARD && source.kind() == VertexKind.DENSE_BLOCK
                    && !source.fused();
            assertEquals(fixed && partials ? OutgoingPartition.PARTIAL_HALVES : 1, p.keysPerValue(), p.toString());
            assertEquals(p.nKeys(), m.keys().of(p.id()).nKeys(), "keys allocated for " + p);
            if (p.keysPerValue() == 1) {
                continue;
            }
            halves++;
            assertEquals(p.throughSdram() ? 1 : 2 * source.cols().size(),
                    m.tdma().of(Phase.FORWARD, p.source()).packetsPerStep(),
                    "two packets a partial in the block's slot, or the one that says they are in SDRAM: " + p);
            for (int t : p.targets()) {
                MachineVertex reduce = m.graph().vertex(t);
                assertEquals(VertexKind.REDUCE, reduce.kind());
                int key = m.keys().of(p.id()).key();
                InputRange r = m.receiveTables().get(t).stream().filter(x -> x.keyLo() == key).findFirst()
                        .orElseThrow();
                assertEquals(ReceiveKind.DATA, r.kind());
                assertEquals(key + 2 * p.values().size(), r.keyHi(), "span of halves");
                assertEquals(2 * (p.values().lo() - reduce.cols().lo()), r.localOffset(), "local offset in halves");
                assertTrue(r.localOffset() + (r.keyHi() - r.keyLo()) <= 2 * reduce.cols().size());
            }
        }
        assertTrue(fixed == (halves > 0), halves + " partitions of halves");
        int packets = m.graph().partitions().stream().mapToInt(OutgoingPartition::nKeys).sum();
        assertEquals(packets, RoutingSimulator.assertAllPartitionsDeliver(m), "every key reaches its targets");
    }
}
