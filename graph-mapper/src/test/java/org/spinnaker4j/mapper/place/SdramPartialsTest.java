package org.spinnaker4j.mapper.place;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.cost.BoundCalculator;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Chip;
import org.spinnaker4j.mapper.machine.CoreLocation;

/**
 * A reduce takes its blocks' partial sums through SDRAM exactly when it is an s16.15 reduce that does not train, every
 * block that sends it partial sums sits on its chip, and so do those of every other reduce of its layer; then it,
 * they and their partitions are marked, and each such partition sends one packet a sample; otherwise the graph is
 * returned as it was.
 */
class SdramPartialsTest {

    private static final int COLS = 4;

    /** {@code blocks} unfused blocks of 8 rows sending their partial sums to one reduce, which sends to a sink. */
    private static MachineGraph column(int blocks, Arithmetic arithmetic, boolean trains) {
        List<MachineVertex> vertices = new ArrayList<>();
        List<OutgoingPartition> partitions = new ArrayList<>();
        int keys = arithmetic == Arithmetic.S16_15 ? OutgoingPartition.PARTIAL_HALVES : 1;
        for (int b = 0; b < blocks; b++) {
            vertices.add(new MachineVertex(b, VertexKind.DENSE_BLOCK, 0, new Slice(8 * b, 8 * b + 8),
                    new Slice(0, COLS), false, null, null, arithmetic, trains));
            partitions.add(new OutgoingPartition(b, b, PartitionKind.FORWARD, new Slice(0, COLS), List.of(blocks),
                    keys));
        }
        vertices.add(new MachineVertex(blocks, VertexKind.REDUCE, 0, new Slice(0, COLS), new Slice(0, COLS), false,
                null, null, arithmetic, trains));
        vertices.add(new MachineVertex(blocks + 1, VertexKind.OUTPUT_SINK, 1, new Slice(0, COLS), new Slice(0, COLS),
                false, null, null, arithmetic, trains));
        partitions.add(new OutgoingPartition(blocks, blocks, PartitionKind.FORWARD, new Slice(0, COLS),
                List.of(blocks + 1)));
        return new MachineGraph(vertices, partitions);
    }

    /** Every vertex on chip (0, 0) but those in {@code elsewhere}, on chip (1, 0). */
    private static Placements placed(MachineGraph g, int... elsewhere) {
        List<CoreLocation> cores = new ArrayList<>();
        for (MachineVertex v : g.vertices()) {
            boolean away = java.util.Arrays.stream(elsewhere).anyMatch(e -> e == v.id());
            cores.add(new CoreLocation(away ? 1 : 0, 0, 1 + v.id()));
        }
        return new Placements(cores);
    }

    @Test
    void aReduceWithEveryBlockOnItsChipTakesTheirPartialSumsThroughSdram() {
        MachineGraph g = column(3, Arithmetic.S16_15, false);
        MachineGraph marked = SdramPartials.mark(g, placed(g, 4));
        for (int b = 0; b < 3; b++) {
            assertTrue(marked.vertex(b).sdramPartials(), "block " + b);
            OutgoingPartition p = marked.partitions().get(b);
            assertTrue(p.throughSdram(), "block " + b + "'s partial sums");
            assertEquals(1, p.packets(), "one packet a sample");
            assertEquals(2 * COLS, p.nKeys(), "the keys of its halves, which the reduce files");
        }
        assertTrue(marked.vertex(3).sdramPartials(), "the reduce");
        assertFalse(marked.vertex(4).sdramPartials(), "the sink, on another chip, is no part of it");
        assertFalse(marked.partitions().get(3).throughSdram(), "the reduce's values to the sink");
        assertEquals(g.vertices().size(), marked.vertices().size());
    }

    @Test
    void theBoundChargesEachBlocksPartialSumsAsOnePacketAndARead() {
        MachineGraph g = column(3, Arithmetic.S16_15, false);
        MachineGraph marked = SdramPartials.mark(g, placed(g, 4));
        NetworkSpec net = TestSupport.network(ActivationKind.IDENTITY, 24, COLS).withArithmetic(Arithmetic.S16_15);
        long[] plain = BoundCalculator.SPINNAKER1.coreCycles(net, g);
        long[] through = BoundCalculator.SPINNAKER1.coreCycles(net, marked);
        CoreCostModel cost = BoundCalculator.SPINNAKER1.cost();
        assertEquals(plain[3] - 3 * 2 * COLS * cost.packetCycles(g.vertex(3)),
                through[3] - 3 * cost.partialsReadCycles(marked.vertex(3)), "the reduce's work besides its inputs");
        assertTrue(through[3] < plain[3] / 3, through[3] + " cycles against " + plain[3]);
        assertEquals(plain[0] + cost.partialsWriteCycles(g.vertex(0)), through[0], "a block's completion and its DMA");
    }

