package org.spinnaker4j.backend.sim;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import org.spinnaker4j.backend.runtime.ExactRates;
import org.spinnaker4j.backend.runtime.LayerUpdate;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.kernels.AccumQuantiser;
import org.spinnaker4j.kernels.FixedPointUpdate;
import org.spinnaker4j.kernels.KernelConfig;
import org.spinnaker4j.kernels.KernelCore;
import org.spinnaker4j.kernels.KernelException;
import org.spinnaker4j.kernels.KernelWork;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.tdma.CoreSlot;
import org.spinnaker4j.mapper.tdma.Phase;

/**
 * One application core: its communications controller's receive register (one packet, which
 * the packet-received interrupt empties after {@code receiveInterruptCycles}; while it is full
 * the router cannot deliver to this core and stalls), a bounded software receive queue (a
 * packet that finds it full is lost, as when a busy core cannot keep up), the C kernel that handles one packet at a time
 * and is busy for the cycles the cost model gives for the packet and for every piece of work the kernel reports
 * having done with it, and a send queue that injects packets into
 * the chip's router at the times the send mode allows (TDMA slots, or as fast as the core can
 * send). Work has two priorities, as spin1 callbacks do: the foreground (a packet, the rows it multiplies in and its
 * forward-pass work) runs as soon as the core has no other foreground work, in packet order; the background (the
 * backward-pass work of training) runs, first in first out, only while no foreground work is pending, and a packet
 * that arrives meanwhile preempts it. The kernel handles each packet when its foreground work starts, so its
 * results do not depend on the priorities: only when each send is ready does (forward-pass sends when their
 * foreground work is done, backward-pass sends when the background work queued with them is). A core that misses
 * its TDMA slot sends in the next free one and counts an overrun. Its k-th packet of a phase belongs to sample
 * k / (packets per sample), whose slots count from that sample's start, so a core may hold packets of several
 * samples in flight. A sink hands each sample's values to its {@link SampleRecorder} as soon as they are all in.
 */
final class SimCore implements SimRouter.Pusher {

    private static final Phase[] PHASES = Phase.values();
    private static final long NO_INJECT = Long.MAX_VALUE;
    private static final long NOT_RUNNING = Long.MIN_VALUE;

    /** A range of keys [lo, hi), what it means to this core, and the {@link KeyIds} number of {@code lo}. */
    record KeyClass<T>(int lo, int hi, T meaning, int firstId) {
        boolean contains(int key) {
            return Integer.compareUnsigned(key, lo) >= 0 && Integer.compareUnsigned(key, hi) < 0;
        }

        /** The {@link KeyIds} number of {@code key}, one of this range's. */
        int id(int key) {
            return firstId + (key - lo);
        }
    }

    /**
     * What the simulator tells a core about the cost of its work (receiving a packet, each kind of
     * work its kernel reports, its update at the end of a mini-batch, in cycles), its TDMA slots
     * per phase and the phase of each key it sends; the key ranges it receives at another cost than
     * {@code packetCycles} ({@code receives}, by phase: {@link Phase#BACKWARD}'s, on a core whose backward-pass packets
     * cost {@code backwardPacketCycles}, its labels and backward packets; the others once a mini-batch); with an L2
     * gradient normalization, the cycles of its partial sums of squares and of receiving a peer's; on a batch
     * normalization's block that exchanges partial sums per channel, the cycles of receiving another block's; on a
     * first-layer block that reads its input from SDRAM, what a read's event costs ({@code inputReads}); on a block
     * or reduce whose partial sums go through SDRAM, their keys and costs ({@code partials}).
     */
    record Profile(CoreLocation location, String label, int receiveInterruptCycles, long packetCycles,
            long backwardPacketCycles, WorkCosts work, long updateCycles, int sendCycles, Map<Phase, CoreSlot> slots,
            List<KeyClass<Phase>> sends, long normPartialCycles, List<KeyClass<Phase>> receives,
            long normPacketCycles, CopyCosts copy, long batchNormPartialCycles, InputReads inputReads,
            SdramPartials partials) {

        /** The ranges of the keys the core sends may not overlap: {@link SimCore#sendClass} relies on it. */
        Profile {
            List<KeyClass<Phase>> byLo = sends.stream()
                    .sorted((a, b) -> Integer.compareUnsigned(a.lo(), b.lo())).toList();
            for (int k = 1; k < byLo.size(); k++) {
                if (Integer.compareUnsigned(byLo.get(k).lo(), byLo.get(k - 1).hi()) < 0) {
                    throw new IllegalArgumentException("core " + location + " sends overlapping key ranges: "
                            + byLo.get(k - 1) + " and " + byLo.get(k));
                }
            }
        }

        /** The cycles of receiving a packet, by its key. */
        ReceiveCosts receiveCosts() {
            return new ReceiveCosts(receives, c -> switch (c.meaning()) {
                case SHARE -> copy.sharePacketCycles();
                case PARAM -> copy.paramPacketCycles();
                case BATCH_NORM -> batchNormPartialCycles;
                case NORM -> normPacketCycles;
                case SYNC, FORWARD, BACKWARD_SYNC, BACKWARD -> backwardPacketCycles;
            }, packetCycles);
        }

        /** The range of the keys this core sends that holds {@code key}. */
        KeyClass<Phase> sendClass(int key) {
            for (KeyClass<Phase> c : sends) {
                if (c.contains(key)) {
                    return c;
                }
            }
            throw new IllegalStateException(String.format("core %s sent key 0x%08x, which none of its partitions has",
                    location, key));
        }
    }

