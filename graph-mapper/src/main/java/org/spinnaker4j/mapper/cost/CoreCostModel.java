package org.spinnaker4j.mapper.cost;

import java.io.Serializable;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PoolingWork;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.InputDropout;
import org.spinnaker4j.mapper.ir.PoolingSpec;
import org.spinnaker4j.mapper.ir.RegularizationSpec;
import org.spinnaker4j.mapper.ir.RowBlock;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;
import org.spinnaker4j.mapper.machine.MachineTiming;

/**
 * How many 200 MHz ARM968 clock cycles a core's work takes, for the simulator (how long a
 * core is busy), the TDMA scheduler (how fast a core can be fed) and a partitioner (how long
 * each core works per sample). The kernels' own work is counted in ARM instructions measured
 * on the lean kernels ({@code make calibrate} in native-kernels/src/main/c: arm-none-eabi-gcc
 * 12 -O2, soft float, under qemu-arm), read from the cost table {@link InstructionCounts#ARM968_SOFT_FLOAT}
 * and turned into cycles with {@code cyclesPerInstruction}; an s16.15 core's forward work is charged the
 * table's cycles estimated from the same traces instead ({@link #figures}), and so are its backward pass
 * ({@link #backwardFigures}: {@code fix.backward.*}, {@code fix.loss.output.*}) and its update
 * ({@link #fixedUpdateCycles}); the interrupt, dispatch and send
 * figures and the cycles per instruction are estimates. Sources: docs/machine-model.md.
 *
 * <p>A block multiplies each row into its sums when the row and every row before it have
 * arrived (an s16.15 training block each word as it arrives: exact sums do not depend on the order), so its MACs are
 * charged per row multiplied in ({@link #rowCycles}), in whichever event does them; its
 * {@link #completionCycles completion} is the rest. An s16.15 inference block keeps its words and multiplies them
 * all in its completion ({@link #multipliesAtCompletion}), which is charged its MACs.
 *
 * @param cyclesPerInstruction   est. 1.3 (ARM9E pipeline: 1.2–1.5)
 * @param receiveInterruptCycles the packet-received interrupt that empties the receive register (est.)
 * @param dispatchCycles         queueing and dispatching the packet callback (est.)
 * @param sendPacketCycles       writing one packet to the communications controller (est.)
 */
