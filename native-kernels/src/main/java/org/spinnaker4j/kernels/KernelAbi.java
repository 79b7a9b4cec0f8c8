package org.spinnaker4j.kernels;

import java.lang.annotation.Native;

/**
 * Every number the Java side and the C kernels must agree on, the Java half of the contract whose C half is
 * {@code s4j_kernels.h}: each constant here is the C macro of the same name with the prefix {@code S4J_}.
 *
 * <p>The constants are {@link Native}, so javac ({@code -h}) writes them into
 * {@code org_spinnaker4j_kernels_KernelAbi.h}, and {@code s4j_contract.c} asserts ({@code _Static_assert}) each one
 * equal to its C macro: a mismatch fails the host build, and {@code KernelAbiTest} fails the build if a macro of
 * the header or a constant here is not checked. Everything else in Java takes these numbers from here: the enums'
 * {@code code()} switches, {@link KernelException}'s codes, {@link KernelCore}'s DTCM size and config packing.
 */
final class KernelAbi {

    private KernelAbi() {
    }

    /** Bytes of DTCM of a core: the capacity of a core's state buffer. */
    @Native static final int DTCM_BYTES = 65536;

    // ---- kinds of core (KernelKind) ----------------------------------------------------------------------
    @Native static final int KIND_INPUT_SOURCE = 0;
    @Native static final int KIND_DENSE_BLOCK = 1;
    @Native static final int KIND_REDUCE = 2;
    @Native static final int KIND_OUTPUT_SINK = 3;

    // ---- activations (KernelActivation) ------------------------------------------------------------------
    @Native static final int ACT_IDENTITY = 0;
    @Native static final int ACT_RELU = 1;
    @Native static final int ACT_LEAKYRELU = 2;
    @Native static final int ACT_SIGMOID = 3;
    @Native static final int ACT_TANH = 4;
    @Native static final int ACT_SOFTMAX = 5;
    @Native static final int ACT_HARDTANH = 6;
    @Native static final int ACT_SOFTPLUS = 7;
    @Native static final int ACT_ELU = 8;
    @Native static final int ACT_SWISH = 9;
    @Native static final int ACT_GELU = 10;
    @Native static final int ACT_SELU = 11;
    @Native static final int ACT_MISH = 12;
    @Native static final int ACT_SOFTSIGN = 13;
    @Native static final int ACT_RATIONALTANH = 14;
    @Native static final int ACT_RECTIFIEDTANH = 15;
    @Native static final int ACT_CUBE = 16;
    @Native static final int ACT_THRESHOLDEDRELU = 17;
    @Native static final int ACT_RELU6 = 18;

    // ---- kinds of input range (RangeKind) ----------------------------------------------------------------
    @Native static final int RANGE_DATA = 0;
    @Native static final int RANGE_SOFTMAX_SYNC = 1;
    @Native static final int RANGE_DELTA = 2;
    @Native static final int RANGE_BACKWARD_PARTIAL = 3;
    @Native static final int RANGE_LABEL = 4;
    @Native static final int RANGE_IGNORE = 5;
    @Native static final int RANGE_NORM = 6;
    @Native static final int RANGE_SHARE = 7;
    @Native static final int RANGE_PARAM = 8;
    @Native static final int RANGE_BN_PARTIAL = 9;

    // ---- updaters (UpdaterKind) --------------------------------------------------------------------------
    @Native static final int UPDATER_SGD = 0;
    @Native static final int UPDATER_NESTEROVS = 1;
    @Native static final int UPDATER_ADAM = 2;
    @Native static final int UPDATER_ADAMAX = 3;
    @Native static final int UPDATER_NADAM = 4;
    @Native static final int UPDATER_AMSGRAD = 5;
    @Native static final int UPDATER_ADAGRAD = 6;
    @Native static final int UPDATER_ADADELTA = 7;
    @Native static final int UPDATER_RMSPROP = 8;
    @Native static final int UPDATER_NOOP = 9;

