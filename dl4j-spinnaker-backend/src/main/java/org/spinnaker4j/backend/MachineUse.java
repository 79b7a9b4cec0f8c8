package org.spinnaker4j.backend;

import java.util.Arrays;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.spinnaker4j.backend.frontend.Dl4jState;
import org.spinnaker4j.backend.runtime.Machine;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.ir.NetworkSpec;

/**
 * One machine, the mapping it runs and what DL4J state it holds. Before every run it compares
 * the network's current configuration and state with what it loaded, bit for bit, and remaps
 * or reloads whatever differs, whichever DL4J door the change came through.
 */
final class MachineUse implements AutoCloseable {
    private final SpiNNakerMultiLayerNetwork net;
    private final UnaryOperator<NetworkSpec> view;
    private final boolean trains;
    private final boolean holdsUpdaterState;
    private NetworkSpec mappedFor;
    private Mapping mapping;
    private Machine machine;
    private float[] loadedParameters;
    private float[] loadedUpdaterState;

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
        if (loadedParameters == null || !Arrays.equals(loadedParameters, parameters)
                || !Arrays.equals(loadedUpdaterState, updaterState)) {
            machine.load(mapping, Dl4jState.split(parameters, mappedFor));
            if (holdsUpdaterState) {
                machine.loadUpdaterState(Dl4jState.updaterState(net, mappedFor));
            }
            loadedParameters = parameters;
            loadedUpdaterState = updaterState;
        }
        return machine;
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
        Dl4jState.setUpdaterState(net, mappedFor, machine.readUpdaterState());
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
