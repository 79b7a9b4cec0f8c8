package org.spinnaker4j.backend;

import java.util.Arrays;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.backend.frontend.Dl4jState;
import org.spinnaker4j.backend.runtime.Machine;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;

/**
 * One machine, the mapping it runs and what DL4J state it holds. Before every run it compares
 * the network's current configuration and state with what it loaded, bit for bit, and remaps
 * or reloads whatever differs, whichever DL4J door the change came through. An s16.15 training mapping's cores keep
 * the truth: DL4J takes their words' values after each update, and they are reloaded only when DL4J's parameters
 * changed through another door; their updater state (Adam's m and v) never leaves them, so DL4J's must be zero, and a
 * reload restarts it (logged).
 */
final class MachineUse implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MachineUse.class);

    private final SpiNNakerMultiLayerNetwork net;
    private final UnaryOperator<NetworkSpec> view;
    private final boolean trains;
    private final boolean holdsUpdaterState;
    private NetworkSpec mappedFor;
    private Mapping mapping;
    private Machine machine;
    private float[] loadedParameters;
    private float[] loadedUpdaterState;
    /** Whether the cores of an s16.15 training mapping have updated since they were loaded. */
    private boolean updatedSinceLoad;

    MachineUse(SpiNNakerMultiLayerNetwork net, UnaryOperator<NetworkSpec> view, boolean trains,
            boolean holdsUpdaterState) {
        this.net = net;
        this.view = view;
        this.trains = trains;
        this.holdsUpdaterState = holdsUpdaterState;
    }

    /** Maps this use's view of {@code network}, unless it is mapped for it already. */
    void map(NetworkSpec network) {
        NetworkSpec wanted = view.apply(network);
        if (!wanted.equals(mappedFor)) {
            mapping = net.mappingFor(wanted);
            mappedFor = wanted;
            loadedParameters = null;
        }
    }

    /** The machine, holding the network's current configuration, parameters and (for training) updater state. */
    Machine ready() {
        map(net.currentSpec(trains));
        if (machine == null) {
            machine = net.newMachine();
        }
        float[] parameters = net.parameterVector();
        float[] updaterState = holdsUpdaterState ? Dl4jState.updaterStateVector(net)
                : null;
        boolean fixed = trains && mappedFor.fixedPoint();
        if (fixed && holdsUpdaterState) {
            requireNoUpdaterState(updaterState);
        }
        if (loadedParameters == null || !Arrays.equals(loadedParameters, parameters)
                || !Arrays.equals(loadedUpdaterState, updaterState)) {
            if (fixed && updatedSinceLoad && mappedFor.training().updater(0).type() == UpdaterType.ADAM) {
                LOG.warn("s16.15 training: DL4J's parameters changed outside fit(...); the cores are reloaded with "
                        + "them and their Adam state (m, v) restarts from zero");
            }
            machine.load(mapping, Dl4jState.split(parameters, mappedFor));
            if (holdsUpdaterState && !fixed) {
                machine.loadUpdaterState(Dl4jState.updaterState(net, mappedFor));
            }
            loadedParameters = parameters;
            loadedUpdaterState = updaterState;
            updatedSinceLoad = false;
        }
        return machine;
    }

    /** An s16.15 training core cannot take DL4J's updater state: refuses any that is not zero. */
    private static void requireNoUpdaterState(float[] updaterState) {
        for (float v : updaterState) {
            if (v != 0f) {
                throw new IllegalStateException("s16.15 training: DL4J's updater holds state (Adam's m and v, from "
                        + "training on the CPU or a restored model) that the cores cannot take (they keep theirs as "
                        + "words, v in 64 bits); train from a fresh updater (network.getUpdater().getStateViewArray()"
                        + ".assign(0)) or in Arithmetic.FLOAT32");
            }
        }
    }

    /** Runs {@code work} on the ready machine; if it fails, the machine is reloaded before the next run. */
    <T> T run(Function<Machine, T> work) {
        try {
            return work.apply(ready());
        } catch (RuntimeException e) {
            loadedParameters = null;
            throw e;
        }
    }

    /** After an update on the cores, DL4J takes their parameters and updater state. */
    void readBack() {
        Dl4jState.setParameters(net, mappedFor, machine.readParameters());
        if (mappedFor.fixedPoint()) {
            updatedSinceLoad = true; // the updater state stays on the cores
        } else {
            Dl4jState.setUpdaterState(net, mappedFor, machine.readUpdaterState());
        }
        loadedParameters = net.parameterVector();
        loadedUpdaterState = Dl4jState.updaterStateVector(net);
    }

    Mapping mapping() {
        return mapping;
    }

    /** The network view this use is mapped for (null before it is mapped). */
    NetworkSpec mappedFor() {
        return mappedFor;
    }

    RunStats lastRunStats(String what) {
        if (machine == null) {
            throw new IllegalStateException("nothing has run on the machine for " + what + " yet");
        }
        return machine.lastRunStats();
    }

    @Override
    public void close() {
        if (machine != null) {
            machine.close();
            machine = null;
            loadedParameters = null;
        }
    }
}
