package org.spinnaker4j.backend.runtime;

import java.util.Objects;
import org.spinnaker4j.kernels.UpdateValues;

/**
 * What one layer's cores take with one update command: the values DL4J's schedules give its weights' and its
 * bias' update at this iteration and epoch (the learning rate, Nesterovs' momentum, the regularization
 * coefficients). A layer without schedules sends its fixed values every time.
 *
 * @param weights the values of the update of the layer's weights
 * @param bias the values of the update of the layer's bias
 */
public record LayerUpdate(UpdateValues weights, UpdateValues bias) {

    public LayerUpdate {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(bias, "bias");
    }
}
