package org.spinnaker4j.backend.runtime;

import org.spinnaker4j.kernels.KernelKind;
import org.spinnaker4j.mapper.graph.VertexKind;

/** Which kernel program runs each kind of vertex. */
public final class KernelKinds {

    private KernelKinds() {
    }

    public static KernelKind of(VertexKind kind) {
        return switch (kind) {
            case INPUT_SOURCE, LABEL_SOURCE -> KernelKind.INPUT_SOURCE;
            case DENSE_BLOCK -> KernelKind.DENSE_BLOCK;
            case REDUCE -> KernelKind.REDUCE;
            case OUTPUT_SINK, LOSS_SINK -> KernelKind.OUTPUT_SINK;
        };
    }
}
