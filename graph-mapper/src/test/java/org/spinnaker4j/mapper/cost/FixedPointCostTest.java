package org.spinnaker4j.mapper.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.PoolingWork;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.RowBlock;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.PoolingSpec;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * An s16.15 core is charged the fixed-point kernels' figures, in the cycles the calibration estimates from its
 * traces ({@code *.cycles} in the cost table), and a float32 core the float kernels' instructions at 1.3 cycles each.
 */
class FixedPointCostTest {

    private static final CoreCostModel COST = CoreCostModel.ARM968_SOFT_FLOAT;
    private static final InstructionCounts TABLE = InstructionCounts.load(InstructionCounts.ARM968_SOFT_FLOAT);
    private static final int ROWS = 50;
    private static final int COLS = 200;

    private static MachineVertex vertex(VertexKind kind, Arithmetic arithmetic) {
        return vertex(kind, arithmetic, false);
    }

    private static MachineVertex vertex(VertexKind kind, Arithmetic arithmetic, boolean trains) {
        return new MachineVertex(0, kind, 0, new Slice(0, ROWS), new Slice(0, COLS), kind == VertexKind.DENSE_BLOCK,
                null, null, arithmetic, trains);
    }

    private static double cycles(String key) {
        return TABLE.of(key + ".cycles");
    }

    private static long floatCycles(double instructions) {
        return Math.round(instructions * COST.cyclesPerInstruction());
    }

    /**
     * The MACs of an s16.15 inference block's completion: the call, each panel of 3 columns (its MACs and the rest), the
     * last panel of the 1 or 2 columns left (per word and the rest).
     */
    private static double panelMacs(int rows, int cols) {
        String last = "fix.block.panel.%s." + cols % 3;
        return cycles("fix.block.panel.call") + cols / 3 * (cycles("fix.block.panel.fixed")
                + rows * 3 * cycles("fix.block.panel.mac"))
                + (cols % 3 == 0 ? 0 : cycles(String.format(last, "fixed")) + rows * cycles(String.format(last, "row")));
    }

    /**
     * A block whose partial sums go to its reduce through SDRAM adds their DMA to its completion (its start and the
     * wait for two words a column); the reduce pays, per block, the packet that says so, the read waited for and the
     * filing of the halves at once ({@code fix.reduce.burst.*}), instead of two packets a column at
     * {@code fix.reduce.partial}: about 5 times less on a block of 8 columns.
     */
    @Test
    void partialSumsThroughSdramCostTheirDmaAndOneFilingABlock() {
        int cols = 8;
        MachineVertex block = new MachineVertex(0, VertexKind.DENSE_BLOCK, 0, new Slice(0, ROWS), new Slice(0, cols),
                false, null, null, Arithmetic.S16_15, false);
        MachineVertex reduce = new MachineVertex(1, VertexKind.REDUCE, 0, new Slice(0, cols), new Slice(0, cols),
                false, null, null, Arithmetic.S16_15, false);
        long wait = CoreCostModel.dmaWaitCycles(2 * cols);
        assertEquals((250_000 + 16 * 4_000 + 4_999) / 5_000, wait, "the DMA's latency and 16 words at 4 ns, in 5 ns clocks");
        assertEquals(COST.completionCycles(block, ActivationKind.IDENTITY) + CoreCostModel.DMA_START_CYCLES + wait,
                COST.completionCycles(block.withSdramPartials(), ActivationKind.IDENTITY));
        long read = COST.dispatchCycles() + CoreCostModel.DMA_START_CYCLES + wait
                + Math.round(cycles("fix.reduce.burst.event") + 2 * cols * cycles("fix.reduce.burst.key"));
        assertEquals(read, COST.partialsReadCycles(reduce.withSdramPartials()));
        assertEquals(read, COST.forwardPacketCycles(reduce.withSdramPartials()), "a block's one packet and its read");
        long packets = 2 * cols * COST.forwardPacketCycles(reduce);
        assertTrue(packets > 4 * read, packets + " cycles as packets, " + read + " through SDRAM");
    }

