package org.spinnaker4j.backend;

import java.io.File;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.deeplearning4j.datasets.iterator.MultiDataSetWrapperIterator;
import org.deeplearning4j.nn.api.FwdPassType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.optimize.solvers.accumulation.GradientsAccumulator;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.adapters.OutputAdapter;
import org.nd4j.common.primitives.Pair;
import org.nd4j.evaluation.IEvaluation;
import org.nd4j.evaluation.regression.RegressionEvaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.backend.frontend.Dl4jFrontEnd;
import org.spinnaker4j.backend.frontend.FixedPointScore;
import org.spinnaker4j.backend.frontend.FixedPointTrainingMapping;
import org.spinnaker4j.backend.frontend.DropoutTranslator;
import org.spinnaker4j.backend.frontend.UpdateValuesTranslator;
import org.spinnaker4j.backend.runtime.LayerUpdate;
import org.spinnaker4j.backend.frontend.WholeLayerLosses;
import org.spinnaker4j.backend.runtime.Machine;
import org.spinnaker4j.backend.runtime.NativeCoreMemory;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.ir.Conv1DGeometry;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.LossFunction;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.tdma.TdmaScheduler;

/**
 * A DL4J {@link MultiLayerNetwork} whose inference runs on SpiNNaker: replace
 * {@code new MultiLayerNetwork(conf)} with {@code new SpiNNakerMultiLayerNetwork(conf)}.
 * {@link #init()} checks the configuration (one exception listing every unsupported layer
 * or option) and maps it onto the machine; {@code output(...)}, {@code predict(...)} and
 * {@code evaluate(...)} run on the machine's cores, and {@code fit(...)} trains there
 * (forward, backward and updates on the cores that own the parameters, which are read back
 * after every mini-batch; listeners get {@code iterationDone}, {@code onEpochStart} and
 * {@code onEpochEnd}); {@code score(DataSet)} runs the forward and backward passes there
 * without the update. Entry points that would otherwise compute on the CPU (per-layer
 * activations, per-example scores) throw instead: nothing falls back silently.
 */
