package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DtcmArenaTest {

    private static final List<KeyRange> ROWS = List.of(KeyRange.data(0x100, 4, 0));
    private static final KernelConfig BLOCK = Kernels.dense(4, 3, true, KernelActivation.RELU, 0f, 0x200, ROWS);

    @Test
    void imagesAreWholeCacheLinesSideBySide() {
        List<KernelCore> cores = DtcmArena.cores(new int[] {1, 64, 65, KernelCore.DTCM_BYTES});
        int[] want = {64, 64, 128, KernelCore.DTCM_BYTES};
        for (int k = 0; k < want.length; k++) {
            assertEquals(want[k], cores.get(k).dtcm().capacity(), "image " + k);
            assertEquals(0, cores.get(k).dtcm().alignmentOffset(0, DtcmArena.LINE_BYTES), "image " + k + " on a line");
            assertFalse(cores.get(k).isLoaded());
        }
    }

    @Test
    void capacitiesOutsideADtcmAreRefused() {
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> DtcmArena.cores(new int[] {64, 0}),
                "core 1", "1..65536", "got 0");
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> DtcmArena.cores(new int[] {KernelCore.DTCM_BYTES + 1}), "core 0", "got 65537");
    }

    /** Neighbouring images of exactly their states' sizes compute what cores with a 64 KiB buffer each compute. */
    @Test
    void coresSizedToTheirStatesComputeAsWholeDtcms() {
        Random rnd = new Random(17);
        float[][] weights = {Kernels.randomArray(rnd, 12, 1), Kernels.randomArray(rnd, 12, 1)};
        float[][] bias = {Kernels.randomArray(rnd, 3, 1), Kernels.randomArray(rnd, 3, 1)};
        int bytes = KernelCore.stateBytes(BLOCK);
        List<KernelCore> packed = DtcmArena.cores(new int[] {bytes, bytes});
        KernelCore[] whole = {new KernelCore(), new KernelCore()};
        for (int c = 0; c < 2; c++) {
            packed.get(c).load(BLOCK, weights[c], bias[c]);
            whole[c].load(BLOCK, weights[c], bias[c]);
        }
        for (int row = 0; row < 4; row++) {
            for (int c = 0; c < 2; c++) {
                int x = Float.floatToRawIntBits((float) rnd.nextGaussian());
                int[] got = new int[6];
                int[] want = new int[6];
                assertEquals(whole[c].onPacket(0x100 + row, x, want), packed.get(c).onPacket(0x100 + row, x, got));
                assertArrayEquals(want, got, "core " + c + " after row " + row);
            }
        }
    }

    @Test
    void aStateLargerThanItsImageIsRefusedByTheKernel() {
        int bytes = KernelCore.stateBytes(BLOCK);
        KernelCore core = DtcmArena.cores(new int[] {bytes - DtcmArena.LINE_BYTES}).get(0);
        KernelException e = Kernels.assertThrowsWith(KernelException.class,
                () -> core.load(BLOCK, new float[12], new float[3]), "TOO_LARGE", "a state of " + bytes + " bytes");
        assertEquals(KernelException.TOO_LARGE, e.code());
        assertFalse(core.isLoaded());
    }

    /** Header word 1 is the state's size (s4j_header.total_bytes): every build refuses one beyond its image. */
    @Test
    void aStateClaimingMoreThanItsImageIsRefusedByEveryBuild() {
        KernelCore core = DtcmArena.cores(new int[] {KernelCore.stateBytes(BLOCK)}).get(0);
        core.load(BLOCK, new float[12], new float[3]);
        int total = core.dtcm().getInt(4);
        assertEquals(KernelCore.stateBytes(BLOCK), total);
        core.dtcm().putInt(4, core.dtcm().capacity() + 4);
        KernelException e = assertThrows(KernelException.class, () -> core.onPacket(0x100, 0, new int[6]));
        assertEquals(KernelException.BUFFER_TOO_SMALL, e.code());
        core.dtcm().putInt(4, total);
        assertEquals(0, core.onPacket(0x100, 0, new int[6]), "restored, the state works again");
    }
}
