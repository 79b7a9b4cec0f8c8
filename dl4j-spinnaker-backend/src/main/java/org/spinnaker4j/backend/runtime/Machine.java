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
     * outputs, one row of {@code nOut} values per sample. Needs an inference mapping.
     */
    float[][] run(float[][] samples);

    /**
     * Runs the loaded network on each sample and returns every layer's activations:
     * {@code result.get(l)[sample]} is layer l's output. Needs an inference mapping that reads
     * every layer ({@code NetworkSpec.readingEveryLayer()}).
     */
    List<float[][]> runLayers(float[][] samples);

    /**
     * Trains on one mini-batch: every sample's forward and backward pass, then the update on
     * every core that owns parameters, with the gradients averaged over the samples' rows (a
     * convolutional network's, one per position: {@code NetworkSpec.rowsPerSample}), or summed if the
     * TrainingSpec says miniBatch false. Needs a training mapping whose network
     * {@code updatesOnTheMachine()}.
     *
     * @param iteration DL4J's iteration count before this update (Adam's bias correction uses it)
     * @param updates {@code updates.get(l)}: the values layer l's cores update with (its learning rate, momentum and
     *        regularization coefficients at this iteration and epoch), sent with the update command
     * @return the mini-batch's score: the mean over its samples' rows of the loss (the sum without miniBatch)
     */
    double train(float[][] features, float[][] labels, int iteration, List<LayerUpdate> updates);

    /**
     * The forward and backward passes of a training mapping without the update: the mean over
     * the samples' rows of the loss the output cores compute, or the sum without miniBatch (DL4J's
     * {@code score(DataSet)}). The
     * gradients the cores accumulate meanwhile are never applied; use a machine of its own.
     */
    double score(float[][] features, float[][] labels);

    /** The parameters as the cores hold them now, layer by layer. */
    List<DenseParameters> readParameters();

    /**
     * The updater state as the cores of a training mapping hold it now: {@code result.get(l).get(k - 1)} is
     * layer l's state array k, laid out like its parameters: its weights hold the weights' updater's array k
     * (Nesterovs: v; Adam: m, then v), its bias the bias' updater's (the same updater unless the layer has a bias
     * updater of its own), zeros where that updater keeps fewer arrays. As many arrays as the two updaters' larger
     * count; empty lists for updaters without state (Sgd).
     */
    List<List<DenseParameters>> readUpdaterState();

    /**
     * Writes updater state into the loaded training mapping's cores, shaped as {@link #readUpdaterState()}
     * returns it; a fresh {@link #load} starts from zeros.
     */
    void loadUpdaterState(List<List<DenseParameters>> state);

    /** Statistics of the last {@link #run} or {@link #train}; throws if nothing ran yet. */
    RunStats lastRunStats();

    /** Frees the machine (the simulator's core memories, or the boards' lease). */
    @Override
    void close();
}
