package org.spinnaker4j.backend.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.KernelCopyConfig;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Conv1DGeometry;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.NetworkSpec;

/**
 * Copies of a kernel read back as one when their bits agree, and fail the read when they do not; their updater state
 * is read from each chunk's owner.
 */
class ParameterGatherTest {

    // 3 channels × 4 positions, kernel 3, padding 1 → 2 channels × 4: position 0 lacks tap 0, position 1 has all
    private static final Conv1DGeometry G = new Conv1DGeometry(3, 4, 2, 3, 1, 1, 4, false);
    private static final NetworkSpec NET = new NetworkSpec(List.of(DenseLayerSpec.convolution(G,
            Activation.of(ActivationKind.TANH), true)));
    private static final MachineVertex FIRST = new MachineVertex(0, VertexKind.DENSE_BLOCK, 0, new Slice(0, 6),
            new Slice(0, 2), true);
    private static final MachineVertex SECOND = new MachineVertex(1, VertexKind.DENSE_BLOCK, 0, new Slice(0, 9),
            new Slice(2, 4), true);

    private static DenseParameters kernel() {
        float[] w = new float[9 * 2];
        for (int i = 0; i < w.length; i++) {
            w[i] = 0.25f * i - 1f;
        }
        return new DenseParameters(9, 2, w, new float[] {0.5f, -0.5f});
    }

    /** Position t's copy as its core holds it: the kernel rows of its taps, its bias. */
    private static float[] copy(DenseParameters p, MachineVertex v) {
        Slice[] held = LayerSlices.parameterSlices(NET.layers().get(0), v.rows(), v.cols());
        return LayerSlices.block(p, held[0], held[1]);
    }

    @Test
    void identicalCopiesReadBackAsTheKernel() {
        DenseParameters p = kernel();
        ParameterGather gather = new ParameterGather(NET);
        gather.put(FIRST, copy(p, FIRST), p.bias());
        gather.put(SECOND, copy(p, SECOND), p.bias());
        assertArrayEquals(p.weights(), gather.layers().get(0).weights());
        assertArrayEquals(p.bias(), gather.layers().get(0).bias());
    }

