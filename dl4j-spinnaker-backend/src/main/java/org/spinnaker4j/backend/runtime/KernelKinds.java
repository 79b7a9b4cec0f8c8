package org.spinnaker4j.backend.runtime;

import org.spinnaker4j.kernels.KernelKind;
import org.spinnaker4j.kernels.UpdaterKind;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.UpdaterType;

/** The kernels' codes for the mapper's kinds: which kernel program runs each kind of vertex, which updater it applies. */
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

    public static UpdaterKind of(UpdaterType type) {
        return switch (type) {
            case SGD -> UpdaterKind.SGD;
            case NESTEROVS -> UpdaterKind.NESTEROVS;
            case ADAM -> UpdaterKind.ADAM;
        };
    }
}
