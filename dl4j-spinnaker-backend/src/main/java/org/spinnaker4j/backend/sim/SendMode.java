package org.spinnaker4j.backend.sim;

/** When cores send their packets. */
public enum SendMode {
    /** As soon as a value is ready: the 2020 prototype's behaviour, which overloads receivers and links. */
    BURST,
    /** In each core's slot of the mapper's TDMA schedule (the default). */
    TDMA
}
