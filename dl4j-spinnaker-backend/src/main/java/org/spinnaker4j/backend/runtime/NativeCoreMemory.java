package org.spinnaker4j.backend.runtime;

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
    public int stateBytes(VertexKind kind, int nRows, int nCols, boolean fused, int nInputRanges) {
        KernelConfig probe = new KernelConfig(KernelKind.valueOf(kind.name()), nRows, nCols,
                KernelActivation.IDENTITY, 0f, fused, 0, kind == VertexKind.REDUCE ? 1 : 0, 0, 0,
                IntStream.range(0, nInputRanges).mapToObj(i -> KeyRange.data(i, 1, 0)).toList());
        return KernelCore.stateBytes(probe);
    }
}
