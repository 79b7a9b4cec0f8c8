package org.spinnaker4j.mapper.keys;

import java.util.ArrayList;
import java.util.List;

/**
 * A partition's key range: keys {@code key + atom} for atom in [0, n). A partition of its own has its key aligned to
 * {@code mask}, every key matching it, and is routed by that one entry. A piece of its sender's range (one receiver's
 * part of a block's rows sent back; {@link #piece}) is matched key by key (mask {@code 0xFFFFFFFF}) and routed by the
 * aligned blocks that cover exactly its keys ({@link #routingBlocks}).
 */
public record KeyAndMask(int key, int mask, int nKeys) {

    /** Every key matches one by one: the mask of a piece of a range. */
    public static final int EXACT = 0xFFFFFFFF;

    /** Keys [key, key + nKeys), a piece of a larger range that is not aligned to a mask of its own. */
    public static KeyAndMask piece(int key, int nKeys) {
        return new KeyAndMask(key, EXACT, nKeys);
    }

    /** The key of one atom. */
    public int keyOf(int atom) {
        if (atom < 0 || atom >= nKeys) {
            throw new IllegalArgumentException("atom " + atom + " outside [0, " + nKeys + ")");
        }
        return key + atom;
    }

    /**
     * The key/mask pairs of its routing entries: itself, or for a piece the largest aligned blocks that together match
     * its keys and no other.
     */
    public List<KeyAndMask> routingBlocks() {
        long blockSize = (~mask & 0xFFFFFFFFL) + 1;
        if (nKeys <= blockSize) {
            return List.of(this);
        }
        List<KeyAndMask> blocks = new ArrayList<>();
        long lo = Integer.toUnsignedLong(key);
        long hi = lo + nKeys;
        while (lo < hi) {
            long size = lo == 0 ? Long.highestOneBit(hi) : Long.lowestOneBit(lo);
            while (lo + size > hi) {
                size >>= 1;
            }
            blocks.add(new KeyAndMask((int) lo, (int) ~(size - 1), (int) size));
            lo += size;
        }
        return blocks;
    }

    @Override
    public String toString() {
        return String.format("0x%08x/0x%08x (%d keys)", key, mask, nKeys);
    }
}