    /**
     * An s16.15 inference block keeps each word ({@code fix.block.word}) and multiplies them all at its completion,
     * in panels: no row of its own, every MAC ({@code fix.block.panel.*}) in its completion; a block that keeps its
     * words to pool them (below) files them at {@code fix.block.value}.
     */
    @Test
    void aFixedBlocksPacketRowAndCompletionComeFromTheFixedCycleFigures() {
        MachineVertex block = vertex(VertexKind.DENSE_BLOCK, Arithmetic.S16_15);
        double macs = panelMacs(ROWS, COLS);
        assertTrue(CoreCostModel.multipliesAtCompletion(block));
        assertEquals(COST.dispatchCycles() + Math.round(cycles("fix.block.word")), COST.packetCycles(block));
        assertEquals(0, COST.rowCycles(block));
        assertEquals(COST.packetCycles(block), COST.forwardPacketCycles(block));
        assertEquals(Math.round(cycles("fix.block.completion.fixed") + COLS * cycles("fix.block.completion.column")
                + macs), COST.completionCycles(block, ActivationKind.IDENTITY));
        for (ActivationKind a : EnumSet.complementOf(EnumSet.of(ActivationKind.IDENTITY))) {
            String column = "fix.block.completion.column." + a.name().toLowerCase(Locale.ROOT);
            assertEquals(Math.round(cycles("fix.block.completion.fixed") + COLS * cycles(column) + macs),
                    COST.completionCycles(block, a), 1, a.toString());
        }
        assertEquals(Math.round(cycles("fix.block.completion.fixed") + COLS * cycles("fix.softmax.split.max") + macs),
                COST.completionCycles(block, ActivationKind.SOFTMAX, true), 1);
        assertEquals(Math.round(COLS * cycles("fix.softmax.split.sum")),
                COST.softmaxStepCycles(block, SoftmaxStep.SUM));
        assertEquals(Math.round(COLS * cycles("fix.softmax.split.normalise")),
                COST.softmaxStepCycles(block, SoftmaxStep.NORMALISE));
    }

    /**
     * A pooling block of either arithmetic is charged its whole pooling as its completion: an s16.15 one the
     * {@code fix.pool.*.cycles} figures of its kind (a batch normalization's the folded product's), a float32 one the
     * float kernels' {@code pool.*} instructions at 1.3 cycles each.
     */
    @Test
    void aFixedPoolingBlockIsChargedTheFixedPoolingCycles() {
        PoolingWork work = new PoolingWork(PoolingSpec.Kind.AVG, 3, 5, 12);
        for (PoolingSpec.Kind kind : PoolingSpec.Kind.values()) {
            PoolingWork w = new PoolingWork(kind, work.windows(), work.pixels(), work.values());
            String k = kind.name().toLowerCase(Locale.ROOT);
            MachineVertex fixed = new MachineVertex(0, VertexKind.DENSE_BLOCK, 0, new Slice(0, ROWS),
                    new Slice(0, COLS), true, w, null, Arithmetic.S16_15);
            MachineVertex floating = new MachineVertex(0, VertexKind.DENSE_BLOCK, 0, new Slice(0, ROWS),
                    new Slice(0, COLS), true, w, null, Arithmetic.FLOAT32);
            assertEquals(Math.round(cycles("fix.pool.completion.fixed." + k) + 12 * cycles("fix.pool.value." + k)
                    + 3 * cycles("fix.pool.window." + k) + 5 * cycles("fix.pool.pixel." + k)
                    + COLS * cycles("fix.pool.completion.column." + k)),
                    COST.completionCycles(fixed, ActivationKind.IDENTITY), 1, kind.toString());
            assertEquals(floatCycles(TABLE.of("pool.completion.fixed." + k) + 12 * TABLE.of("pool.value." + k)
                    + 3 * TABLE.of("pool.window." + k) + 5 * TABLE.of("pool.pixel." + k)
                    + COLS * TABLE.of("pool.completion.column." + k)),
                    COST.completionCycles(floating, ActivationKind.IDENTITY), 1, kind.toString());
            assertEquals(0, COST.rowCycles(fixed), "a pooling block pools at its last row: its completion");
            assertEquals(COST.dispatchCycles() + Math.round(cycles("fix.block.value")), COST.packetCycles(fixed));
        }
    }

