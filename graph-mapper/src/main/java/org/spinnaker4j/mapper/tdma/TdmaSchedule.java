package org.spinnaker4j.mapper.tdma;

import java.util.List;

/**
 * When each core sends within a time step (one sample), in 200 MHz core clocks from the start
 * of the step: {@code slots().get(vertexId)} for its forward packets and
 * {@code syncSlots().get(vertexId)} for its softmax synchronisation packets.
 * {@code stepClocks} is the step's length.
 */
public record TdmaSchedule(List<CoreSlot> slots, List<CoreSlot> syncSlots, List<Stage> stages, long stepClocks) {

    /**
     * One sending window of the step: its senders each send a packet per {@code clocksBetweenSends},
     * staggered by {@code clocksBetweenCores}; {@code kind} says which partitions it carries.
     */
    public record Stage(int index, String kind, long startClocks, long windowClocks, long clocksBetweenSends,
            long clocksBetweenCores, int senders, String boundBy) {
    }

    public TdmaSchedule {
        slots = List.copyOf(slots);
        syncSlots = List.copyOf(syncSlots);
        stages = List.copyOf(stages);
    }

    public CoreSlot of(int vertexId) {
        return slots.get(vertexId);
    }

    public CoreSlot syncOf(int vertexId) {
        return syncSlots.get(vertexId);
    }
}
