package org.spinnaker4j.backend.sim;

import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.Direction;

/**
 * One direction of a chip-to-chip link: a bounded output queue at the sending router and a
 * serialiser that takes {@code transferPs} per packet. A packet that has crossed but finds the
 * next router's input full waits on the wire (back-pressure) until there is room. A link between two {@link Lanes}
 * hands each packet to the other lane as it starts to cross and counts it taken when it arrives.
 */
final class SimLink implements SimRouter.Pusher {

    private final EventQueue clock;
    private final SimRouter from;
    private final SimRouter to;
    private final Direction direction;
    private final int arrivalLink;
    private final int depth;
    private final long transferPs;
    private final PacketQueue queue;
    private final int arriveEvent;
    /** The receiving half, if the next router is on another lane; null otherwise. */
    private final Lanes.Crossing crossing;
    private boolean transmitting;
    private boolean stalled;
    long packets;
    int peakDepth;
    long drops;

    SimLink(EventQueue clock, SimRouter from, SimRouter to, Direction direction, int depth, long transferPs,
            Lanes.Crossing crossing) {
        this.clock = clock;
        this.from = from;
        this.to = to;
        this.direction = direction;
        this.arrivalLink = direction.opposite().id();
        this.depth = depth;
        this.transferPs = transferPs;
        this.queue = new PacketQueue(depth);
        this.arriveEvent = clock.register(this, from);
        this.crossing = crossing;
    }

    ChipLocation chip() {
        return from.chip();
    }

    Direction direction() {
        return direction;
    }

    /** Queues a packet (key, payload, key id, hops so far) to cross the link. */
    void enqueue(int key, int payload, int keyId, int hops) {
        queue.add(key, payload, keyId, arrivalLink, hops);
        from.setFull(direction.id(), queue.size() >= depth);
        peakDepth = Math.max(peakDepth, queue.size());
        if (!transmitting && !stalled) {
            transmit();
        }
    }

    private void transmit() {
        transmitting = true;
        long origin = clock.after(transferPs, arriveEvent);
        if (crossing != null) {
            crossing.post(clock.now() + transferPs, clock.now(), origin, queue.key(), queue.payload(), queue.keyId(),
                    queue.inLink(), queue.hops());
        }
    }

    /** The arrival event: the head packet has crossed and enters the next router, or waits on the wire. */
    void arrive() {
        transmitting = false;
        if (crossing != null
                || to.offer(queue.key(), queue.payload(), queue.keyId(), queue.inLink(), queue.hops(), this)) {
            queue.removeFirst();
            from.setFull(direction.id(), queue.size() >= depth);
            packets++;
            stalled = false;
            if (!queue.isEmpty()) {
                transmit();
            }
            from.outputFreed();
        } else {
            stalled = true;
        }
    }

    @Override
    public void resume() {
        arrive();
    }

    void reset() {
        queue.clear();
        transmitting = false;
        stalled = false;
        packets = 0;
        peakDepth = 0;
        drops = 0;
    }
}
