package org.spinnaker4j.mapper.tdma;

/** One core's place in the TDMA schedule: its slot, when in the step it starts sending, how many packets. */
public record CoreSlot(int slot, long offsetClocks, int packetsPerStep) {
}