public class SpiNNakerMultiLayerNetwork extends MultiLayerNetwork implements AutoCloseable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SpiNNakerMultiLayerNetwork.class);

    private final SpiNNakerOptions options;
    /** The network as {@link #init()} translated it (its shapes, whether it trains); each use follows later changes. */
    private transient NetworkSpec spec;
    /** Why the last {@link #init()} failed, for the entry points called after it. */
    private transient RuntimeException initFailure;
    private transient MachineUse inference;
    private transient MachineUse layers;
    private transient MachineUse trainer;
    private transient MachineUse scorer;

    /** A network for this configuration on the default machine (one SpiNN-5 board, simulated). */
    public SpiNNakerMultiLayerNetwork(MultiLayerConfiguration conf) {
        this(conf, SpiNNakerOptions.defaults());
    }

    public SpiNNakerMultiLayerNetwork(MultiLayerConfiguration conf, SpiNNakerOptions options) {
        super(conf);
        this.options = options;
    }

    /**
     * A SpiNNaker network with the configuration and parameters of an existing network (which
     * is initialised first if it was not); the existing network is left untouched.
     */
    public static SpiNNakerMultiLayerNetwork wrap(MultiLayerNetwork net, SpiNNakerOptions options) {
        if (!net.isInitCalled()) {
            net.init();
        }
        SpiNNakerMultiLayerNetwork wrapped = new SpiNNakerMultiLayerNetwork(net.getLayerWiseConfigurations().clone(),
                options);
        wrapped.init(net.params().dup(), false);
        copyUpdaterState(net, wrapped);
        return wrapped;
    }

    /**
     * A network saved with DL4J's {@code ModelSerializer.writeModel(net, file, true)} (a SpiNNaker network or a plain
     * one), back on the machine with its parameters and updater state, so training continues where it stopped.
     * ({@code ModelSerializer.restoreMultiLayerNetwork} alone gives a plain CPU network.)
     */
    public static SpiNNakerMultiLayerNetwork load(File file, SpiNNakerOptions options) throws IOException {
        return wrap(ModelSerializer.restoreMultiLayerNetwork(file, true), options);
    }

    /** {@link #load(File, SpiNNakerOptions)} with the default options. */
    public static SpiNNakerMultiLayerNetwork load(File file) throws IOException {
        return load(file, SpiNNakerOptions.defaults());
    }

    /**
     * A plain nd4j-native network with this network's configuration, parameters and updater state: the one way
     * off the machine, for what SpiNNaker does not run (another data type, a ComputationGraph, ...).
     */
    public MultiLayerNetwork toCpu() {
        requireInit("toCpu()");
        MultiLayerNetwork cpu = new MultiLayerNetwork(getLayerWiseConfigurations().clone());
        cpu.init(params().dup(), false);
        copyUpdaterState(this, cpu);
        return cpu;
    }

    /** Copies the updater state, if {@code from} has one (an untrained network may not), into {@code to}. */
    private static void copyUpdaterState(MultiLayerNetwork from, MultiLayerNetwork to) {
        Updater updater = from.getUpdater(false);
        if (updater != null && updater.getStateViewArray() != null) {
            to.getUpdater(true).getStateViewArray().assign(updater.getStateViewArray());
        }
    }

    /** {@link #wrap(MultiLayerNetwork, SpiNNakerOptions)} with the default options. */
    public static SpiNNakerMultiLayerNetwork wrap(MultiLayerNetwork net) {
        return wrap(net, SpiNNakerOptions.defaults());
    }

    /**
     * DL4J's initialisation, then the check and the mapping: the configuration is translated (one
     * {@link org.spinnaker4j.backend.frontend.UnsupportedNetworkException} lists every unsupported layer and option)
     * and mapped for inference, for reading every layer and, if it can train, for training, so a network too large
     * for the machine fails here, not at its first run.
     */
    @Override
    public void init(INDArray parameters, boolean cloneParametersArray) {
        if (spec != null) {
            return;
        }
        if (options == null) {
            // Java deserialisation: DL4J restores the superclass before this class's fields exist; readObject maps.
            super.init(parameters, cloneParametersArray);
            return;
        }
        try {
            NetworkSpec translated = translate(options.trainsOnMachine());
            super.init(parameters, cloneParametersArray);
            mapOntoMachine(translated);
            initFailure = null;
        } catch (RuntimeException e) {
            initFailure = e;
            throw e;
        }
    }

    private void mapOntoMachine(NetworkSpec translated) {
        inference = new MachineUse(this, network -> new NetworkSpec(network.layers(), null, false, network.arithmetic(),
                network.input()), false, false);
        layers = new MachineUse(this, NetworkSpec::readingEveryLayer, false, false);
        trainer = new MachineUse(this, UnaryOperator.identity(), true, true);
        scorer = new MachineUse(this, UnaryOperator.identity(), true, false);
        inference.map(translated);
        layers.map(translated);
        if (translated.trains()) {
            trainer.map(translated);
        }
        spec = translated;
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        mapOntoMachine(translate(options.trainsOnMachine()));
    }

    /**
     * The network as its configuration says now (a learning rate set since init, say), checked again; the training
     * options only for a use that trains, so a schedule set for the CPU does not stop inference.
     */
    NetworkSpec currentSpec(boolean training) {
        return translate(training && options.trainsOnMachine());
    }

    private NetworkSpec translate(boolean training) {
        return Dl4jFrontEnd.translate(getLayerWiseConfigurations(), training, options.sequenceLength(),
                options.imageHeight(), options.imageWidth(), options.arithmetic()).withInput(options.inputPath());
    }

    /** A mapping of {@code network}: one of the machine uses' if it has it already, else a new one. */
    Mapping mappingFor(NetworkSpec network) {
        for (MachineUse use : new MachineUse[] {inference, layers, trainer, scorer}) {
            if (use != null && network.equals(use.mappedFor())) {
                return use.mapping();
            }
        }
        Mapping mapping = mapper().map(network, options.machine());
        WholeLayerLosses.check(mapping);
        FixedPointTrainingMapping.check(mapping);
        return mapping;
    }

    float[] parameterVector() {
        return params().castTo(DataType.FLOAT).ravel().toFloatVector();
    }

    /** A new machine of the configured backend. */
    Machine newMachine() {
        return options.backend().create(options);
    }

    private Mapper mapper() {
        return new Mapper(options.partitioning(), new NativeCoreMemory(),
                new TdmaScheduler(options.simulator().cost(), options.simulator().timing(),
                        options.simulator().coreReceiveDepth()));
    }

    public SpiNNakerOptions options() {
        return options;
    }

    /** Where and how the network was placed on the machine; available after {@link #init()}. */
    public Mapping mapping() {
        requireInit("mapping()");
        return inference.mapping();
    }

    /** Where and how the network is placed for training; available after {@link #init()}. */
    public Mapping trainingMapping() {
        requireTrainable();
        return trainer.mapping();
    }

    /** Statistics of the most recent inference run on the machine (packets, routing entries, cores, time). */
    public RunStats lastRunStats() {
        requireInit("lastRunStats()");
        return inference.lastRunStats("output(...)");
    }

    /** Statistics of the most recent mini-batch trained on the machine. */
    public RunStats lastTrainingStats() {
        requireInit("lastTrainingStats()");
        return trainer.lastRunStats("fit(...)");
    }

    @Override
    public synchronized INDArray output(INDArray input, boolean train, INDArray featuresMask, INDArray labelsMask,
            MemoryWorkspace outputWorkspace) {
        requireInit("output(...)");
        return super.output(input, train, featuresMask, labelsMask, outputWorkspace);
    }

    @Override
    public synchronized <T> T output(INDArray inputs, INDArray inputMasks, INDArray labelMasks,
            OutputAdapter<T> outputAdapter) {
        requireInit("output(...)");
        return super.output(inputs, inputMasks, labelMasks, outputAdapter);
    }

    @Override
    @SafeVarargs
    public final <T extends IEvaluation> T[] doEvaluation(DataSetIterator iterator, T... evaluations) {
        requireInit("evaluate(...)");
        return super.doEvaluation(iterator, evaluations);
    }

    /**
     * Regression evaluation over a MultiDataSet iterator, on the machine. (DL4J 1.0.0-M2.1's own version asks the
     * wrapped iterator for {@code totalOutcomes()}, which it does not implement, and throws before evaluating.)
     */
    @Override
    public RegressionEvaluation evaluateRegression(MultiDataSetIterator iterator) {
        return doEvaluation(new MultiDataSetWrapperIterator(iterator), new RegressionEvaluation())[0];
    }

    @Override
    protected INDArray outputOfLayerDetached(boolean train, FwdPassType fwdPassType, int layerIndex, INDArray input,
            INDArray featureMask, INDArray labelsMask, MemoryWorkspace outputWorkspace) {
        requireInit("output(...)");
        int[] ir = Dl4jFrontEnd.irLayers(getLayerWiseConfigurations());
        if (layerIndex < 0 || layerIndex >= ir.length || ir[layerIndex] != spec.layers().size() - 1) {
            throw new UnsupportedOperationException("spinnaker4j reads back the output of the last layer only; layer "
                    + layerIndex + " of " + ir.length + " was asked for");
        }
        requireNoDropout("output(..., train=true)", train);
        requireNoBatchNormInTraining("output(..., train=true)", train);
        requireNoMasks("output(...)", featureMask, labelsMask);
        if (fwdPassType != FwdPassType.STANDARD) {
            throw new UnsupportedOperationException("forward pass type " + fwdPassType + " is not supported on SpiNNaker");
        }
        return runOnMachine(input);
    }

    private INDArray runOnMachine(INDArray input) {
        float[][] samples = toSamples(input);
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            float[][] out = inference.run(machine -> machine.run(samples));
            LOG.debug("{}", inference.lastRunStats("output(...)"));
            return activations(out, spec.layers().size() - 1);
        }
    }

    /** Layer l's activations read back from the machine, shaped as DL4J shapes them. */
    private INDArray activations(float[][] values, int layer) {
        return spec.isConvolutional() ? SequenceLayout.activations(values, spec.layers().get(layer))
                : Nd4j.create(values);
    }

    private float[][] toSamples(INDArray input) {
        if (input == null) {
            throw new IllegalArgumentException("input is null; pass a [batch, " + spec.nIn() + "] array");
        }
        if (spec.isConvolutional()) {
            return SequenceLayout.samples(input, spec.layers().get(0).convolution());
        }
        if (input.rank() != 2) {
            throw new IllegalArgumentException("SpiNNaker networks take rank-2 input [batch, " + spec.nIn()
                    + "], got rank " + input.rank() + " with shape " + java.util.Arrays.toString(input.shape()));
        }
        if (input.size(0) == 0) {
            throw new IllegalArgumentException("input batch is empty (shape " + java.util.Arrays.toString(input.shape())
                    + "); pass at least one row");
        }
        if (input.size(1) != spec.nIn()) {
            throw new IllegalArgumentException("input has " + input.size(1) + " columns but layer 0 has nIn "
                    + spec.nIn() + "; pass a [batch, " + spec.nIn() + "] array");
        }
        return rowsOf(input);
    }

    /** The rows of a rank-2 array as floats, copied out of one C-order copy (toFloatMatrix copies row by row). */
    private static float[][] rowsOf(INDArray matrix) {
        int rows = (int) matrix.size(0);
        int cols = (int) matrix.size(1);
        float[] flat = matrix.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[][] out = new float[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = Arrays.copyOfRange(flat, r * cols, (r + 1) * cols);
        }
        return out;
    }

    private void requireInit(String what) {
        if (spec == null) {
            if (initFailure != null) {
                throw new IllegalStateException(what + " on a SpiNNaker network whose init() failed: "
                        + initFailure.getMessage(), initFailure);
            }
            throw new IllegalStateException(what + " on a SpiNNaker network that is not initialised; call init() first");
        }
    }

    /**
     * Masks are not run on the machine yet: refuses masks passed to this call and masks left on the network or its
     * layers (by {@code setLayerMaskArrays}, {@code setMask} or {@code setMaskArray}), which the CPU would apply.
     */
    private void requireNoMasks(String what, INDArray... given) {
        boolean masked = getMask() != null || Arrays.stream(given).anyMatch(java.util.Objects::nonNull);
        for (int l = 0; l < getnLayers() && !masked; l++) {
            masked = getLayer(l).getMaskArray() != null;
        }
        if (masked) {
            throw new UnsupportedOperationException(what + " with a feature or label mask: masks do not run on "
                    + "SpiNNaker yet, and spinnaker4j never falls back to the CPU. Pass unmasked data (drop the "
                    + "masked rows), call clearLayerMaskArrays() if a mask was set on the network, or use toCpu()");
        }
    }

    /**
     * Dropout applies in training forward passes; on the machine, only in fit's: with {@code training} true, refuses
     * a network with dropout, naming its layers (outside training, dropout does nothing and the run goes on).
     */
    private void requireNoDropout(String what, boolean training) {
        String dropout = training ? Dl4jFrontEnd.dropoutLayers(getLayerWiseConfigurations()) : "";
        if (!dropout.isEmpty()) {
            throw new UnsupportedOperationException(what + ": " + dropout + ": on SpiNNaker dropout runs in fit(...) "
                    + "only (DL4J's training forward pass here would hand back each layer's activations as the next "
                    + "layer's dropout left them, with masks from ND4J's generator), and spinnaker4j never falls back "
                    + "to the CPU; fit, and output, feedForward and score outside training (train=false, where dropout "
                    + "does nothing), evaluate and score(DataSet) run; or use toCpu()");
        }
    }

    /**
     * In a training forward pass a batch normalization normalizes with the mini-batch's own statistics, which the cores
     * do not compute yet: with {@code training} true, refuses a network with one, naming its layers, rather than
     * answering with the running statistics (outside training those are DL4J's too, and the run goes on).
     */
    private void requireNoBatchNormInTraining(String what, boolean training) {
        String norms = training ? layersWhere(DenseLayerSpec::isBatchNorm) : "";
        if (!norms.isEmpty()) {
            throw new UnsupportedOperationException(what + ": " + norms + ": in a training forward pass a batch "
                    + "normalization uses the mini-batch's statistics, which SpiNNaker does not compute yet, and "
                    + "spinnaker4j never falls back to the CPU; output and feedForward outside training (train=false, "
                    + "the running statistics) and evaluate run; use toCpu() for the training pass");
        }
    }

    /** The configuration's layer whose IR layer is {@code irLayer} (a DropoutLayer has none). */
    private int dl4jLayer(int irLayer) {
        int[] ir = Dl4jFrontEnd.irLayers(getLayerWiseConfigurations());
        int i = 0;
        while (ir[i] != irLayer) {
            i++;
        }
        return i;
    }

    /** The simple class name of the configuration's layer whose IR layer is {@code irLayer}. */
    private String typeOf(int irLayer) {
        return getLayerWiseConfigurations().getConf(dl4jLayer(irLayer)).getLayer().getClass().getSimpleName();
    }

    private static UnsupportedOperationException notOnMachine(String what) {
        return new UnsupportedOperationException(what + " does not run on SpiNNaker yet, and spinnaker4j never "
                + "falls back to the CPU; use output(...), feedForward(...), evaluate(...), score(DataSet) or "
                + "fit(...), or toCpu() for a plain nd4j-native copy of this network");
    }

    // Every other entry point that would compute on the CPU throws.

    /**
     * Every layer's activations (the input first, as DL4J returns them) from a mapping whose
     * sinks collect every layer's output, on a machine of its own.
     */
    @Override
    protected synchronized List<INDArray> ffToLayerActivationsDetached(boolean train, FwdPassType fwdPassType,
            boolean storeLastForTBPTT, int layerIndex, INDArray input, INDArray fMask, INDArray lMask,
            boolean clearInputs) {
        requireInit("feedForward(...)");
        requireNoMasks("feedForward(...)", fMask, lMask);
        if (fwdPassType != FwdPassType.STANDARD) {
            throw new UnsupportedOperationException("forward pass type " + fwdPassType + " is not supported on SpiNNaker");
        }
        int[] ir = Dl4jFrontEnd.irLayers(getLayerWiseConfigurations());
        if (layerIndex < 0 || layerIndex >= ir.length) {
            throw new IllegalArgumentException("layer index " + layerIndex + " is not in [0, " + ir.length + ")");
        }
        requireNoDropout("feedForward(..., train=true)", train);
        requireNoBatchNormInTraining("feedForward(..., train=true)", train);
        float[][] samples = toSamples(input);
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            List<float[][]> activations = layers.run(machine -> machine.runLayers(samples));
            List<INDArray> out = new ArrayList<>();
            out.add(input.castTo(DataType.FLOAT).dup());
            // a DropoutLayer's activations outside training are its input: the IR layer's before it, or the input
            for (int l = 0; l <= layerIndex; l++) {
                out.add(ir[l] < 0 ? out.get(0).dup() : activations(activations.get(ir[l]), ir[l]));
            }
            return out;
        }
    }

    /** Statistics of the most recent {@code score(DataSet)} run on the machine. */
    public RunStats lastScoreStats() {
        requireInit("lastScoreStats()");
        return scorer.lastRunStats("score(DataSet)");
    }

    /** Statistics of the most recent feedForward run on the machine. */
    public RunStats lastFeedForwardStats() {
        requireInit("lastFeedForwardStats()");
        return layers.lastRunStats("feedForward(...)");
    }

    @Override
    protected synchronized List<INDArray> ffToLayerActivationsInWs(int layerIndex, FwdPassType fwdPassType,
            boolean storeLastForTBPTT, INDArray input, INDArray fMask, INDArray lMask) {
        throw notOnMachine("feedForward in a workspace");
    }

    @Override
    protected Pair<Gradient, INDArray> calcBackpropGradients(INDArray epsilon, boolean withOutputLayer,
            boolean tbptt, boolean returnInputActGrad) {
        throw notOnMachine("backpropagation (training)");
    }

    @Override
    public void computeGradientAndScore(LayerWorkspaceMgr workspaceMgr) {
        throw notOnMachine("computeGradientAndScore (training)");
    }

    @Override
    public void computeGradientAndScore() {
        throw notOnMachine("computeGradientAndScore (training)");
    }

    @Override
    public void fit(DataSetIterator iterator, int numEpochs) {
        if (numEpochs < 1) {
            throw new IllegalArgumentException("numEpochs must be at least 1, got " + numEpochs);
        }
        for (int e = 0; e < numEpochs; e++) {
            fit(iterator);
        }
    }

    /** One epoch over the iterator, every mini-batch trained on the machine. */
    @Override
    public void fit(DataSetIterator iterator) {
        requireUpdatable();
        if (!iterator.hasNext() && iterator.resetSupported()) {
            iterator.reset();
        }
        Collection<TrainingListener> listeners = listeners();
        listeners.forEach(l -> l.onEpochStart(this));
        int batches = 0;
        while (iterator.hasNext()) {
            DataSet batch = iterator.next();
            fitBatch(batch.getFeatures(), batch.getLabels(), batch.getFeaturesMaskArray(), batch.getLabelsMaskArray());
            batches++;
        }
        if (batches == 0) {
            throw new IllegalArgumentException("the DataSetIterator yielded no data (and could not be reset): "
                    + "pass an iterator with at least one mini-batch");
        }
        listeners.forEach(l -> l.onEpochEnd(this));
        incrementEpochCount();
    }

    @Override
    public void fit(INDArray features, INDArray labels) {
        fitBatch(features, labels, null, null);
    }

    @Override
    public synchronized void fit(INDArray features, INDArray labels, INDArray featuresMask, INDArray labelsMask) {
        fitBatch(features, labels, featuresMask, labelsMask);
    }

    @Override
    public void fit(org.nd4j.linalg.dataset.api.DataSet data) {
        fitBatch(data.getFeatures(), data.getLabels(), data.getFeaturesMaskArray(), data.getLabelsMaskArray());
    }

    @Override
    public void fit(INDArray examples, int[] labels) {
        requireUpdatable();
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, labels.length, spec.nOut());
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= spec.nOut()) {
                throw new IllegalArgumentException("label " + labels[i] + " of example " + i + " is not a class index in [0, "
                        + spec.nOut() + ")");
            }
            oneHot.putScalar(i, labels[i], 1f);
        }
        fitBatch(examples, oneHot, null, null);
    }

    /** One mini-batch: forward, backward and update on the machine, then DL4J's bookkeeping and listeners. */
    private synchronized void fitBatch(INDArray features, INDArray labels, INDArray featuresMask, INDArray labelsMask) {
        requireUpdatable();
        requireNoMasks("fit(...)", featuresMask, labelsMask);
        float[][] x = toSamples(features);
        float[][] y = toLabels(labels, x.length);
        int iteration = getIterationCount();
        // the values DL4J's schedules give this update, by DL4J's iteration and epoch counts
        List<LayerUpdate> updates = UpdateValuesTranslator.at(getLayerWiseConfigurations(), iteration, getEpochCount());
        double batchScore;
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            // DL4J's score: the mean loss plus the regularization terms of the parameters before the update
            double regularization = calcRegularizationScore(true);
            if (spec.fixedPoint()) {
                // the cores send no loss in s16.15: DL4J's score of the quantised network before the update
                batchScore = FixedPointScore.of(getLayerWiseConfigurations(), parameterVector(), x, y);
                trainer.run(machine -> machine.train(x, y, iteration, updates));
            } else {
                batchScore = trainer.run(machine -> machine.train(x, y, iteration, updates)) + regularization;
            }
            trainer.readBack();
        }
        setScore(batchScore);
        setInput(features);
        setLabels(labels);
        for (TrainingListener l : listeners()) {
            l.iterationDone(this, iteration, getEpochCount());
        }
        getLayerWiseConfigurations().setIterationCount(iteration + 1);
        // as DL4J's fit: the layers' counts follow the network's (scheduled regularization scores read them)
        synchronizeIterEpochCounts();
    }

    private Collection<TrainingListener> listeners() {
        return getListeners() == null ? List.of() : getListeners();
    }

    /**
     * The label vector of each of {@code samples} samples: DL4J's label rows, which a convolutional network has per
     * sample and position (sample i's position t in row t·batch + i), gathered position-major per sample.
     */
    private float[][] toLabels(INDArray labels, int samples) {
        if (!spec.isConvolutional()) {
            return labelRows(labels, samples, spec.nOut(), samples + " rows");
        }
        int positions = spec.rowsPerSample();
        int rows = samples * positions;
        int channels = spec.layers().get(spec.layers().size() - 1).convolution().channelsOut();
        return SequenceLayout.bySample(labelRows(labels, rows, channels, samples + " sequences of "
                + positions + " output positions, " + rows + " rows,"), samples);
    }

    /** DL4J's label rows, {@code rows} of {@code nOut}; {@code features} says how many rows the features make. */
    private float[][] labelRows(INDArray labels, int rows, int nOut, String features) {
        if (spec.training() != null && spec.training().loss() == LossFunction.SPARSE_MCXENT) {
            return SparseLabels.oneHot(labels, rows, nOut);
        }
        if (labels == null || labels.rank() != 2) {
            throw new IllegalArgumentException("labels must be a rank-2 array [batch, " + nOut + "], got "
                    + (labels == null ? "null" : "shape " + java.util.Arrays.toString(labels.shape())));
        }
        if (labels.size(1) != nOut) {
            throw new IllegalArgumentException("labels have " + labels.size(1) + " columns but the output layer has nOut "
                    + nOut);
        }
        if (labels.size(0) != rows) {
            throw new IllegalArgumentException("features have " + features + " but labels have " + labels.size(0)
                    + "; each example needs one label row");
        }
        return rowsOf(labels);
    }

    private void requireTrainable() {
        requireInit("fit(...)");
        if (!options.trainsOnMachine()) {
            throw new UnsupportedOperationException("this network was built with SpiNNakerOptions inferenceOnly(): "
                    + "fit(...) and score(DataSet) need a training mapping; build it without inferenceOnly() on a "
                    + "machine with room for training, or train toCpu()");
        }
        if (spec.training() == null) {
            throw new UnsupportedOperationException("fit needs an OutputLayer (with its loss) as the last layer");
        }
    }

    /** The IR layers that {@code which} holds, as "layer i (Type)", comma separated; empty if none. */
    private String layersWhere(Predicate<DenseLayerSpec> which) {
        StringBuilder named = new StringBuilder();
        for (int i = 0; i < spec.layers().size(); i++) {
            if (which.test(spec.layers().get(i))) {
                named.append(named.length() == 0 ? "" : ", ").append("layer ").append(dl4jLayer(i)).append(" (")
                        .append(typeOf(i)).append(')');
            }
        }
        return named.toString();
    }

    /**
     * {@link #requireTrainable()}, and a network whose every kernel the cores can update: a batch normalization along a
     * sequence (neither per feature nor per channel of an image) is named, so is a layer along a
     * sequence with taps that see only padding, which no position block holds, or with several output positions and an L2
     * gradient normalization, whose norm the kernel copies' owners do not yet exchange, is named; so is a layer whose
     * dropout the cores cannot apply ({@link DropoutTranslator#untrainable}).
     */
    private void requireUpdatable() {
        requireTrainable();
        String norms = layersWhere(layer -> layer.isBatchNorm() && !layer.holdsMiniBatch());
        if (!norms.isEmpty()) {
            throw new UnsupportedOperationException("fit(...): " + norms + ": a batch normalization along a sequence "
                    + "does not train with the mini-batch's statistics on SpiNNaker (per feature, in a network of "
                    + "DenseLayers, and per channel after a 2-D convolution it does), and spinnaker4j never falls "
                    + "back to the CPU; train toCpu() and set its parameters on this network");
        }
        String dropout = DropoutTranslator.untrainable(getLayerWiseConfigurations());
        if (!dropout.isEmpty()) {
            throw new UnsupportedOperationException("fit(...): " + dropout + ": the cores drop a layer's input "
                    + "once, in its blocks, and spinnaker4j never falls back to the CPU; "
                    + "train toCpu() and set its parameters on this network");
        }
        StringBuilder layers = new StringBuilder();
        for (int i = 0; i < spec.layers().size(); i++) {
            Conv1DGeometry g = spec.layers().get(i).isPooling() ? null : spec.layers().get(i).convolution();
            if (g != null && (!g.holdsEveryTap() || (g.copiesKernel() && !spec.exchangesKernelCopies(i)))) {
                boolean image = g.image() != null && !g.image().dense();
                layers.append(layers.length() == 0 ? "" : ", ").append("layer ").append(dl4jLayer(i)).append(" (")
                        .append(typeOf(i)).append(", ").append(!g.holdsEveryTap()
                                ? (image ? "kernel rows or columns" : "taps") + " that see only padding)"
                                : !g.sharesEveryTap() ? (image ? "kernel rows that only one of its " + g.outLength()
                                        + " output rows sees)" : "taps that only one of its " + g.outLength()
                                        + " output positions sees)")
                                : g.outLength() + " output " + (image ? "rows" : "positions")
                                        + " with an L2 gradient normalization)");
            }
        }
        if (layers.length() > 0) {
            throw new UnsupportedOperationException("fit(...): " + layers + ": a layer along a sequence trains on "
                    + "SpiNNaker only where every tap of its kernel falls on the input at some output position (no "
                    + "position block holds a tap that sees only padding, so no core could update it) and, with "
                    + "several output positions, where at least two of them see each tap and without an L2 gradient "
                    + "normalization (the kernel copies' owners do not exchange its norm yet); a 2-D convolution runs "
                    + "along the image's rows, its kernel rows as taps (its blocks hold copies of its kernel even in "
                    + "one output row), and each of its kernel columns must fall on the image at some output column "
                    + "too; score(DataSet) runs, and spinnaker4j never falls back to the CPU; "
                    + "train toCpu() and set its parameters on this network");
        }
    }

    @Override
    public void fit(INDArray data, LayerWorkspaceMgr workspaceMgr) {
        throw notOnMachine("fit(INDArray, LayerWorkspaceMgr) (layer-wise pretraining)");
    }

    @Override
    public void fit() {
        throw notOnMachine("fit() on previously set input and labels");
    }

    @Override
    public void fit(MultiDataSet dataSet) {
        throw notOnMachine("fit(MultiDataSet)");
    }

    @Override
    public void fit(MultiDataSetIterator iterator, int numEpochs) {
        throw notOnMachine("fit(MultiDataSetIterator)");
    }

    @Override
    public void fit(MultiDataSetIterator iterator) {
        throw notOnMachine("fit(MultiDataSetIterator)");
    }

    /**
     * The mean loss over the data set, computed by the output cores of the training mapping
     * (forward and backward passes, no update) on a machine of its own, plus the regularization terms of the
     * parameters (DL4J's {@code calcRegularizationScore}, on the host's parameters, which are the machine's).
     */
    @Override
    public double score(DataSet data, boolean training) {
        requireTrainable();
        requireNoDropout("score(DataSet, training=true)", training);
        requireNoBatchNormInTraining("score(DataSet, training=true)", training);
        requireNoMasks("score(DataSet)", data.getFeaturesMaskArray(), data.getLabelsMaskArray());
        float[][] x = toSamples(data.getFeatures());
        float[][] y = toLabels(data.getLabels(), x.length);
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return scorer.run(machine -> machine.score(x, y)) + calcRegularizationScore(true);
        }
    }

    @Override
    public INDArray scoreExamples(DataSetIterator iter, boolean addRegularizationTerms) {
        throw notOnMachine("scoreExamples");
    }

    @Override
    public INDArray scoreExamples(DataSet data, boolean addRegularizationTerms) {
        throw notOnMachine("scoreExamples");
    }

    @Override
    public INDArray activateSelectedLayers(int from, int to, INDArray input) {
        throw notOnMachine("activateSelectedLayers");
    }

    @Override
    public INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr mgr) {
        throw notOnMachine("activate (use as a layer)");
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        throw notOnMachine("activate (use as a layer)");
    }

    @Override
    public INDArray rnnTimeStep(INDArray input) {
        throw notOnMachine("rnnTimeStep");
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, MemoryWorkspace outputWorkspace) {
        throw notOnMachine("rnnTimeStep");
    }

    /** The gradient is accumulated on the cores and never leaves them: this throws rather than return a stale one. */
    @Override
    public Gradient gradient() {
        throw notOnMachine("gradient()");
    }

    /** See {@link #gradient()}. */
    @Override
    public Pair<Gradient, Double> gradientAndScore() {
        throw notOnMachine("gradientAndScore()");
    }

    /** Gradients are computed on the cores during {@code fit}, and never leave them: throws. */
    @Override
    public Pair<Gradient, INDArray> calculateGradients(INDArray features, INDArray label, INDArray fMask,
            INDArray labelMask) {
        throw notOnMachine("calculateGradients(...)");
    }

    /** Throws: backpropagating an external error would run on the CPU. */
    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        throw notOnMachine("backpropGradient(...)");
    }

    /** Throws: applying a gradient computed elsewhere is not a machine operation (set parameters instead). */
    @Override
    public void update(Gradient gradient) {
        throw notOnMachine("update(Gradient)");
    }

    /** Throws, as DL4J does, with the reason. */
    @Override
    public void update(INDArray gradient, String paramType) {
        throw notOnMachine("update(INDArray, String)");
    }

    /** Throws: layer-wise pretraining does not run on SpiNNaker (and no supported layer pretrains). */
    @Override
    public void pretrainLayer(int layerIdx, DataSetIterator iter, int numEpochs) {
        throw notOnMachine("pretrain/pretrainLayer");
    }

    /** See {@link #pretrainLayer(int, DataSetIterator, int)}. */
    @Override
    public void pretrainLayer(int layerIdx, INDArray features) {
        throw notOnMachine("pretrain/pretrainLayer");
    }

    /** Throws: DL4J's CPU solver would apply the accumulator's shared updates; the cores do not. */
    @Override
    public void setGradientsAccumulator(GradientsAccumulator accumulator) {
        throw notOnMachine("setGradientsAccumulator (shared-gradient training)");
    }

    /**
     * Throws: the default configuration is what DL4J's CPU solver reads (optimisation algorithm, step function);
     * change the layers' configurations ({@code getLayerWiseConfigurations()}) instead, which the machine follows.
     */
    @Override
    public void setConf(NeuralNetConfiguration conf) {
        throw notOnMachine("setConf(NeuralNetConfiguration)");
    }

    /** The kernels compute in float32: FLOAT returns this network, other types throw (use {@link #toCpu()}). */
    @Override
    public MultiLayerNetwork convertDataType(DataType dataType) {
        if (dataType == DataType.FLOAT) {
            return this;
        }
        throw new UnsupportedOperationException("convertDataType(" + dataType + "): SpiNNaker computes in FLOAT only; "
                + "for a CPU network in " + dataType + " call toCpu().convertDataType(" + dataType + ")");
    }

    /** ComputationGraphs do not run on SpiNNaker yet: throws (for a CPU graph call {@code toCpu().toComputationGraph()}). */
    @Override
    public ComputationGraph toComputationGraph() {
        throw new UnsupportedOperationException("toComputationGraph(): ComputationGraphs do not run on SpiNNaker yet; "
                + "for a CPU graph with these parameters and updater state call toCpu().toComputationGraph()");
    }

    /**
     * A copy on its own machines, with this network's configuration, parameters and updater state (as DL4J's
     * {@code clone()} copies them).
     */
    @Override
    public SpiNNakerMultiLayerNetwork clone() {
        SpiNNakerMultiLayerNetwork copy = new SpiNNakerMultiLayerNetwork(getLayerWiseConfigurations().clone(), options);
        if (spec != null) {
            copy.init(params().dup(), false);
            copyUpdaterState(this, copy);
        }
        return copy;
    }

    /** Frees the machines as well as DL4J's workspaces. */
    @Override
    public void close() {
        super.close();
        if (inference != null) {
            List.of(inference, layers, trainer, scorer).forEach(MachineUse::close);
        }
    }
}
