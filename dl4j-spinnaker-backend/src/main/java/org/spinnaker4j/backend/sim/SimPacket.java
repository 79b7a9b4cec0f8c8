package org.spinnaker4j.backend.sim;

/** A multicast packet in flight: key, payload, the link it arrived on (-1: from a local core), hops so far. */
final class SimPacket {
    final int key;
    final int payload;
    int inLink;
    int hops;

    SimPacket(int key, int payload, int inLink, int hops) {
        this.key = key;
        this.payload = payload;
        this.inLink = inLink;
        this.hops = hops;
    }
}