    /**
     * What a kernel copy's exchange costs the core (all 0 on a core that holds none): its shares filed or sent, a share
     * filed, its new values sent, a new value filed.
     */
    record CopyCosts(long shareStartCycles, long sharePacketCycles, long paramSendCycles, long paramPacketCycles) {
        static final CopyCosts NONE = new CopyCosts(0, 0, 0, 0);
    }

    /**
     * What a read from SDRAM costs the core besides the work on what it read: per event and per row, in cycles. A
     * first-layer block reading its rows: a read's event and each row's filing, not the rows' multiply; a source
     * reading its slice of a sample: the read's event, the values' work being its start's. All 0 on a core that reads
     * none.
     */
    record InputReads(long eventCycles, long rowCycles) {
        static final InputReads NONE = new InputReads(0, 0);
    }

    /**
     * A block's or reduce's partial sums through its chip's SDRAM (none on other cores): the keys of the block's that
     * it writes there rather than sends, the packet that says so carrying the first ({@code written}, null on a
     * reduce); the keys of the blocks' a reduce reads back on that packet ({@code read}), each block's a range; the
     * block's wait for its write, as its completion is charged it; the reduce's packet up to the read, and its
     * filing of what it read.
     */
    record SdramPartials(KeyClass<Phase> written, List<KeyClass<Phase>> read, long writeWaitCycles,
            long packetCycles, long filingCycles) {
        static final SdramPartials NONE = new SdramPartials(null, List.of(), 0, 0, 0);

        /** The range of the partial sums read back that starts at {@code key}, or null. */
        KeyClass<Phase> readAt(int key) {
            for (KeyClass<Phase> c : read) {
                if (c.contains(key)) {
                    return c;
                }
            }
            return null;
        }
    }

    /** Takes the values a sink collected for one sample, when its last one is filed. */
    interface SampleRecorder {
        void record(int sample, float[] values, long timePs);
    }

    /** Takes the time a training core finished its backward work for a sample. */
    interface BackwardRecorder {
        void ended(int sample, long timePs);
    }

