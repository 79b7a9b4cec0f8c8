package org.spinnaker4j.kernels;

import java.util.Objects;

/**
 * How a training core normalizes the gradient of its parameters before the regularization and the updater (DL4J's
 * {@code GradientNormalization} with its {@code gradientNormalizationThreshold}), and, for the L2 modes, where it
 * stands in its layer's exchange of partial sums of squares: it sends its partials under {@code keyBase}
 * ({@link GradientNormalizationKind#normKeys()} keys), receives those of {@code peers} other cores (one
 * {@link RangeKind#NORM} range each, whose local offset is the peer's position), and holds {@code position} itself;
 * every core adds the partials in position order, so all get the same norms.
 *
 * @param kind the normalization
 * @param threshold its threshold: finite; 0 with {@link GradientNormalizationKind#NONE}
 * @param keyBase L2 modes: the key of this core's first partial; 0 otherwise
 * @param peers L2 modes: how many other cores send their partials ({@code >= 0}); 0 otherwise
 * @param position L2 modes: this core's position, in {@code [0, peers]}; 0 otherwise
 */
public record GradientNormalizationConfig(GradientNormalizationKind kind, float threshold, int keyBase, int peers,
                                          int position) {

    /** No normalization. */
    public static final GradientNormalizationConfig NONE =
            new GradientNormalizationConfig(GradientNormalizationKind.NONE, 0f);

    /** Validates the threshold and the exchange. */
    public GradientNormalizationConfig {
        Objects.requireNonNull(kind, "kind");
        if (!Float.isFinite(threshold) || (kind == GradientNormalizationKind.NONE && threshold != 0f)) {
            throw new IllegalArgumentException("the gradient normalization threshold must be finite, and 0 without a "
                    + "normalization; got " + threshold + " with " + kind);
        }
        if (!kind.needsNorm() && (keyBase != 0 || peers != 0 || position != 0)) {
            throw new IllegalArgumentException(kind + " exchanges no norm: keyBase, peers and position must be 0, got "
                    + keyBase + ", " + peers + ", " + position);
        }
        if (peers < 0 || position < 0 || position > peers) {
            throw new IllegalArgumentException("position must be in [0, peers] and peers >= 0, got position "
                    + position + " of " + peers + " peers");
        }
        if (Integer.toUnsignedLong(keyBase) + kind.normKeys() > 1L << 32) {
            throw new IllegalArgumentException(String.format("norm keys 0x%08x + %d wrap past 0xffffffff", keyBase,
                    kind.normKeys()));
        }
    }

    /** A normalization that exchanges no norm (NONE, CLIP_ELEMENT_WISE), or one on a layer of a single core. */
    public GradientNormalizationConfig(GradientNormalizationKind kind, float threshold) {
        this(kind, threshold, 0, 0, 0);
    }

    /** Whether the gradient is left as it is. */
    public boolean isNone() {
        return kind == GradientNormalizationKind.NONE;
    }

    @Override
    public String toString() {
        if (isNone()) {
            return "none";
        }
        return kind + " threshold=" + threshold + (kind.needsNorm()
                ? String.format(" norm keys 0x%08x, position %d of %d", keyBase, position, peers + 1) : "");
    }
}
