package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A reduce expecting one partial per output (a relay: each value of its field comes from one sender) keeps one slot
 * row of its outputs, whatever number of ranges it listens to, where a reduce summing partials keeps a row per
 * range; it still sends each value unchanged, in order as soon as it and every earlier value are in, and refuses a
 * second partial for an output.
 */
class RelaySlotTest {

    /** Bytes every state starts with: the header and the layout s4j_load caches, before the range table. */
    private static final int HEAD = Kernels.RANGE_TABLE_BYTE;
    private static final int COLS = 45;
    private static final int OUT = 0x7000;

    private static int senderKey(int k) {
        return 0x1000 + 0x100 * k;
    }

    /** {@code senders} ranges, sender k sending outputs [k·COLS/senders, (k+1)·COLS/senders) of the field. */
    private static List<KeyRange> field(int senders) {
        List<KeyRange> ranges = new ArrayList<>();
        for (int k = 0; k < senders; k++) {
            int lo = k * COLS / senders;
            int hi = (k + 1) * COLS / senders;
            ranges.add(KeyRange.data(senderKey(k), hi - lo, lo));
        }
        return ranges;
    }

    private static KernelConfig relay(int senders) {
        return Kernels.reduce(COLS, 1, KernelActivation.IDENTITY, 0f, OUT, field(senders));
    }

    @Test
    void oneSlotRowWhateverTheSenders() {
        // HEAD, 16 bytes per range, bias, acc and counts (3 x 4 x COLS), one row of COLS slots, its bitmap
        int oneRow = 4 * COLS + 4 * ((COLS + 31) / 32);
        for (int senders : new int[] {1, 2, 9, 45}) {
            assertEquals(HEAD + 16 * senders + 12 * COLS + oneRow, KernelCore.stateBytes(relay(senders)),
                    senders + " senders");
        }
        // a reduce summing two partials per output keeps a row per range
        int senders = 9;
        int rows = senders * COLS;
        assertEquals(HEAD + 16 * senders + 12 * COLS + 4 * rows + 4 * ((rows + 31) / 32),
                KernelCore.stateBytes(Kernels.reduce(COLS, 2, KernelActivation.IDENTITY, 0f, OUT, field(senders))));
    }

    @Test
    void sendsEveryValueUnchangedInAnyArrivalOrder() {
        int senders = 9;
        Random rnd = new Random(11);
        KernelCore relay = new KernelCore();
        relay.load(relay(senders), null, new float[COLS]);
        List<KeyRange> ranges = field(senders);
        for (int sample = 0; sample < 3; sample++) {
            float[] x = Kernels.randomArray(rnd, COLS, 10.0);
            List<Packet> in = new ArrayList<>();
            for (int k = 0; k < senders; k++) {
                KeyRange r = ranges.get(k);
                for (int i = 0; i < r.keyHi() - r.keyLo(); i++) {
                    in.add(new Packet(r.keyLo() + i, Float.floatToRawIntBits(x[r.localOffset() + i])));
                }
            }
            Collections.shuffle(in, rnd);
            List<Packet> sent = new ArrayList<>();
            Kernels.ColumnOrder order = new Kernels.ColumnOrder(COLS, 1, OUT);
            for (int p = 0; p < in.size(); p++) {
                List<Packet> out = Kernels.deliver(relay, in.get(p));
                int column = column(ranges, in.get(p).key());
                assertEquals(order.keysAfter(column), out.stream().map(Packet::key).toList(), "packet " + p);
                sent.addAll(out);
            }
            float[] got = Kernels.valuesByKey(sent, OUT, COLS);
            for (int j = 0; j < COLS; j++) {
                assertEquals(Float.floatToRawIntBits(x[j]), Float.floatToRawIntBits(got[j]), "value " + j);
            }
        }
    }

    /** The column of the field a sender's key carries. */
    private static int column(List<KeyRange> ranges, int key) {
        for (KeyRange r : ranges) {
            if (key >= r.keyLo() && key < r.keyHi()) {
                return r.localOffset() + key - r.keyLo();
            }
        }
        throw new IllegalArgumentException("no range has key " + key);
    }

    @Test
    void refusesASecondPartialForAnOutputFromAnotherRange() {
        // two ranges over the same outputs: the one-row table must not let the second overwrite the first
        KernelCore relay = new KernelCore();
        relay.load(Kernels.reduce(4, 1, KernelActivation.IDENTITY, 0f, OUT,
                List.of(KeyRange.data(senderKey(0), 4, 0), KeyRange.data(senderKey(1), 4, 0))), null, new float[4]);
        Kernels.deliver(relay, new Packet(senderKey(0) + 2, Float.floatToRawIntBits(1f)));
        KernelException e = assertThrows(KernelException.class,
                () -> Kernels.deliver(relay, new Packet(senderKey(1) + 2, Float.floatToRawIntBits(2f))));
        assertEquals(KernelException.TOO_MANY_PARTIALS, e.code());
    }
}
