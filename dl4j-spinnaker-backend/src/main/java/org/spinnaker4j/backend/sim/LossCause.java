package org.spinnaker4j.backend.sim;

/** Why a packet was lost for good; what would prevent it depends on the cause. */
enum LossCause {
    /** A routing loop, a key with no entry, a dead link or a core without a program: the tables are wrong. */
    MISROUTED,
    /** A router dropped it and reinjection is off. */
    DROPPED_WITHOUT_REINJECTION,
    /** A router dropped it while the dump register or the reinjection queue was still full. */
    REINJECTION_FULL,
    /** The receiving core's receive queue was full. */
    RECEIVE_QUEUE_FULL
}
