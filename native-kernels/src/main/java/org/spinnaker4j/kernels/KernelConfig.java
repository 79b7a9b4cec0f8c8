package org.spinnaker4j.kernels;

import java.util.List;
import java.util.Objects;

/**
 * What one core runs: its kind, block shape, activation, output keys and input key ranges.
 *
 * <ul>
 *   <li>{@link KernelKind#INPUT_SOURCE}: {@code start} sends {@code nCols} values as
 *       {@code (outKeyBase + j, bits(value[j]))}; no inputs; {@code nRows} unused.</li>
 *   <li>{@link KernelKind#DENSE_BLOCK}: weights {@code nRows x nCols}; receives {@code nRows} inputs on DATA
 *       ranges (local index = row); sends partial sums, or, if {@code fused}, {@code act(sum + bias)}.</li>
 *   <li>{@link KernelKind#REDUCE}: receives {@code expectedPartials} partial sums per output {@code j}
 *       (local index = j) and sends {@code act(sum + bias)}; {@code nRows} unused.</li>
 *   <li>{@link KernelKind#OUTPUT_SINK}: receives {@code nCols} values (local index = output) for the host.</li>
 * </ul>
 *
 * <p>A core that applies {@link KernelActivation#SOFTMAX} to part of a layer has {@code softmaxPeers > 0}
 * (the number of other cores of the layer), sends its max and sum as {@code syncKeyBase + 0/1}, and has one
 * {@link RangeKind#SOFTMAX_SYNC} range per peer. Keys are unsigned 32-bit values carried in ints.
 *
 * @param kind the core's program
 * @param nRows rows of the weight block (DENSE_BLOCK; 0 or ignored otherwise)
 * @param nCols outputs of the core (values sent by a source, received by a sink)
 * @param activation the activation of a fused block or a reduce
 * @param alpha the alpha of LEAKYRELU and ELU
 * @param fused whether a dense block adds the bias and applies the activation itself
 * @param outKeyBase the key of output 0
 * @param expectedPartials partial sums per output per sample (REDUCE)
 * @param softmaxPeers other cores of the same softmax layer
 * @param syncKeyBase the key of this core's softmax max ({@code + 1}: its sum)
 * @param inputs the key ranges the core accepts
 */
