package org.spinnaker4j.kernels;

/**
 * One parameter's s16.15 training update, defined bit for bit with integers only (docs/fixed-point.md, "Training in
 * s16.15"): Sgd's and Adam's step from an exact gradient sum (units of 2^-30), rounded once to a word by
 * {@link Rounding#NEAREST} or {@link Rounding#STOCHASTIC}, and the primitives they use. The kernels' C
 * ({@code s4j_fixupdate.c}, run on the host by {@link FixedPointUpdate}) computes the same bits; the host computes here
 * the constants it sends the cores ({@link Scale}, {@link AdamConstants}).
 */
public final class AccumUpdate {

    /** How a step is rounded to s16.15. */
    public enum Rounding {
        /** To nearest, ties away from zero, as inference rounds its sums. */
        NEAREST,
        /**
         * Down or up with the probability of the distance to the word below: floor(x + r) with r from 32 bits of
         * {@link #random} of (layer, parameter, iteration), so any core holding the parameter draws the same.
         */
        STOCHASTIC
    }

    /** Q31 one: Adam's beta1, beta2 and their complements are in units of 2^-31. */
    public static final long Q31 = 1L << 31;

    /** A step of at least this magnitude saturates any word, so {@link #subtract} clamps steps to it. */
    private static final long STEP_LIMIT = 1L << 32;

    private AccumUpdate() {
    }

    /**
     * A positive host constant c as mantissa × 2^-shift, the mantissa in [2^30, 2^31) (a relative error at most
     * 2^-31): a learning rate over the batch size, Adam's bias-corrected rate, 1 / batch.
     *
     * @param mantissa in [2^30, 2^31)
     * @param shift    the power of two the mantissa is divided by
     */
    public record Scale(long mantissa, int shift) {

        /**
         * The scale nearest {@code c}.
         *
         * @throws IllegalArgumentException if c is not positive and finite
         */
        public static Scale of(double c) {
            if (!(c > 0) || Double.isInfinite(c)) {
                throw new IllegalArgumentException("Expected a positive finite constant, got " + c);
            }
            int shift = 30 - Math.getExponent(c);
            long m = Math.round(Math.scalb(c, shift));
            if (m == 1L << 31) {
                m >>= 1;
                shift--;
            }
            return new Scale(m, shift);
        }

        /** The constant this scale stands for. */
        public double value() {
            return Math.scalb((double) mantissa, -shift);
        }
    }

    /**
     * Adam's constants for one iteration: {@code perSample} the scale of 1 / batch; beta1, beta2 in Q31 (their
     * complements are 2^31 minus them, so the two weights add to exactly 1); epsilon in units of 2^-30; {@code rate}
     * DL4J's bias-corrected rate α_t, whose shift less 15 is the step's.
     *
     * @param perSample the scale of 1 / batch
     * @param beta1     round(β1 · 2^31), in [0, 2^31]
     * @param beta2     round(β2 · 2^31), in [0, 2^31]
     * @param epsilon   round(ε · 2^30), in [1, 2^31)
     * @param rate      α_t = lr √(1 − β2^t) / (1 − β1^t), its shift at least 16
     */
    public record AdamConstants(Scale perSample, long beta1, long beta2, long epsilon, Scale rate) {

        /**
         * Checks the ranges above.
         *
         * @throws IllegalArgumentException naming the constant out of its range
         */
        public AdamConstants {
            if (beta1 < 0 || beta1 > Q31 || beta2 < 0 || beta2 > Q31) {
                throw new IllegalArgumentException("Expected beta1 and beta2 in [0, 2^31] (Q31), got " + beta1
                        + " and " + beta2);
            }
            if (epsilon < 1 || epsilon >= Q31) {
                throw new IllegalArgumentException("Expected epsilon in [2^-30, 2) (units of 2^-30 in [1, 2^31)), "
                        + "got " + epsilon);
            }
            if (rate.shift() - AccumQuantiser.FRACTION_BITS < 1) {
                throw new IllegalArgumentException("Expected an Adam rate below 2^14, got " + rate.value());
            }
        }

