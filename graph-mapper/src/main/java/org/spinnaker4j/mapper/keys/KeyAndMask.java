package org.spinnaker4j.mapper.keys;

/** A partition's key range: keys {@code key | atom} for atom in [0, n), all matching {@code mask}. */
public record KeyAndMask(int key, int mask, int nKeys) {

    /** The key of one atom. */
    public int keyOf(int atom) {
        if (atom < 0 || atom >= nKeys) {
            throw new IllegalArgumentException("atom " + atom + " outside [0, " + nKeys + ")");
        }
        return key | atom;
    }

    @Override
    public String toString() {
        return String.format("0x%08x/0x%08x (%d keys)", key, mask, nKeys);
    }
}
