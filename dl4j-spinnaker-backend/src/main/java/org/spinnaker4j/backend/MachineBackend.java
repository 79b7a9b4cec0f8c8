package org.spinnaker4j.backend;

import org.spinnaker4j.backend.runtime.Machine;
import org.spinnaker4j.backend.sim.EmbeddedSimulator;

/** Where a network runs. Only the embedded simulator exists so far; real boards come later. */
public enum MachineBackend {
    /** The discrete-event, packet-level SpiNNaker simulator inside this JVM. */
    EMBEDDED_SIMULATOR {
        @Override
        public Machine create(SpiNNakerOptions options) {
            return new EmbeddedSimulator(options.simulator(), options.fixedPointRounding(), options.hostThreads());
        }
    };

    /** A new, empty machine of this backend, set up as the options say. */
    public abstract Machine create(SpiNNakerOptions options);
}