    /**
     * A 2-D convolution's block (3 × 9 × 3 → kernel 3 × 5, 4 × 9 × 4; its columns one output row's 36) is charged per
     * row its MACs and runs on average and the row's own work in its arithmetic's figures: s16.15's
     * {@code fix.rowconv.*} cycles with the fixed MAC's, float's {@code rowconv.*} instructions at 1.3 cycles each.
     */
    @Test
    void aConvolutionsRowBlockIsChargedItsArithmeticsRowFigures() {
        Conv2DGeometry conv = new Conv2DGeometry(3, 7, 9, 4, 3, 5, 2, 1, 1, 2, 4, 9, false);
        int rows = 3 * 9 * 3;
        MachineVertex fixed = new MachineVertex(0, VertexKind.DENSE_BLOCK, 0, new Slice(0, rows), new Slice(0, 36),
                true, null, conv, Arithmetic.S16_15);
        MachineVertex floating = new MachineVertex(0, VertexKind.DENSE_BLOCK, 0, new Slice(0, rows),
                new Slice(0, 36), true, null, conv, Arithmetic.FLOAT32);
        RowBlock block = fixed.rowBlock();
        double macs = (double) block.macs(rows) / rows;
        double runs = (double) block.runs(rows) / rows;
        assertEquals(Math.round(macs * cycles("fix.block.mac") + runs * cycles("fix.rowconv.run")
                + cycles("fix.rowconv.row")), COST.rowCycles(fixed));
        assertEquals(floatCycles(macs * TABLE.of("block.mac") + runs * TABLE.of("rowconv.run")
                + TABLE.of("rowconv.row")), COST.rowCycles(floating));
        assertTrue(COST.rowCycles(fixed) < COST.rowCycles(floating), COST.rowCycles(fixed) + " against float's "
                + COST.rowCycles(floating));
    }

    @Test
    void aFixedSourceAndSinkAreChargedTheirWordsCycles() {
        assertEquals(Math.round(COLS * cycles("fix.source.value")),
                COST.completionCycles(vertex(VertexKind.INPUT_SOURCE, Arithmetic.S16_15), ActivationKind.IDENTITY));
        assertEquals(COST.dispatchCycles() + Math.round(cycles("fix.sink.value")),
                COST.packetCycles(vertex(VertexKind.OUTPUT_SINK, Arithmetic.S16_15)));
    }

    @Test
    void aFloatBlockStaysInstructionsTimesCyclesPerInstruction() {
        MachineVertex block = vertex(VertexKind.DENSE_BLOCK, Arithmetic.FLOAT32);
        assertEquals(COST.dispatchCycles() + floatCycles(TABLE.of("block.value")), COST.packetCycles(block));
        assertEquals(floatCycles(COLS * TABLE.of("block.mac") + TABLE.of("block.row")), COST.rowCycles(block));
        assertEquals(floatCycles(TABLE.of("block.completion.fixed") + COLS * TABLE.of("block.completion.column")
                + COLS * TABLE.of("forward.output.relu")), COST.completionCycles(block, ActivationKind.RELU));
    }

    /**
     * An inference block's MACs follow its panels: 200 columns are 66 panels of 3 and one of 2, so one column fewer
     * (a last panel of 1) costs the 2-column panel's figures less the 1-column one's.
     */
    @Test
    void anInferenceBlocksMacsFollowItsPanels() {
        MachineVertex wide = vertex(VertexKind.DENSE_BLOCK, Arithmetic.S16_15);
        MachineVertex narrower = new MachineVertex(0, VertexKind.DENSE_BLOCK, 0, new Slice(0, ROWS),
                new Slice(0, COLS - 1), true, null, null, Arithmetic.S16_15);
        assertEquals(Math.round(cycles("fix.block.completion.column") + cycles("fix.block.panel.fixed.2")
                        - cycles("fix.block.panel.fixed.1") + ROWS * (cycles("fix.block.panel.row.2")
                        - cycles("fix.block.panel.row.1"))),
                COST.completionCycles(wide, ActivationKind.IDENTITY)
                        - COST.completionCycles(narrower, ActivationKind.IDENTITY), 1);
    }

    /**
     * An s16.15 training block multiplies each word in as it arrives: its packet is the word's filing, its copy into
     * the x ring and the call of the MAC ({@code fix.block.train.word}), its row its MACs alone
     * ({@code fix.block.mac}), its completion none.
     */
    @Test
    void aFixedTrainingBlockMultipliesEachWordAsItArrives() {
        MachineVertex block = vertex(VertexKind.DENSE_BLOCK, Arithmetic.S16_15, true);
        assertFalse(CoreCostModel.multipliesAtCompletion(block));
        assertEquals(COST.dispatchCycles() + Math.round(cycles("fix.block.train.word")), COST.packetCycles(block));
        assertEquals(Math.round(COLS * cycles("fix.block.mac")), COST.rowCycles(block));
        assertEquals(Math.round(cycles("fix.block.completion.fixed") + COLS * cycles("fix.block.completion.column")),
                COST.completionCycles(block, ActivationKind.IDENTITY));
        assertEquals(cycles("fix.block.mac"), COST.macCycles(Arithmetic.S16_15, true), 1e-9);
    }

