package org.spinnaker4j.mapper.tdma;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * When each core sends within a time step (one sample: its forward pass and, in training, its
 * backward pass), in 200 MHz core clocks from the start of the step: {@code of(phase, vertexId)}
 * is the core's slot for the packets of that phase. {@code stepClocks} is the step's length: how long
 * one sample takes from its first packet sent to its last received. {@code periodClocks} is how often
 * a sample may start: samples are pipelined, a new one starting every period while earlier ones are
 * still in flight (each sample's slots are its start plus the offsets here), unless the period is the
 * whole step. {@code exchangeClocks} is, per once-per-mini-batch phase of a training mapping
 * ({@link Phase#perMiniBatch()}: the exchange of gradient-norm partials, the kernel copies' shares and
 * their new values; each after the last step, its slots and its stage counted from its own start), the
 * length of its exchange, 0 (or absent) without one. {@code samplesInFlight} is, per vertex, how many
 * samples its core holds between their forward and backward passes (1 everywhere unless training is
 * pipelined).
 */
public record TdmaSchedule(Map<Phase, List<CoreSlot>> slots, List<Stage> stages, long stepClocks,
        long periodClocks, Map<Phase, Long> exchangeClocks, List<Integer> samplesInFlight) {

    /**
     * One sending window of the step: its senders each send a packet per {@code clocksBetweenSends},
     * staggered by {@code clocksBetweenCores}.
     */
    public record Stage(int index, Phase phase, long startClocks, long windowClocks, long clocksBetweenSends,
            long clocksBetweenCores, int senders, String boundBy) {
    }

    public TdmaSchedule {
        Map<Phase, List<CoreSlot>> copy = new EnumMap<>(Phase.class);
        slots.forEach((phase, list) -> copy.put(phase, List.copyOf(list)));
        slots = copy;
        stages = List.copyOf(stages);
        samplesInFlight = List.copyOf(samplesInFlight);
        exchangeClocks = Map.copyOf(exchangeClocks);
        if (exchangeClocks.entrySet().stream().anyMatch(e -> !e.getKey().perMiniBatch() || e.getValue() < 0)) {
            throw new IllegalArgumentException("once-per-mini-batch exchanges of 0 or more clocks, got "
                    + exchangeClocks);
        }
        if (periodClocks < 1 || periodClocks > Math.max(stepClocks, 1)) {
            throw new IllegalArgumentException("period " + periodClocks + " clocks for a step of " + stepClocks);
        }
        if (samplesInFlight.stream().anyMatch(n -> n < 1)) {
            throw new IllegalArgumentException("a core holds at least one sample: " + samplesInFlight);
        }
    }

    /** This schedule with samples starting every {@code period} clocks, each core holding {@code inFlight} of them. */
    public TdmaSchedule withPeriod(long period, List<Integer> inFlight) {
        return new TdmaSchedule(slots, stages, stepClocks, period, exchangeClocks, inFlight);
    }

    /** The length of a once-per-mini-batch phase's exchange ({@link Phase#perMiniBatch()}), 0 without one. */
    public long exchangeClocks(Phase phase) {
        return exchangeClocks.getOrDefault(phase, 0L);
    }

    /** The length of the exchange of gradient-norm partials ({@link Phase#NORM}), 0 without one. */
    public long normClocks() {
        return exchangeClocks(Phase.NORM);
    }

    /** How many samples vertex {@code vertexId}'s core holds between their forward and backward passes. */
    public int samplesInFlight(int vertexId) {
        return samplesInFlight.get(vertexId);
    }

    /** Whether samples overlap: a new one starts before the previous one's step is over. */
    public boolean pipelined() {
        return periodClocks < stepClocks;
    }

    public CoreSlot of(Phase phase, int vertexId) {
        return slots.get(phase).get(vertexId);
    }
}
