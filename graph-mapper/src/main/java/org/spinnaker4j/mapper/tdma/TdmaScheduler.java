package org.spinnaker4j.mapper.tdma;

import java.util.ArrayList;
import java.util.List;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;

/**
 * The first TDMA schedule: one exclusive slot per sending core per step, in vertex order
 * (the order data flows), each slot as long as the core's packets at one packet per
 * {@link #CLOCKS_BETWEEN_SENDS}. No two cores ever send at once, so no link or router can
 * be overloaded by this schedule; the price is a step as long as all slots together.
 */
public final class TdmaScheduler {

    /**
     * Core clocks between two sends of one core: a 72-bit packet takes ≈ 380 ns on a
     * chip-to-chip link (19 symbols at ≈ 20 ns, SpiNNaker AppNote 7), 76 clocks at 200 MHz.
     */
    public static final int CLOCKS_BETWEEN_SENDS = 76;

    public TdmaSchedule schedule(MachineGraph graph) {
        List<CoreSlot> slots = new ArrayList<>();
        long offset = 0;
        int slot = 0;
        for (MachineVertex v : graph.vertices()) {
            int packets = graph.outgoing(v.id()).stream().mapToInt(OutgoingPartition::nKeys).sum();
            if (packets == 0) {
                slots.add(new CoreSlot(-1, 0, 0));
                continue;
            }
            slots.add(new CoreSlot(slot++, offset, packets));
            offset += (long) packets * CLOCKS_BETWEEN_SENDS;
        }
        return new TdmaSchedule(slots, CLOCKS_BETWEEN_SENDS, offset);
    }
}