    // ---- losses (LossKind) -------------------------------------------------------------------------------
    @Native static final int LOSS_NONE = 0;
    @Native static final int LOSS_MSE = 1;
    @Native static final int LOSS_L1 = 2;
    @Native static final int LOSS_L2 = 3;
    @Native static final int LOSS_MAE = 4;
    @Native static final int LOSS_XENT = 5;
    @Native static final int LOSS_MCXENT = 6;
    @Native static final int LOSS_NLL = 7;
    @Native static final int LOSS_HINGE = 8;
    @Native static final int LOSS_SQUARED_HINGE = 9;
    @Native static final int LOSS_KL_DIVERGENCE = 10;
    @Native static final int LOSS_POISSON = 11;
    @Native static final int LOSS_COSINE_PROXIMITY = 12;
    @Native static final int LOSS_MEAN_ABSOLUTE_PERCENTAGE_ERROR = 13;
    @Native static final int LOSS_MEAN_SQUARED_LOGARITHMIC_ERROR = 14;
    @Native static final int LOSS_WASSERSTEIN = 15;

    // ---- gradient normalizations (GradientNormalizationKind) ---------------------------------------------
    @Native static final int GRAD_NORM_NONE = 0;
    @Native static final int GRAD_NORM_CLIP_ELEMENT_WISE = 1;
    @Native static final int GRAD_NORM_RENORM_L2_PER_LAYER = 2;
    @Native static final int GRAD_NORM_RENORM_L2_PER_PARAM_TYPE = 3;
    @Native static final int GRAD_NORM_CLIP_L2_PER_LAYER = 4;
    @Native static final int GRAD_NORM_CLIP_L2_PER_PARAM_TYPE = 5;

    // ---- bits of the work an event did (KernelWork) ------------------------------------------------------
    @Native static final int WORK_FORWARD = 1;
    @Native static final int WORK_SOFTMAX_SUM = 2;
    @Native static final int WORK_SOFTMAX_NORMALISE = 4;
    @Native static final int WORK_SOFTMAX_DOT = 8;
    @Native static final int WORK_DELTAS = 16;
    @Native static final int WORK_BLOCK_BACKWARD = 32;
    @Native static final int WORK_DROPOUT_ROW = 64;
    @Native static final int WORK_DROPOUT_BACK = 128;
    @Native static final int WORK_COLUMN = 256;

    // ---- keys of a softmax core's sync range: max, sum (+ backward dot in training) ----------------------
    @Native static final int SYNC_KEYS = 2;
    @Native static final int SYNC_KEYS_TRAINING = 3;

