package org.spinnaker4j.kernels;

/** Thrown when a core's C kernel reports an error (a negative code), e.g. an unknown key or a duplicate row. */
public class KernelException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Codes returned by the C kernels (S4J_ERR_* of s4j_kernels.h, through {@link KernelAbi}). */
    static final int NOT_LOADED = KernelAbi.ERR_NOT_LOADED;
    static final int BUFFER_TOO_SMALL = KernelAbi.ERR_BUFFER_TOO_SMALL;
    static final int BAD_BUFFER = KernelAbi.ERR_BAD_BUFFER;
    static final int BAD_CONFIG = KernelAbi.ERR_BAD_CONFIG;
    static final int TOO_LARGE = KernelAbi.ERR_TOO_LARGE;
    static final int BAD_LENGTH = KernelAbi.ERR_BAD_LENGTH;
    static final int UNKNOWN_KEY = KernelAbi.ERR_UNKNOWN_KEY;
    static final int DUPLICATE_ROW = KernelAbi.ERR_DUPLICATE_ROW;
    static final int TOO_MANY_PARTIALS = KernelAbi.ERR_TOO_MANY_PARTIALS;
    static final int DUPLICATE_VALUE = KernelAbi.ERR_DUPLICATE_VALUE;
    static final int DUPLICATE_SYNC = KernelAbi.ERR_DUPLICATE_SYNC;
    static final int SAMPLE_OVERLAP = KernelAbi.ERR_SAMPLE_OVERLAP;
    static final int OUTBOX_TOO_SMALL = KernelAbi.ERR_OUTBOX_TOO_SMALL;
    static final int WRONG_KIND = KernelAbi.ERR_WRONG_KIND;
    static final int NO_INPUT = KernelAbi.ERR_NO_INPUT;
    static final int INCOMPLETE = KernelAbi.ERR_INCOMPLETE;
    static final int CORRUPT = KernelAbi.ERR_CORRUPT;
    static final int JNI = KernelAbi.ERR_JNI;
    static final int DUPLICATE_DELTA = KernelAbi.ERR_DUPLICATE_DELTA;
    static final int DUPLICATE_LABEL = KernelAbi.ERR_DUPLICATE_LABEL;
    static final int TOO_MANY_BACKWARD = KernelAbi.ERR_TOO_MANY_BACKWARD;
    static final int NO_FORWARD = KernelAbi.ERR_NO_FORWARD;
    static final int NOT_TRAINING = KernelAbi.ERR_NOT_TRAINING;
    static final int BAD_ARGUMENT = KernelAbi.ERR_BAD_ARGUMENT;
    static final int IN_FLIGHT = KernelAbi.ERR_IN_FLIGHT;
    static final int BATCH_SIZE = KernelAbi.ERR_BATCH_SIZE;
    static final int BATCH_HELD = KernelAbi.ERR_BATCH_HELD;
    static final int EXCHANGE_INCOMPLETE = KernelAbi.ERR_EXCHANGE_INCOMPLETE;
    static final int DUPLICATE_PARTIAL = KernelAbi.ERR_DUPLICATE_PARTIAL;
    static final int EXCHANGE_ORDER = KernelAbi.ERR_EXCHANGE_ORDER;
    static final int ROW_RANGE = KernelAbi.ERR_ROW_RANGE;
    static final int KEY_RANGE = KernelAbi.ERR_KEY_RANGE;

    private final int code;

    /** An exception for C error {@code code}, with what the caller knows about it. */
    public KernelException(int code, String detail) {
        super(errorName(code) + " (" + code + "): " + detail);
        this.code = code;
    }

    /** The negative error code of the C kernel. */
    public int code() {
        return code;
    }

    /** The name of the C error {@code code}, e.g. {@code UNKNOWN_KEY}. */
    public static String errorName(int code) {
        return switch (code) {
            case NOT_LOADED -> "NOT_LOADED";
            case BUFFER_TOO_SMALL -> "BUFFER_TOO_SMALL";
            case BAD_BUFFER -> "BAD_BUFFER";
            case BAD_CONFIG -> "BAD_CONFIG";
            case TOO_LARGE -> "TOO_LARGE";
            case BAD_LENGTH -> "BAD_LENGTH";
            case UNKNOWN_KEY -> "UNKNOWN_KEY";
            case DUPLICATE_ROW -> "DUPLICATE_ROW";
            case TOO_MANY_PARTIALS -> "TOO_MANY_PARTIALS";
            case DUPLICATE_VALUE -> "DUPLICATE_VALUE";
            case DUPLICATE_SYNC -> "DUPLICATE_SYNC";
            case SAMPLE_OVERLAP -> "SAMPLE_OVERLAP";
            case OUTBOX_TOO_SMALL -> "OUTBOX_TOO_SMALL";
            case WRONG_KIND -> "WRONG_KIND";
            case NO_INPUT -> "NO_INPUT";
            case INCOMPLETE -> "INCOMPLETE";
            case CORRUPT -> "CORRUPT";
            case JNI -> "JNI";
            case DUPLICATE_DELTA -> "DUPLICATE_DELTA";
            case DUPLICATE_LABEL -> "DUPLICATE_LABEL";
            case TOO_MANY_BACKWARD -> "TOO_MANY_BACKWARD";
            case NO_FORWARD -> "NO_FORWARD";
            case NOT_TRAINING -> "NOT_TRAINING";
            case BAD_ARGUMENT -> "BAD_ARGUMENT";
            case IN_FLIGHT -> "IN_FLIGHT";
            case BATCH_SIZE -> "BATCH_SIZE";
            case BATCH_HELD -> "BATCH_HELD";
            case EXCHANGE_INCOMPLETE -> "EXCHANGE_INCOMPLETE";
            case DUPLICATE_PARTIAL -> "DUPLICATE_PARTIAL";
            case EXCHANGE_ORDER -> "EXCHANGE_ORDER";
            case ROW_RANGE -> "ROW_RANGE";
            case KEY_RANGE -> "KEY_RANGE";
            default -> "UNKNOWN_ERROR";
        };
    }

    /** What C error {@code code} means, in words. */
    public static String describe(int code) {
        return switch (code) {
            case NOT_LOADED -> "core not loaded (DTCM has no magic/version word: unloaded or overwritten)";
            case BUFFER_TOO_SMALL -> "the DTCM buffer is smaller than the loaded state";
            case BAD_BUFFER -> "the DTCM buffer is not a usable direct buffer";
            case BAD_CONFIG -> "the config was rejected by the C kernel";
            case TOO_LARGE -> "the config needs more bytes than the DTCM buffer has";
            case BAD_LENGTH -> "an array has the wrong length";
            case UNKNOWN_KEY -> "unknown key: no input range contains it";
            case DUPLICATE_ROW -> "duplicate row in one sample";
            case TOO_MANY_PARTIALS -> "too many partial sums for one output in one sample";
            case DUPLICATE_VALUE -> "duplicate value for one output before it was read";
            case DUPLICATE_SYNC -> "a softmax peer's max or sum arrived twice in one sample, or a gradient-norm "
                    + "partial twice in one mini-batch";
            case SAMPLE_OVERLAP -> "data of a next sample arrived during the softmax exchange of this one";
            case OUTBOX_TOO_SMALL -> "outbox too small for the sends of one event";
            case WRONG_KIND -> "operation not defined for this kind of core";
            case NO_INPUT -> "start without a loaded input";
            case INCOMPLETE -> "not all values have arrived";
            case CORRUPT -> "the state in DTCM is inconsistent with its header";
            case JNI -> "JNI could not access a Java array";
            case DUPLICATE_DELTA -> "a block's delta for one column arrived twice in one sample";
            case DUPLICATE_LABEL -> "a label arrived twice in one sample";
            case TOO_MANY_BACKWARD -> "too many backward partials for one output in one sample";
            case NO_FORWARD -> "a backward packet arrived before the forward pass of its sample completed";
            case NOT_TRAINING -> "training operation on a core loaded without a training config";
            case BAD_ARGUMENT -> "bad argument (e.g. a batch size of 0)";
            case IN_FLIGHT -> "a sample's forward pass or labels arrived while the core held as many samples awaiting "
                    + "their backward pass as its ring has entries (samplesInFlight; a batch normalization: its "
                    + "largest mini-batch, or after its mini-batch's forward)";
            case BATCH_SIZE -> "a batch normalization's mini-batch outside 1..its largest, or not the size of its "
                    + "forward pass";
            case BATCH_HELD -> "a batch normalization holds another number of samples (forward) or deltas (backward) "
                    + "than its mini-batch, or part of one";
            case EXCHANGE_INCOMPLETE -> "a batch normalization's step before every other block's partial sums of the "
                    + "exchange round it needs arrived";
            case DUPLICATE_PARTIAL -> "a batch normalization block's exchange partial arrived twice in one mini-batch";
            case EXCHANGE_ORDER -> "a batch normalization's exchange round out of order or run again, or its forward "
                    + "or backward before its exchange round";
            case ROW_RANGE -> "rows given at once (onRows) not all within the block's rows";
            case KEY_RANGE -> "keys given at once (onPartials) not all in the range of the first";
            default -> "unknown error code";
        };
    }
}
