package org.spinnaker4j.backend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.deeplearning4j.nn.api.FwdPassType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.adapters.OutputAdapter;
import org.nd4j.common.primitives.Pair;
import org.nd4j.evaluation.IEvaluation;
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
import org.spinnaker4j.backend.runtime.Machine;
import org.spinnaker4j.backend.runtime.NativeCoreMemory;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
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
    private transient NetworkSpec spec;
    private transient Mapping mapping;
    private transient Mapping trainingMapping;
    private transient MachineUse inference;
    private transient MachineUse layers;
    private transient MachineUse trainer;
    private transient MachineUse scorer;

    /**
     * One machine and the mapping it runs, made on first use and reloaded with the network's
     * parameters whenever they changed since they were loaded.
     */
    private final class MachineUse implements AutoCloseable {
        private final Supplier<Mapping> mapper;
        private Mapping mapping;
        private Machine machine;
        private float[] loaded;

        MachineUse(Supplier<Mapping> mapper) {
            this.mapper = mapper;
        }

        /** The machine, loaded with the current parameters. */
        Machine ready() {
            if (machine == null) {
                mapping = mapper.get();
                machine = options.backend().create(options);
            }
            if (!Arrays.equals(loaded, parameterBits())) {
                machine.load(mapping, Dl4jFrontEnd.parameters(SpiNNakerMultiLayerNetwork.this, spec));
                loaded = parameterBits();
            }
            return machine;
        }

        /** The network's parameters were just read back from this machine: they are what it holds. */
        void holdsCurrentParameters() {
            loaded = parameterBits();
        }

        /**
         * The parameters as floats, compared with {@link Arrays#equals(float[], float[])}: bit for bit,
         * NaN equal to NaN. (INDArray.equals compares within an epsilon and NaN to nothing, so a
         * NaN parameter would reload the cores, and reset their updater state, before every batch.)
         */
        private float[] parameterBits() {
            return params().castTo(DataType.FLOAT).toFloatVector();
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
            }
        }
    }

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
        return wrapped;
    }

    /** {@link #wrap(MultiLayerNetwork, SpiNNakerOptions)} with the default options. */
    public static SpiNNakerMultiLayerNetwork wrap(MultiLayerNetwork net) {
        return wrap(net, SpiNNakerOptions.defaults());
    }

    @Override
    public void init(INDArray parameters, boolean cloneParametersArray) {
        if (spec != null) {
            return;
        }
        NetworkSpec translated = Dl4jFrontEnd.translate(getLayerWiseConfigurations());
        super.init(parameters, cloneParametersArray);
        mapping = mapper().map(new NetworkSpec(translated.layers()), options.machine());
        spec = translated;
        inference = new MachineUse(() -> mapping);
        layers = new MachineUse(() -> mapper().map(spec.readingEveryLayer(), options.machine()));
        trainer = new MachineUse(this::trainingMapping);
        scorer = new MachineUse(this::trainingMapping);
    }

    private Mapper mapper() {
        return new Mapper(options.partitioning(), new NativeCoreMemory(),
                new TdmaScheduler(options.simulator().cost(), options.simulator().coreReceiveDepth()));
    }

    public SpiNNakerOptions options() {
        return options;
    }

    /** Where and how the network was placed on the machine; available after {@link #init()}. */
    public Mapping mapping() {
        requireInit("mapping()");
        return mapping;
    }

    /** Where and how the network is placed for training (mapped on first use). */
    public Mapping trainingMapping() {
        requireTrainable();
        if (trainingMapping == null) {
            trainingMapping = mapper().map(spec, options.machine());
        }
        return trainingMapping;
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

    @Override
    protected INDArray outputOfLayerDetached(boolean train, FwdPassType fwdPassType, int layerIndex, INDArray input,
            INDArray featureMask, INDArray labelsMask, MemoryWorkspace outputWorkspace) {
        requireInit("output(...)");
        if (layerIndex != spec.layers().size() - 1) {
            throw new UnsupportedOperationException("spinnaker4j reads back the output of the last layer only; layer "
                    + layerIndex + " of " + spec.layers().size() + " was asked for");
        }
        if (featureMask != null || labelsMask != null) {
            throw new UnsupportedOperationException("feature and label masks are not supported on SpiNNaker");
        }
        if (fwdPassType != FwdPassType.STANDARD) {
            throw new UnsupportedOperationException("forward pass type " + fwdPassType + " is not supported on SpiNNaker");
        }
        return runOnMachine(input);
    }

    private INDArray runOnMachine(INDArray input) {
        float[][] samples = toSamples(input);
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            Machine machine = inference.ready();
            float[][] out = machine.run(samples);
            LOG.debug("{}", machine.lastRunStats());
            return Nd4j.create(out);
        }
    }

    private float[][] toSamples(INDArray input) {
        if (input == null) {
            throw new IllegalArgumentException("input is null; pass a [batch, " + spec.nIn() + "] array");
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
        return input.castTo(DataType.FLOAT).toFloatMatrix();
    }

    private void requireInit(String what) {
        if (spec == null) {
            throw new IllegalStateException(what + " on a SpiNNaker network that is not initialised; call init() first");
        }
    }

    private static UnsupportedOperationException notOnMachine(String what) {
        return new UnsupportedOperationException(what + " is not available on SpiNNaker yet, and spinnaker4j never "
                + "falls back to the CPU; use output(...), predict(...) or evaluate(...), or a plain MultiLayerNetwork");
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
        if (fMask != null || lMask != null) {
            throw new UnsupportedOperationException("feature and label masks are not supported on SpiNNaker");
        }
        if (fwdPassType != FwdPassType.STANDARD) {
            throw new UnsupportedOperationException("forward pass type " + fwdPassType + " is not supported on SpiNNaker");
        }
        if (layerIndex < 0 || layerIndex >= spec.layers().size()) {
            throw new IllegalArgumentException("layer index " + layerIndex + " is not in [0, " + spec.layers().size()
                    + ")");
        }
        float[][] samples = toSamples(input);
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            List<float[][]> activations = layers.ready().runLayers(samples);
            List<INDArray> out = new ArrayList<>();
            out.add(input.castTo(DataType.FLOAT).dup());
            for (int l = 0; l <= layerIndex; l++) {
                out.add(Nd4j.create(activations.get(l)));
            }
            return out;
        }
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
        requireTrainable();
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
        getLayerWiseConfigurations().setEpochCount(getLayerWiseConfigurations().getEpochCount() + 1);
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
        requireTrainable();
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
        requireTrainable();
        if (featuresMask != null || labelsMask != null) {
            throw new UnsupportedOperationException("feature and label masks are not supported on SpiNNaker");
        }
        float[][] x = toSamples(features);
        float[][] y = toLabels(labels, x.length);
        int iteration = getIterationCount();
        double batchScore;
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            Machine machine = trainer.ready();
            batchScore = machine.train(x, y, iteration);
            Dl4jFrontEnd.setParameters(this, machine.readParameters());
            trainer.holdsCurrentParameters();
        }
        setScore(batchScore);
        setInput(features);
        setLabels(labels);
        for (TrainingListener l : listeners()) {
            l.iterationDone(this, iteration, getEpochCount());
        }
        getLayerWiseConfigurations().setIterationCount(iteration + 1);
    }

    private Collection<TrainingListener> listeners() {
        return getListeners() == null ? List.of() : getListeners();
    }

    private float[][] toLabels(INDArray labels, int rows) {
        if (labels == null || labels.rank() != 2) {
            throw new IllegalArgumentException("labels must be a rank-2 array [batch, " + spec.nOut() + "], got "
                    + (labels == null ? "null" : "shape " + java.util.Arrays.toString(labels.shape())));
        }
        if (labels.size(1) != spec.nOut()) {
            throw new IllegalArgumentException("labels have " + labels.size(1) + " columns but the output layer has nOut "
                    + spec.nOut());
        }
        if (labels.size(0) != rows) {
            throw new IllegalArgumentException("features have " + rows + " rows but labels have " + labels.size(0)
                    + "; each example needs one label row");
        }
        return labels.castTo(DataType.FLOAT).toFloatMatrix();
    }

    private void requireTrainable() {
        requireInit("fit(...)");
        if (spec.training() == null) {
            throw new UnsupportedOperationException("fit needs an OutputLayer (with its loss) as the last layer");
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
     * (forward and backward passes, no update) on a machine of its own.
     */
    @Override
    public double score(DataSet data, boolean training) {
        requireTrainable();
        if (data.getFeaturesMaskArray() != null || data.getLabelsMaskArray() != null) {
            throw new UnsupportedOperationException("feature and label masks are not supported on SpiNNaker");
        }
        float[][] x = toSamples(data.getFeatures());
        float[][] y = toLabels(data.getLabels(), x.length);
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return scorer.ready().score(x, y);
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

    @Override
    public SpiNNakerMultiLayerNetwork clone() {
        SpiNNakerMultiLayerNetwork copy = new SpiNNakerMultiLayerNetwork(getLayerWiseConfigurations().clone(), options);
        if (spec != null) {
            copy.init(params().dup(), false);
        }
        return copy;
    }

    /** Frees the machines as well as DL4J's workspaces. */
    @Override
    public void close() {
        super.close();
        if (spec != null) {
            List.of(inference, layers, trainer, scorer).forEach(MachineUse::close);
        }
    }
}
