package org.spinnaker4j.kernels;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The DTCM images of many cores in one block of host memory, side by side in the order asked for, each only as large
 * as the state it is sized for, rounded up to a 64-byte cache line (and starting on one). A simulator that lays its
 * cores out chip by chip so keeps their states together, where one 64 KiB buffer a core spreads them over many times
 * the host memory they use. Each core's kernels check its state against its own image's size as against a whole
 * DTCM's: a config whose state does not fit is refused when it is loaded ({@link KernelException#TOO_LARGE}).
 */
public final class DtcmArena {

    /** The host's cache line: every image starts on one and spans whole ones. */
    public static final int LINE_BYTES = 64;

    private DtcmArena() {
    }

    /**
     * Unloaded cores, the k-th with an image of {@code capacities[k]} bytes rounded up to {@link #LINE_BYTES}, in one
     * block of memory in this order.
     *
     * @throws IllegalArgumentException if a capacity is outside 1..{@link KernelCore#DTCM_BYTES}
     */
    public static List<KernelCore> cores(int[] capacities) {
        long total = 0;
        for (int k = 0; k < capacities.length; k++) {
            if (capacities[k] < 1 || capacities[k] > KernelCore.DTCM_BYTES) {
                throw new IllegalArgumentException("core " + k + ": a DTCM image holds 1.." + KernelCore.DTCM_BYTES
                        + " bytes, got " + capacities[k]);
            }
            total += lines(capacities[k]);
        }
        if (total > Integer.MAX_VALUE - LINE_BYTES) {
            throw new IllegalArgumentException(capacities.length + " DTCM images of " + total
                    + " bytes in all do not fit one block of memory");
        }
        ByteBuffer block = ByteBuffer.allocateDirect((int) total + LINE_BYTES - 1).alignedSlice(LINE_BYTES);
        List<KernelCore> cores = new ArrayList<>(capacities.length);
        int at = 0;
        for (int capacity : capacities) {
            int bytes = lines(capacity);
            cores.add(new KernelCore(block.slice(at, bytes)));
            at += bytes;
        }
        return cores;
    }

    /** {@code bytes} rounded up to whole cache lines. */
    private static int lines(int bytes) {
        return (bytes + LINE_BYTES - 1) / LINE_BYTES * LINE_BYTES;
    }
}