    @Test
    void oneBlockOnAnotherChipLeavesEveryBlockSendingPackets() {
        MachineGraph g = column(3, Arithmetic.S16_15, false);
        assertSame(g, SdramPartials.mark(g, placed(g, 1)));
    }

    @Test
    void aGraphMarkedForAnotherPlacementKeepsOnlyThisOnesMarks() {
        MachineGraph g = column(3, Arithmetic.S16_15, false);
        MachineGraph marked = SdramPartials.mark(g, placed(g, 4));
        MachineGraph moved = SdramPartials.mark(marked, placed(g, 1));
        assertTrue(moved.vertices().stream().noneMatch(MachineVertex::sdramPartials), "block 1 moved off");
        assertTrue(moved.partitions().stream().noneMatch(OutgoingPartition::throughSdram));
        assertTrue(SdramPartials.mark(marked, placed(g)).vertex(3).sdramPartials(), "all on one chip again");
    }

    @Test
    void float32AndTrainingReducesTakePackets() {
        MachineGraph floats = column(3, Arithmetic.FLOAT32, false);
        assertSame(floats, SdramPartials.mark(floats, placed(floats)));
        MachineGraph training = column(3, Arithmetic.S16_15, true);
        assertSame(training, SdramPartials.mark(training, placed(training)));
        assertArrayEquals(new boolean[5], SdramPartials.together(floats));
    }

    @Test
    void aLayerGoesThroughSdramOnlyIfAllItsReducesDo() {
        // two column groups of one layer: blocks 0-1 to reduce 2, blocks 3-4 to reduce 5
        List<MachineVertex> vertices = new ArrayList<>();
        List<OutgoingPartition> partitions = new ArrayList<>();
        for (int g = 0; g < 2; g++) {
            Slice cols = new Slice(COLS * g, COLS * g + COLS);
            for (int b = 0; b < 2; b++) {
                int id = 3 * g + b;
                vertices.add(new MachineVertex(id, VertexKind.DENSE_BLOCK, 0, new Slice(8 * b, 8 * b + 8), cols, false,
                        null, null, Arithmetic.S16_15, false));
                partitions.add(new OutgoingPartition(partitions.size(), id, PartitionKind.FORWARD, cols,
                        List.of(3 * g + 2), OutgoingPartition.PARTIAL_HALVES));
            }
            vertices.add(new MachineVertex(3 * g + 2, VertexKind.REDUCE, 0, cols, cols, false, null, null,
                    Arithmetic.S16_15, false));
        }
        MachineGraph g = new MachineGraph(vertices, partitions);
        assertTrue(SdramPartials.mark(g, placed(g)).vertex(5).sdramPartials(), "both groups whole on chip (0, 0)");
        assertSame(g, SdramPartials.mark(g, placed(g, 3)), "block 3 away from reduce 5: neither reduce's blocks");
        assertTrue(SdramPartials.mark(g, placed(g, 3, 4, 5)).vertex(2).sdramPartials(), "each group on its own chip");
    }

    @Test
    void beforePlacingAColumnGroupCountsAsTogetherIfItFitsAChip() {
        MachineGraph fits = column(Chip.APPLICATION_CORES - 1, Arithmetic.S16_15, false);
        assertTrue(SdramPartials.markGrouped(fits).vertex(Chip.APPLICATION_CORES - 1).sdramPartials(),
                "15 blocks and their reduce fill a chip");
        MachineGraph tooMany = column(Chip.APPLICATION_CORES, Arithmetic.S16_15, false);
        assertSame(tooMany, SdramPartials.markGrouped(tooMany), "16 blocks and their reduce do not fit one");
        boolean[] together = SdramPartials.together(tooMany);
        assertTrue(together[0] && together[Chip.APPLICATION_CORES] && !together[Chip.APPLICATION_CORES + 1],
                "the blocks and reduce a placer keeps together if it can, not the sink");
    }

    @Test
    void onlyABlocksPartialSumsToOneReduceGoThroughSdram() {
        OutgoingPartition toTwo = new OutgoingPartition(0, 0, PartitionKind.FORWARD, new Slice(0, COLS),
                List.of(1, 2), 2);
        assertThrows(IllegalArgumentException.class, toTwo::withThroughSdram);
        MachineVertex fused = new MachineVertex(0, VertexKind.DENSE_BLOCK, 0, new Slice(0, 8), new Slice(0, COLS),
                true, null, null, Arithmetic.S16_15, false);
        assertThrows(IllegalArgumentException.class, fused::withSdramPartials);
    }
}