    private final EventQueue clock;
    private final KernelCore kernel;
    private final SimRouter router;
    /** Its chip's SDRAM interface, through which its partial sums go (null if none do). */
    private final SdramInterface sdram;
    private final Profile profile;
    private final SimulatorParameters parameters;
    private final DropLog log;
    /** Picoseconds per core clock. */
    private final long clockPs;
    /*
     * Figures of the profile and parameters the events read, kept here so that an event touches fewer objects (the
     * simulator's working set is larger than the host's caches): the receive queue's depth, the receive interrupt's
     * time, the least time between two sends, whether sends wait for TDMA slots, the work costs, the cycles of
     * receiving a packet and whether some keys cost otherwise ({@link Profile#receiveCosts}).
     */
    private final int receiveDepth;
    private final long interruptPs;
    private final long sendGapPs;
    private final boolean tdma;
    private final WorkCosts workCosts;
    private final long packetCycles;
    private final boolean packetCyclesVary;
    private final ReceiveCosts receiveCosts;
    private final PacketQueue received;
    private final SendQueue toSend = new SendQueue();
    private final int[] outbox;
    private final int interruptEvent;
    private final int finishPacketEvent;
    private final int injectEvent;
    private final int backgroundEvent;
    /** The range of the keys the core sent last ({@link #sendClass}); null before its first send. */
    private KeyClass<Phase> lastSendClass;
    /** The bit of this core's receive register among its router's outputs. */
    private final int registerBit;
    /** The core is doing foreground work: a packet, its rows and its forward-pass work. */
    private boolean busy;
    /** Reads of rows from SDRAM whose DMA is done, waiting for the core (first in, first handled). */
    private final ArrayDeque<InputRead> inputReads = new ArrayDeque<>();
    /** Backward-pass work waiting, the head item running while {@link #backgroundDonePs} is set. */
    private final BackgroundQueue background = new BackgroundQueue();
    /** When the running background item is done ({@link #NOT_RUNNING}: none runs). */
    private long backgroundDonePs = NOT_RUNNING;
    /** The packet in the receive register, while it is full. */
    private int registerKey;
    private int registerPayload;
    /** When the pending inject event fires ({@link #NO_INJECT}: none is pending). */
    private long injectAtPs = NO_INJECT;
    /** The router refused the head packet and will call {@link #resume()}. */
    private boolean blocked;
    /** When this core last sent a packet. */
    private long lastSentPs;
    private long[] sampleStartPs = new long[0];
    private SampleRecorder recorder;
    private int recorderWidth;
    private int recorded;
    private BackwardRecorder backwardRecorder;
    private int backwardsDone;
    /** The TDMA slot cursor of each phase, by ordinal (null: the core has no slot sequence in that phase). */
    private final SlotCursor[] cursors = new SlotCursor[PHASES.length];
    /**
     * When the current once-per-mini-batch exchange ({@link Phase#perMiniBatch()}: gradient-norm partials, kernel
     * copies' shares or new values) started: its slots count from here.
     */
    private long exchangeStartPs;
    /**
     * Added to each sample's start when timing the core's forward-pass and backward-pass slots: a mini-batch trained in
     * segments by its batch normalizations runs each segment as the one-segment pipeline moved by a constant
     * ({@link #shiftForward}, {@link #shiftBackward}); 0 otherwise.
     */
    private long forwardShiftPs;
    private long backwardShiftPs;
    /** When the last packet queued in each phase is due: a core's sends of one phase keep their order. */
    private final long[] lastDue = new long[PHASES.length];
    long busyPs;
    long sent;
    long sentBackward;
    /** When this core last sent a forward (or forward synchronisation) packet in the current step. */
    long lastForwardSendPs;
    long delivered;
    long overruns;
    long receiveDrops;

    SimCore(EventQueue clock, KernelCore kernel, SimRouter router, SdramInterface sdram, Profile profile,
            SimulatorParameters parameters, DropLog log) {
        this.clock = clock;
        this.kernel = kernel;
        this.router = router;
        this.sdram = sdram;
        this.profile = profile;
        this.parameters = parameters;
        this.log = log;
        this.clockPs = parameters.timing().coreClockPs();
        this.outbox = new int[2 * kernel.maxSendsPerEvent()];
        this.receiveDepth = parameters.coreReceiveDepth();
        this.interruptPs = profile.receiveInterruptCycles() * clockPs;
        this.sendGapPs = profile.sendCycles() * clockPs;
        this.tdma = parameters.sendMode() == SendMode.TDMA;
        this.workCosts = profile.work();
        this.packetCycles = profile.packetCycles();
        this.packetCyclesVary = !profile.receives().isEmpty();
        this.receiveCosts = profile.receiveCosts();
        this.received = new PacketQueue(receiveDepth);
        this.registerBit = SimRouter.coreOutput(profile.location().p());
        this.interruptEvent = clock.register(this, EventQueue.CORE_INTERRUPT, router);
        this.finishPacketEvent = clock.register(this, EventQueue.CORE_FINISH_PACKET, router);
        this.injectEvent = clock.register(this, EventQueue.CORE_INJECT, router);
        this.backgroundEvent = clock.register(this, EventQueue.CORE_BACKGROUND, router);
        profile.slots().forEach((phase, slot) -> cursors[phase.ordinal()] = new SlotCursor(phase, slot));
    }

    KernelCore kernel() {
        return kernel;
    }

    ChipLocation chip() {
        return router.chip();
    }

    RunStats.CoreStats stats() {
        return new RunStats.CoreStats(profile.location(), profile.label(), busyPs / 1e12);
    }

    /**
     * A run starts: sample s's TDMA slots count from {@code sampleStartPs[s]}, which the simulator
     * fills in no later than the sample's start.
     */
    void startRun(long[] sampleStartPs) {
        this.sampleStartPs = sampleStartPs;
        for (SlotCursor cursor : cursors) {
            if (cursor != null) {
                cursor.reset();
            }
        }
        java.util.Arrays.fill(lastDue, -sendGapPs);
        lastSentPs = -sendGapPs;
        forwardShiftPs = 0;
        backwardShiftPs = 0;
        recorded = 0;
        backwardsDone = 0;
    }

    /** A training core passes the time it finishes each sample's backward work (they come in sample order). */
    void recordBackwardEnds(BackwardRecorder recorder) {
        this.backwardRecorder = recorder;
    }

