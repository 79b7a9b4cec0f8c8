package org.spinnaker4j.kernels;

/**
 * The kernels' wide accumulator (s4j_mac.c) in Java, bit for bit: a sum of float products kept as a 64-bit integer at
 * the largest product's exponent, each product's top 32 bits added at that scale, rounded to a float once, to nearest
 * even. The tests' reference for a block's sums; {@link WideSumTest} checks the kernels against exact sums.
 */
final class WideSum {

    private static final int PINF = 1;
    private static final int NINF = 2;
    private static final int NAN = 4;
    /** The least qx + qw whose product can reach 2^128 (the kernel's BIG_EXP). */
    private static final int BIG_EXP = 444;

    private long s;
    /** The exponent of s's unit: s 2^(e - 348); 0 while empty. */
    private int e;
    private int flags;

    /** x w added. */
    void add(float x, float w) {
        int xb = Float.floatToRawIntBits(x);
        int wb = Float.floatToRawIntBits(w);
        boolean negative = (xb ^ wb) < 0;
        if (Float.isNaN(x) || Float.isNaN(w) || (Float.isInfinite(x) && w == 0f) || (Float.isInfinite(w) && x == 0f)) {
            flags |= NAN;
            return;
        }
        if (Float.isInfinite(x) || Float.isInfinite(w)) {
            flags |= negative ? NINF : PINF;
            return;
        }
        if (x == 0f || w == 0f) {
            return;
        }
        long[] fx = unpack(xb);
        long[] fw = unpack(wb);
        long p = fx[0] * fw[0];     // unsigned 64-bit product of two mantissas with bit 31 set
        int et = (int) (fx[1] + fw[1]);
        if (et >= BIG_EXP && overflows(p, et)) {
            flags |= negative ? NINF : PINF;
            return;
        }
        if (et > e) {
            s >>= Math.min(et - e, 63);
            e = et;
        }
        long term = e - et < 32 ? (p >>> 32) >>> (e - et) : 0L;
        s = negative ? s - term : s + term;
    }

    /** The sum as a float, rounded to nearest even. */
    float value() {
        if ((flags & NAN) != 0 || flags == (PINF | NINF)) {
            return Float.NaN;
        }
        if (flags != 0) {
            return flags == PINF ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
        }
        if (s == 0) {
            return 0f;
        }
        int sign = s < 0 ? 0x80000000 : 0;
        long mag = Math.abs(s);
        int be = e - 158 - Long.numberOfLeadingZeros(mag);
        if (be >= 255) {
            return Float.intBitsToFloat(sign | 0x7f800000);
        }
        int b1 = Math.max(be, 1);
        int k = b1 + 198 - e;
        long q;
        if (k <= 0) {
            q = mag << -k;
        } else if (k >= 64) {
            q = 0;
        } else {
            q = mag >>> k;
            long rest = mag & ((1L << k) - 1);
            long half = 1L << (k - 1);
            if (Long.compareUnsigned(rest, half) > 0 || (rest == half && (q & 1) != 0)) {
                q++;
            }
        }
        return Float.intBitsToFloat(sign | (((b1 - 1) << 23) + (int) q));
    }

    /** The sum of a[i] b[i], in order of i. */
    static float dot(float[] a, float[] b) {
        WideSum sum = new WideSum();
        for (int i = 0; i < a.length; i++) {
            sum.add(a[i], b[i]);
        }
        return sum.value();
    }

    /** A finite nonzero float's mantissa with the implicit bit at bit 31 (unsigned), and its exponent + 32. */
    private static long[] unpack(int bits) {
        int ex = (bits >>> 23) & 0xff;
        long m = (bits << 8) & 0xffffffffL;
        if (ex != 0) {
            return new long[] {m | 0x80000000L, ex + 32};
        }
        int n = Integer.numberOfLeadingZeros((int) m);
        return new long[] {(m << n) & 0xffffffffL, 33 - n};
    }

    /** Whether the product p 2^(et - 380), p from 2^62, is infinite once rounded to a float. */
    private static boolean overflows(long p, int et) {
        int t = 63 - Long.numberOfLeadingZeros(p);
        return et + t >= 253 + 255 || (et + t == 253 + 254 && (p >>> (t - 24)) == 0x1ffffff);
    }
}
