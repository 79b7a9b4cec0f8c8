package org.spinnaker4j.backend.runtime;

import java.util.Objects;
import org.spinnaker4j.kernels.UpdateValues;

/**
 * What one layer's cores take with one mini-batch's commands: the values DL4J's schedules give its weights' and its
 * bias' update at this iteration and epoch (the learning rate, Nesterovs' momentum, the regularization
 * coefficients), sent with the update; and the dropout of its input in the mini-batch's forward passes, sent to its
 * blocks before them (p, DL4J's probability of keeping a value, 1 for none, and the mini-batch's stream key of the
 * cores' dropout hash). A layer without schedules sends its fixed values every time.
 *
 * @param weights the values of the update of the layer's weights
 * @param bias the values of the update of the layer's bias
 * @param keep the probability of keeping each value of the layer's input, in (0, 1]; 1: no dropout
 * @param stream the stream key of the layer's dropout in this mini-batch
 * @param dropsGradient whether the backward pass masks the gradient of the dropped input too (DL4J's
 *        Convolution1DLayer, which drops its own input, does not)
 * @param exact the update's constants in double, as an s16.15 training core takes them ({@link ExactRates#NONE} for
 *        an updater other than Sgd and Adam)
 */
public record LayerUpdate(UpdateValues weights, UpdateValues bias, float keep, int stream, boolean dropsGradient,
        ExactRates exact) {

    public LayerUpdate {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(bias, "bias");
        Objects.requireNonNull(exact, "exact");
        if (!(keep > 0f && keep <= 1f)) {
            throw new IllegalArgumentException("keep must be in (0, 1], got " + keep);
        }
    }

    /** An update of a layer without dropout, whose updater s16.15 does not train with. */
    public LayerUpdate(UpdateValues weights, UpdateValues bias) {
        this(weights, bias, 1f, 0, false, ExactRates.NONE);
    }

    /** Whether the layer's input is dropped in the mini-batch. */
    public boolean drops() {
        return keep < 1f;
    }
}
