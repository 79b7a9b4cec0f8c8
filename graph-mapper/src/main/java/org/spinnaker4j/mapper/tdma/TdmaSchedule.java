package org.spinnaker4j.mapper.tdma;

import java.util.List;

/**
 * When each core sends within a time step: core v sends its k-th packet of the step no
 * earlier than {@code offsetClocks + k · clocksBetweenSends} after the step starts (clocks of
 * the 200 MHz core clock). {@code slots().get(vertexId)}.
 */
public record TdmaSchedule(List<CoreSlot> slots, int clocksBetweenSends, long stepClocks) {

    public TdmaSchedule {
        slots = List.copyOf(slots);
    }

    public CoreSlot of(int vertexId) {
        return slots.get(vertexId);
    }
}