    /**
     * A first-layer block reading its words from SDRAM files them at its kind's figure: an inference block keeps them
     * ({@code fix.block.dma.*}), a training block also copies them into its x ring and calls the MAC
     * ({@code fix.block.train.dma.*}, its MACs apart).
     */
    @Test
    void aFixedBlocksWordsFromSdramAreChargedByWhetherItTrains() {
        MachineVertex inference = vertex(VertexKind.DENSE_BLOCK, Arithmetic.S16_15);
        MachineVertex training = vertex(VertexKind.DENSE_BLOCK, Arithmetic.S16_15, true);
        assertEquals(Math.round(ROWS * cycles("fix.block.dma.row")), COST.inputReadRowCycles(inference, ROWS));
        assertEquals(Math.round(ROWS * cycles("fix.block.train.dma.row")), COST.inputReadRowCycles(training, ROWS));
        assertEquals(COST.inputReadEventCycles(inference) - Math.round(cycles("fix.block.dma.event")),
                COST.inputReadEventCycles(training) - Math.round(cycles("fix.block.train.dma.event")));
        assertTrue(COST.inputReadRowCycles(training, ROWS) > COST.inputReadRowCycles(inference, ROWS));
    }

    /**
     * An inference block's MAC in panels (a weight and a third of a word loaded, one {@code smlal}) is cheaper than a
     * training block's as its word arrives (its two sum words in and out besides), and the compute limit's unit.
     */
    @Test
    void anInferenceMacInPanelsIsCheaperThanAWordsMac() {
        double floatMac = TABLE.of("block.mac") * COST.cyclesPerInstruction();
        assertEquals(floatMac, COST.macCycles(Arithmetic.FLOAT32, false), 1e-9);
        assertEquals(floatMac, COST.macCycles(Arithmetic.FLOAT32, true), 1e-9);
        assertEquals(cycles("fix.block.panel.mac"), COST.macCycles(Arithmetic.S16_15, false), 1e-9);
        assertTrue(cycles("fix.block.panel.mac") < cycles("fix.block.mac"),
                cycles("fix.block.panel.mac") + " against " + cycles("fix.block.mac"));
    }

    /**
     * A row of a wide block is mostly MACs, so the fixed training row is cheaper than the float one by about the ratio
     * of their MACs' cycles: float's instructions at 1.3 cycles against the fixed MAC's estimated cycles (about 5×,
     * where instructions alone would say 14×).
     */
    @Test
    void aFixedRowIsCheaperByTheMacsCycleRatio() {
        double floatMac = TABLE.of("block.mac") * COST.cyclesPerInstruction();
        double fixedMac = cycles("fix.block.mac");
        double ratio = (double) COST.rowCycles(vertex(VertexKind.DENSE_BLOCK, Arithmetic.FLOAT32, true))
                / COST.rowCycles(vertex(VertexKind.DENSE_BLOCK, Arithmetic.S16_15, true));
        double expected = (COLS * floatMac + TABLE.of("block.row") * COST.cyclesPerInstruction())
                / (COLS * fixedMac);
        assertEquals(expected, ratio, 1e-3 * expected, "row ratio " + ratio);
        assertEquals(floatMac / fixedMac, ratio, 0.05 * floatMac / fixedMac, "a wide row is mostly MACs: " + ratio);
        assertTrue(ratio > 3 && ratio < TABLE.of("block.mac") / TABLE.of("fix.block.mac"),
                "cycles narrow the instructions' ratio: " + ratio);
    }

    /**
     * A fixed reduce files each half of its blocks' 64-bit partials as a packet, and completes a column (the halves
     * summed, the bias, one rounding, the activation) at its own figures: streamed, or a softmax's all at once.
     */
    @Test
    void aFixedReduceIsChargedItsHalvesAndColumnsCycles() {
        MachineVertex reduce = vertex(VertexKind.REDUCE, Arithmetic.S16_15);
        assertEquals(COST.dispatchCycles() + Math.round(cycles("fix.reduce.partial")), COST.packetCycles(reduce));
        assertEquals(Math.round(cycles("fix.reduce.column")), COST.columnCycles(reduce, ActivationKind.IDENTITY));
        for (ActivationKind a : EnumSet.complementOf(EnumSet.of(ActivationKind.IDENTITY, ActivationKind.SOFTMAX))) {
            String column = "fix.reduce.column." + a.name().toLowerCase(Locale.ROOT);
            assertEquals(Math.round(cycles(column)), COST.columnCycles(reduce, a), a.toString());
            assertEquals(Math.round(COLS * cycles(column)), COST.completionCycles(reduce, a), a.toString());
        }
        assertEquals(Math.round(COLS * cycles("fix.reduce.completion.column.softmax")),
                COST.completionCycles(reduce, ActivationKind.SOFTMAX));
        assertEquals(Math.round(COLS * cycles("fix.softmax.split.max")),
                COST.completionCycles(reduce, ActivationKind.SOFTMAX, true));
        assertTrue(COST.packetCycles(reduce) != COST.packetCycles(vertex(VertexKind.REDUCE, Arithmetic.FLOAT32)));
    }

