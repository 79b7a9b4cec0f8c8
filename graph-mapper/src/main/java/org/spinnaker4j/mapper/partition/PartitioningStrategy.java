package org.spinnaker4j.mapper.partition;

import org.spinnaker4j.mapper.cost.BoundCalculator;
import org.spinnaker4j.mapper.place.BreadthFirstPlacer;
import org.spinnaker4j.mapper.place.ColumnGroupPlacer;
import org.spinnaker4j.mapper.place.Placer;

/** The partitioners a user can choose between, each with the placer that goes with it. */
public enum PartitioningStrategy {
    /**
     * 2-D blocks of W sliced for the lowest time bound per sample, column groups placed together
     * and spread over the machine (the default).
     */
    FASTEST,
    /** 2-D blocks of W, the fewest cores that fit DTCM, filling chips in breadth-first order. */
    FEWEST_CORES,
    /** One neuron per core, the 2020 prototype's split, kept as the baseline. */
    NEURON_PER_CORE;

    /**
     * The partitioner; {@code bounds} times the candidate slicings of {@link #FASTEST}, and {@code layout} lays out
     * the schedules of its last inference candidates.
     */
    public Partitioner partitioner(BoundCalculator bounds, TrialLayout layout) {
        return switch (this) {
            case FASTEST -> new FastestPartitioner(bounds, new ColumnGroupPlacer(), layout);
            case FEWEST_CORES -> new FewestCoresPartitioner();
            case NEURON_PER_CORE -> new NeuronPerCorePartitioner();
        };
    }

    /** The placer of this strategy's graphs. */
    public Placer placer() {
        return switch (this) {
            case FASTEST -> new ColumnGroupPlacer();
            case FEWEST_CORES, NEURON_PER_CORE -> new BreadthFirstPlacer();
        };
    }
}
