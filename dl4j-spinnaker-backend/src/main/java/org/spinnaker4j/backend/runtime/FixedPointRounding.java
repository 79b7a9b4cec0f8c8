package org.spinnaker4j.backend.runtime;

import java.io.Serializable;
import java.util.Objects;
import org.spinnaker4j.kernels.AccumUpdate.Rounding;

/**
 * How an s16.15 training core rounds each parameter's step to a word: {@link #nearest()}, or {@link #stochastic(int)}
 * with the seed of the random bits (each parameter's bits depend on the seed, its layer, its index and the iteration
 * only, so a run is reproducible). Stochastic is the default: with nearest rounding a step below half an s16.15 step
 * (2^-16) is lost, so small updates underflow and stop training (docs/fixed-point.md).
 *
 * @param rounding nearest or stochastic
 * @param seed the random bits' seed (0 for nearest)
 */
public record FixedPointRounding(Rounding rounding, int seed) implements Serializable {

    /** Checks the rounding is given. */
    public FixedPointRounding {
        Objects.requireNonNull(rounding, "rounding");
    }

    /** Round to nearest, ties away from zero. */
    public static FixedPointRounding nearest() {
        return new FixedPointRounding(Rounding.NEAREST, 0);
    }

    /** Round down or up with the probability of the distance, from random bits seeded by {@code seed}. */
    public static FixedPointRounding stochastic(int seed) {
        return new FixedPointRounding(Rounding.STOCHASTIC, seed);
    }

    /** The default: stochastic with seed 0. */
    public static FixedPointRounding defaults() {
        return stochastic(0);
    }
}