    @Test
    void aTwoDimensionalBlockReadsBackTheLoweredKernel() {
        // 2 channels × 3 rows × 5 columns → 3 channels, kernel 2 × 3, stride 1 × 2, padding 0 × 1: 2 × 3 outputs
        Conv2DGeometry image = new Conv2DGeometry(2, 3, 5, 3, 2, 3, 1, 2, 0, 1, 2, 3, false);
        NetworkSpec net = new NetworkSpec(List.of(DenseLayerSpec.convolution(image.alongRows(),
                Activation.of(ActivationKind.TANH), true)));
        int rows = 2 * 5 * 2;
        int cols = 3 * 3;
        float[] k = new float[2 * 3 * 2 * 3]; // W[tap][kx][in][out]
        for (int i = 0; i < k.length; i++) {
            k[i] = 0.125f * i - 2f;
        }
        float[] lowered = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int kx = image.kernelColumn(j / 3, i % 10 / 2);
                lowered[i * cols + j] = kx < 0 ? 0f : k[((i / 10 * 3 + kx) * 2 + i % 2) * 3 + j % 3];
            }
        }
        float[] channelBias = {0.5f, -1f, 2f};
        float[] bias = new float[cols];
        for (int j = 0; j < cols; j++) {
            bias[j] = channelBias[j % 3];
        }
        DenseParameters p = new DenseParameters(rows, cols, lowered, bias);
        ParameterGather gather = new ParameterGather(net);
        // output row 1: columns 0 .. 3 (every channel) and 4 .. 8 (every channel), a bias per channel each
        for (Slice c : List.of(new Slice(9, 13), new Slice(13, 18))) {
            MachineVertex v = new MachineVertex(0, VertexKind.DENSE_BLOCK, 0, new Slice(10, 30), c, true, null,
                    image);
            Slice[] held = LayerSlices.parameterSlices(net.layers().get(0), v.rows(), v.cols());
            float[] once = LayerSlices.rowBlock(p, v.rowBlock(), held[0]);
            assertArrayEquals(k, once, "the kernel, once, from the lowered one");
            assertArrayEquals(channelBias, LayerSlices.bias(p, v, held[1]), "a bias per channel");
            gather.put(v, once, channelBias);
            assertThrows(IllegalArgumentException.class, () -> gather.put(v, once, new float[c.size()]),
                    "a bias per column");
        }
        assertArrayEquals(lowered, gather.layers().get(0).weights());
        assertArrayEquals(bias, gather.layers().get(0).bias(), "each channel's bias along the row");
    }

    @Test
    void copiesThatDifferInOneBitFailTheRead() {
        DenseParameters p = kernel();
        float[] drifted = copy(p, SECOND);
        drifted[3 * 2 + 1] = Math.nextUp(drifted[3 * 2 + 1]); // tap 1, in 0, out 1: position 0 holds it too
        ParameterGather gather = new ParameterGather(NET);
        gather.put(FIRST, copy(p, FIRST), p.bias());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> gather.put(SECOND, drifted, p.bias()));
        assertTrue(e.getMessage().contains("weight 7"), e.getMessage());
        float[] zeroBias = {0.0f, 0f};
        ParameterGather signs = new ParameterGather(NET);
        signs.put(FIRST, null, zeroBias);
        assertThrows(IllegalStateException.class, () -> signs.put(SECOND, null, new float[] {-0.0f, 0f}),
                "-0 and 0 are different bits");
    }

    @Test
    void aWeightOnlyOneCopyHoldsIsTakenFromIt() {
        DenseParameters p = kernel();
        ParameterGather gather = new ParameterGather(NET);
        gather.put(SECOND, copy(p, SECOND), null);
        gather.put(FIRST, copy(p, FIRST), null);
        assertArrayEquals(p.weights(), gather.layers().get(0).weights());
    }

    /** Updater state lives on each chunk's owner: the other copies' values of it are not read (nor compared). */
    @Test
    void updaterStateIsTakenFromEachChunksOwner() {
        DenseParameters p = kernel();
        // position 0 owns its tap 1 rows and bias 0; position 1 its tap 0 and tap 2 rows and bias 1
        KernelCopyConfig first = new KernelCopyConfig(2, 0, 0, 0, List.of(new KernelCopyConfig.Chunk(0, 6, 0, 0),
                new KernelCopyConfig.Chunk(6, 12, -1, 0), new KernelCopyConfig.Chunk(12, 13, 6, 0),
                new KernelCopyConfig.Chunk(13, 14, -1, 0)));
        KernelCopyConfig second = new KernelCopyConfig(2, 1, 0, 0, List.of(new KernelCopyConfig.Chunk(0, 6, 0, 0),
                new KernelCopyConfig.Chunk(6, 12, -1, 0), new KernelCopyConfig.Chunk(12, 18, 6, 0),
                new KernelCopyConfig.Chunk(18, 19, -1, 0), new KernelCopyConfig.Chunk(19, 20, 12, 0)));
        float[] w0 = copy(p, FIRST);
        float[] w1 = copy(p, SECOND);
        java.util.Arrays.fill(w0, 6, 12, Float.NaN);
        java.util.Arrays.fill(w1, 6, 12, Float.NaN);
        ParameterGather gather = new ParameterGather(NET);
        gather.putOwned(FIRST, w0, new float[] {p.bias()[0], Float.NaN}, first);
        gather.putOwned(SECOND, w1, new float[] {Float.NaN, p.bias()[1]}, second);
        assertArrayEquals(p.weights(), gather.layers().get(0).weights());
        assertArrayEquals(p.bias(), gather.layers().get(0).bias());
    }
}
