package org.spinnaker4j.backend.frontend;

/** One reason a network cannot run on SpiNNaker: which layer (-1 for the whole network), its type, why. */
public record Problem(int layerIndex, String layerType, String reason) {

    @Override
    public String toString() {
        return layerIndex < 0
                ? "network: " + reason
                : "layer " + layerIndex + " (" + layerType + "): " + reason;
    }
}