        /**
         * The constants of iteration {@code t} (1 for the first) of DL4J's Adam with these hyperparameters, over
         * mini-batches of {@code batch} samples.
         *
         * @throws IllegalArgumentException if a constant is out of its range
         */
        public static AdamConstants of(double learningRate, double beta1, double beta2, double epsilon, int batch,
                int t) {
            if (batch < 1 || t < 1) {
                throw new IllegalArgumentException("Expected a batch and an iteration of at least 1, got " + batch
                        + " and " + t);
            }
            return new AdamConstants(Scale.of(1.0 / batch), Math.round(beta1 * Q31), Math.round(beta2 * Q31),
                    Math.round(epsilon * 0x1p30), Scale.of(learningRate * Math.sqrt(1 - Math.pow(beta2, t))
                            / (1 - Math.pow(beta1, t))));
        }

        /** The shift of the step's final rounding: α_t's less 15. */
        public int stepShift() {
            return rate.shift() - AccumQuantiser.FRACTION_BITS;
        }
    }

    /**
     * One parameter's Adam update.
     *
     * @param m       the new first moment, units of 2^-30
     * @param v       the new second moment, units of 2^-60
     * @param step    the step in words (the parameter's new value is its old one less this, saturated)
     * @param clipped whether the mean gradient was clipped to m's range
     */
    public record AdamStep(int m, long v, long step, boolean clipped) {
    }

