package org.spinnaker4j.kernels;

import java.util.List;
import java.util.Objects;

/**
 * A fused block's part in the exchange between the copies of a convolution's kernel slice that several position
 * blocks hold: its parameters (the weights row-major, then the bias, as one array) are cut into {@link Chunk}s, each
 * owned by one copy. After the mini-batch's last backward pass ({@link KernelCore#startShares}) the copy files its
 * accumulated gradient of the chunks it owns in its own share slots and sends that of every other chunk to the chunk's
 * owner; its update ({@link KernelCore#applyUpdate}) adds the shares of its chunks in position order and updates
 * those chunks alone; it then sends their new values to their other holders ({@link KernelCore#sendParameters}),
 * which write them over their own. {@link RangeKind#SHARE} ranges file the other copies' shares (local offset:
 * position × {@link #owned()} + owned offset), {@link RangeKind#PARAM} ranges the owners' new values (local offset:
 * the parameter's index).
 *
 * @param copies the copies of the slice ({@code >= 2}): the share slots' rows
 * @param position this copy's position among them
 * @param shares the share packets it files per update (the other holders' shares of its chunks)
 * @param parameters the new values it files per update (the parameters it holds and does not own)
 * @param chunks its parameters by owner, in increasing order without overlap
 */
public record KernelCopyConfig(int copies, int position, int shares, int parameters, List<Chunk> chunks) {

    /** A block that holds no copy (or the only one). */
    public static final KernelCopyConfig NONE = new KernelCopyConfig(0, 0, 0, 0, List.of());

    /**
     * Parameters {@code lo .. hi - 1} of the copy with one owner: this copy ({@code slot >= 0}: the first one's
     * offset among the parameters it owns, and {@code key} the key of the first one's new value) or another
     * ({@code slot = -1}, and {@code key} the key of the first one's share to the owner).
     *
     * @param lo the first parameter
     * @param hi past the last
     * @param slot owned: the first's offset among the owned parameters; -1: owned by another copy
     * @param key the key of the first parameter's new value (owned) or share (not owned)
     */
    public record Chunk(int lo, int hi, int slot, int key) {

        /** Validates the range. */
        public Chunk {
            if (lo < 0 || hi <= lo || slot < -1) {
                throw new IllegalArgumentException("a chunk is a non-empty range of parameters with a slot >= -1, got "
                        + lo + ".." + hi + " slot " + slot);
            }
            if (Integer.toUnsignedLong(key) + (hi - lo) > 1L << 32) {
                throw new IllegalArgumentException(String.format("chunk keys 0x%08x + %d wrap past 0xffffffff", key,
                        hi - lo));
            }
        }

        /** Whether this copy owns it. */
        public boolean owned() {
            return slot >= 0;
        }

        /** Its parameters. */
        public int size() {
            return hi - lo;
        }
    }

    /** Validates the chunks' order and the owned slots. */
    public KernelCopyConfig {
        chunks = List.copyOf(Objects.requireNonNull(chunks, "chunks"));
        if (chunks.isEmpty()) {
            if (copies != 0 || position != 0 || shares != 0 || parameters != 0) {
                throw new IllegalArgumentException("a block without chunks holds no copy: all 0, got " + copies + ", "
                        + position + ", " + shares + ", " + parameters);
            }
        } else {
            if (copies < 2 || position < 0 || position >= copies || shares < 0 || parameters < 0) {
                throw new IllegalArgumentException("a copy is one of 2 or more at a position among them, with shares "
                        + "and parameters >= 0, got position " + position + " of " + copies + ", " + shares + ", "
                        + parameters);
            }
            int end = 0;
            int owned = 0;
            int held = 0;
            for (Chunk c : chunks) {
                if (c.lo() < end) {
                    throw new IllegalArgumentException("chunks must be in increasing order without overlap: " + chunks);
                }
                if (c.owned()) {
                    if (c.slot() != owned) {
                        throw new IllegalArgumentException("owned chunks' slots must number their parameters in "
                                + "order from 0: " + chunks);
                    }
                    owned += c.size();
                } else {
                    held += c.size();
                }
                end = c.hi();
            }
            if ((long) shares > (long) owned * (copies - 1) || parameters > held) {
                throw new IllegalArgumentException("a copy files at most " + (copies - 1) + " shares of each of its "
                        + owned + " owned parameters and the new values of its " + held + " others, got " + shares
                        + " and " + parameters);
            }
        }
    }

    /** Whether the block holds a copy that exchanges with others. */
    public boolean isCopy() {
        return !chunks.isEmpty();
    }

    /** The parameters it owns: a row of its share slots. */
    public int owned() {
        return chunks.stream().filter(Chunk::owned).mapToInt(Chunk::size).sum();
    }

    @Override
    public String toString() {
        return isCopy() ? "copy " + position + " of " + copies + " owning " + owned() + " parameters" : "no copy";
    }
}
