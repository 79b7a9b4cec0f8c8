package org.spinnaker4j.backend.runtime;

import java.util.List;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.ir.DenseParameters;

/**
 * A SpiNNaker machine that runs a mapped network: the embedded simulator today, real boards
 * later. It sees the {@link Mapping} and plain float arrays, never DL4J.
 */
public interface Machine extends AutoCloseable {

    /** Loads every core's program and data for this mapping and these parameters. */
    void load(Mapping mapping, List<DenseParameters> parameters);

    /**
     * Runs the loaded network on each sample (a row of {@code nIn} values) and returns the
     * outputs, one row of {@code nOut} values per sample.
     */
    float[][] run(float[][] samples);

    /** Statistics of the last {@link #run}; throws if nothing ran yet. */
    RunStats lastRunStats();

    /** Frees the machine (the simulator's core memories, or the boards' lease). */
    @Override
    void close();
}