    /** A sink passes each sample's values, once all {@code width} are in, to {@code recorder}. */
    void recordSamples(SampleRecorder sampleRecorder, int width) {
        this.recorder = sampleRecorder;
        this.recorderWidth = width;
    }

    /** A sample's step starts now (runs that do not pipeline): its forward pass is timed from here. */
    void startStep(long startPs) {
        lastForwardSendPs = startPs;
    }

    /**
     * An input or label source's start event, once its DMA has brought its slice of the sample from SDRAM: it sends
     * it, charged the read's event besides the values' work.
     */
    void startSource() {
        finishEvent(kernel.start(outbox), profile.inputReads().eventCycles());
        if (!background.isEmpty()) {
            throw new IllegalStateException("source core " + profile.location() + " (" + profile.label()
                    + ") did backward-pass work when it sent its sample");
        }
    }

    /**
     * The end of a mini-batch's backward passes, with an L2 gradient normalization: the kernel computes the core's
     * partial sums of squares and sends them to its layer's other cores in its {@link Phase#NORM} slots, counted
     * from now.
     */
    void startNorm(int batchSize) {
        exchangeStartPs = clock.now();
        sendExchange(kernel.startNorm(batchSize, outbox), profile.normPartialCycles());
    }

    /**
     * The end of a mini-batch's backward passes on a kernel copy: it files its own shares of its chunks and sends each
     * other owner its share in its {@link Phase#SHARE} slots, counted from now.
     */
    void startShares() {
        exchangeStartPs = clock.now();
        sendExchange(kernel.startShares(outbox), profile.copy().shareStartCycles());
    }

    /**
     * A kernel copy after its update: it sends the new values of the chunks it owns to their other holders in its
     * {@link Phase#PARAM} slots, counted from now.
     */
    void sendParameters() {
        exchangeStartPs = clock.now();
        sendExchange(kernel.sendParameters(outbox), profile.copy().paramSendCycles());
    }

    /** From now on, sample s's forward-pass slots count from its start plus {@code shiftPs}. */
    void shiftForward(long shiftPs) {
        forwardShiftPs = shiftPs;
    }

    /** From now on, sample s's backward-pass slots count from its start plus {@code shiftPs}. */
    void shiftBackward(long shiftPs) {
        backwardShiftPs = shiftPs;
    }

    /** When, from a sample's start, the core's first slot of {@code phase} comes (before any shift). */
    long firstSlotPs(Phase phase) {
        SlotCursor cursor = cursors[phase.ordinal()];
        return cursor == null ? 0 : cursor.slot.sendClock(0) * clockPs;
    }

    /**
     * A batch normalization's block holding every sample of the mini-batch ({@code batchSize}): the kernel computes
     * the mini-batch's statistics and every sample's outputs, which it sends in each sample's forward slots once
     * {@code cycles} of work from now are done.
     */
    void startBatchNormForward(int batchSize, long cycles) {
        sendExchange(kernel.batchNormForward(batchSize, outbox), cycles);
    }

    /**
     * A batch normalization's block that shares its channels with other blocks, holding the mini-batch's
     * {@code batchSize} samples (rounds 0 and 1) or their deltas (round 2): the kernel computes the round's partial
     * sums per channel, ready after {@code cycles} of work from now, and sends them in its {@link Phase#BATCH_NORM}
     * slots counted from {@code startPs} (when the round's slowest block is done).
     */
    void startBatchNormExchange(int batchSize, int round, long cycles, long startPs) {
        exchangeStartPs = startPs;
        sendExchange(kernel.batchNormExchange(batchSize, round, outbox), cycles);
    }

    /**
     * The same block holding every sample's delta: the kernel computes gamma's and beta's gradients and every
     * sample's delta back, which it sends in each sample's backward slots once {@code cycles} of work are done.
     */
    void startBatchNormBackward(int batchSize, long cycles) {
        sendExchange(kernel.batchNormBackward(batchSize, outbox), cycles);
    }

    /**
     * Reloads a batch normalization's block with {@code config}: its mini-batch mode or its running statistics
     * ({@link KernelConfig#withRunningStatistics()}), keeping its parameters and its {@code stateArrays} updater state
     * arrays.
     */
    void setBatchNorm(KernelConfig config, int stateArrays) {
        if (kernel.config().equals(config)) {
            return;
        }
        float[] weights = kernel.readWeights();
        float[] bias = kernel.readBias();
        float[][] weightState = new float[stateArrays][];
        float[][] biasState = new float[stateArrays][];
        for (int k = 1; k <= stateArrays; k++) {
            weightState[k - 1] = kernel.readWeightState(k);
            biasState[k - 1] = kernel.readBiasState(k);
        }
        kernel.load(config, weights, bias);
        for (int k = 1; k <= stateArrays; k++) {
            kernel.writeWeightState(k, weightState[k - 1]);
            kernel.writeBiasState(k, biasState[k - 1]);
        }
    }

