package org.spinnaker4j.mapper.partition;

import org.spinnaker4j.mapper.graph.VertexKind;

/**
 * How many bytes of DTCM a core has and how many its kernel state needs. The mapper only asks;
 * the kernels answer (the runtime passes an implementation backed by the kernels' own DTCM size
 * and size function), so the mapper and the C code never disagree.
 */
public interface CoreMemory {

    /** The bytes of DTCM of a core: a core's state must need no more. */
    int dtcmBytes();

    /** The most samples a training core's kernel holds between their forward and backward passes. */
    default int mostSamplesInFlight() {
        return 1;
    }

    /**
     * The bytes of an inference core.
     *
     * @param nRows rows of the weight block (dense blocks), 0 otherwise
     * @param nCols values the core produces
     * @param nInputRanges key ranges the core listens to, softmax peers' ranges included
     * @param nSoftmaxPeers other cores of the same softmax layer it exchanges sums with
     */
    int stateBytes(VertexKind kind, int nRows, int nCols, boolean fused, int nInputRanges, int nSoftmaxPeers);

    /** The bytes of a core of any shape; implementations that model training override this. */
    default int stateBytes(CoreShape shape) {
        if (shape.updater() != null) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " does not model training cores");
        }
        return stateBytes(shape.kind(), shape.rows(), shape.cols(), shape.fused(), shape.ranges(),
                shape.softmaxPeers());
    }
}
