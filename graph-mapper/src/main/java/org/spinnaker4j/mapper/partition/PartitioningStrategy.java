package org.spinnaker4j.mapper.partition;

/** The partitioners a user can choose between. */
public enum PartitioningStrategy {
    /** 2-D blocks of W sized to fit DTCM (the default). */
    BLOCK(new BlockPartitioner()),
    /** One neuron per core, the 2020 prototype's split, kept as the baseline. */
    NEURON_PER_CORE(new NeuronPerCorePartitioner());

    private final Partitioner partitioner;

    PartitioningStrategy(Partitioner partitioner) {
        this.partitioner = partitioner;
    }

    public Partitioner partitioner() {
        return partitioner;
    }
}