    /** The {@code n} sends in the outbox, ready after {@code cycles} of work from now. */
    private void sendExchange(int n, long cycles) {
        long done = work(cycles);
        for (int k = 0; k < n; k++) {
            queueSend(outbox[2 * k], outbox[2 * k + 1], done);
        }
        startSending();
    }

    /**
     * The end of a mini-batch: the kernel updates the parameters it owns with the values of its layer's update
     * command; returns when it is done.
     */
    long applyUpdate(int batchSize, int iteration, LayerUpdate values) {
        kernel.applyUpdate(batchSize, iteration, values.weights(), values.bias());
        return work(profile.updateCycles());
    }

    /**
     * The end of a mini-batch on an s16.15 training block ({@link KernelCore#applyFixedUpdate}): Sgd's or Adam's
     * constants of a batch of {@code batch} samples from the layer's {@code rates}; {@code run}, {@code rowStride} and
     * {@code biasFirst} place the block's parameters in its layer. Charged the profile's update cycles, the s16.15
     * update's ({@code CoreCostModel.fixedUpdateCycles}). Returns when the core is done and what its steps did.
     */
    FixedUpdate applyFixedUpdate(FixedPointUpdate.UpdateRun run, int rowStride, int biasFirst, ExactRates rates,
            int batch) {
        FixedPointUpdate.UpdateCounts counts = rates.adam()
                ? kernel.applyFixedUpdate(run, rowStride, biasFirst, rates.adamConstants(batch, run.iteration()))
                : kernel.applyFixedUpdate(run, rowStride, biasFirst, rates.sgdConstant(batch));
        return new FixedUpdate(work(profile.updateCycles()), counts);
    }

    /** An s16.15 block's update: when its core is done (simulated time) and what its steps did. */
    record FixedUpdate(long doneAt, FixedPointUpdate.UpdateCounts counts) {
    }

    /**
     * Before a mini-batch: the dropout of this block's rows (the host's message), {@code first} the index of its row
     * 0 in its layer's input; it lasts until the update.
     */
    void setDropout(LayerUpdate values, int first) {
        kernel.setDropout(values.keep(), values.stream(), first, values.dropsGradient());
    }

    /** The core works for {@code cycles} from now: counted as busy time; returns when it is done. */
    private long work(long cycles) {
        long done = clock.now() + cycles * clockPs;
        busyPs += done - clock.now();
        return done;
    }

    /**
     * The router hands a packet to the receive register, which is full (the router cannot deliver to this core)
     * until the interrupt moves it to the queue.
     */
    void receive(int key, int payload) {
        router.setFull(registerBit, true);
        registerKey = key;
        registerPayload = payload;
        clock.after(interruptPs, interruptEvent);
    }

    /** The packet-received interrupt: the register's packet moves to the receive queue. */
    void interrupt() {
        router.setFull(registerBit, false);
        arrive(registerKey, registerPayload);
        router.outputFreed();
    }

    private void arrive(int key, int payload) {
        if (received.size() >= receiveDepth) {
            receiveDrops++;
            log.dropped++;
            log.lost(() -> String.format("core %s (%s), key 0x%08x: its receive queue of %d was full",
                    profile.location(), profile.label(), key, receiveDepth));
            return;
        }
        delivered++;
        if (busy && clock.settle(finishPacketEvent)) {
            busy = false; // the end of the last packet's work came first, and found nothing to do
        }
        if (busy || !received.isEmpty() || !inputReads.isEmpty()) {
            received.add(key, payload, 0, 0, 0); // in a core, its key number, arrival link and hops no longer matter
            if (!busy) {
                handleNext();
            }
        } else {
            handle(key, payload); // the queue is empty: the packet would go in and out of it at once
        }
    }

    /** Rows {@code first ..} of a sample read from SDRAM: their words. */
    private record InputRead(int first, int[] words) {
    }

    /**
     * A first-layer block's DMA of a sample's rows {@code first .. first + words.length - 1} from SDRAM is done: its
     * completion interrupt queues the rows behind the foreground work under way, if any.
     */
    void inputRead(int first, int[] words) {
        if (busy && clock.settle(finishPacketEvent)) {
            busy = false;
        }
        inputReads.add(new InputRead(first, words));
        if (!busy) {
            handleNext();
        }
    }

    /** The next foreground event runs: rows read from SDRAM first, else the receive queue's next packet (one waits). */
    private void handleNext() {
        if (!inputReads.isEmpty()) {
            handleRows(inputReads.removeFirst());
            return;
        }
        int key = received.key();
        int payload = received.payload();
        received.removeFirst();
        handle(key, payload);
    }