    /** A fixed relay files each word as a reduce files a half, and forwards it at its own figure. */
    @Test
    void aFixedRelayIsChargedItsWordsCycles() {
        MachineVertex relay = vertex(VertexKind.RELAY, Arithmetic.S16_15);
        assertEquals(COST.dispatchCycles() + Math.round(cycles("fix.reduce.partial")), COST.packetCycles(relay));
        assertEquals(Math.round(cycles("fix.relay.column")), COST.columnCycles(relay, ActivationKind.RELU));
    }

    /**
     * An unfused fixed block sends each column's sum as two halves, unrounded: its own completion figures, its MACs in
     * panels as a fused inference block's.
     */
    @Test
    void anUnfusedFixedBlockIsChargedItsHalvesSent() {
        MachineVertex block = new MachineVertex(0, VertexKind.DENSE_BLOCK, 0, new Slice(0, ROWS), new Slice(0, COLS),
                false, null, null, Arithmetic.S16_15);
        assertEquals(Math.round(cycles("fix.unfused.completion.fixed") + COLS * cycles("fix.unfused.completion.column")
                + panelMacs(ROWS, COLS)), COST.completionCycles(block, ActivationKind.RELU));
        assertEquals(0, COST.rowCycles(block));
    }

    /** A float reduce and relay keep the float kernels' instructions. */
    @Test
    void aFloatReduceStaysInstructionsTimesCyclesPerInstruction() {
        MachineVertex reduce = vertex(VertexKind.REDUCE, Arithmetic.FLOAT32);
        assertEquals(COST.dispatchCycles() + floatCycles(TABLE.of("reduce.partial")), COST.packetCycles(reduce));
        assertEquals(floatCycles(TABLE.of("forward.output.relu") + TABLE.of("reduce.column")),
                COST.columnCycles(reduce, ActivationKind.RELU));
        assertEquals(floatCycles(COLS * TABLE.of("forward.output.relu")),
                COST.completionCycles(reduce, ActivationKind.RELU));
        MachineVertex relay = vertex(VertexKind.RELAY, Arithmetic.FLOAT32);
        assertEquals(floatCycles(TABLE.of("forward.output.identity") + TABLE.of("reduce.column")),
                COST.columnCycles(relay, ActivationKind.RELU));
        assertEquals(floatCycles(COLS * TABLE.of("forward.output.identity")),
                COST.completionCycles(relay, ActivationKind.RELU));
    }

    /** The mapper builds an s16.15 network's vertices in s16.15, and the bound charges them the fixed figures. */
    @Test
    void aFixedNetworksCoresAreChargedLessThanTheFloatOnesOfTheSameMapping() {
        NetworkSpec floating = TestSupport.network(ActivationKind.IDENTITY, 10, 50, 50, 200, 50, 25);
        NetworkSpec fixed = floating.withArithmetic(Arithmetic.S16_15);
        Mapper mapper = new Mapper(PartitioningStrategy.FEWEST_CORES, TestSupport.MEMORY);
        Mapping floatMapping = mapper.map(floating, Machine.spinn3());
        Mapping fixedMapping = mapper.map(fixed, Machine.spinn3());
        assertEquals(floatMapping.graph().vertices().size(), fixedMapping.graph().vertices().size());
        assertTrue(fixedMapping.graph().vertices().stream().allMatch(v -> v.arithmetic() == Arithmetic.S16_15));
        assertTrue(floatMapping.graph().vertices().stream().allMatch(v -> v.arithmetic() == Arithmetic.FLOAT32));
        long[] floatCycles = BoundCalculator.SPINNAKER1.coreCycles(floating, floatMapping.graph());
        long[] fixedCycles = BoundCalculator.SPINNAKER1.coreCycles(fixed, fixedMapping.graph());
        for (MachineVertex v : fixedMapping.graph().vertices()) {
            if (v.kind() == VertexKind.DENSE_BLOCK) {
                assertTrue(fixedCycles[v.id()] < floatCycles[v.id()], v + ": " + fixedCycles[v.id()] + " against "
                        + floatCycles[v.id()]);
            }
        }
        assertNotEquals(java.util.Arrays.stream(floatCycles).max(), java.util.Arrays.stream(fixedCycles).max());
    }
}
