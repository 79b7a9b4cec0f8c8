package org.spinnaker4j.backend.runtime;

/** A run lost packets, so its results would be wrong; the message says where and what to try. */
public class PacketLossException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public PacketLossException(String message) {
        super(message);
    }
}
