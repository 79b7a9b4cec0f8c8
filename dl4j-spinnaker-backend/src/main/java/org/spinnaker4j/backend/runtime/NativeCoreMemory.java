package org.spinnaker4j.backend.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.spinnaker4j.kernels.KernelActivation;
import org.spinnaker4j.kernels.KernelConfig;
import org.spinnaker4j.kernels.KernelCore;
import org.spinnaker4j.kernels.KernelKind;
import org.spinnaker4j.kernels.KeyRange;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.partition.CoreMemory;

/** The mapper's DTCM question answered by the kernels' own size function. */
public final class NativeCoreMemory implements CoreMemory {

    @Override
    public int stateBytes(VertexKind kind, int nRows, int nCols, boolean fused, int nInputRanges,
            int nSoftmaxPeers) {
        int dataRanges = nInputRanges - nSoftmaxPeers;
        List<KeyRange> ranges = new ArrayList<>();
        IntStream.range(0, dataRanges).forEach(i -> ranges.add(KeyRange.data(i, 1, 0)));
        IntStream.range(0, nSoftmaxPeers).forEach(i -> ranges.add(KeyRange.softmaxSync(dataRanges + 2 * i)));
        KernelConfig probe = new KernelConfig(KernelKind.valueOf(kind.name()), nRows, nCols,
                nSoftmaxPeers > 0 ? KernelActivation.SOFTMAX : KernelActivation.IDENTITY, 0f, fused, 0,
                kind == VertexKind.REDUCE ? 1 : 0, nSoftmaxPeers, 0, ranges);
        return KernelCore.stateBytes(probe);
    }
}