public record KernelConfig(KernelKind kind, int nRows, int nCols, KernelActivation activation, float alpha,
                           boolean fused, int outKeyBase, int expectedPartials, int softmaxPeers,
                           int syncKeyBase, List<KeyRange> inputs) {

    private static final long KEY_SPACE = 1L << 32;

    /** Validates the config and copies the input list. */
    public KernelConfig {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(inputs, "inputs");
        inputs = List.copyOf(inputs);
        if (nCols <= 0 || nCols > Integer.MAX_VALUE - 2) {
            throw new IllegalArgumentException("nCols must be positive, got " + nCols);
        }
        if (kind == KernelKind.DENSE_BLOCK ? nRows <= 0 : nRows < 0) {
            throw new IllegalArgumentException(
                    (kind == KernelKind.DENSE_BLOCK ? "nRows must be positive" : "nRows must be >= 0")
                            + " for " + kind + ", got " + nRows);
        }
        if (!Float.isFinite(alpha)) {
            throw new IllegalArgumentException("alpha must be finite, got " + alpha);
        }
        if (kind == KernelKind.REDUCE ? expectedPartials <= 0 : expectedPartials < 0) {
            throw new IllegalArgumentException(
                    (kind == KernelKind.REDUCE ? "expectedPartials must be positive" : "expectedPartials must be >= 0")
                            + " for " + kind + ", got " + expectedPartials);
        }
        if (kind == KernelKind.REDUCE && (long) nCols * expectedPartials > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("nCols * expectedPartials = " + (long) nCols * expectedPartials
                    + " exceeds " + Integer.MAX_VALUE);
        }
        boolean softmax = activation == KernelActivation.SOFTMAX
                && (kind == KernelKind.REDUCE || (kind == KernelKind.DENSE_BLOCK && fused));
        if (softmaxPeers < 0 || (softmaxPeers > 0 && !softmax)) {
            throw new IllegalArgumentException("softmaxPeers must be 0 unless the core applies SOFTMAX "
                    + "(a REDUCE or a fused DENSE_BLOCK), and never negative; got " + softmaxPeers
                    + " for " + kind + (fused ? " fused " : " ") + activation);
        }
        if (kind != KernelKind.OUTPUT_SINK && Integer.toUnsignedLong(outKeyBase) + nCols > KEY_SPACE) {
            throw new IllegalArgumentException(String.format(
                    "output keys 0x%08x + %d wrap past 0xffffffff", outKeyBase, nCols));
        }
        if (softmaxPeers > 0 && Integer.toUnsignedLong(syncKeyBase) + 2 > KEY_SPACE) {
            throw new IllegalArgumentException(String.format(
                    "sync keys 0x%08x + 2 wrap past 0xffffffff", syncKeyBase));
        }
        if (kind == KernelKind.INPUT_SOURCE && !inputs.isEmpty()) {
            throw new IllegalArgumentException("an INPUT_SOURCE has no inputs, got " + inputs);
        }
        long limit = kind == KernelKind.DENSE_BLOCK ? nRows : nCols;
        int syncs = 0;
        for (int i = 0; i < inputs.size(); i++) {
            KeyRange r = inputs.get(i);
            if (r.kind() == RangeKind.DATA) {
                if (r.localOffset() + r.size() > limit) {
                    throw new IllegalArgumentException("input range " + r + " maps to local indices up to "
                            + (r.localOffset() + r.size() - 1) + " but this " + kind + " has "
                            + limit + (kind == KernelKind.DENSE_BLOCK ? " rows" : " outputs"));
                }
            } else {
                if (r.size() != 2) {
                    throw new IllegalArgumentException("a SOFTMAX_SYNC range has exactly 2 keys (max, sum), got " + r);
                }
                syncs++;
            }
            for (int j = 0; j < i; j++) {
                if (r.overlaps(inputs.get(j))) {
                    throw new IllegalArgumentException("input ranges " + inputs.get(j) + " and " + r + " overlap");
                }
            }
        }
        if (syncs != softmaxPeers) {
            throw new IllegalArgumentException("softmaxPeers = " + softmaxPeers + " needs that many SOFTMAX_SYNC "
                    + "input ranges, got " + syncs);
        }
    }

    /** Whether this core applies a (possibly layer-wide) softmax. */
    public boolean appliesSoftmax() {
        return activation == KernelActivation.SOFTMAX
                && (kind == KernelKind.REDUCE || (kind == KernelKind.DENSE_BLOCK && fused));
    }

    /** Whether this core needs a bias of {@code nCols} values (a fused dense block or a reduce). */
    public boolean hasBias() {
        return kind == KernelKind.REDUCE || (kind == KernelKind.DENSE_BLOCK && fused);
    }

    /** The number of weights {@code load} expects: {@code nRows * nCols} for a dense block, else 0. */
    public long weightCount() {
        return kind == KernelKind.DENSE_BLOCK ? (long) nRows * nCols : 0;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("KernelConfig[").append(kind);
        switch (kind) {
            case DENSE_BLOCK -> {
                sb.append(' ').append(nRows).append(" x ").append(nCols);
                sb.append(fused ? " fused " + activation : " partial");
            }
            case REDUCE -> sb.append(' ').append(nCols).append(" outputs x ").append(expectedPartials)
                    .append(" partials ").append(activation);
            default -> sb.append(' ').append(nCols).append(" values");
        }
        if (activation == KernelActivation.LEAKYRELU || activation == KernelActivation.ELU) {
            sb.append(" alpha=").append(alpha);
        }
        if (kind != KernelKind.OUTPUT_SINK) {
            sb.append(String.format(", out 0x%08x", outKeyBase));
        }
        if (softmaxPeers > 0) {
            sb.append(String.format(", softmax peers=%d sync 0x%08x", softmaxPeers, syncKeyBase));
        }
        return sb.append(", inputs=").append(inputs).append(']').toString();
    }
}