public record CoreCostModel(double cyclesPerInstruction, int receiveInterruptCycles, int dispatchCycles,
        int sendPacketCycles) implements Serializable {

    /**
     * Cycles a core spends starting a DMA from SDRAM: spin1_dma_transfer's queue check and the DMA controller's
     * registers written (est.; not measured).
     */
    public static final int DMA_START_CYCLES = 50;

    /** The rows one DMA brings a training first-layer block that reads its input from SDRAM ({@link #rowsPerRead}). */
    public static final int DMA_ROWS = 32;

    /** The default model. */
    public static final CoreCostModel ARM968_SOFT_FLOAT = new CoreCostModel(1.3, 40, 120, 30);

    private static final InstructionCounts TABLE = InstructionCounts.load(InstructionCounts.ARM968_SOFT_FLOAT);
    /**
     * The forward work of the float32 kernels, in instructions: a value filed by a block (or a label, delta or
     * backward partial by its core) without multiplying a row, a sink's value, a soft-float MAC (random operands)
     * and a row besides its MACs, a completing block's fixed and per-column work, a source's value, per output of an
     * activating core (sum, bias add, activation, emit and send) and each step of a softmax spread over cores.
     */
    private static final ForwardFigures FLOAT32 = ForwardFigures.float32(TABLE);
    /** The same work of the s16.15 kernels, in estimated cycles. */
    private static final ForwardFigures S16_15 = ForwardFigures.s16_15(TABLE);
    /**
     * A pooling block's value pooled (one compare or float add), window on a row and pixel of it, and the fixed and
     * per-column work of the row that completes it (the start, AVG's division, the zero bias, emit and send), by kind:
     * all of it is its completion, since the block pools every row when the last arrives.
     */
    private static final Map<PoolingSpec.Kind, double[]> POOL = perPoolingKind("pool.", "");
    /**
     * The same figures of an s16.15 pooling block (words compared or added into 64-bit sums, AVG's one exact division
     * and rounding, a batch normalization's folded product and rounding), in estimated cycles
     * ({@code fix.pool.*.cycles}).
     */
    private static final Map<PoolingSpec.Kind, double[]> FIX_POOL = perPoolingKind("fix.pool.", ".cycles");
    /**
     * A training MAX or AVG pooling block's backward pass once its deltas are in: per value of its windows (a compare,
     * or a share added), per value beyond its rows (overlapping windows on a row: a share added to a gradient another
     * window reached), per row (zeroed, emitted and sent), per column besides its derivative, and fixed.
     */
    private static final Map<PoolingSpec.Kind, double[]> POOL_BACKWARD = perPoolingBackward();
    /**
     * The backward pass of the float32 kernels, in instructions: a dense block's dW += x·delta, and dW with W·delta,
     * per weight, per row sent back and fixed; per output of an activating core, its deltas (hidden, or from its
     * loss).
     */
    private static final BackwardFigures FLOAT32_BACKWARD = BackwardFigures.float32(TABLE);
    /** The same work of the s16.15 training kernels (fused dense blocks), in estimated cycles. */
    private static final BackwardFigures S16_15_BACKWARD = BackwardFigures.s16_15(TABLE);
    /**
     * Per parameter of an s16.15 training block's update ({@code s4j_apply_fix_update}), in estimated cycles, by
     * updater (Sgd and Adam only): rounded to nearest, and stochastically.
     */
    private static final Map<UpdaterType, double[]> FIX_UPDATE = perFixedUpdater();
    /**
     * Dropout in training: a received row's hash, mask and scaling; per row of W·delta sent back, the same; per row
     * of a pooling block's gradient sent back (a loop of its own), the same.
     */
    private static final double DROPOUT_ROW = TABLE.of("dropout.row");
    private static final double DROPOUT_BACK_ROW = TABLE.of("dropout.back.row");
    private static final double DROPOUT_BACK_POOL_ROW = TABLE.of("dropout.back.row.pool");
    /**
     * Per output of an activating core of a softmax spread over several cores, its backward steps (training, so float32
     * only): the local dot, then the deltas.
     */
    private static final Map<SoftmaxStep, Double> SOFTMAX_BACKWARD = perSoftmaxBackwardStep();
    /** Per parameter of an update. */
    private static final Map<UpdaterType, Double> UPDATE = perUpdater("update.");
    /** Per parameter of an update, extra, when the parameter is regularized (measured with l1, l2, weight decay). */
    private static final double REGULARIZATION = TABLE.of("update.regularization");
    /** Per parameter of an update, extra, when the gradient is clipped element-wise (about 60 % of values clipped). */
    private static final double CLIP = TABLE.of("update.clip");
    /** Per parameter of an update, extra, when an L2 gradient normalization scales the gradient. */
    private static final double NORMALIZE = TABLE.of("update.normalize");
    /** Per parameter of a core's partial sum of squares for an L2 gradient normalization. */
    private static final double NORM_PARTIAL = TABLE.of("norm.partial");
    /** A peer's partial sum of squares filed. */
    private static final double NORM_VALUE = TABLE.of("norm.value");
    /** Per parameter a kernel copy holds: its share filed or sent to the owner (s4j_share_start). */
    private static final double COPY_SHARE = TABLE.of("copy.share");
    /** Another copy's share filed by its owner. */
    private static final double COPY_SHARE_VALUE = TABLE.of("copy.share.value");
    /** Per share an owner adds up before its update (every copy's, its own included). */
    private static final double COPY_SUM = TABLE.of("copy.sum");
    /** Per parameter an owner sends the new value of (s4j_param_send). */
    private static final double COPY_PARAM = TABLE.of("copy.param");
    /** A new value of another copy's parameter filed. */
    private static final double COPY_PARAM_VALUE = TABLE.of("copy.param.value");
    /**
     * A batch normalization's forward and backward events in its mini-batch mode: fixed, per sample, per column and per
     * sample and column (a value computed and sent).
     */
    private static final double[] BATCH_NORM_FORWARD = perBatchNormEvent("forward");
    private static final double[] BATCH_NORM_BACKWARD = perBatchNormEvent("backward");
    /**
     * Per column of a batch normalization's update besides gamma's and beta's (the running mean and statistic stepped,
     * std derived): the log10 std's step, the dearer of the two, since a vertex does not say which it keeps.
     */
    private static final double BATCH_NORM_UPDATE = Math.max(TABLE.of("bn.update.log"), TABLE.of("bn.update.var"));
    /**
     * A batch normalization's events in channel mode (its channels spread over blocks): exchange rounds 0 to 2, then
     * its forward and backward events, each fixed, per sample, per column besides its totals over the blocks, and per
     * sample and column.
     */
    private static final double[][] BATCH_NORM_EXCHANGE = {perBatchNormEvent("exchange0"),
        perBatchNormEvent("exchange1"), perBatchNormEvent("exchange2")};
    private static final double[] BATCH_NORM_CHANNEL_FORWARD = perBatchNormEvent("chforward");
    private static final double[] BATCH_NORM_CHANNEL_BACKWARD = perBatchNormEvent("chbackward");
    /** Per block of a channel total a channel-mode event adds up per column (a block's partial sum added). */
    private static final double BATCH_NORM_SUM_BLOCK = TABLE.of("bn.sum.block");
    /** The channel totals per column of exchange rounds 0 to 2, the forward and the backward event. */
    private static final int[] BATCH_NORM_TOTALS = {0, 1, 0, 1, 5};
    /** Another block's exchange partial filed. */
    private static final double BATCH_NORM_PARTIAL = TABLE.of("bn.partial");

    public CoreCostModel {
        if (!(cyclesPerInstruction > 0) || receiveInterruptCycles < 1 || dispatchCycles < 0 || sendPacketCycles < 1) {
            throw new IllegalArgumentException("cycles per instruction and cycle counts must be positive: "
                    + cyclesPerInstruction + ", " + receiveInterruptCycles + ", " + dispatchCycles + ", "
                    + sendPacketCycles);
        }
    }

    /** The pooling figures by kind, keys {@code prefix + "value." + kind + suffix} and so on. */
    private static Map<PoolingSpec.Kind, double[]> perPoolingKind(String prefix, String suffix) {
        Map<PoolingSpec.Kind, double[]> figures = new EnumMap<>(PoolingSpec.Kind.class);
        for (PoolingSpec.Kind kind : PoolingSpec.Kind.values()) {
            String k = kind.name().toLowerCase(java.util.Locale.ROOT);
            figures.put(kind, new double[] {TABLE.of(prefix + "value." + k + suffix),
                TABLE.of(prefix + "window." + k + suffix), TABLE.of(prefix + "pixel." + k + suffix),
                TABLE.of(prefix + "completion.fixed." + k + suffix), TABLE.of(prefix + "completion.column." + k + suffix)});
        }
        return figures;
    }

    private static Map<PoolingSpec.Kind, double[]> perPoolingBackward() {
        Map<PoolingSpec.Kind, double[]> figures = new EnumMap<>(PoolingSpec.Kind.class);
        for (PoolingSpec.Kind kind : PoolingSpec.Kind.values()) {
            String k = kind.name().toLowerCase(java.util.Locale.ROOT);
            figures.put(kind, new double[] {TABLE.of("poolback.value." + k), TABLE.of("poolback.overlap." + k),
                TABLE.of("poolback.row." + k), TABLE.of("poolback.column." + k), TABLE.of("poolback.fixed." + k)});
        }
        return figures;
    }

    private static Map<SoftmaxStep, Double> perSoftmaxBackwardStep() {
        Map<SoftmaxStep, Double> m = new EnumMap<>(SoftmaxStep.class);
        for (SoftmaxStep step : EnumSet.complementOf(EnumSet.copyOf(ForwardFigures.FORWARD_STEPS))) {
            m.put(step, TABLE.of("softmax.split." + ForwardFigures.key(step)));
        }
        return m;
    }

    private static double[] perBatchNormEvent(String event) {
        String prefix = "bn." + event + ".";
        return new double[] {TABLE.of(prefix + "fixed"), TABLE.of(prefix + "sample"), TABLE.of(prefix + "column"),
                TABLE.of(prefix + "value")};
    }

    private static Map<UpdaterType, Double> perUpdater(String prefix) {
        Map<UpdaterType, Double> m = new EnumMap<>(UpdaterType.class);
        for (UpdaterType u : UpdaterType.values()) {
            m.put(u, TABLE.of(prefix + switch (u) {
                case SGD -> "sgd";
                case NESTEROVS -> "nesterovs";
                case ADAM -> "adam";
                case ADAMAX -> "adamax";
                case NADAM -> "nadam";
                case AMSGRAD -> "amsgrad";
                case ADAGRAD -> "adagrad";
                case ADADELTA -> "adadelta";
                case RMSPROP -> "rmsprop";
                case NOOP -> "noop";
            }));
        }
        return m;
    }

    private static Map<UpdaterType, double[]> perFixedUpdater() {
        Map<UpdaterType, double[]> m = new EnumMap<>(UpdaterType.class);
        for (UpdaterType u : EnumSet.of(UpdaterType.SGD, UpdaterType.ADAM)) {
            String prefix = "fix.update." + ForwardFigures.key(u) + ".";
            m.put(u, new double[] {TABLE.of(prefix + "nearest.cycles"), TABLE.of(prefix + "stochastic.cycles")});
        }
        return m;
    }

    private long cycles(double instructions) {
        return Math.round(instructions * cyclesPerInstruction);
    }

    /** Cycles of {@code work} in the unit of {@code figures}: instructions at the cycles per instruction, or cycles. */
    private long cycles(KernelFigures figures, double work) {
        return figures.inCycles() ? Math.round(work) : cycles(work);
    }

    /**
     * The forward figures of a vertex's kernel: its arithmetic's. The one place the arithmetic decides a core's
     * charge: an s16.15 reduce is charged per half of its blocks' 64-bit partials it files (each half a packet) and
     * per column it completes, a relay per word, an unfused block per column it sends as two halves.
     */
    private static ForwardFigures figures(MachineVertex v) {
        return v.arithmetic() == Arithmetic.FLOAT32 ? FLOAT32 : S16_15;
    }

    /**
     * The backward-pass figures of a vertex's kernel: its arithmetic's. The one place the arithmetic decides a core's
     * backward charge: an s16.15 core files each backward-pass word at its own figure, and its deltas and block's
     * backward pass are the s16.15 training kernels', which train fused dense blocks only.
     */
    private static BackwardFigures backwardFigures(MachineVertex v) {
        return v.arithmetic() == Arithmetic.FLOAT32 ? FLOAT32_BACKWARD : S16_15_BACKWARD;
    }

    /**
     * Cycles to dispatch one received packet and file its value (a reduce core adds it), without
     * the rows a block may multiply in ({@link #rowCycles}). An s16.15 inference block keeps each word for its
     * completion ({@link #multipliesAtCompletion}); a training one multiplies each word in as it arrives: its filing
     * and the call of the MAC here, its MACs in {@link #rowCycles}.
     */
    public long packetCycles(MachineVertex v) {
        ForwardFigures f = figures(v);
        return dispatchCycles + cycles(f, switch (v.kind()) {
            case REDUCE, RELAY -> f.reducePartial();
            case OUTPUT_SINK, LOSS_SINK -> f.sinkPacket();
            case DENSE_BLOCK -> v.pooling() != null || v.rowBlock() != null ? f.valuePacket()
                    : v.trains() ? f.trainWordPacket() : f.wordPacket();
            default -> f.valuePacket();
        });
    }

    /**
     * Whether a block keeps its words and multiplies them all in at its completion, its weights in panels of three
     * columns: an s16.15 dense block, neither pooling nor a 2-D convolution's, whose network does not train on the
     * machine. Its MACs are its {@link #completionCycles completion's}, none in {@link #rowCycles}.
     */
    public static boolean multipliesAtCompletion(MachineVertex v) {
        return v.arithmetic() == Arithmetic.S16_15 && v.kind() == VertexKind.DENSE_BLOCK && v.pooling() == null
                && v.rowBlock() == null && !v.trains();
    }

    /**
     * Cycles of one multiply-accumulate (random operands) in {@code arithmetic}, the unit of the machine's compute
     * limit: in s16.15 an inference block's (in panels at its completion) or, if the network trains, a training
     * block's (a word multiplied in as it arrives).
     */
    public double macCycles(Arithmetic arithmetic, boolean trains) {
        ForwardFigures f = arithmetic == Arithmetic.FLOAT32 ? FLOAT32 : S16_15;
        double mac = arithmetic == Arithmetic.S16_15 && !trains ? f.panelMac() : f.mac();
        return f.inCycles() ? mac : mac * cyclesPerInstruction;
    }

    /**
     * Cycles a block takes to multiply one row into its sums (a MAC per column and the row's
     * loop), in the event that brings the row or a later one (an s16.15 training block's: the event that brings it,
     * its MACs only, the rest in its word's {@link #packetCycles}); 0 for a vertex that is not a block, and for one
     * that {@link #multipliesAtCompletion multiplies at its completion}.
     */
    public long rowCycles(MachineVertex v) {
        if (v.pooling() != null || multipliesAtCompletion(v)) {
            return 0; // a pooling block pools its rows when the last arrives, an s16.15 inference block multiplies
                      // them then: its completion
        }
        ForwardFigures f = figures(v);
        RowBlock block = v.rowBlock();
        if (block != null) {
            // a 2-D convolution's block: a row's MACs and runs (each of one output column's channels) on average over
            // its rows, and the row's own work (the output columns under its column), in its arithmetic's figures
            int rows = v.rows().size();
            return cycles(f, ((double) block.macs(rows) * f.mac() + block.runs(rows) * f.rowConvRun()) / rows
                    + f.rowConvRow());
        }
        return v.kind() == VertexKind.DENSE_BLOCK ? cycles(f, v.cols().size() * f.mac() + f.blockRow()) : 0;
    }

    /**
     * Cycles of one forward-pass packet a vertex receives when the values come in order: the
     * packet ({@link #packetCycles}) and, for a block, the row it multiplies in; for a reduce whose blocks' partial sums
     * come through SDRAM, a block's packet, the read and the filing ({@link #partialsReadCycles}). A receiving core
     * keeps up with its senders when they send no faster than this.
     */
    public long forwardPacketCycles(MachineVertex v) {
        return v.kind() == VertexKind.REDUCE && v.sdramPartials() ? partialsReadCycles(v)
                : packetCycles(v) + rowCycles(v);
    }

    /**
     * Cycles a reduce or relay that completes column by column ({@code ColumnStreaming}) spends on one column: its
     * partials summed, its bias added, its activation and its send, as a whole z's completion per output, and the
     * loop that finds each column whose partials are in.
     */
    public long columnCycles(MachineVertex v, ActivationKind activation) {
        ForwardFigures f = figures(v);
        return cycles(f, v.kind() == VertexKind.RELAY ? f.relayColumn() : f.reduceColumn(activation));
    }

    /**
     * The words of a block's partial sums through SDRAM, which its reduce reads back ({@link
     * MachineVertex#sdramPartials}): one a key, a column's s16.15 partial its two halves, a float32 one its value.
     */
    public static int partialWords(MachineVertex v) {
        return v.cols().size() * (v.arithmetic() == Arithmetic.S16_15 ? OutgoingPartition.PARTIAL_HALVES : 1);
    }

    /**
     * Cycles a core waits for a DMA of {@code words} words to or from its chip's SDRAM, no other DMA ahead of it
     * ({@link MachineTiming#dmaClocks} at SpiNNaker's timing, whose DMA latency and SDRAM word every machine timing
     * here shares: {@link MachineTiming#MachineTiming(long, long, long)}): a block or reduce polls the DMA of its
     * partial sums rather than take its completion interrupt's dispatch.
     */
    public static long dmaWaitCycles(int words) {
        return MachineTiming.SPINNAKER1.dmaClocks(0, words);
    }

    /**
     * Cycles a block whose partial sums go to its reduce through SDRAM adds to its completion: the DMA that writes
     * them, started and waited for, before its one packet.
     */
    public long partialsWriteCycles(MachineVertex block) {
        return DMA_START_CYCLES + dmaWaitCycles(partialWords(block));
    }

    /**
     * Cycles of the packet that tells a reduce a block's partial sums are in SDRAM, up to their read: its dispatch
     * and the DMA started.
     */
    public long partialsPacketCycles() {
        return dispatchCycles + DMA_START_CYCLES;
    }

    /** Cycles of filing one block's partial sums read back from SDRAM at once ({@code s4j_on_partials}). */
    public long partialsFilingCycles(MachineVertex reduce) {
        ForwardFigures f = figures(reduce);
        return cycles(f, f.burstEvent() + partialWords(reduce) * f.burstKey());
    }

    /**
     * Cycles a reduce whose partial sums come through SDRAM spends on one block's: the packet, the read waited for
     * ({@link #dmaWaitCycles}) and the filing.
     */
    public long partialsReadCycles(MachineVertex reduce) {
        return partialsPacketCycles() + dmaWaitCycles(partialWords(reduce)) + partialsFilingCycles(reduce);
    }

    /**
     * Cycles of the work a vertex does once its last input value of a sample has arrived, besides
     * that packet and the rows it multiplies in as they come: a block's completion (and, fused, its activation per
     * column; an s16.15 inference block's every MAC, {@link #multipliesAtCompletion}), a reduce's activation per
     * output (a relay's the identity, its kernel being a reduce's), a source's values sent.
     */
    public long completionCycles(MachineVertex v, ActivationKind activation) {
        return completionCycles(v, activation, false);
    }

    /**
     * {@link #completionCycles(MachineVertex, ActivationKind)} of a vertex that, with {@code softmaxSplit}, is an
     * activating core of a softmax spread over several cores: its completion then only sums, adds the bias and
     * finds the local maximum ({@link SoftmaxStep#MAX}); the rest are the later {@link #softmaxStepCycles steps}.
     */
    public long completionCycles(MachineVertex v, ActivationKind activation, boolean softmaxSplit) {
        int cols = v.cols().size();
        ForwardFigures f = figures(v);
        if (v.pooling() != null) {
            PoolingWork work = v.pooling();
            double[] pool = (v.arithmetic() == Arithmetic.FLOAT32 ? POOL : FIX_POOL).get(work.kind());
            return cycles(f, pool[3] + work.values() * pool[0] + work.windows() * pool[1] + work.pixels() * pool[2]
                    + cols * pool[4]);
        }
        return switch (v.kind()) {
            case DENSE_BLOCK -> cycles(f, f.blockFixed(v.fused()) + cols * f.blockColumn(v.fused())
                    + (v.fused() ? cols * (softmaxSplit ? f.softmaxStep(SoftmaxStep.MAX) : f.perOutput(activation))
                    : 0) + (multipliesAtCompletion(v) ? f.panelMacs(v.rows().size(), cols) : 0))
                    + (v.sdramPartials() ? partialsWriteCycles(v) : 0);
            case REDUCE -> cycles(f, cols * f.reduceOutput(activation, softmaxSplit));
            case RELAY -> cycles(f, cols * f.reduceOutput(ActivationKind.IDENTITY, false));
            case INPUT_SOURCE, LABEL_SOURCE -> cycles(f, cols * f.sourceValue());
            case OUTPUT_SINK, LOSS_SINK -> 0;
        };
    }

    /**
     * Cycles a vertex spends on one sample's forward pass: dispatching and filing each of the
     * {@code packetsReceived} packets it receives, every row of a block multiplied in once
     * ({@link #rowCycles}), its completion work and, for an activating core
     * of a softmax spread over several cores, its two later steps (exponentials and local
     * sum, then division); a core that completes column by column ({@code columnByColumn}) its columns' work instead
     * of the completion. The partitioner's time bound adds these up, so it follows this model.
     */
    public long forwardSampleCycles(MachineVertex v, ActivationKind activation, int packetsReceived,
            boolean softmaxSync, boolean columnByColumn) {
        return packetsReceived * packetCycles(v) + allRowsCycles(v)
                + forwardWorkCycles(v, activation, softmaxSync, columnByColumn);
    }

    /**
     * {@link #forwardWorkCycles(MachineVertex, ActivationKind, boolean)}, or, for a reduce or relay that completes
     * column by column ({@code columnByColumn}), each of its columns' {@link #columnCycles work}, as the simulator
     * charges it: its whole z's completion and the loop that finds each complete column.
     */
    public long forwardWorkCycles(MachineVertex v, ActivationKind activation, boolean softmaxSplit,
            boolean columnByColumn) {
        return columnByColumn ? v.cols().size() * columnCycles(v, activation)
                : forwardWorkCycles(v, activation, softmaxSplit);
    }

    /**
     * Cycles of a vertex's forward work for one sample besides its packets and rows: its completion and, for an
     * activating core of a softmax spread over several cores ({@code softmaxSplit}), the steps after it (exponentials
     * and local sum, then division).
     */
    public long forwardWorkCycles(MachineVertex v, ActivationKind activation, boolean softmaxSplit) {
        return completionCycles(v, activation, softmaxSplit) + (softmaxSplit
                ? softmaxStepCycles(v, SoftmaxStep.SUM) + softmaxStepCycles(v, SoftmaxStep.NORMALISE) : 0);
    }

    /**
     * Cycles a vertex spends on one sample's backward pass: each of the {@code packetsReceived}
     * labels, deltas or backward partials dispatched and filed ({@link #backwardPacketCycles}), its
     * {@link #backwardCycles backward work} and, for a core of a softmax spread over several cores, its local dot.
     */
    public long backwardSampleCycles(MachineVertex v, ActivationKind activation, OutputLoss loss,
            int packetsReceived, boolean sendsBackward, boolean softmaxSync) {
        return packetsReceived * backwardPacketCycles(v)
                + backwardCycles(v, activation, loss, sendsBackward, softmaxSync)
                + (softmaxSync ? softmaxStepCycles(v, SoftmaxStep.DOT) : 0);
    }

    /**
     * Cycles to dispatch one backward-pass packet (a label, delta, backward partial or error word) and file it, besides
     * the backward work an event that completes the sample's backward pass does ({@link #backwardCycles}): a float32
     * core files it as any value ({@link #packetCycles}), an s16.15 core its word at {@code fix.backward.value.cycles}.
     */
    public long backwardPacketCycles(MachineVertex v) {
        BackwardFigures b = backwardFigures(v);
        return b.value().isPresent() ? dispatchCycles + cycles(b, b.value().getAsDouble()) : packetCycles(v);
    }

    /** Every row of a block multiplied in once (0 for other vertices). */
    private long allRowsCycles(MachineVertex v) {
        return v.kind() == VertexKind.DENSE_BLOCK ? v.rows().size() * rowCycles(v) : 0;
    }

    /**
     * Cycles of one step of a softmax spread over several cores on one of its activating cores (each step
     * measured on its own: {@code softmax.split.*} in the cost table).
     */
    public long softmaxStepCycles(MachineVertex v, SoftmaxStep step) {
        if (SOFTMAX_BACKWARD.containsKey(step)) {
            return cycles(v.cols().size() * SOFTMAX_BACKWARD.get(step));
        }
        ForwardFigures f = figures(v);
        return cycles(f, v.cols().size() * f.softmaxStep(step));
    }

    /**
     * Cycles of the backward work a vertex does once its last delta, label or backward partial
     * of a sample has arrived: its {@link #deltaCycles deltas} if it activates, and its
     * {@link #blockBackwardCycles block's backward pass} if it is a block; {@code loss} is the loss it computes
     * ({@link OutputLoss#of}), null for a vertex that computes none.
     */
    public long backwardCycles(MachineVertex v, ActivationKind activation, OutputLoss loss, boolean sendsBackward) {
        return backwardCycles(v, activation, loss, sendsBackward, false);
    }

    /** {@link #backwardCycles(MachineVertex, ActivationKind, OutputLoss, boolean)} of a vertex without a loss. */
    public long backwardCycles(MachineVertex v, ActivationKind activation, boolean sendsBackward) {
        return backwardCycles(v, activation, null, sendsBackward, false);
    }

    /**
     * {@link #backwardCycles(MachineVertex, ActivationKind, OutputLoss, boolean)} of a vertex that, with
     * {@code softmaxSplit}, is an activating core of a softmax spread over several cores (its deltas follow the
     * peers' dots).
     */
    public long backwardCycles(MachineVertex v, ActivationKind activation, OutputLoss loss, boolean sendsBackward,
            boolean softmaxSplit) {
        return deltaCycles(v, activation, loss, softmaxSplit) + blockBackwardCycles(v, sendsBackward);
    }

    /**
     * Cycles of an activating vertex's deltas (from its labels or backward partials: derivative,
     * db, deltas sent); 0 for a vertex that does not activate. An output-layer vertex ({@code loss} not null)
     * is charged its loss's figures of the cost table, as {@code LossCosts} reads them; an s16.15 one its pair's
     * {@code fix.loss.output.<activation>.<loss>.cycles} per column, a hidden s16.15 one
     * {@code fix.backward.output.<activation>.cycles} (an activation or loss the s16.15 training kernels lack throws
     * IllegalArgumentException).
     */
    public long deltaCycles(MachineVertex v, ActivationKind activation, OutputLoss loss) {
        return deltaCycles(v, activation, loss, false);
    }

    /**
     * {@link #deltaCycles(MachineVertex, ActivationKind, OutputLoss)} of a vertex that, with {@code softmaxSplit},
     * is an activating core of a softmax spread over several cores: a hidden one's deltas once the peers' dots are
     * in, the local dot being a step of its own ({@link SoftmaxStep#DOT}).
     */
    public long deltaCycles(MachineVertex v, ActivationKind activation, OutputLoss loss, boolean softmaxSplit) {
        if (!v.activates()) {
            return 0;
        }
        BackwardFigures b = backwardFigures(v);
        return cycles(b, v.cols().size() * (loss != null ? b.outputDelta(activation, loss)
                : softmaxSplit ? b.splitDelta() : b.hiddenDelta(activation)));
    }

    /** {@link #deltaCycles(MachineVertex, ActivationKind, OutputLoss)} of a vertex without a loss. */
    public long deltaCycles(MachineVertex v, ActivationKind activation) {
        return deltaCycles(v, activation, null);
    }


    /**
     * Cycles of a block's backward pass once its deltas are in: dW = x·deltaᵀ accumulated and, if
     * it sends backward, W·delta sent; 0 for a vertex that is not a block. A pooling block has no dW: if it sends
     * backward, it finds its rows' gradients from its windows and sends them ({@link #poolingBackwardCycles}). An
     * s16.15 block is charged {@code fix.backward.fixed}, per weight {@code fix.backward.dw} (or, sending backward,
     * {@code fix.backward.dw_and_error}) and per row {@code fix.backward.row.kept} (or {@code .sent}), in cycles; an
     * s16.15 pooling or convolution's block, which does not train, throws IllegalArgumentException.
     */
    public long blockBackwardCycles(MachineVertex v, boolean sendsBackward) {
        if (v.kind() != VertexKind.DENSE_BLOCK) {
            return 0;
        }
        BackwardFigures b = backwardFigures(v);
        b.checkTrains(v);
        if (v.pooling() != null) {
            return sendsBackward ? poolingBackwardCycles(v) : 0;
        }
        int rows = v.rows().size();
        // a 2-D convolution's block: a dW term (and a W·delta one) per MAC of its forward pass
        double products = v.rowBlock() != null ? v.rowBlock().macs(rows) : (double) rows * v.cols().size();
        return cycles(b, b.fixed() + products * b.dw(sendsBackward) + rows * b.row(sendsBackward));
    }

    /** Cycles a block under dropout spends on the row it receives: the value's hash, its mask and its scaling. */
    public long dropoutRowCycles(MachineVertex v) {
        return v.kind() == VertexKind.DENSE_BLOCK ? cycles(DROPOUT_ROW) : 0;
    }

    /**
     * Cycles a block under dropout spends scaling the W·delta (a pooling block: the gradient) it sends back: a hash, a
     * mask and a multiply per row.
     */
    public long dropoutBackwardCycles(MachineVertex v) {
        return v.kind() == VertexKind.DENSE_BLOCK
                ? cycles(v.rows().size() * (v.pooling() != null ? DROPOUT_BACK_POOL_ROW : DROPOUT_BACK_ROW)) : 0;
    }

    /** {@link #dropoutRowCycles(MachineVertex)} if the vertex's layer drops its input ({@code dropout}), else 0. */
    public long dropoutRowCycles(MachineVertex v, InputDropout dropout) {
        return dropout.dropsInput() ? dropoutRowCycles(v) : 0;
    }

    /**
     * {@link #dropoutBackwardCycles(MachineVertex)} if the vertex sends backward and its layer masks the gradient
     * ({@code dropout}), else 0.
     */
    public long dropoutBackwardCycles(MachineVertex v, InputDropout dropout, boolean sendsBackward) {
        return sendsBackward && dropout.masksGradient() ? dropoutBackwardCycles(v) : 0;
    }

    /**
     * Cycles of a vertex's sample read from SDRAM besides the work on what it read. A first-layer block reading its
     * rows ({@code InputPath.SDRAM}): each of its reads' event ({@link #inputReadEventCycles}, {@link #rowsPerRead})
     * and every row's filing ({@code s4j_on_rows}), not their multiply ({@link #rowCycles}) or dropout
     * ({@link #dropoutRowCycles}). An input or label source: its one read's event, whose values' work is its
     * completion's ({@link #completionCycles}). 0 for any other vertex.
     */
    public long inputReadCycles(MachineVertex v, boolean trains) {
        return switch (v.kind()) {
            case DENSE_BLOCK -> {
                int rows = v.rows().size();
                yield reads(rows, trains) * inputReadEventCycles(v) + inputReadRowCycles(v, rows);
            }
            case INPUT_SOURCE, LABEL_SOURCE -> inputReadEventCycles(v);
            default -> 0;
        };
    }

    /**
     * Cycles of all of a vertex's work on a sample read from SDRAM: {@link #inputReadCycles} and, for a first-layer
     * block, the rows' multiply ({@link #rowCycles}) and dropout under {@code dropout} ({@link #dropoutRowCycles}).
     */
    public long inputReadWorkCycles(MachineVertex v, boolean trains, InputDropout dropout) {
        long read = inputReadCycles(v, trains);
        return v.kind() == VertexKind.DENSE_BLOCK
                ? read + v.rows().size() * (rowCycles(v) + dropoutRowCycles(v, dropout)) : read;
    }

    /**
     * The rows of a block's {@code rows} each read from SDRAM brings, each read its own event: all of them in
     * inference, where nothing else comes to the core; {@link #DMA_ROWS} in training, so that no event keeps the core
     * from the backward pass's packets for long.
     */
    public static int rowsPerRead(int rows, boolean trains) {
        return trains ? Math.min(DMA_ROWS, rows) : rows;
    }

    /** How many reads from SDRAM ({@link #rowsPerRead} rows each, the last the rest) bring a block's {@code rows}. */
    public static long reads(int rows, boolean trains) {
        int perRead = rowsPerRead(rows, trains);
        return (rows + perRead - 1) / perRead;
    }

    /**
     * Cycles of one read's event besides its rows: starting its DMA ({@link #DMA_START_CYCLES}), dispatching its
     * completion interrupt's callback, and for a block the fixed work of the kernel's call ({@code block.dma.event});
     * a source's call is its completion ({@link #completionCycles}).
     */
    public long inputReadEventCycles(MachineVertex v) {
        if (v.kind().isSource()) {
            return DMA_START_CYCLES + dispatchCycles;
        }
        ForwardFigures f = figures(v);
        return DMA_START_CYCLES + dispatchCycles + cycles(f, v.trains() ? f.trainDmaEvent() : f.dmaEvent());
    }

    /**
     * Cycles of filing {@code rows} rows read from SDRAM, besides their multiply ({@code block.dma.row}; an s16.15
     * training block's {@code fix.block.train.dma.row}, its words also kept in its x ring).
     */
    public long inputReadRowCycles(MachineVertex v, int rows) {
        ForwardFigures f = figures(v);
        return cycles(f, rows * (v.trains() ? f.trainDmaRow() : f.dmaRow()));
    }

    /**
     * {@link #forwardPacketCycles(MachineVertex)} of a vertex whose layer's input is dropped as {@code dropout}:
     * with the row's dropout, so a window feeds a block under dropout no faster than it files.
     */
    public long forwardPacketCycles(MachineVertex v, InputDropout dropout) {
        return forwardPacketCycles(v) + dropoutRowCycles(v, dropout);
    }

    /**
     * Cycles of the dropout a vertex applies to one training sample: each row it receives and, sending backward,
     * the gradient it sends back for each ({@link #dropoutRowCycles}, {@link #dropoutBackwardCycles}).
     */
    public long dropoutSampleCycles(MachineVertex v, InputDropout dropout, boolean sendsBackward) {
        return (v.kind() == VertexKind.DENSE_BLOCK ? v.rows().size() * dropoutRowCycles(v, dropout) : 0)
                + dropoutBackwardCycles(v, dropout, sendsBackward);
    }

    /**
     * Cycles of a training pooling block's backward pass: its {@link PoolingWork#values()} read or added to (those
     * beyond its rows, where windows overlap on a row, at the overlap's figure too), its rows zeroed and sent, its
     * columns, besides their derivative ({@link #deltaCycles}); a NORM block's (score(DataSet)'s backward pass, with
     * the running statistics) multiplies each column's delta in its column figure.
     */
    private long poolingBackwardCycles(MachineVertex v) {
        double[] f = POOL_BACKWARD.get(v.pooling().kind());
        long values = v.pooling().values();
        int rows = v.rows().size();
        return cycles(f[4] + values * f[0] + Math.max(0, values - rows) * f[1] + rows * f[2]
                + v.cols().size() * f[3]);
    }

    /**
     * Cycles to apply an update to a vertex's parameters (its block of W and, if it activates, its bias); a float32
     * vertex's only ({@link #updateCycles(MachineVertex, UpdaterSpec)}).
     */
    public long updateCycles(MachineVertex v, UpdaterType updater) {
        return updateCycles(v, new UpdaterSpec(updater, 0f, 0f, 0f, 0f));
    }

    /**
     * Cycles to apply an update with its regularization and gradient normalization to a vertex's parameters: the
     * weights with the updater's cost per parameter, the bias with its own updater's ({@link UpdaterSpec#forBias()}),
     * plus, for the weights and for the bias if regularized, the measured cost of l1, l2 and weight decay together per
     * parameter, plus per parameter the element-wise clipping's or an L2 normalization's scaling (with the norms added
     * up from the partials, which costs little beside it). A float32 vertex's only: an s16.15 one's update is
     * {@link #fixedUpdateCycles}, and asking for it here throws IllegalArgumentException.
     */
    public long updateCycles(MachineVertex v, UpdaterSpec updater) {
        if (v.arithmetic() != Arithmetic.FLOAT32) {
            throw new IllegalArgumentException(v + " is " + v.arithmetic() + ": its update is the s16.15 kernels' "
                    + "(fixedUpdateCycles, by updater and rounding), which the float updaters' figures do not cost");
        }
        if (v.pooling() != null && v.pooling().kind() == PoolingSpec.Kind.NORM) {
            // a batch normalization's mini-batch mode: gamma and beta through the updaters, the statistics stepped
            long columns = v.cols().size();
            return cycles(updateInstructions(columns, columns, updater) + columns * BATCH_NORM_UPDATE);
        }
        return cycles(updateInstructions(weights(v), biases(v), updater));
    }

    /**
     * Cycles of an s16.15 training block's update ({@code s4j_apply_fix_update}): each of its weights and biases
     * stepped by {@code updater}, Sgd or Adam, and rounded to a word to nearest or, with {@code stochasticRounding},
     * stochastically, at {@code fix.update.<sgd|adam>.<nearest|stochastic>.cycles}. Throws IllegalArgumentException for
     * another updater, which the s16.15 kernels lack, or a float32 vertex
     * ({@link #updateCycles(MachineVertex, UpdaterSpec)}).
     */
    public long fixedUpdateCycles(MachineVertex v, UpdaterType updater, boolean stochasticRounding) {
        if (v.arithmetic() != Arithmetic.S16_15) {
            throw new IllegalArgumentException(v + " is " + v.arithmetic() + ": its update is updateCycles, not the "
                    + "s16.15 kernels'");
        }
        double[] perParameter = FIX_UPDATE.get(updater);
        if (perParameter == null) {
            throw new IllegalArgumentException("the s16.15 training kernels update with Sgd or Adam only, so "
                    + updater + " has no cost");
        }
        return Math.round((weights(v) + biases(v)) * perParameter[stochasticRounding ? 1 : 0]);
    }

    /**
     * Cycles of a batch normalization block's forward event in its mini-batch mode: holding {@code batch} samples of
     * its {@code columns} features, it computes each feature's mean, variance and std and every sample's outputs, which
     * it sends (the sends' own cycles are charged as any event's).
     */
    public long batchNormForwardCycles(int columns, int batch) {
        return batchNormEventCycles(BATCH_NORM_FORWARD, columns, batch);
    }

    /**
     * Cycles of the same block's backward event, once {@code batch} samples' deltas are in: each feature's sums (gamma's
     * and beta's gradients) and every sample's deltas back, sent (a block whose rows are its columns, a fully connected
     * layer's).
     */
    public long batchNormBackwardCycles(int columns, int batch) {
        return batchNormEventCycles(BATCH_NORM_BACKWARD, columns, batch);
    }

    /**
     * Cycles of exchange round {@code round} (0 to 2) of a batch normalization block in channel mode
     * ({@code blocks} blocks share its channels): its partial sums per channel over {@code batch} samples of its
     * {@code columns} columns (round 1 first takes each column's mean from the blocks' sums); its sends (1, 2 and 4 a
     * channel) are charged as any event's.
     */
    public long batchNormExchangeCycles(int round, int columns, int batch, int blocks) {
        if (round < 0 || round >= BATCH_NORM_EXCHANGE.length) {
            throw new IllegalArgumentException("a batch normalization's exchange has rounds 0 to 2, got " + round);
        }
        return channelEventCycles(BATCH_NORM_EXCHANGE[round], BATCH_NORM_TOTALS[round], columns, batch, blocks);
    }

    /**
     * Cycles of a channel-mode batch normalization block's forward event, every block's round 1 in: each column's
     * variance and std from the blocks' sums and every sample's outputs. A block alone ({@code blocks} 1) runs its
     * rounds 0 and 1 in the same event, which are added.
     */
    public long batchNormChannelForwardCycles(int columns, int batch, int blocks) {
        long alone = blocks == 1
                ? batchNormExchangeCycles(0, columns, batch, blocks) + batchNormExchangeCycles(1, columns, batch, blocks)
                : 0;
        return alone + channelEventCycles(BATCH_NORM_CHANNEL_FORWARD, BATCH_NORM_TOTALS[3], columns, batch, blocks);
    }

    /**
     * Cycles of the same block's backward event, every block's round 2 in: each column's gamma and beta gradients and
     * backward factors from the blocks' five sums and every sample's deltas back (per sample and column: a block of as
     * many rows as columns; the zeros of a slice's other rows are charged as their sends alone). A block alone runs its
     * round 2 in the same event, which is added.
     */
    public long batchNormChannelBackwardCycles(int columns, int batch, int blocks) {
        long alone = blocks == 1 ? batchNormExchangeCycles(2, columns, batch, blocks) : 0;
        return alone + channelEventCycles(BATCH_NORM_CHANNEL_BACKWARD, BATCH_NORM_TOTALS[4], columns, batch, blocks);
    }

    /** Cycles to receive and file another batch normalization block's exchange partial. */
    public long batchNormPartialCycles() {
        return dispatchCycles + cycles(BATCH_NORM_PARTIAL);
    }

    private long channelEventCycles(double[] f, int totals, int columns, int batch, int blocks) {
        if (blocks < 1) {
            throw new IllegalArgumentException("a batch normalization's channels lie on 1 block or more, got " + blocks);
        }
        return batchNormEventCycles(f, columns, batch) + cycles((double) columns * totals * blocks * BATCH_NORM_SUM_BLOCK);
    }

    private long batchNormEventCycles(double[] f, int columns, int batch) {
        if (columns < 1 || batch < 1) {
            throw new IllegalArgumentException("a batch normalization's event has columns and samples, got " + columns
                    + " x " + batch);
        }
        return cycles(f[0] + batch * f[1] + columns * f[2] + (double) batch * columns * f[3]);
    }

    /**
     * Cycles of a kernel copy's update: the shares of the {@code ownedWeights} weights and {@code ownedBiases} biases it
     * owns added up ({@code copies} each), then those parameters updated as {@link #updateCycles(MachineVertex,
     * UpdaterSpec)} updates a vertex's.
     */
    public long copyUpdateCycles(long ownedWeights, long ownedBiases, int copies, UpdaterSpec updater) {
        return cycles((ownedWeights + ownedBiases) * copies * COPY_SUM
                + updateInstructions(ownedWeights, ownedBiases, updater));
    }

    /** Cycles of a kernel copy's shares: every parameter of its block filed or sent. */
    public long shareStartCycles(MachineVertex v) {
        return cycles((weights(v) + biases(v)) * COPY_SHARE);
    }

    /** Cycles to receive and file another copy's share. */
    public long sharePacketCycles() {
        return dispatchCycles + cycles(COPY_SHARE_VALUE);
    }

    /** Cycles of an owner's sending of the new values of its {@code owned} parameters. */
    public long paramSendCycles(long owned) {
        return cycles(owned * COPY_PARAM);
    }

    /** Cycles to receive and file a new value of a parameter another copy owns. */
    public long paramPacketCycles() {
        return dispatchCycles + cycles(COPY_PARAM_VALUE);
    }

    private static double updateInstructions(long weights, long biases, UpdaterSpec updater) {
        long regularized = (updater.weights().equals(RegularizationSpec.NONE) ? 0 : weights)
                + (updater.bias().equals(RegularizationSpec.NONE) ? 0 : biases);
        long parameters = weights + biases;
        double normalization = switch (updater.gradientNormalization().type()) {
            case NONE -> 0;
            case CLIP_ELEMENT_WISE_ABSOLUTE_VALUE -> parameters * CLIP;
            case RENORMALIZE_L2_PER_LAYER, RENORMALIZE_L2_PER_PARAM_TYPE, CLIP_L2_PER_LAYER, CLIP_L2_PER_PARAM_TYPE ->
                    parameters * NORMALIZE;
        };
        return weights * UPDATE.get(updater.type()) + biases * UPDATE.get(updater.forBias().type())
                + regularized * REGULARIZATION + normalization;
    }

    /** Cycles of a core's partial sums of squares of its gradient (its weights and bias), for an L2 normalization. */
    public long normPartialCycles(MachineVertex v) {
        return cycles((weights(v) + biases(v)) * NORM_PARTIAL);
    }

    /** Cycles to receive and file one peer's partial sum of squares. */
    public long normPacketCycles() {
        return dispatchCycles + cycles(NORM_VALUE);
    }

    private static long weights(MachineVertex v) {
        if (v.kind() != VertexKind.DENSE_BLOCK) {
            return 0;
        }
        return v.rowBlock() != null ? v.rowBlock().weights(v.rows().size()) : (long) v.rows().size() * v.cols().size();
    }

    private static long biases(MachineVertex v) {
        return !v.activates() ? 0 : v.rowBlock() != null ? v.rowBlock().channels() : v.cols().size();
    }
}