    /** The scale of Sgd's step: G (units 2^-30) × c is the step in words, c = lr / batch × 2^-15. */
    public static Scale sgdConstant(double learningRate, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("Expected a batch of at least 1, got " + batch);
        }
        return Scale.of(learningRate / batch * 0x1p-15);
    }

    /** Sgd's step in words for the gradient sum {@code gradient} (units of 2^-30): G × c rounded once. */
    public static long sgdStep(long gradient, Scale c, int random, Rounding mode) {
        return round128(Math.multiplyHigh(gradient, c.mantissa()), gradient * c.mantissa(), c.shift(), random, mode);
    }

    /**
     * Adam's update of one parameter from its gradient sum (units of 2^-30) and its moments m (units of 2^-30) and v
     * (units of 2^-60, in [0, 2^62]): g = G / batch rounded to nearest and clipped to |g| &lt; 2; m and v stepped
     * (each rounded to nearest); the step ⌊|m| A / (⌊√v⌋ + ε)⌋ / 2^(S − 15) rounded by {@code mode}, with m's sign.
     *
     * @throws IllegalArgumentException if v is out of its range
     */
    public static AdamStep adamStep(long gradient, int m, long v, AdamConstants c, int random, Rounding mode) {
        if (v < 0 || v > 1L << 62) {
            throw new IllegalArgumentException("Expected v in [0, 2^62], got " + v);
        }
        Scale perSample = c.perSample();
        long mean = round128(Math.multiplyHigh(gradient, perSample.mantissa()), gradient * perSample.mantissa(),
                perSample.shift(), 0, Rounding.NEAREST);
        boolean clipped = mean > Integer.MAX_VALUE || mean < -Integer.MAX_VALUE;
        if (clipped) {
            mean = mean > 0 ? Integer.MAX_VALUE : -Integer.MAX_VALUE;
        }
        long b2 = c.beta2();
        long c2 = Q31 - b2;
        // a convex combination of two int32 values: |m| stays below 2^31
        int newM = (int) roundShift(c.beta1() * m + (Q31 - c.beta1()) * mean, 31);
        long sq = mean * mean;
        long hi = Math.multiplyHigh(b2, v) + Math.multiplyHigh(c2, sq);
        long lo1 = b2 * v;
        long lo = lo1 + c2 * sq;
        hi += Long.compareUnsigned(lo, lo1) < 0 ? 1 : 0;
        long newV = round128(hi, lo, 31, 0, Rounding.NEAREST);
        long d = isqrt(newV) + c.epsilon();
        long q = Math.abs((long) newM) * c.rate().mantissa() / d;
        long step = round128(0, q, c.stepShift(), random, mode);
        return new AdamStep(newM, newV, newM < 0 ? -step : step, clipped);
    }

    /**
     * {@code word} less {@code step}, exact whenever the result is within a word's range (any larger step is clamped
     * to ±2^32, which saturates the same way): the caller saturates it ({@link AccumQuantiser#saturate}).
     */
    public static long subtract(int word, long step) {
        return word - Math.max(-STEP_LIMIT, Math.min(STEP_LIMIT, step));
    }

    /** x / 2^shift rounded to nearest, ties away from zero (|x| &lt; 2^63 − 2^(shift−1), 1 ≤ shift ≤ 62). */
    public static long roundShift(long x, int shift) {
        long r = (Math.abs(x) + (1L << (shift - 1))) >> shift;
        return x < 0 ? -r : r;
    }

    /**
     * The signed 128-bit value hi·2^64 + lo (two's complement) over 2^shift (1 ≤ shift ≤ 126), rounded: to nearest,
     * ties away from zero; or stochastically, floor((x + r) / 2^shift) with r the 32 bits of {@code random} placed at
     * the top of the shift (r = random·2^(shift−32), or random / 2^(32−shift) truncated for a shift under 32), so
     * the chance of rounding up is the fraction to within 2^-32. Saturated to a long.
     *
     * @throws IllegalArgumentException if the shift is out of range
     */
    public static long round128(long hi, long lo, int shift, int random, Rounding mode) {
        if (shift < 1 || shift > 126) {
            throw new IllegalArgumentException("Expected a shift in [1, 126], got " + shift);
        }
        boolean negative = hi < 0;
        long addHi;
        long addLo;
        if (mode == Rounding.STOCHASTIC) {
            long r = random & 0xFFFFFFFFL;
            int k = shift - 32;
            addLo = k >= 64 ? 0 : k >= 0 ? r << k : r >>> -k;
            addHi = k >= 64 ? r << (k - 64) : k > 32 ? r >>> (64 - k) : 0;
        } else {
            if (negative) {
                lo = -lo;
                hi = ~hi + (lo == 0 ? 1 : 0);
            }
            addLo = shift <= 64 ? 1L << (shift - 1) : 0;
            addHi = shift <= 64 ? 0 : 1L << (shift - 65);
        }
        long sumLo = lo + addLo;
        long sumHi = hi + addHi + (Long.compareUnsigned(sumLo, lo) < 0 ? 1 : 0);
        long outLo = shift < 64 ? (sumLo >>> shift) | (sumHi << (64 - shift)) : sumHi >> (shift - 64);
        long outHi = shift < 64 ? sumHi >> shift : sumHi >> 63;
        long r;
        if (outHi != (outLo >> 63)) {
            r = outHi < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        } else {
            r = outLo;
        }
        return mode == Rounding.NEAREST && negative ? -r : r;
    }

    /** The largest integer whose square is at most {@code v} (v ≥ 0). */
    public static long isqrt(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("Expected a non-negative value, got " + v);
        }
        long r = (long) Math.sqrt((double) v);
        while (r * r > v) {
            r--;
        }
        while (r + 1 <= v / (r + 1)) { // (r + 1)^2 <= v, without overflow near 2^63
            r++;
        }
        return r;
    }

    /**
     * 32 bits a core can draw for parameter {@code index} of layer {@code layer} at {@code iteration} without any
     * state: three rounds of a 32-bit mixing function (xor-shift, multiply by an odd constant, twice) over the
     * seed, layer, index and iteration.
     */
    public static int random(int seed, int layer, int index, int iteration) {
        int h = mix(seed ^ 0x5bd1e995 * (layer + 1));
        h = mix(h ^ index);
        return mix(h ^ iteration);
    }

    private static int mix(int x) {
        x ^= x >>> 16;
        x *= 0x7feb352d;
        x ^= x >>> 15;
        x *= 0x846ca68b;
        x ^= x >>> 16;
        return x;
    }
}