    // ---- words of a packed config (KernelCore.pack) ------------------------------------------------------
    @Native static final int CFG_KIND = 0;
    @Native static final int CFG_N_ROWS = 1;
    @Native static final int CFG_N_COLS = 2;
    @Native static final int CFG_ACTIVATION = 3;
    @Native static final int CFG_ALPHA = 4;
    @Native static final int CFG_FUSED = 5;
    @Native static final int CFG_OUT_KEY_BASE = 6;
    @Native static final int CFG_EXPECTED_PARTIALS = 7;
    @Native static final int CFG_SOFTMAX_PEERS = 8;
    @Native static final int CFG_SYNC_KEY_BASE = 9;
    @Native static final int CFG_N_RANGES = 10;
    @Native static final int CFG_TRAINING = 11;
    @Native static final int CFG_UPDATER = 12;
    @Native static final int CFG_LEARNING_RATE = 13;
    @Native static final int CFG_BETA1 = 14;
    @Native static final int CFG_BETA2 = 15;
    @Native static final int CFG_EPSILON = 16;
    @Native static final int CFG_LOSS = 17;
    @Native static final int CFG_LAYER_OUTPUTS = 18;
    @Native static final int CFG_DELTA_KEY_BASE = 19;
    @Native static final int CFG_BACKWARD_KEY_BASE = 20;
    @Native static final int CFG_LOSS_KEY_BASE = 21;
    @Native static final int CFG_EXPECTED_BACKWARD = 22;
    @Native static final int CFG_SENDS_BACKWARD = 23;
    @Native static final int CFG_L1 = 24;
    @Native static final int CFG_L2 = 25;
    @Native static final int CFG_WEIGHT_DECAY = 26;
    @Native static final int CFG_L2_FIRST = 27;
    @Native static final int CFG_WEIGHT_DECAY_TIMES = 28;
    @Native static final int CFG_BIAS_L1 = 29;
    @Native static final int CFG_BIAS_L2 = 30;
    @Native static final int CFG_BIAS_WEIGHT_DECAY = 31;
    @Native static final int CFG_BIAS_L2_FIRST = 32;
    @Native static final int CFG_BIAS_WEIGHT_DECAY_TIMES = 33;
    @Native static final int CFG_GRAD_NORM = 34;
    @Native static final int CFG_GRAD_NORM_THRESHOLD = 35;
    @Native static final int CFG_NORM_KEY_BASE = 36;
    @Native static final int CFG_NORM_PEERS = 37;
    @Native static final int CFG_NORM_SELF = 38;
    @Native static final int CFG_IN_FLIGHT = 39;
    @Native static final int CFG_BIAS_UPDATER = 40;
    @Native static final int CFG_BIAS_LEARNING_RATE = 41;
    @Native static final int CFG_BIAS_BETA1 = 42;
    @Native static final int CFG_BIAS_BETA2 = 43;
    @Native static final int CFG_BIAS_EPSILON = 44;
    @Native static final int CFG_LOSS_WEIGHTED = 45;
    @Native static final int CFG_POOL = 46;
    @Native static final int CFG_POOL_CHANNELS = 47;
    @Native static final int CFG_POOL_FIRST = 48;
    @Native static final int CFG_POOL_START = 49;
    @Native static final int CFG_POOL_DIVISOR = 50;
    @Native static final int CFG_COPY_CHUNKS = 51;
    @Native static final int CFG_COPY_SLOTS = 52;
    @Native static final int CFG_COPY_SELF = 53;
    @Native static final int CFG_COPY_OWNED = 54;
    @Native static final int CFG_COPY_SHARES = 55;
    @Native static final int CFG_COPY_PARAMS = 56;
    @Native static final int CFG_COPY_RANGES = 57;
    @Native static final int CFG_ROW_KERNEL_W = 58;
    @Native static final int CFG_ROW_WIDTH = 59;
    @Native static final int CFG_ROW_CHANNELS_IN = 60;
    @Native static final int CFG_ROW_STRIDE = 61;
    @Native static final int CFG_ROW_PAD = 62;
    @Native static final int CFG_ROW_CHANNELS_OUT = 63;
    @Native static final int CFG_ROW_FIRST_COLUMN = 64;
    @Native static final int CFG_ROW_FIRST_CHANNEL = 65;
    @Native static final int CFG_ROW_CHANNELS = 66;
    @Native static final int CFG_POOL_WIDTH = 67;
    @Native static final int CFG_POOL_KERNEL_W = 68;
    @Native static final int CFG_POOL_STRIDE_W = 69;
    @Native static final int CFG_POOL_PAD_W = 70;
    @Native static final int CFG_POOL_OUT_WIDTH = 71;
    @Native static final int CFG_POOL_PAD_IN_DIVISOR = 72;
    @Native static final int CFG_NORM_BATCH = 73;
    @Native static final int CFG_NORM_DECAY = 74;
    @Native static final int CFG_NORM_DECAY_REST = 75;
    @Native static final int CFG_NORM_EPS = 76;
    @Native static final int CFG_NORM_LOG_STD = 77;
    @Native static final int CFG_NORM_CHANNELS = 78;
    @Native static final int CFG_NORM_PIXELS = 79;
    @Native static final int CFG_NORM_BLOCKS = 80;
    @Native static final int CFG_NORM_BLOCK_INDEX = 81;
    @Native static final int CFG_NORM_EXCHANGE_KEY_BASE = 82;
    @Native static final int CFG_ARITHMETIC = 83;
    @Native static final int CFG_ALPHA_FIXED = 84;
    @Native static final int CFG_PARTIAL_HALVES = 85;
    @Native static final int CFG_BACKWARD_FIRST_ROW = 86;
    @Native static final int CONFIG_WORDS = 87;
    @Native static final int ARITH_FLOAT = 0;
    @Native static final int ARITH_S16_15 = 1;
    @Native static final int BN_SUMS = 7;
    @Native static final int BN_ROUNDS = 3;
    @Native static final int MAX_IN_FLIGHT = 64;

    // ---- kinds of pooling block (PoolingKind; NONE: a block of weights) ------------------------------------
    @Native static final int POOL_NONE = 0;
    @Native static final int POOL_MAX = 1;
    @Native static final int POOL_AVG = 2;
    @Native static final int POOL_NORM = 3;
    /** The rows of a batch normalization block's weights: gamma, mean, DL4J's statistic, std. */
    @Native static final int NORM_ROWS = 4;

