package org.spinnaker4j.kernels;

import java.util.Objects;

/**
 * A range of multicast keys a core accepts: key {@code k} with {@code keyLo <= k < keyHi} (unsigned 32-bit
 * comparison) maps to local index {@code localOffset + (k - keyLo)}.
 *
 * <p>For {@link RangeKind#SOFTMAX_SYNC} ranges (2 keys: the peer's max, then its sum; 3 keys in training, then its
 * backward dot) {@code localOffset} is not used: a peer's slot is the position of its range among the sync ranges.
 * {@link RangeKind#IGNORE} ranges do not use it either.
 *
 * @param keyLo first key (unsigned value carried in an int)
 * @param keyHi one past the last key (unsigned, greater than {@code keyLo})
 * @param localOffset local index of {@code keyLo}
 * @param kind what the packets carry
 */
public record KeyRange(int keyLo, int keyHi, int localOffset, RangeKind kind) {

    /** Validates the range. */
    public KeyRange {
        Objects.requireNonNull(kind, "kind");
        if (Integer.compareUnsigned(keyHi, keyLo) <= 0) {
            throw new IllegalArgumentException(String.format(
                    "keyHi 0x%08x must be greater than keyLo 0x%08x (unsigned)", keyHi, keyLo));
        }
        if (localOffset < 0) {
            throw new IllegalArgumentException("localOffset must be >= 0, got " + localOffset);
        }
    }

    /** A data range of {@code count} keys starting at {@code keyLo}, mapped to local indices from {@code localOffset}. */
    public static KeyRange data(int keyLo, int count, int localOffset) {
        return of(keyLo, count, localOffset, RangeKind.DATA);
    }

    /** The keys of a softmax peer's sync range: 2 (max, sum) for inference, 3 (max, sum, backward dot) in training. */
    public static int syncKeys(boolean training) {
        return training ? KernelAbi.SYNC_KEYS_TRAINING : KernelAbi.SYNC_KEYS;
    }

    /** The sync range of one softmax peer whose sync keys start at {@code syncKeyBase} (inference: max, sum). */
    public static KeyRange softmaxSync(int syncKeyBase) {
        return new KeyRange(syncKeyBase, syncKeyBase + syncKeys(false), 0, RangeKind.SOFTMAX_SYNC);
    }

    /** The sync range of one softmax peer of a training core: max, sum and backward dot. */
    public static KeyRange trainingSoftmaxSync(int syncKeyBase) {
        return new KeyRange(syncKeyBase, syncKeyBase + syncKeys(true), 0, RangeKind.SOFTMAX_SYNC);
    }

    /** The NORM range of the peer at {@code position}, whose {@code count} partials' keys start at {@code keyLo}. */
    public static KeyRange norm(int keyLo, int count, int position) {
        return of(keyLo, count, position, RangeKind.NORM);
    }

    /**
     * The BN_PARTIAL range of the batch normalization block at {@code peerIndex} whose exchange keys start at
     * {@code keyLo}: {@link BatchNormTrainingConfig#exchangeKeys(int)} of {@code channels} keys, filed from that
     * block's first sum slot, {@code peerIndex} times as many (its local offset).
     */
    public static KeyRange batchNormPartial(int keyLo, int channels, int peerIndex) {
        int keys = BatchNormTrainingConfig.exchangeKeys(channels);
        return of(keyLo, keys, peerIndex * keys, RangeKind.BN_PARTIAL);
    }

    /** A SHARE range: {@code count} shares from {@code keyLo}, filed in a kernel copy's share slots from {@code slot}. */
    public static KeyRange share(int keyLo, int count, int slot) {
        return of(keyLo, count, slot, RangeKind.SHARE);
    }

    /** A PARAM range: {@code count} new values from {@code keyLo} of a kernel copy's parameters from {@code first}. */
    public static KeyRange param(int keyLo, int count, int first) {
        return of(keyLo, count, first, RangeKind.PARAM);
    }

    /** A DELTA range of {@code count} keys from {@code keyLo}, mapped to local columns from {@code localOffset}. */
    public static KeyRange delta(int keyLo, int count, int localOffset) {
        return of(keyLo, count, localOffset, RangeKind.DELTA);
    }

    /** A BACKWARD_PARTIAL range of {@code count} keys from {@code keyLo}, mapped to local outputs from {@code localOffset}. */
    public static KeyRange backwardPartial(int keyLo, int count, int localOffset) {
        return of(keyLo, count, localOffset, RangeKind.BACKWARD_PARTIAL);
    }

    /** A LABEL range of {@code count} keys from {@code keyLo}, mapped to local outputs from {@code localOffset}. */
    public static KeyRange label(int keyLo, int count, int localOffset) {
        return of(keyLo, count, localOffset, RangeKind.LABEL);
    }

    /** An IGNORE range of {@code count} keys from {@code keyLo}: accepted, counted and dropped. */
    public static KeyRange ignore(int keyLo, int count) {
        return of(keyLo, count, 0, RangeKind.IGNORE);
    }

    private static KeyRange of(int keyLo, int count, int localOffset, RangeKind kind) {
        if (count <= 0) {
            throw new IllegalArgumentException("count must be positive, got " + count);
        }
        return new KeyRange(keyLo, keyLo + count, localOffset, kind);
    }

    /** The number of keys in the range. */
    public long size() {
        return Integer.toUnsignedLong(keyHi) - Integer.toUnsignedLong(keyLo);
    }

    /** Whether {@code key} lies in this range (unsigned comparison). */
    public boolean contains(int key) {
        return Integer.compareUnsigned(key - keyLo, keyHi - keyLo) < 0;
    }

    /** Whether this range and {@code other} share a key. */
    public boolean overlaps(KeyRange other) {
        return Integer.compareUnsigned(keyLo, other.keyHi) < 0
                && Integer.compareUnsigned(other.keyLo, keyHi) < 0;
    }

    @Override
    public String toString() {
        return String.format("%s[0x%08x, 0x%08x) -> %d", kind, keyLo, keyHi, localOffset);
    }
}
