package org.spinnaker4j.mapper.partition;

import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.UpdaterType;

/**
 * What decides a core's DTCM size: its kind, block shape, how many key ranges it listens to
 * (softmax peers' ranges included) and, when it trains, its updater, whether it computes
 * the loss (an activating core of the output layer) and how many samples it holds between
 * their forward and backward passes.
 *
 * @param updater null for a core that does not train
 * @param samplesInFlight a training core's samples held at once (1 unless training is pipelined)
 */
public record CoreShape(VertexKind kind, int rows, int cols, boolean fused, int ranges, int softmaxPeers,
        UpdaterType updater, boolean outputLayer, int samplesInFlight) {

    public CoreShape {
        if (samplesInFlight < 1 || (updater == null && samplesInFlight != 1)) {
            throw new IllegalArgumentException("samplesInFlight must be 1, or more on a training core; got "
                    + samplesInFlight);
        }
    }

    /** This shape holding {@code samples} samples. */
    public CoreShape holding(int samples) {
        return new CoreShape(kind, rows, cols, fused, ranges, softmaxPeers, updater, outputLayer, samples);
    }
}