    // ---- words of one input range of a packed config -----------------------------------------------------
    @Native static final int RANGE_WORD_KEY_LO = 0;
    @Native static final int RANGE_WORD_KEY_HI = 1;
    @Native static final int RANGE_WORD_LOCAL = 2;
    @Native static final int RANGE_WORD_KIND = 3;
    @Native static final int RANGE_WORDS = 4;

    // ---- words of one chunk of a kernel copy's parameters (KernelCopyConfig.Chunk) -----------------------------
    @Native static final int CHUNK_WORD_LO = 0;
    @Native static final int CHUNK_WORD_HI = 1;
    @Native static final int CHUNK_WORD_SLOT = 2;
    @Native static final int CHUNK_WORD_KEY = 3;
    @Native static final int CHUNK_WORDS = 4;
    @Native static final int CHUNK_NOT_OWNED = -1;

    // ---- words of an update command's values (UpdateValues): the weights' S4J_RATE_WORDS, then the bias' ------
    @Native static final int RATE_LEARNING_RATE = 0;
    @Native static final int RATE_MOMENTUM = 1;
    @Native static final int RATE_L1 = 2;
    @Native static final int RATE_L2 = 3;
    @Native static final int RATE_WEIGHT_DECAY = 4;
    @Native static final int RATE_WORDS = 5;
    @Native static final int UPDATE_WORDS = 10;

    // ---- words of the dropout message (KernelCore.setDropout) ----------------------------------------------
    @Native static final int DROP_KEEP = 0;
    @Native static final int DROP_STREAM = 1;
    @Native static final int DROP_FIRST = 2;
    @Native static final int DROP_GRADIENT = 3;
    @Native static final int DROP_WORDS = 4;

    // ---- return codes (KernelException) ------------------------------------------------------------------
    @Native static final int OK = 0;
    @Native static final int ERR_NOT_LOADED = -1;
    @Native static final int ERR_BUFFER_TOO_SMALL = -2;
    @Native static final int ERR_BAD_BUFFER = -3;
    @Native static final int ERR_BAD_CONFIG = -4;
    @Native static final int ERR_TOO_LARGE = -5;
    @Native static final int ERR_BAD_LENGTH = -6;
    @Native static final int ERR_UNKNOWN_KEY = -7;
    @Native static final int ERR_DUPLICATE_ROW = -8;
    @Native static final int ERR_TOO_MANY_PARTIALS = -9;
    @Native static final int ERR_DUPLICATE_VALUE = -10;
    @Native static final int ERR_DUPLICATE_SYNC = -11;
    @Native static final int ERR_SAMPLE_OVERLAP = -12;
    @Native static final int ERR_OUTBOX_TOO_SMALL = -13;
    @Native static final int ERR_WRONG_KIND = -14;
    @Native static final int ERR_NO_INPUT = -15;
    @Native static final int ERR_INCOMPLETE = -16;
    @Native static final int ERR_CORRUPT = -17;
    @Native static final int ERR_JNI = -18;
    @Native static final int ERR_DUPLICATE_DELTA = -19;
    @Native static final int ERR_DUPLICATE_LABEL = -20;
    @Native static final int ERR_TOO_MANY_BACKWARD = -21;
    @Native static final int ERR_NO_FORWARD = -22;
    @Native static final int ERR_NOT_TRAINING = -23;
    @Native static final int ERR_BAD_ARGUMENT = -24;
    @Native static final int ERR_IN_FLIGHT = -25;
    @Native static final int ERR_BATCH_SIZE = -26;
    @Native static final int ERR_BATCH_HELD = -27;
    @Native static final int ERR_EXCHANGE_INCOMPLETE = -28;
    @Native static final int ERR_DUPLICATE_PARTIAL = -29;
    @Native static final int ERR_EXCHANGE_ORDER = -30;
    @Native static final int ERR_ROW_RANGE = -31;
    @Native static final int ERR_KEY_RANGE = -32;

    // ---- parameter arrays of a core (KernelCore.readWeights, readBias, ...) ------------------------------
    @Native static final int ARRAY_WEIGHTS = 0;
    @Native static final int ARRAY_BIAS = 1;
}