    /** A read's rows from SDRAM are filed and multiplied in now, in one event. */
    private void handleRows(InputRead read) {
        pauseBackground();
        int n;
        try {
            n = kernel.onRows(read.first(), read.words(), outbox);
        } catch (KernelException e) {
            throw new IllegalStateException(String.format("core %s (%s) rejected rows %d .. %d it read from SDRAM: %s",
                    profile.location(), profile.label(), read.first(), read.first() + read.words().length - 1,
                    e.getMessage()), e);
        }
        InputReads costs = profile.inputReads();
        workUntil(finishEvent(n, costs.eventCycles() + read.words().length * costs.rowCycles()));
    }

    /** A sink's outputs, its s16.15 words read back as floats in fixed point. */
    private float[] outputs() {
        if (!kernel.config().fixedPoint()) {
            return kernel.readOutput();
        }
        int[] words = kernel.readOutputWords();
        float[] values = new float[words.length];
        for (int j = 0; j < words.length; j++) {
            values[j] = AccumQuantiser.toFloat(words[j]);
        }
        return values;
    }

    /** A packet's foreground work starts now. */
    private void handle(int key, int payload) {
        pauseBackground();
        KeyClass<Phase> partials = profile.partials().readAt(key);
        if (partials != null) {
            readPartials(partials, key);
            return;
        }
        int n;
        try {
            n = kernel.onPacket(key, payload, outbox);
        } catch (KernelException e) {
            throw new IllegalStateException(String.format("core %s (%s) rejected packet key 0x%08x: %s",
                    profile.location(), profile.label(), key, e.getMessage()), e);
        }
        long done = finishEvent(n, packetCyclesVary ? receiveCosts.cycles(key) : packetCycles);
        if (recorder != null && kernel.receivedCount() == recorderWidth) {
            recorder.record(recorded++, outputs(), done);
        }
        workUntil(done);
    }

    /**
     * The packet that says a block's partial sums ({@code keys}) are in SDRAM: the reduce starts their DMA, waits for
     * it behind the chip's other DMAs and files them at once ({@link KernelCore#onPartials}).
     */
    private void readPartials(KeyClass<Phase> keys, int key) {
        if (key != keys.lo()) {
            throw new IllegalStateException(String.format("core %s (%s) got key 0x%08x of partial sums it reads from "
                    + "SDRAM; only their first, 0x%08x, comes as a packet", profile.location(), profile.label(), key,
                    keys.lo()));
        }
        int[] words = sdram.take(key);
        long readPs = sdram.dma(clock.now(), clock.now() + profile.partials().packetCycles() * clockPs, words.length);
        int n;
        try {
            n = kernel.onPartials(key, words, outbox);
        } catch (KernelException e) {
            throw new IllegalStateException(String.format("core %s (%s) rejected the partial sums of keys 0x%08x .. "
                    + "0x%08x it read from SDRAM: %s", profile.location(), profile.label(), key,
                    key + words.length - 1, e.getMessage()), e);
        }
        long waitCycles = (readPs - clock.now() + clockPs - 1) / clockPs;
        workUntil(finishEvent(n, waitCycles + profile.partials().filingCycles()));
    }

    /** The core does foreground work until {@code done}, when it takes its next event. */
    private void workUntil(long done) {
        busy = true;
        if (received.isEmpty() && inputReads.isEmpty() && background.isEmpty()) {
            // unless a packet arrives first, the end of this work will find nothing to do
            clock.defer(done, finishPacketEvent);
        } else {
            clock.at(done, finishPacketEvent);
        }
    }

    /** The end of a packet's foreground work: the next packet or rows read, or else background work, runs. */
    void finishPacket() {
        busy = false;
        if (!received.isEmpty() || !inputReads.isEmpty()) {
            handleNext();
        } else {
            runBackground();
        }
    }

