package org.spinnaker4j.kernels;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One simulated SpiNNaker core: its C kernel program and its DTCM image, which holds the whole state: a 64 KiB buffer
 * of its own, or an image only as large as its state in a {@link DtcmArena} shared with other cores.
 *
 * <p>The kernel runs through JNI on the host; the same C source runs on ARM. Sends are written to a
 * caller-provided outbox as pairs {@code (outbox[2k], outbox[2k+1]) = (key, payload)}; size it with
 * {@code 2 * maxSendsPerEvent()} ints. After each event, {@link #lastWork()} says what work it did and
 * {@link #lastRowsAccumulated()} how many rows a DENSE_BLOCK multiplied into its sums.
 * Not thread-safe: a core handles one event at a time.
 *
 * <p>The kernels validate a state once, when it is loaded, and trust it afterwards (the DTCM buffer is private
 * to this class, which checks every argument before calling C). The checked build of the kernels
 * ({@link #checkedKernels()}) re-validates the state on every call instead; see {@code NativeLibrary}.
 *
 * <p>A core loaded with a {@link TrainingConfig} also runs the backward pass of each sample (see there), accumulates
 * its gradients over a mini-batch, and updates its parameters on {@link #applyUpdate(int, int, UpdateValues, UpdateValues)}; the host reads them
 * back with {@link #readWeights()} and {@link #readBias()}.
 */
public final class KernelCore {

    /**
     * Bytes of DTCM of a SpiNNaker core (S4J_DTCM_BYTES of the kernels): the most a core's state may take, and the
     * size of a core's own buffer; an image in a {@link DtcmArena} may be smaller.
     */
    public static final int DTCM_BYTES = KernelAbi.DTCM_BYTES;

    private static final long SATURATED = 0xFFFF_FFFFL;

    private final ByteBuffer dtcm;
    /**
     * The address of {@code dtcm}'s memory, taken once: the per-event calls pass it with {@link #capacity}
     * (the kernels bounds-check every access against that) instead of asking JNI for both each time; each such
     * call keeps {@code dtcm} reachable until it returns.
     */
    private final long dtcmAddress;
    /** The bytes of {@code dtcm}: at most {@link #DTCM_BYTES}. */
    private final int capacity;
    /** The {@link KernelWork} codes of the last event. */
    private int work;
    /** The rows the last event multiplied into a block's sums. */
    private int rows;
    private KernelConfig config;
    private int maxSends;
    private int outboxInts;

    /** A core with an empty (unloaded) DTCM of {@link #DTCM_BYTES}, a buffer of its own. */
    public KernelCore() {
        this(ByteBuffer.allocateDirect(DTCM_BYTES));
    }

    /** A core with an empty (unloaded) DTCM image: {@code image}, a direct buffer no other core uses. */
    KernelCore(ByteBuffer image) {
        NativeLibrary.load();
        dtcm = image.order(ByteOrder.nativeOrder());
        capacity = dtcm.capacity();
        dtcmAddress = address0(dtcm);
        if (dtcmAddress == 0) {
            throw new IllegalStateException("JNI gives no address for a direct buffer of " + capacity + " bytes");
        }
    }

    /** The bytes of DTCM {@code config} needs, as computed by the C kernel (saturates at {@code Integer.MAX_VALUE}). */
    public static int stateBytes(KernelConfig config) {
        return (int) Math.min(exactStateBytes(config), Integer.MAX_VALUE);
    }

    private static long exactStateBytes(KernelConfig config) {
        NativeLibrary.load();
        long bytes = stateBytes0(pack(config));
        if (bytes < 0) {
            throw new KernelException((int) bytes, "stateBytes of " + config);
        }
        return bytes;
    }

    /**
     * Writes a fresh state for {@code config} with these weights ({@code nRows * nCols}, row-major, for a dense
     * block; else null or empty) and bias ({@link KernelConfig#biasCount()} values for a fused dense block or a reduce; else null or empty).
     * Replaces whatever the core held.
     */
    public void load(KernelConfig config, float[] weights, float[] bias) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        if (config.fixedPoint()) {
            throw new IllegalArgumentException("a fixed-point config takes s16.15 words: use loadWords");
        }
        loadChecked(config, weights, bias);
    }

    /**
     * As {@link #load}, for a {@link KernelConfig#fixedPoint()} config: the weights and bias are s16.15 words
     * ({@link AccumQuantiser}).
     */
    public void loadWords(KernelConfig config, int[] weights, int[] bias) {
        if (config == null || !config.fixedPoint()) {
            throw new IllegalArgumentException("loadWords takes a fixed-point config, got " + config);
        }
        loadChecked(config, carrying(weights), carrying(bias));
    }

    /**
     * Floats whose bits are the words (the kernels' float arrays carry s16.15 words in fixed point); null for null.
     * A float conversion that changed a word's bits (a signalling NaN quietened) would be a silent wrong value, so
     * every word is checked.
     */
    private static float[] carrying(int[] words) {
        if (words == null) {
            return null;
        }
        float[] f = new float[words.length];
        for (int i = 0; i < words.length; i++) {
            f[i] = Float.intBitsToFloat(words[i]);
            if (Float.floatToRawIntBits(f[i]) != words[i]) {
                throw new IllegalStateException(String.format("this JVM does not carry word 0x%08x in a float",
                        words[i]));
            }
        }
        return f;
    }

    private static int[] words(float[] carriers) {
        int[] w = new int[carriers.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = Float.floatToRawIntBits(carriers[i]);
        }
        return w;
    }

    private void loadChecked(KernelConfig config, float[] weights, float[] bias) {
        long wantWeights = config.weightCount();
        int gotWeights = weights == null ? 0 : weights.length;
        if (gotWeights != wantWeights) {
            throw new IllegalArgumentException(wantWeights == 0
                    ? "weights must be null or empty for " + config.kind() + ", got " + gotWeights
                    : "a DENSE_BLOCK of " + config.nRows() + " x " + config.nCols() + " needs " + wantWeights
                            + " weights (row-major nRows x nCols), got " + (weights == null ? "null" : gotWeights));
        }
        int wantBias = config.biasCount();
        int gotBias = bias == null ? 0 : bias.length;
        if (gotBias != wantBias) {
            throw new IllegalArgumentException(wantBias == 0
                    ? "bias must be null or empty for " + describeKind(config) + ", got " + gotBias
                    : describeKind(config) + " needs a bias of " + (config.rowConv() != null
                            ? "its kernel's channels = " : "nCols = ") + wantBias + " values, got "
                            + (bias == null ? "null" : gotBias));
        }
        long bytes = exactStateBytes(config);
        if (bytes > DTCM_BYTES) {
            throw new IllegalArgumentException(tooLargeMessage(config, bytes));
        }
        this.config = null;
        int r = load0(dtcm, pack(config), weights, bias);
        if (r < 0) {
            throw new KernelException(r, "load of " + config + " (a state of " + bytes + " bytes, an image of "
                    + capacity + "): " + KernelException.describe(r));
        }
        int sends = maxSends0(dtcm);
        if (sends < 0) {
            throw new KernelException(sends, "maxSends after load of " + config);
        }
        this.maxSends = sends;
        this.outboxInts = 2 * sends;
        this.config = config;
    }

    /**
     * A copy of the loaded state (the DTCM image's bytes the config uses), for {@link #restoreState}: a simulator
     * that may run a step again keeps it.
     */
    public byte[] saveState() {
        byte[] saved = new byte[stateBytes(requireLoaded("saveState"))];
        dtcm.get(0, saved);
        return saved;
    }

    /** Puts back a state {@link #saveState} copied, with the same config loaded. */
    public void restoreState(byte[] saved) {
        if (saved.length != stateBytes(requireLoaded("restoreState"))) {
            throw new IllegalArgumentException("a saved state of " + saved.length + " bytes, but the loaded config's "
                    + "is " + stateBytes(config) + " bytes: it was saved with another config");
        }
        dtcm.put(0, saved);
    }

    /** Whether a config has been loaded. */
    public boolean isLoaded() {
        return config != null;
    }

    /** The loaded config. */
    public KernelConfig config() {
        return requireLoaded("config");
    }

    /** An upper bound of the packets one event ({@code onPacket} or {@code start}) can send. */
    public int maxSendsPerEvent() {
        requireLoaded("maxSendsPerEvent");
        return maxSends;
    }

    /**
     * Delivers one multicast packet. Writes the sends as {@code (outbox[2k], outbox[2k+1]) = (key, payload)}
     * and returns how many there are; {@link #lastWork()} then says what work the packet completed.
     *
     * @throws KernelException if the kernel rejects the packet (unknown key, duplicate row, ...)
     */
    public int onPacket(int key, int payload, int[] outbox) {
        KernelConfig c = beginEvent("onPacket", outbox);
        long r = onPacket0(dtcmAddress, capacity, key, payload, outbox, outbox.length);
        Reference.reachabilityFence(dtcm);
        if (r < 0) {
            throw packetError(c, (int) r, key);
        }
        return sends(r);
    }

    /**
     * Rows {@code first .. first + words.length - 1} of a DENSE_BLOCK's current sample at once, as a buffer read
     * from SDRAM by DMA would bring them: exactly what their packets, one a row in order, would do ({@link #onPacket}
     * of each row's DATA key), one event. {@code words[k]} is row {@code first + k}'s value: a float's raw bits
     * ({@link Float#floatToRawIntBits}) on a float32 block, an s16.15 word on a fixed-point one. Writes the sends
     * into {@code outbox} as {@link #onPacket} does and returns how many there are; {@link #lastWork()} and
     * {@link #lastRowsAccumulated()} then cover all the rows. The kernel stops at the first row it refuses (rows
     * before it stay filed and multiplied in, as their packets would have).
     *
     * @throws NullPointerException if {@code words} is null
     * @throws KernelException if the kernel refuses (WRONG_KIND: not a dense block of weights, i.e. a pooling
     *     block, a batch normalization's, a row convolution's or another kind; BAD_ARGUMENT: no words; ROW_RANGE: the
     *     rows not all within the block's; or a row's refusal as its packet's: DUPLICATE_ROW, SAMPLE_OVERLAP,
     *     IN_FLIGHT, INCOMPLETE)
     */
    public int onRows(int first, int[] words, int[] outbox) {
        KernelConfig c = beginEvent("onRows", outbox);
        Objects.requireNonNull(words, "words");
        long r = onRows0(dtcmAddress, capacity, first, words, outbox, outbox.length);
        Reference.reachabilityFence(dtcm);
        if (r < 0) {
            throw new KernelException((int) r, "onRows of rows " + first + " .. " + ((long) first + words.length - 1)
                    + " on a " + c.kind() + " of " + c.nRows() + " rows: " + KernelException.describe((int) r));
        }
        return sends(r);
    }

    /**
     * Packets of keys {@code key .. key + payloads.length - 1} of a REDUCE at once, as a buffer read from SDRAM by
     * DMA would bring a block's partial sums: exactly what those packets, in key order, would do ({@link #onPacket}
     * of each), one event. {@code payloads[k]} is key {@code key + k}'s payload. Writes the sends into
     * {@code outbox} as {@link #onPacket} does and returns how many there are; {@link #lastWork()} then covers all
     * the packets. The kernel stops at the first packet it refuses (packets before it stay filed, as theirs would).
     *
     * @throws NullPointerException if {@code payloads} is null
     * @throws KernelException if the kernel refuses (WRONG_KIND: not a reduce, or key not in one of its DATA
     *     ranges; BAD_ARGUMENT: no payloads; UNKNOWN_KEY: no range holds key; KEY_RANGE: the keys not all in that
     *     range; or a packet's refusal as its own: TOO_MANY_PARTIALS, SAMPLE_OVERLAP, IN_FLIGHT, INCOMPLETE)
     */
    public int onPartials(int key, int[] payloads, int[] outbox) {
        KernelConfig c = beginEvent("onPartials", outbox);
        Objects.requireNonNull(payloads, "payloads");
        long r = onPartials0(dtcmAddress, capacity, key, payloads, outbox, outbox.length);
        Reference.reachabilityFence(dtcm);
        if (r < 0) {
            throw new KernelException((int) r, String.format("onPartials of keys 0x%08x .. 0x%08x on a %s: %s", key,
                    key + payloads.length - 1, c.kind(), KernelException.describe((int) r)));
        }
        return sends(r);
    }

    /**
     * The loaded config, for an event ({@code what}) whose sends go into {@code outbox}, which must take
     * {@link #maxSendsPerEvent()} of them; the last event's work and rows cleared.
     */
    private KernelConfig beginEvent(String what, int[] outbox) {
        KernelConfig c = config;
        if (c == null) {
            throw notLoaded(what);
        }
        if (outbox == null || outbox.length < outboxInts) {
            throw outboxTooSmall(outbox, maxSends);
        }
        work = 0;
        rows = 0;
        return c;
    }

    /** Loads the next sample's values into an INPUT_SOURCE ({@code values.length == nCols}). */
    public void loadInput(float[] values) {
        if (requireLoaded("loadInput").fixedPoint()) {
            throw new IllegalStateException("a fixed-point INPUT_SOURCE takes s16.15 words: use loadInputWords");
        }
        loadInputChecked(values);
    }

    /** As {@link #loadInput}, for a fixed-point INPUT_SOURCE: the values are s16.15 words. */
    public void loadInputWords(int[] words) {
        if (!requireLoaded("loadInputWords").fixedPoint()) {
            throw new IllegalStateException("loadInputWords is for fixed-point cores; use loadInput");
        }
        loadInputChecked(carrying(words));
    }

    private void loadInputChecked(float[] values) {
        KernelConfig c = requireLoaded("loadInput");
        if (c.kind() != KernelKind.INPUT_SOURCE) {
            throw new IllegalStateException("loadInput is for INPUT_SOURCE cores; this core is " + c.kind());
        }
        if (values == null || values.length != c.nCols()) {
            throw new IllegalArgumentException("this INPUT_SOURCE sends " + c.nCols() + " values, got "
                    + (values == null ? "null" : values.length));
        }
        int r = loadInput0(dtcm, values);
        if (r < 0) {
            throw new KernelException(r, "loadInput: " + KernelException.describe(r));
        }
    }

    /**
     * The start event: an INPUT_SOURCE sends its loaded values (in order of j), its {@link KernelWork#FORWARD}
     * work; other kinds do nothing.
     */
    public int start(int[] outbox) {
        KernelConfig c = requireLoaded("start");
        int need = c.kind() == KernelKind.INPUT_SOURCE ? outboxInts : 0;
        if (outbox == null || outbox.length < need) {
            throw outboxTooSmall(outbox, need / 2);
        }
        work = 0;
        rows = 0;
        long r = start0(dtcmAddress, capacity, outbox, outbox.length);
        Reference.reachabilityFence(dtcm);
        if (r < 0) {
            throw new KernelException((int) r, r == KernelException.NO_INPUT
                    ? "start of an INPUT_SOURCE with no input loaded since its last start; call loadInput first"
                    : "start: " + KernelException.describe((int) r));
        }
        return sends(r);
    }

    /**
     * An event's sends from its result, {@code rows << 40 | work << 24 | sends} (sends 24 bits, work 16, rows 23;
     * s4j_jni.c's {@code event_result}); keeps its work and rows for {@link #lastWork()} and
     * {@link #lastRowsAccumulated()}.
     */
    private int sends(long result) {
        work = (int) ((result >>> 24) & 0xFFFF);
        rows = (int) (result >>> 40);
        return (int) (result & 0xFF_FFFF);
    }

    /**
     * The work the last {@link #onPacket} or {@link #start} did beyond filing its packet: a set of
     * {@link KernelWork#code()} bits (test one with {@link KernelWork#in(int)}); 0 if it did none or was rejected.
     */
    public int lastWork() {
        return work;
    }

    /**
     * The rows of a DENSE_BLOCK's weights the last {@link #onPacket} (or {@link #onRows}) multiplied into its sums:
     * a block multiplies row {@code i} as soon as rows {@code 0..i} have all arrived (so it sums in order of
     * {@code i} whatever order the rows arrive in), which is the arriving row and any that were waiting for it, or
     * none if a row before it is still missing; 0 for other kinds, and for an event that was rejected.
     */
    public int lastRowsAccumulated() {
        return rows;
    }

    /** Whether the loaded host kernels are the checked build, which re-validates the whole state on every call. */
    public static boolean checkedKernels() {
        NativeLibrary.load();
        return checked0();
    }

    /**
     * What has arrived in the current sample: rows (DENSE_BLOCK), partial packets (REDUCE), values
     * (OUTPUT_SINK), or the loaded values (INPUT_SOURCE: nCols or 0).
     */
    public int receivedCount() {
        requireLoaded("receivedCount");
        int r = received0(dtcm);
        if (r < 0) {
            throw new KernelException(r, "receivedCount: " + KernelException.describe(r));
        }
        return r;
    }

    /** An OUTPUT_SINK's {@code nCols} values (a copy); resets the count for the next sample. */
    public float[] readOutput() {
        if (requireLoaded("readOutput").fixedPoint()) {
            throw new IllegalStateException("a fixed-point OUTPUT_SINK holds s16.15 words: use readOutputWords");
        }
        return readOutputChecked();
    }

    /** As {@link #readOutput}, for a fixed-point OUTPUT_SINK: its s16.15 words. */
    public int[] readOutputWords() {
        if (!requireLoaded("readOutputWords").fixedPoint()) {
            throw new IllegalStateException("readOutputWords is for fixed-point cores; use readOutput");
        }
        return words(readOutputChecked());
    }

    private float[] readOutputChecked() {
        KernelConfig c = requireLoaded("readOutput");
        if (c.kind() != KernelKind.OUTPUT_SINK) {
            throw new IllegalStateException("readOutput is for OUTPUT_SINK cores; this core is " + c.kind());
        }
        int got = receivedCount();
        if (got != c.nCols()) {
            throw new IllegalStateException("only " + got + " of the " + c.nCols()
                    + " outputs of this OUTPUT_SINK have arrived");
        }
        float[] out = new float[c.nCols()];
        int r = readOutput0(dtcm, out);
        if (r < 0) {
            throw new KernelException(r, "readOutput: " + KernelException.describe(r));
        }
        return out;
    }

    /**
     * The end of a mini-batch's backward passes on a core whose layer normalizes its gradient by an L2 norm
     * ({@link GradientNormalizationKind#needsNorm()}): the core computes its partial sums of squares of the averaged
     * gradient (its weights', its bias'), keeps them and sends them to the layer's other parameter-owning cores
     * (into {@code outbox}, key and payload pairs as {@link #onPacket}); {@link #applyUpdate} then needs every peer's
     * partials, delivered by {@link #onPacket}. Returns the number of sends (none without peers).
     *
     * @throws IllegalArgumentException if {@code batchSize <= 0}
     * @throws IllegalStateException if the core is not loaded or does not normalize by an L2 norm
     * @throws KernelException if the kernel rejects it (INCOMPLETE: a sample's backward pass is half done;
     *         DUPLICATE_SYNC: it already ran in this mini-batch)
     */
    public int startNorm(int batchSize, int[] outbox) {
        KernelConfig c = requireLoaded("startNorm");
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        if (c.training() == null || !c.training().gradientNormalization().kind().needsNorm()) {
            throw new IllegalStateException("startNorm on a core without an L2 gradient normalization: " + c);
        }
        if (outbox == null || outbox.length < outboxInts) {
            throw outboxTooSmall(outbox, outboxInts / 2);
        }
        work = 0;
        rows = 0;
        long r = normStart0(dtcmAddress, capacity, batchSize, outbox, outbox.length);
        Reference.reachabilityFence(dtcm);
        if (r < 0) {
            throw new KernelException((int) r, "startNorm: " + KernelException.describe((int) r));
        }
        return sends(r);
    }

    /**
     * A batch normalization's block training with the mini-batch's statistics ({@link BatchNormTrainingConfig}), once
     * it holds the rows of all {@code batchSize} samples of the mini-batch (it kept each, sending nothing): per column
     * the mini-batch's mean and biased variance (float sums in sample order), std = sqrt(var + eps), and every sample's
     * outputs ((x − mean) / std)·gamma + beta, written into {@code outbox} (key and payload pairs as
     * {@link #onPacket}) sample after sample, each sample's in the order and with the keys of a sample's completion
     * (so the k-th send is sample k / nCols's). Returns the number of sends: {@code batchSize · nCols}.
     *
     * @throws IllegalArgumentException if {@code batchSize} is outside 1..the block's largest mini-batch
     * @throws IllegalStateException if the core is not such a block
     * @throws KernelException if the kernel rejects it (BATCH_HELD: it holds another number of samples, or part of
     *         one; DUPLICATE_SYNC: it already ran in this mini-batch)
     */
    public int batchNormForward(int batchSize, int[] outbox) {
        requireBatchNorm("batchNormForward", batchSize, outbox);
        return eventResult("batchNormForward", batchNormForward0(dtcmAddress, capacity, batchSize, outbox,
                outbox.length));
    }

    /**
     * The same block once every sample's delta is in (each kept, nothing sent): gamma's and beta's gradients (Σ
     * delta·x̂, Σ delta) added to the block's weight row 0 and bias gradients, and every sample's delta back in DL4J's
     * own steps, written into {@code outbox} sample after sample, each sample's as a NORM block's backward pass sends
     * one (a key per row, other blocks' channels 0; none unless it sends backward). Returns the number of sends.
     *
     * @throws IllegalArgumentException if {@code batchSize} is outside 1..the block's largest mini-batch
     * @throws IllegalStateException if the core is not such a block
     * @throws KernelException if the kernel rejects it (NO_FORWARD: before {@link #batchNormForward}; BATCH_SIZE:
     *         another size than the forward's; BATCH_HELD: not every delta is in)
     */
    public int batchNormBackward(int batchSize, int[] outbox) {
        requireBatchNorm("batchNormBackward", batchSize, outbox);
        return eventResult("batchNormBackward", batchNormBackward0(dtcmAddress, capacity, batchSize, outbox,
                outbox.length));
    }

    /**
     * Round {@code round} of the exchange of a batch normalization whose channels are spread over several blocks
     * ({@link BatchNormTrainingConfig#exchanges()}): this block's partial sums per channel of the round, kept at its
     * {@link BatchNormTrainingConfig#peerIndex()} and written into {@code outbox} (key
     * {@link BatchNormTrainingConfig#exchangeKeyBase()} + the sum's index); the other blocks' arrive through
     * {@link #onPacket} on its {@link RangeKind#BN_PARTIAL} ranges, at any time. Round 0 (Σx) once the block holds its
     * {@code batchSize} samples; round 1 (Σ(x − mean), Σ(x − mean)²) once every block's round 0 is in;
     * {@link #batchNormForward} once every round 1 is in; round 2 (Σδ, Σδ·x̂, Σδ·gamma, Σδ·gamma·(x − mean)) after
     * the forward, once every delta is in; {@link #batchNormBackward} once every round 2 is in. Every block adds the
     * blocks' sums in index order, so all compute the same statistics, gradients and update. Returns the number of
     * sends: 1, 2 or 4 per channel.
     *
     * @throws IllegalArgumentException if {@code batchSize} is outside 1..the block's largest mini-batch or
     *         {@code round} outside 0..2
     * @throws IllegalStateException if the core is not such a block
     * @throws KernelException if the kernel rejects it (EXCHANGE_ORDER: not the block's next round;
     *         EXCHANGE_INCOMPLETE: another block's sums of the round before are not all in; BATCH_HELD: it holds
     *         another number of samples or deltas; BATCH_SIZE: another size than round 0's; NO_FORWARD: round 2 before
     *         the forward)
     */
    public int batchNormExchange(int batchSize, int round, int[] outbox) {
        requireBatchNorm("batchNormExchange", batchSize, outbox);
        BatchNormTrainingConfig mode = requireLoaded("batchNormExchange").training().batchNorm();
        if (!mode.exchanges()) {
            throw new IllegalStateException("batchNormExchange on a batch normalization's block that exchanges "
                    + "nothing: " + mode);
        }
        if (round < 0 || round >= KernelAbi.BN_ROUNDS) {
            throw new IllegalArgumentException("batchNormExchange: round must be in 0.." + (KernelAbi.BN_ROUNDS - 1)
                    + ", got " + round);
        }
        return eventResult("batchNormExchange", batchNormExchange0(dtcmAddress, capacity, batchSize, round, outbox,
                outbox.length));
    }

    private void requireBatchNorm(String what, int batchSize, int[] outbox) {
        KernelConfig c = requireLoaded(what);
        if (c.training() == null || !c.training().batchNorm().isOn()) {
            throw new IllegalStateException(what + " on a core that is no batch normalization training with the "
                    + "mini-batch's statistics: " + c);
        }
        int max = c.training().batchNorm().maxBatch();
        if (batchSize < 1 || batchSize > max) {
            throw new IllegalArgumentException(what + ": batchSize must be in 1.." + max + ", got " + batchSize);
        }
        if (outbox == null || outbox.length < outboxInts) {
            throw outboxTooSmall(outbox, outboxInts / 2);
        }
        work = 0;
        rows = 0;
    }

    private int eventResult(String what, long r) {
        Reference.reachabilityFence(dtcm);
        if (r < 0) {
            throw new KernelException((int) r, what + ": " + KernelException.describe((int) r));
        }
        return sends(r);
    }

    /**
     * The end of a mini-batch's backward passes on a kernel copy ({@link KernelCopyConfig}): the copy files its
     * accumulated gradient of the chunks it owns in its own share slots and sends that of every other chunk to the
     * chunk's owner (into {@code outbox}, key and payload pairs as {@link #onPacket}); {@link #applyUpdate} then needs
     * every other holder's share of its chunks, delivered by {@link #onPacket}. Returns the number of sends.
     *
     * @throws IllegalStateException if the core is not loaded or holds no kernel copy
     * @throws KernelException if the kernel rejects it (INCOMPLETE: a sample's backward pass is half done, or the last
     *         update's new parameters are not all in; DUPLICATE_SYNC: it already ran in this mini-batch)
     */
    public int startShares(int[] outbox) {
        requireCopy("startShares", outbox);
        return eventResult("startShares", shareStart0(dtcmAddress, capacity, outbox, outbox.length));
    }

    /**
     * A kernel copy after its {@link #applyUpdate}: sends the new values of the chunks it owns to their other holders
     * (into {@code outbox}), which write them over their own. Returns the number of sends.
     *
     * @throws IllegalStateException if the core is not loaded or holds no kernel copy
     * @throws KernelException if the kernel rejects it (INCOMPLETE: before the update; DUPLICATE_SYNC: already sent)
     */
    public int sendParameters(int[] outbox) {
        requireCopy("sendParameters", outbox);
        return eventResult("sendParameters", paramSend0(dtcmAddress, capacity, outbox, outbox.length));
    }

    private void requireCopy(String what, int[] outbox) {
        KernelConfig c = requireLoaded(what);
        if (c.training() == null || !c.training().copy().isCopy()) {
            throw new IllegalStateException(what + " on a core that holds no kernel copy: " + c);
        }
        if (outbox == null || outbox.length < outboxInts) {
            throw outboxTooSmall(outbox, outboxInts / 2);
        }
        work = 0;
        rows = 0;
    }


    /**
     * The end of a mini-batch (training cores): the update command's values ({@code weights} for the weights,
     * {@code bias} for the bias) become the core's learning rate, momentum and regularization coefficients, every
     * accumulated gradient is divided by {@code batchSize} (DL4J's miniBatch), normalized
     * ({@link GradientNormalizationConfig}), l1 and l2 are added ({@link RegularizationConfig}), the updater steps
     * the weights (blocks) and the bias (activators), with the weight decay added to its step, and the accumulators
     * are zeroed. {@code iteration} is DL4J's iteration count before this update (0 for the first), used by the bias
     * corrections of Adam, AdaMax, Nadam and AMSGrad. A batch normalization's block training with the mini-batch's
     * statistics updates gamma (weight row 0) and beta (the bias) so, and steps its running mean and statistic (rows
     * 1 and 2) towards the mini-batch's as DL4J does, then derives its std (row 3) from the new statistic.
     *
     * @throws IllegalArgumentException if {@code batchSize <= 0} or {@code iteration < 0}, or if a weight decay comes
     *         for an array whose {@link RegularizationConfig} has none ({@code weightDecayTimes} 0)
     * @throws IllegalStateException if the core is not loaded, has no training config or is a batch normalization's
     *         block ({@link PoolingKind#NORM}) without {@link TrainingConfig#batchNorm()}
     * @throws KernelException if the kernel rejects it (INCOMPLETE: a sample's backward pass is half done, or a batch
     *         normalization's {@link #batchNormBackward} has not run; BATCH_SIZE: another batch than its forward's)
     */
    public void applyUpdate(int batchSize, int iteration, UpdateValues weights, UpdateValues bias) {
        KernelConfig c = requireLoaded("applyUpdate");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(bias, "bias");
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        if (iteration < 0) {
            throw new IllegalArgumentException("iteration must be >= 0, got " + iteration);
        }
        if (c.training() == null) {
            throw new IllegalStateException("applyUpdate on a core loaded without a training config: " + c);
        }
        if (c.fixedPoint()) {
            throw new IllegalStateException("applyUpdate on an s16.15 training core, whose update is "
                    + "applyFixedUpdate (constants from AccumUpdate): " + c);
        }
        if (c.pooling() != null && c.pooling().kind() == PoolingKind.NORM && !c.training().batchNorm().isOn()) {
            throw new IllegalStateException("applyUpdate on a batch normalization's block with its running "
                    + "statistics, which trains for score(DataSet) alone: " + c);
        }
        checkDecay(weights, c.training().weightRegularization(), "weights");
        checkDecay(bias, c.training().biasRegularization(), "bias");
        float[] words = new float[KernelAbi.UPDATE_WORDS];
        weights.pack(words, 0);
        bias.pack(words, KernelAbi.RATE_WORDS);
        int r = applyUpdate0(dtcm, batchSize, iteration, words);
        if (r < 0) {
            throw new KernelException(r, r == KernelException.INCOMPLETE
                    ? "applyUpdate while this core's backward pass of a sample is incomplete, or before its layer's "
                            + "gradient norm is complete (startNorm and every peer's partials)"
                    : "applyUpdate: " + KernelException.describe(r));
        }
    }

    /**
     * The end of a mini-batch on an s16.15 training core ({@link KernelConfig#fixedPoint()}, a fused block: the
     * kernels' {@code s4j_apply_fix_update}) whose updater is Sgd: every weight and bias less its exact gradient sum
     * times {@code c} ({@link AccumUpdate#sgdConstant}{@code (lr, batch)}), rounded as {@code run} says
     * ({@link AccumUpdate#sgdStep}), saturated; the sums zeroed. Parameter W[i][j] of the block has index
     * {@code run.firstIndex() + i·rowStride + j} in its layer (the random bits of stochastic rounding), bias j
     * {@code biasFirst + j}.
     *
     * @return what the steps counted
     * @throws IllegalArgumentException if an index is negative or {@code rowStride} below the block's columns
     * @throws IllegalStateException if the core is not such a core, or its updater is not Sgd
     * @throws KernelException if the kernel rejects it (INCOMPLETE: a sample's backward pass is half done)
     */
    public FixedPointUpdate.UpdateCounts applyFixedUpdate(FixedPointUpdate.UpdateRun run, int rowStride,
            int biasFirst, AccumUpdate.Scale c) {
        requireFixedTraining(UpdaterKind.SGD);
        return applyFixed(run, FixedPointUpdate.constants(run, c, null), rowStride, biasFirst);
    }

    /**
     * As {@link #applyFixedUpdate(FixedPointUpdate.UpdateRun, int, int, AccumUpdate.Scale)}, on a core whose updater
     * is Adam, with the constants of this iteration ({@link AccumUpdate.AdamConstants#of}): each parameter stepped
     * as {@link AccumUpdate#adamStep}, its m and v kept in the core.
     */
    public FixedPointUpdate.UpdateCounts applyFixedUpdate(FixedPointUpdate.UpdateRun run, int rowStride,
            int biasFirst, AccumUpdate.AdamConstants c) {
        requireFixedTraining(UpdaterKind.ADAM);
        return applyFixed(run, FixedPointUpdate.constants(run, c.rate(), c), rowStride, biasFirst);
    }

    private void requireFixedTraining(UpdaterKind updater) {
        KernelConfig c = requireLoaded("applyFixedUpdate");
        if (!c.fixedPoint() || c.training() == null) {
            throw new IllegalStateException("applyFixedUpdate is an s16.15 training core's update (a float one's is "
                    + "applyUpdate), got " + c);
        }
        if (c.training().weightUpdater().kind() != updater) {
            throw new IllegalStateException("Expected constants for the core's updater "
                    + c.training().weightUpdater().kind() + ", got " + updater + "'s");
        }
    }

    private FixedPointUpdate.UpdateCounts applyFixed(FixedPointUpdate.UpdateRun run, int[] constants, int rowStride,
            int biasFirst) {
        int nCols = config.nCols();
        if (run.firstIndex() < 0 || rowStride < nCols || biasFirst < 0) {
            throw new IllegalArgumentException("Expected the block's parameter indices in its layer: a first index "
                    + ">= 0, a row stride of at least the block's " + nCols + " columns and a first bias index >= 0, "
                    + "got "
                    + run.firstIndex() + ", " + rowStride + " and " + biasFirst);
        }
        int[] counts = new int[FixedPointUpdate.COUNT_WORDS];
        int r = applyFixUpdate0(dtcm, constants, rowStride, biasFirst, counts);
        if (r < 0) {
            throw new KernelException(r, r == KernelException.INCOMPLETE
                    ? "applyFixedUpdate while this core's backward pass of a sample is incomplete"
                    : "applyFixedUpdate: " + KernelException.describe(r));
        }
        return FixedPointUpdate.counts(counts);
    }

    /**
     * The dropout of the next mini-batch, on a training block of weights (a row convolution's too) or a MAX or AVG
     * pooling block (the host's message before the mini-batch's forward passes; it ends with {@link #applyUpdate}): the
     * block files each received {@code x_i} as {@code x_i·m_i·(1/keep)} and, if {@code gradient}, scales the
     * {@code W·delta} (a pooling block: the gradient) it sends for row i by the same,
     * where {@code m_i} is 1 when {@link #dropoutHash}{@code (stream, sample in the mini-batch, first + i)},
     * unsigned, is below {@code keep·2^32}. {@code keep} 1 turns it off.
     *
     * @param keep DL4J's p, the probability of keeping a value, in (0, 1]
     * @param stream the mini-batch's stream key
     * @param first the index, in the layer's input, of the block's row 0
     * @param gradient whether the backward pass masks the gradient it sends back (DL4J's Convolution1DLayer does not)
     * @throws IllegalArgumentException if {@code keep} is outside (0, 1]
     * @throws KernelException if the kernel rejects it (WRONG_KIND: not such a block; INCOMPLETE: mid-sample)
     */
    public void setDropout(float keep, int stream, int first, boolean gradient) {
        KernelConfig c = requireLoaded("setDropout");
        if (!(keep > 0f && keep <= 1f)) {
            throw new IllegalArgumentException("keep must be in (0, 1], got " + keep);
        }
        if (c.training() == null || c.fixedPoint()) {
            throw new IllegalStateException("setDropout on a core loaded without a training config, or an s16.15 "
                    + "one (no dropout in s16.15 training): " + c);
        }
        int[] words = new int[KernelAbi.DROP_WORDS];
        words[KernelAbi.DROP_KEEP] = Float.floatToRawIntBits(keep);
        words[KernelAbi.DROP_STREAM] = stream;
        words[KernelAbi.DROP_FIRST] = first;
        words[KernelAbi.DROP_GRADIENT] = gradient ? 1 : 0;
        int r = setDropout0(dtcm, words);
        if (r < 0) {
            throw new KernelException(r, "setDropout: " + KernelException.describe(r));
        }
    }

    /**
     * The kernels' dropout hash ({@code s4j_drop_hash}): murmur3's 32-bit finalizer f as
     * {@code f(f(stream ^ sample·0x9E3779B9) ^ index·0x85EBCA77)}; a value is kept when it is below
     * {@code keep·2^32} (unsigned), so the host can reconstruct any mask the cores drew.
     */
    public static int dropoutHash(int stream, int sample, int index) {
        return fmix(fmix(stream ^ (sample * 0x9E3779B9)) ^ (index * 0x85EBCA77));
    }

    /** Whether the cores keep a value whose {@link #dropoutHash} is {@code hash}, at a keep probability {@code keep}. */
    public static boolean dropoutKeeps(int hash, float keep) {
        return keep >= 1f || Integer.toUnsignedLong(hash) < (long) (keep * 4294967296.0);
    }

    private static int fmix(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }

    private static void checkDecay(UpdateValues values, RegularizationConfig config, String what) {
        if (values.weightDecay() != 0 && config.weightDecayTimes() == 0) {
            throw new IllegalArgumentException("a weight decay of the " + what + " (" + values.weightDecay()
                    + ") needs one in the core's config (weightDecayTimes 0)");
        }
    }

    /** A DENSE_BLOCK's current weights, {@code nRows * nCols} row-major (a copy). */
    public float[] readWeights() {
        return readArray(KernelAbi.ARRAY_WEIGHTS, 0, "readWeights");
    }

    /** The current bias of a REDUCE or fused DENSE_BLOCK, {@link KernelConfig#biasCount()} values (a copy). */
    public float[] readBias() {
        return readArray(KernelAbi.ARRAY_BIAS, 0, "readBias");
    }

    /**
     * A training DENSE_BLOCK's updater state array {@code k} for its weights, laid out like {@link #readWeights()}
     * (a copy): {@code k} counts from 1 to the weights' updater's {@link UpdaterKind#stateArrays()}, in DL4J's order (Nesterovs: 1 = v; Adam: 1 = m,
     * 2 = v; AMSGrad: 1 = m, 2 = v, 3 = vHat; AdaDelta: 1 = msg, 2 = msdx; ...).
     */
    public float[] readWeightState(int k) {
        return readArray(KernelAbi.ARRAY_WEIGHTS, stateSlot(k, false, "readWeightState"), "readWeightState");
    }

    /**
     * A training REDUCE's or fused DENSE_BLOCK's state array {@code k} of its bias' updater (see
     * {@link #readWeightState}; {@link TrainingConfig#biasUpdater()} may differ from the weights').
     */
    public float[] readBiasState(int k) {
        return readArray(KernelAbi.ARRAY_BIAS, stateSlot(k, true, "readBiasState"), "readBiasState");
    }

    /**
     * Overwrites updater state array {@code k} of the weights (see {@link #readWeightState}), for example with the
     * state DL4J holds after a reload; refused while a sample's backward pass is half done.
     */
    public void writeWeightState(int k, float[] values) {
        writeArray(KernelAbi.ARRAY_WEIGHTS, stateSlot(k, false, "writeWeightState"), values, "writeWeightState");
    }

    /** Overwrites updater state array {@code k} of the bias (see {@link #writeWeightState}). */
    public void writeBiasState(int k, float[] values) {
        writeArray(KernelAbi.ARRAY_BIAS, stateSlot(k, true, "writeBiasState"), values, "writeBiasState");
    }

    private int stateSlot(int k, boolean bias, String what) {
        KernelConfig c = requireLoaded(what);
        if (c.training() == null) {
            throw new IllegalStateException(what + " on a core loaded without a training config: " + c);
        }
        if (c.fixedPoint()) {
            throw new IllegalStateException(what + ": an s16.15 core's Adam state (m words, 64-bit v) is not read or "
                    + "written as floats: " + c);
        }
        UpdaterKind updater = bias ? c.training().biasUpdater().kind() : c.training().weightUpdater().kind();
        int arrays = updater.stateArrays();
        if (k < 1 || k > arrays) {
            throw new IllegalArgumentException(what + ": state array " + k + " does not exist; "
                    + updater + " keeps " + arrays + (arrays == 1 ? " array" : " arrays")
                    + (arrays == 0 ? "" : ", numbered from 1"));
        }
        return k;
    }

    private float[] readArray(int which, int slot, String what) {
        KernelConfig c = requireLoaded(what);
        float[] out = new float[arrayLength(c, which, what)];
        int r = readParams0(dtcm, which, slot, out);
        if (r < 0) {
            throw new KernelException(r, what + ": " + KernelException.describe(r));
        }
        return out;
    }

    private void writeArray(int which, int slot, float[] values, String what) {
        KernelConfig c = requireLoaded(what);
        int n = arrayLength(c, which, what);
        if (values == null || values.length != n) {
            throw new IllegalArgumentException(what + " needs " + n + " values, got "
                    + (values == null ? "null" : values.length));
        }
        int r = writeParams0(dtcm, which, slot, values);
        if (r < 0) {
            throw new KernelException(r, r == KernelException.INCOMPLETE
                    ? what + " while this core's backward pass of a sample is incomplete"
                    : what + ": " + KernelException.describe(r));
        }
    }

    private static int arrayLength(KernelConfig c, int which, String what) {
        if (which == KernelAbi.ARRAY_WEIGHTS) {
            if (c.kind() != KernelKind.DENSE_BLOCK) {
                throw new IllegalStateException(what + " is for DENSE_BLOCK cores; this core is " + c.kind());
            }
            return Math.toIntExact(c.weightCount());
        }
        if (!c.hasBias()) {
            throw new IllegalStateException(what + " is for REDUCE and fused DENSE_BLOCK cores; this core is "
                    + describeKind(c));
        }
        return c.biasCount();
    }

    /** The packets this core accepted on {@link RangeKind#IGNORE} ranges since it was loaded. */
    public long discardedCount() {
        return counter("discardedCount", 0);
    }

    /**
     * Fixed point: the sums (and leakyrelu products) that saturated when rounded to s16.15 since the load
     * (saturates at 2^32 - 1); 0 in float32.
     */
    public long saturatedCount() {
        return counter("saturatedCount", 1);
    }

    private long counter(String what, int which) {
        requireLoaded(what);
        long r = counter0(dtcm, which);
        if (r < 0) {
            throw new KernelException((int) r, what + ": " + KernelException.describe((int) r));
        }
        return r;
    }

    /**
     * An output-layer activator's partial loss of its last completed backward pass (0 before any), the value of
     * its last loss packet.
     */
    public float lastPartialLoss() {
        KernelConfig c = requireLoaded("lastPartialLoss");
        if (c.training() == null || !c.training().isOutputLayer()) {
            throw new IllegalStateException("lastPartialLoss is for training output-layer activators; this core is "
                    + describeKind(c) + (c.training() == null ? " without training" : " without a loss"));
        }
        float[] out = new float[1];
        int r = lastLoss0(dtcm, out);
        if (r < 0) {
            throw new KernelException(r, "lastPartialLoss: " + KernelException.describe(r));
        }
        return out[0];
    }

    /** The DTCM buffer itself, for tests that corrupt it. */
    ByteBuffer dtcm() {
        return dtcm;
    }

    @Override
    public String toString() {
        return "KernelCore[" + (config == null ? "unloaded" : config) + "]";
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private KernelConfig requireLoaded(String what) {
        KernelConfig c = config;
        if (c == null) {
            throw notLoaded(what);
        }
        return c;
    }

    private static IllegalStateException notLoaded(String what) {
        return new IllegalStateException(what + " on a core that is not loaded; call load(config, weights, bias) first");
    }

    private static IllegalArgumentException outboxTooSmall(int[] outbox, int sends) {
        return new IllegalArgumentException("outbox too small: this core can send " + sends
                + " packets in one event, which need " + 2L * sends + " ints, but the outbox has "
                + (outbox == null ? "null" : outbox.length + " ints"));
    }

    private static String describeKind(KernelConfig c) {
        return c.kind() == KernelKind.DENSE_BLOCK ? (c.fused() ? "a fused DENSE_BLOCK" : "a partial DENSE_BLOCK")
                : "a " + c.kind();
    }

    static String tooLargeMessage(KernelConfig c, long bytes) {
        String size = bytes >= SATURATED ? String.format(Locale.US, "at least %,d", bytes)
                : String.format(Locale.US, "%,d", bytes);
        String what = c.kind() == KernelKind.DENSE_BLOCK
                ? "block of " + c.nRows() + " x " + c.nCols()
                : String.format(Locale.US, "%s core of %,d values and %d input ranges", c.kind(), c.nCols(),
                        c.inputs().size());
        return String.format(Locale.US, "%s needs %s bytes of DTCM but a core has %,d; the mapper must split it further",
                what, size, DTCM_BYTES);
    }

    private static KernelException packetError(KernelConfig c, int code, int key) {
        String k = String.format("key 0x%08x", key);
        KeyRange range = null;
        for (KeyRange r : c.inputs()) {
            if (r.contains(key)) {
                range = r;
                break;
            }
        }
        long local = range == null ? -1 : range.localOffset() + Integer.toUnsignedLong(key - range.keyLo());
        String detail = switch (code) {
            case KernelException.UNKNOWN_KEY -> "unknown " + k + ": no input range of this " + c.kind()
                    + " core contains it (inputs " + abbreviate(c.inputs()) + ")";
            case KernelException.DUPLICATE_ROW -> "duplicate row " + local + " (" + k + ") in one sample of a "
                    + c.nRows() + " x " + c.nCols() + " DENSE_BLOCK";
            case KernelException.TOO_MANY_PARTIALS -> "too many partials for output " + local + " (" + k
                    + "): expected " + c.expectedPartials() + " per output per sample, one from each input range";
            case KernelException.DUPLICATE_VALUE -> "duplicate value for output " + local + " (" + k
                    + ") before readOutput() was called";
            case KernelException.DUPLICATE_SYNC -> "duplicate softmax "
                    + (range != null && key - range.keyLo() == 1 ? "sum" : "max") + " (" + k + ") from one peer in one sample";
            case KernelException.SAMPLE_OVERLAP -> k + (range != null && range.kind() != RangeKind.DATA
                    ? " (backward) arrived while the forward pass of this core's sample is still in progress"
                    : " of a next sample arrived while this core's softmax exchange is still waiting for its peers"
                            + " or its backward pass of the current sample is incomplete");
            case KernelException.DUPLICATE_DELTA -> "duplicate delta for column " + local + " (" + k
                    + ") in one sample";
            case KernelException.DUPLICATE_LABEL -> "duplicate label for output " + local + " (" + k
                    + ") in one sample";
            case KernelException.TOO_MANY_BACKWARD -> "too many backward partials for output " + local + " (" + k
                    + "): expected " + (c.training() == null ? 0 : c.training().expectedBackwardPartials())
                    + " per output per sample, one from each BACKWARD_PARTIAL range";
            case KernelException.NO_FORWARD -> k + " (" + (range == null ? "backward" : range.kind())
                    + ") arrived before this core completed the forward pass of its sample";
            case KernelException.WRONG_KIND -> k + ": a softmax backward dot sent to an output-layer core, "
                    + "which needs none";
            default -> KernelException.describe(code) + " (" + k + ")";
        };
        return new KernelException(code, detail);
    }

    private static String abbreviate(List<KeyRange> inputs) {
        return inputs.size() <= 8 ? inputs.toString()
                : inputs.subList(0, 8) + " and " + (inputs.size() - 8) + " more";
    }

    /**
     * The config as the C kernels read it ({@code s4j_parse_config}): {@link KernelAbi#CONFIG_WORDS} words at the
     * {@code KernelAbi.CFG_*} offsets, the training words all 0 without training (the pooling words without
     * pooling, the row convolution's without one), then
     * {@link KernelAbi#RANGE_WORDS} words per range at the {@code KernelAbi.RANGE_WORD_*} offsets, then an output
     * activator's loss weights, if it has them.
     */
    static int[] pack(KernelConfig c) {
        List<KeyRange> inputs = c.inputs();
        List<Float> lossWeights = c.training() == null ? List.of() : c.training().lossWeights();
        KernelCopyConfig copy = c.training() == null ? KernelCopyConfig.NONE : c.training().copy();
        int[] words = new int[KernelAbi.CONFIG_WORDS + KernelAbi.RANGE_WORDS * inputs.size() + lossWeights.size()
                + KernelAbi.CHUNK_WORDS * copy.chunks().size()];
        words[KernelAbi.CFG_KIND] = c.kind().code();
        words[KernelAbi.CFG_N_ROWS] = c.nRows();
        words[KernelAbi.CFG_N_COLS] = c.nCols();
        words[KernelAbi.CFG_ACTIVATION] = c.activation().code();
        words[KernelAbi.CFG_ALPHA] = Float.floatToRawIntBits(c.alpha());
        words[KernelAbi.CFG_FUSED] = c.fused() ? 1 : 0;
        words[KernelAbi.CFG_OUT_KEY_BASE] = c.outKeyBase();
        words[KernelAbi.CFG_EXPECTED_PARTIALS] = c.expectedPartials();
        words[KernelAbi.CFG_SOFTMAX_PEERS] = c.softmaxPeers();
        words[KernelAbi.CFG_SYNC_KEY_BASE] = c.syncKeyBase();
        words[KernelAbi.CFG_N_RANGES] = inputs.size();
        TrainingConfig t = c.training();
        if (t != null) {
            words[KernelAbi.CFG_TRAINING] = 1;
            t.weightUpdater().pack(words, KernelAbi.CFG_UPDATER);
            t.biasUpdater().pack(words, KernelAbi.CFG_BIAS_UPDATER);
            words[KernelAbi.CFG_LOSS] = t.loss().code();
            words[KernelAbi.CFG_LAYER_OUTPUTS] = t.layerOutputs();
            words[KernelAbi.CFG_DELTA_KEY_BASE] = t.deltaKeyBase();
            words[KernelAbi.CFG_BACKWARD_KEY_BASE] = t.backwardKeyBase();
            words[KernelAbi.CFG_BACKWARD_FIRST_ROW] = t.backwardFirstRow();
            words[KernelAbi.CFG_LOSS_KEY_BASE] = t.lossKeyBase();
            words[KernelAbi.CFG_EXPECTED_BACKWARD] = t.expectedBackwardPartials();
            words[KernelAbi.CFG_SENDS_BACKWARD] = t.sendsBackward() ? 1 : 0;
            RegularizationConfig w = t.weightRegularization();
            words[KernelAbi.CFG_L1] = Float.floatToRawIntBits(w.l1());
            words[KernelAbi.CFG_L2] = Float.floatToRawIntBits(w.l2());
            words[KernelAbi.CFG_WEIGHT_DECAY] = Float.floatToRawIntBits(w.weightDecay());
            words[KernelAbi.CFG_L2_FIRST] = w.l2First() ? 1 : 0;
            words[KernelAbi.CFG_WEIGHT_DECAY_TIMES] = w.weightDecayTimes();
            RegularizationConfig b = t.biasRegularization();
            words[KernelAbi.CFG_BIAS_L1] = Float.floatToRawIntBits(b.l1());
            words[KernelAbi.CFG_BIAS_L2] = Float.floatToRawIntBits(b.l2());
            words[KernelAbi.CFG_BIAS_WEIGHT_DECAY] = Float.floatToRawIntBits(b.weightDecay());
            words[KernelAbi.CFG_BIAS_L2_FIRST] = b.l2First() ? 1 : 0;
            words[KernelAbi.CFG_BIAS_WEIGHT_DECAY_TIMES] = b.weightDecayTimes();
            words[KernelAbi.CFG_GRAD_NORM] = t.gradientNormalization().kind().code();
            words[KernelAbi.CFG_GRAD_NORM_THRESHOLD] = Float.floatToRawIntBits(t.gradientNormalization().threshold());
            words[KernelAbi.CFG_NORM_KEY_BASE] = t.gradientNormalization().keyBase();
            words[KernelAbi.CFG_NORM_PEERS] = t.gradientNormalization().peers();
            words[KernelAbi.CFG_NORM_SELF] = t.gradientNormalization().position();
            words[KernelAbi.CFG_IN_FLIGHT] = t.samplesInFlight();
            words[KernelAbi.CFG_LOSS_WEIGHTED] = lossWeights.isEmpty() ? 0 : 1;
            if (copy.isCopy()) {
                words[KernelAbi.CFG_COPY_CHUNKS] = copy.chunks().size();
                words[KernelAbi.CFG_COPY_SLOTS] = copy.copies();
                words[KernelAbi.CFG_COPY_SELF] = copy.position();
                words[KernelAbi.CFG_COPY_OWNED] = copy.owned();
                words[KernelAbi.CFG_COPY_SHARES] = copy.shares();
                words[KernelAbi.CFG_COPY_PARAMS] = copy.parameters();
                words[KernelAbi.CFG_COPY_RANGES] = (int) inputs.stream()
                        .filter(r -> r.kind() == RangeKind.SHARE || r.kind() == RangeKind.PARAM).count();
            }
        }
        if (t != null) {
            t.batchNorm().pack(words);
        }
        PoolingConfig p = c.pooling();
        if (p != null) {
            words[KernelAbi.CFG_POOL] = p.kind().code();
            words[KernelAbi.CFG_POOL_CHANNELS] = p.channels();
            words[KernelAbi.CFG_POOL_FIRST] = p.first();
            words[KernelAbi.CFG_POOL_START] = Float.floatToRawIntBits(p.start());
            words[KernelAbi.CFG_POOL_DIVISOR] = p.divisor();
            words[KernelAbi.CFG_POOL_WIDTH] = p.width();
            words[KernelAbi.CFG_POOL_KERNEL_W] = p.kernelW();
            words[KernelAbi.CFG_POOL_STRIDE_W] = p.strideW();
            words[KernelAbi.CFG_POOL_PAD_W] = p.padW();
            words[KernelAbi.CFG_POOL_OUT_WIDTH] = p.outWidth();
            words[KernelAbi.CFG_POOL_PAD_IN_DIVISOR] = p.padInDivisor() ? 1 : 0;
        }
        RowConvConfig row = c.rowConv();
        if (row != null) {
            words[KernelAbi.CFG_ROW_KERNEL_W] = row.kernelW();
            words[KernelAbi.CFG_ROW_WIDTH] = row.width();
            words[KernelAbi.CFG_ROW_CHANNELS_IN] = row.channelsIn();
            words[KernelAbi.CFG_ROW_STRIDE] = row.stride();
            words[KernelAbi.CFG_ROW_PAD] = row.pad();
            words[KernelAbi.CFG_ROW_CHANNELS_OUT] = row.channelsOut();
            words[KernelAbi.CFG_ROW_FIRST_COLUMN] = row.firstColumn();
            words[KernelAbi.CFG_ROW_FIRST_CHANNEL] = row.firstChannel();
            words[KernelAbi.CFG_ROW_CHANNELS] = row.channels();
        }
        if (c.fixedPoint()) {
            words[KernelAbi.CFG_ARITHMETIC] = KernelAbi.ARITH_S16_15;
            words[KernelAbi.CFG_ALPHA_FIXED] = c.activation() == KernelActivation.THRESHOLDEDRELU
                    ? AccumQuantiser.threshold(c.alpha())
                    : AccumQuantiser.quantise(new float[] {c.alpha()}, 1, "alpha").words()[0];
            words[KernelAbi.CFG_PARTIAL_HALVES] = c.partialHalves() ? 1 : 0;
        }
        int w = KernelAbi.CONFIG_WORDS;
        for (KeyRange r : inputs) {
            words[w + KernelAbi.RANGE_WORD_KEY_LO] = r.keyLo();
            words[w + KernelAbi.RANGE_WORD_KEY_HI] = r.keyHi();
            words[w + KernelAbi.RANGE_WORD_LOCAL] = r.localOffset();
            words[w + KernelAbi.RANGE_WORD_KIND] = r.kind().code();
            w += KernelAbi.RANGE_WORDS;
        }
        for (float weight : lossWeights) {
            words[w++] = Float.floatToRawIntBits(weight);
        }
        for (KernelCopyConfig.Chunk k : copy.chunks()) {
            words[w + KernelAbi.CHUNK_WORD_LO] = k.lo();
            words[w + KernelAbi.CHUNK_WORD_HI] = k.hi();
            words[w + KernelAbi.CHUNK_WORD_SLOT] = k.owned() ? k.slot() : KernelAbi.CHUNK_NOT_OWNED;
            words[w + KernelAbi.CHUNK_WORD_KEY] = k.key();
            w += KernelAbi.CHUNK_WORDS;
        }
        return words;
    }

    /**
     * Loads packed config words as they are, past {@link KernelConfig}'s checks, into a fresh DTCM without weights or
     * bias, and returns the C kernel's code ({@code s4j_load}): for tests of the kernel's own refusals.
     */
    static int loadPacked(int[] words) {
        NativeLibrary.load();
        return load0(ByteBuffer.allocateDirect(DTCM_BYTES), words, new float[0], new float[0]);
    }

    private static native long stateBytes0(int[] config);

    private static native int load0(ByteBuffer dtcm, int[] config, float[] weights, float[] bias);

    private static native int maxSends0(ByteBuffer dtcm);

    private static native long address0(ByteBuffer dtcm);

    /**
     * Returns {@code rows << 40 | work << 32 | sends}, or a negative error code; {@code outboxLength} is
     * {@code outbox.length}.
     */
    private static native long onPacket0(long dtcm, int capacity, int key, int payload, int[] outbox,
            int outboxLength);

    private static native long onPartials0(long dtcm, int capacity, int key, int[] payloads, int[] outbox,
                                           int outboxLength);

    private static native long onRows0(long dtcm, int capacity, int first, int[] words, int[] outbox,
                                       int outboxLength);

    private static native int loadInput0(ByteBuffer dtcm, float[] values);

    /**
     * Returns {@code rows << 40 | work << 32 | sends}, or a negative error code; {@code outboxLength} is
     * {@code outbox.length}.
     */
    private static native long start0(long dtcm, int capacity, int[] outbox, int outboxLength);

    private static native long normStart0(long dtcm, int capacity, int batchSize, int[] outbox, int outboxLength);

    private static native long batchNormForward0(long dtcm, int capacity, int batchSize, int[] outbox,
            int outboxLength);

    private static native long batchNormExchange0(long dtcm, int capacity, int batchSize, int round, int[] outbox,
            int outboxLength);

    private static native long batchNormBackward0(long dtcm, int capacity, int batchSize, int[] outbox,
            int outboxLength);

    private static native long shareStart0(long dtcm, int capacity, int[] outbox, int outboxLength);

    private static native long paramSend0(long dtcm, int capacity, int[] outbox, int outboxLength);

    private static native int received0(ByteBuffer dtcm);

    private static native int readOutput0(ByteBuffer dtcm, float[] dest);

    private static native int applyUpdate0(ByteBuffer dtcm, int batchSize, int iteration, float[] rates);

    private static native int applyFixUpdate0(ByteBuffer dtcm, int[] constants, int rowStride, int biasFirst,
            int[] counts);

    private static native int setDropout0(ByteBuffer dtcm, int[] words);

    private static native int readParams0(ByteBuffer dtcm, int which, int slot, float[] dest);

    private static native int writeParams0(ByteBuffer dtcm, int which, int slot, float[] src);

    private static native long counter0(ByteBuffer dtcm, int which);

    private static native int lastLoss0(ByteBuffer dtcm, float[] dest);

    private static native boolean checked0();
}