    /**
     * The kernel has handled an event ({@code receiveCycles} to receive its packet, if any) and made
     * {@code n} sends. Its foreground work (the packet, the rows it multiplied in and its forward-pass work) runs
     * now, and its forward-pass sends are ready when that is done (a column-by-column core's each when its column's
     * work is); its backward-pass work and sends join the
     * background queue. Every cycle counts as busy time once. Returns when the foreground work is done.
     */
    private long finishEvent(int n, long receiveCycles) {
        int work = kernel.lastWork();
        int rows = kernel.lastRowsAccumulated();
        long foreground = receiveCycles;
        long backgroundCycles = 0;
        if (rows != 0) {
            foreground += workCosts.rowCycles(rows);
        }
        if (work != 0) { // most packets do no work but filing (and multiplying in) their value: no table to read
            foreground += workCosts.forwardCycles(work) + workCosts.columnCycles(work, n);
            backgroundCycles = workCosts.cycles(work) - workCosts.forwardCycles(work);
        }
        busyPs += (foreground + backgroundCycles) * clockPs;
        long done = clock.now() + foreground * clockPs;
        KeyClass<Phase> written = profile.partials().written();
        if (written != null && writes(written, n)) {
            done = writePartials(written, n, done);
        } else {
            written = null;
        }
        // a core completing column by column sends each column as soon as its work is done, the event's last work
        long columnPs = workCosts.columnCycles(work, 1) * clockPs;
        int backwardSends = 0;
        for (int k = 0; k < n; k++) {
            int key = outbox[2 * k];
            int payload = outbox[2 * k + 1];
            if (written != null && written.contains(key)) {
                continue; // in SDRAM
            }
            KeyClass<Phase> keys = sendClass(key);
            if (keys.meaning().backward()) {
                outbox[2 * backwardSends] = key;
                outbox[2 * backwardSends + 1] = payload;
                backwardSends++;
            } else {
                queueSend(keys, key, payload, done - (n - 1 - k) * columnPs);
            }
        }
        startSending();
        boolean endsBackward = backwardRecorder != null
                && (KernelWork.DELTAS.in(work) || KernelWork.BLOCK_BACKWARD.in(work));
        if (backgroundCycles > 0 || backwardSends > 0 || endsBackward) {
            background.add(backgroundCycles * clockPs, endsBackward, outbox, backwardSends);
        }
        return done;
    }

    /** Whether any of the event's {@code n} sends has a key of {@code keys}. */
    private boolean writes(KeyClass<Phase> keys, int n) {
        for (int k = 0; k < n; k++) {
            if (keys.contains(outbox[2 * k])) {
                return true;
            }
        }
        return false;
    }

    /**
     * A block's completion wrote its partial sums (all of {@code keys}, the event's sends) to SDRAM rather than send
     * them: the DMA, waited for until {@code donePs} as its completion is charged, ends later if the chip's interface
     * was carrying other DMAs (the core waits on, busy); then the one packet, the first key, tells the reduce.
     * Returns when the core is done.
     */
    private long writePartials(KeyClass<Phase> keys, int n, long donePs) {
        int[] words = new int[keys.hi() - keys.lo()];
        boolean[] seen = new boolean[words.length];
        int count = 0;
        for (int k = 0; k < n; k++) {
            int key = outbox[2 * k];
            if (keys.contains(key) && !seen[key - keys.lo()]) {
                seen[key - keys.lo()] = true;
                words[key - keys.lo()] = outbox[2 * k + 1];
                count++;
            }
        }
        if (count != words.length) {
            throw new IllegalStateException(String.format("core %s (%s) sent %d of its %d partial sums to SDRAM in "
                    + "one event: a block writes them all at its completion", profile.location(), profile.label(),
                    count, words.length));
        }
        long writtenPs = sdram.dma(clock.now(), donePs - profile.partials().writeWaitCycles() * clockPs,
                words.length);
        long done = Math.max(donePs, writtenPs);
        busyPs += done - donePs;
        sdram.post(keys.lo(), words);
        queueSend(keys, keys.lo(), 0, done);
        return done;
    }

    /** Foreground work starts: the running background item, if any, stops and keeps its remaining time. */
    private void pauseBackground() {
        if (backgroundDonePs != NOT_RUNNING) {
            background.setRemainingPs(backgroundDonePs - clock.now());
            backgroundDonePs = NOT_RUNNING;
        }
    }

    /** No foreground work is pending: the head background item runs (or resumes); items of no time are done now. */
    private void runBackground() {
        while (!background.isEmpty() && background.remainingPs() == 0) {
            completeBackground();
        }
        if (!background.isEmpty()) {
            backgroundDonePs = clock.now() + background.remainingPs();
            clock.at(backgroundDonePs, backgroundEvent);
        }
    }

    /** The background event: the running item is done, unless foreground work preempted it since. */
    void backgroundDone() {
        if (clock.now() != backgroundDonePs) {
            return;
        }
        backgroundDonePs = NOT_RUNNING;
        completeBackground();
        runBackground();
    }

    /** The head background item is done: its backward-pass sends are ready now. */
    private void completeBackground() {
        boolean endsBackward = background.endsBackward();
        int n = background.removeFirst(outbox);
        for (int k = 0; k < n; k++) {
            queueSend(outbox[2 * k], outbox[2 * k + 1], clock.now());
        }
        startSending();
        if (endsBackward) {
            backwardRecorder.ended(backwardsDone++, clock.now());
        }
    }

    /** Queues a send ready at {@code readyPs} for its phase's next slot (TDMA) or as soon as the core can send. */
    private void queueSend(int key, int payload, long readyPs) {
        queueSend(sendClass(key), key, payload, readyPs);
    }

    /**
     * {@link Profile#sendClass}, trying first the range of the last key sent: a core sends runs of keys of one range,
     * and a scan of the ranges per send was 5 % of the samples of a CNN's inference on the host (JFR).
     * The ranges do not overlap, so the answer is the same.
     */
    private KeyClass<Phase> sendClass(int key) {
        KeyClass<Phase> keys = lastSendClass;
        if (keys == null || !keys.contains(key)) {
            keys = profile.sendClass(key);
            lastSendClass = keys;
        }
        return keys;
    }

    /** {@link #queueSend(int, int, long)} of a key in the range {@code keys}. */
    private void queueSend(KeyClass<Phase> keys, int key, int payload, long readyPs) {
        Phase phase = keys.meaning();
        long due = Math.max(readyPs, lastDue[phase.ordinal()] + sendGapPs);
        if (tdma) {
            due = cursors[phase.ordinal()].atOrAfter(due);
        }
        lastDue[phase.ordinal()] = due;
        toSend.add(due, key, payload, keys.id(key), phase.ordinal());
    }

    /** Makes the inject event fire for the head of the send queue, if the router is not holding this core back. */
    private void startSending() {
        if (!toSend.isEmpty() && !blocked) {
            scheduleInject(Math.max(toSend.due(), lastSentPs + sendGapPs));
        }
    }

    /** Makes the next inject event fire at {@code timePs}, unless one fires no later. */
    private void scheduleInject(long timePs) {
        if (timePs < injectAtPs) {
            injectAtPs = timePs;
            clock.at(timePs, injectEvent);
        }
    }

    /** Walks one of the core's TDMA slot sequences, sample after sample. */
    private final class SlotCursor {
        private final Phase phase;
        private final CoreSlot slot;
        private long sends;
        private int sample;
        private int index;

        SlotCursor(Phase phase, CoreSlot slot) {
            this.phase = phase;
            this.slot = slot;
        }

        void reset() {
            sends = 0;
            sample = 0;
            index = 0;
        }

        /**
         * The first unused slot of the sample this send belongs to at or after {@code readyPs}; a
         * skipped slot counts as an overrun.
         */
        long atOrAfter(long readyPs) {
            if (slot.packetsPerStep() == 0) {
                throw new IllegalStateException("core " + profile.location() + " (" + profile.label()
                        + ") sends in a phase it has no TDMA slot in: a mapping bug");
            }
            if (sends % slot.packetsPerStep() == 0) {
                sample = (int) (sends / slot.packetsPerStep());
                index = 0;
            }
            sends++;
            long time = time(index++);
            if (time < readyPs) {
                overruns++;
                while (time < readyPs) {
                    time = time(index++);
                }
            }
            return time;
        }

        private long time(int k) {
            long origin = phase.perMiniBatch() ? exchangeStartPs
                    : sampleStartPs[sample] + (phase.backward() ? backwardShiftPs : forwardShiftPs);
            return origin + slot.sendClock(k) * clockPs;
        }
    }

    /** The inject event: sends the head packet if this is the event that counts (an earlier one supersedes it). */
    void inject() {
        if (clock.now() != injectAtPs) {
            return;
        }
        injectAtPs = NO_INJECT;
        send();
    }

    /** Offers the head packet to the router; then schedules the next, or waits for the router to resume it. */
    private void send() {
        if (router.offer(toSend.key(), toSend.payload(), toSend.keyId(), -1, 0, this)) {
            int phase = toSend.phase();
            toSend.removeFirst();
            sent++;
            lastSentPs = clock.now();
            if (PHASES[phase].backward() || PHASES[phase].perMiniBatch()) {
                sentBackward++;
            } else {
                lastForwardSendPs = clock.now();
            }
            if (!toSend.isEmpty()) {
                scheduleInject(Math.max(toSend.due(), lastSentPs + sendGapPs));
            }
        } else {
            blocked = true;
        }
    }

    @Override
    public void resume() {
        blocked = false;
        if (toSend.due() <= clock.now()) {
            send();
        } else {
            scheduleInject(toSend.due());
        }
    }

    void reset() {
        received.clear();
        inputReads.clear();
        toSend.clear();
        busy = false;
        background.clear();
        backgroundDonePs = NOT_RUNNING;
        injectAtPs = NO_INJECT;
        blocked = false;
        lastForwardSendPs = 0;
        busyPs = 0;
        sent = 0;
        sentBackward = 0;
        delivered = 0;
        overruns = 0;
        receiveDrops = 0;
    }
}
