package org.spinnaker4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.backend.EntryPointTableTest.Behaviour.CPU_OBJECT;
import static org.spinnaker4j.backend.EntryPointTableTest.Behaviour.HOST;
import static org.spinnaker4j.backend.EntryPointTableTest.Behaviour.MACHINE;
import static org.spinnaker4j.backend.EntryPointTableTest.Behaviour.THROWS;

import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Layer.TrainingMode;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.evaluation.regression.RegressionEvaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.adapter.MultiDataSetIteratorAdapter;
import org.nd4j.linalg.factory.Nd4j;
import org.spinnaker4j.backend.runtime.RunStats;

/**
 * The entry-point table: every public method of DL4J's {@link MultiLayerNetwork}, and what it does on a
 * {@link SpiNNakerMultiLayerNetwork}. A method that does network arithmetic either runs on the machine (and its run
 * statistics show the run) or throws; none computes on the CPU. A DL4J method not in the table fails the test, so
 * a new DL4J version cannot add a silent CPU path. docs/entry-points.md gives the same table for users.
 */
class EntryPointTableTest {

    /** What a MultiLayerNetwork method does on a SpiNNaker network. */
    enum Behaviour {
        /** Runs on the machine: the run statistics of the call show it. */
        MACHINE,
        /** Throws UnsupportedOperationException: it would compute on the CPU. */
        THROWS,
        /**
         * Reads or writes host-side state or metadata (parameters, updater state, configuration, counters,
         * listeners, masks, input) and does no network arithmetic; whatever it changes reaches the cores before the
         * next run.
         */
        HOST,
        /** Returns DL4J's own objects, which compute on the CPU if used: documented, never called by the backend. */
        CPU_OBJECT
    }

    @TempDir
    static File dir;

    /** A call of an entry point on a fresh initialised network with data. */
    interface Call {
        Object run(SpiNNakerMultiLayerNetwork net, DataSet data) throws Exception;
    }

    private record Entry(Behaviour behaviour, boolean twoClasses, Call call) {
    }

    private static final Map<String, Entry> TABLE = new LinkedHashMap<>();

    private static void machine(String signature, Call call) {
        TABLE.put(signature, new Entry(MACHINE, false, call));
    }

    /** An entry point that needs a binary classifier (ROC). */
    private static void machineTwoClasses(String signature, Call call) {
        TABLE.put(signature, new Entry(MACHINE, true, call));
    }

    private static void refused(String signature, Call call) {
        TABLE.put(signature, new Entry(THROWS, false, call));
    }

    private static void host(String... signatures) {
        for (String s : signatures) {
            TABLE.put(s, new Entry(HOST, false, null));
        }
    }

    private static void cpuObject(String... signatures) {
        for (String s : signatures) {
            TABLE.put(s, new Entry(CPU_OBJECT, false, null));
        }
    }

    private static ListDataSetIterator<DataSet> iterator(DataSet d) {
        return new ListDataSetIterator<>(d.asList(), 3);
    }

    static {
        machine("output(INDArray)", (n, d) -> n.output(d.getFeatures()));
        machine("output(INDArray,boolean)", (n, d) -> n.output(d.getFeatures(), false));
        machine("output(INDArray,TrainingMode)", (n, d) -> n.output(d.getFeatures(), TrainingMode.TEST));
        machine("output(INDArray,boolean,INDArray,INDArray)", (n, d) -> n.output(d.getFeatures(), false, null, null));
        machine("output(INDArray,boolean,MemoryWorkspace)", (n, d) -> n.output(d.getFeatures(), false, null));
        machine("output(INDArray,boolean,INDArray,INDArray,MemoryWorkspace)",
                (n, d) -> n.output(d.getFeatures(), false, null, null, null));
        machine("output(INDArray,INDArray,INDArray,OutputAdapter)",
                (n, d) -> n.output(d.getFeatures(), null, null, array -> array[0].dup()));
        machine("output(DataSetIterator)", (n, d) -> n.output(iterator(d)));
        machine("output(DataSetIterator,boolean)", (n, d) -> n.output(iterator(d), false));
        machine("activate(INDArray,TrainingMode)", (n, d) -> n.activate(d.getFeatures(), TrainingMode.TEST));
        machine("activate(TrainingMode)", (n, d) -> {
            n.setInput(d.getFeatures());
            return n.activate(TrainingMode.TEST);
        });
        machine("predict(INDArray)", (n, d) -> n.predict(d.getFeatures()));
        machine("predict(DataSet)", (n, d) -> {
            d.setLabelNames(List.of("a", "b", "c", "d"));
            return n.predict(d);
        });
        machine("f1Score(DataSet)", (n, d) -> n.f1Score(d));
        machine("f1Score(INDArray,INDArray)", (n, d) -> n.f1Score(d.getFeatures(), d.getLabels()));
        machine("feedForward(INDArray)", (n, d) -> n.feedForward(d.getFeatures()));
        machine("feedForward(INDArray,boolean)", (n, d) -> n.feedForward(d.getFeatures(), false));
        machine("feedForward(INDArray,INDArray,INDArray)", (n, d) -> n.feedForward(d.getFeatures(), null, null));
        machine("feedForward()", (n, d) -> {
            n.setInput(d.getFeatures());
            return n.feedForward();
        });
        machine("feedForward(boolean)", (n, d) -> {
            n.setInput(d.getFeatures());
            return n.feedForward(false);
        });
        machine("feedForward(boolean,boolean)", (n, d) -> {
            n.setInput(d.getFeatures());
            return n.feedForward(false, false);
        });
        machine("feedForwardToLayer(int,INDArray)", (n, d) -> n.feedForwardToLayer(1, d.getFeatures()));
        machine("feedForwardToLayer(int,INDArray,boolean)", (n, d) -> n.feedForwardToLayer(1, d.getFeatures(), false));
        machine("feedForwardToLayer(int,boolean)", (n, d) -> {
            n.setInput(d.getFeatures());
            return n.feedForwardToLayer(1, false);
        });
        machine("evaluate(DataSetIterator)", (n, d) -> n.evaluate(iterator(d)));
        machine("evaluate(DataSetIterator,List)", (n, d) -> n.evaluate(iterator(d), List.of("a", "b", "c", "d")));
        machine("evaluate(DataSetIterator,List,int)", (n, d) -> n.evaluate(iterator(d), List.of("a", "b", "c", "d"), 2));
        machine("evaluate(MultiDataSetIterator)", (n, d) -> n.evaluate(new MultiDataSetIteratorAdapter(iterator(d))));
        machine("evaluateRegression(DataSetIterator)", (n, d) -> n.evaluateRegression(iterator(d)));
        machine("evaluateRegression(MultiDataSetIterator)",
                (n, d) -> n.evaluateRegression(new MultiDataSetIteratorAdapter(iterator(d))));
        machineTwoClasses("evaluateROC(DataSetIterator)", (n, d) -> n.evaluateROC(iterator(d)));
        machineTwoClasses("evaluateROC(DataSetIterator,int)", (n, d) -> n.evaluateROC(iterator(d), 0));
        machine("evaluateROCMultiClass(DataSetIterator)", (n, d) -> n.evaluateROCMultiClass(iterator(d)));
        machine("evaluateROCMultiClass(DataSetIterator,int)", (n, d) -> n.evaluateROCMultiClass(iterator(d), 0));
        machine("doEvaluation(DataSetIterator,IEvaluation[])", (n, d) -> n.doEvaluation(iterator(d), new Evaluation()));
        machine("doEvaluation(MultiDataSetIterator,IEvaluation[])",
                (n, d) -> n.doEvaluation(new MultiDataSetIteratorAdapter(iterator(d)), new Evaluation[] {new Evaluation()}));
        machine("doEvaluationHelper(DataSetIterator,IEvaluation[])",
                (n, d) -> n.doEvaluationHelper(iterator(d), new RegressionEvaluation()));
        machine("score(DataSet)", (n, d) -> n.score(d));
        machine("score(DataSet,boolean)", (n, d) -> n.score(d, false));
        machine("fit(DataSet)", (n, d) -> {
            n.fit(d);
            return null;
        });
        machine("fit(DataSetIterator)", (n, d) -> {
            n.fit(iterator(d));
            return null;
        });
        machine("fit(DataSetIterator,int)", (n, d) -> {
            n.fit(iterator(d), 2);
            return null;
        });
        machine("fit(INDArray,INDArray)", (n, d) -> {
            n.fit(d.getFeatures(), d.getLabels());
            return null;
        });
        machine("fit(INDArray,INDArray,INDArray,INDArray)", (n, d) -> {
            n.fit(d.getFeatures(), d.getLabels(), null, null);
            return null;
        });
        machine("fit(INDArray,int[])", (n, d) -> {
            n.fit(d.getFeatures(), new int[] {0, 1, 2, 3, 0, 1});
            return null;
        });

        refused("activate(INDArray,boolean,LayerWorkspaceMgr)",
                (n, d) -> n.activate(d.getFeatures(), false, LayerWorkspaceMgr.noWorkspaces()));
        refused("activate(boolean,LayerWorkspaceMgr)", (n, d) -> n.activate(false, LayerWorkspaceMgr.noWorkspaces()));
        refused("activateSelectedLayers(int,int,INDArray)", (n, d) -> n.activateSelectedLayers(0, 1, d.getFeatures()));
        refused("backpropGradient(INDArray,LayerWorkspaceMgr)",
                (n, d) -> n.backpropGradient(d.getLabels(), LayerWorkspaceMgr.noWorkspaces()));
        refused("calculateGradients(INDArray,INDArray,INDArray,INDArray)",
                (n, d) -> n.calculateGradients(d.getFeatures(), d.getLabels(), null, null));
        refused("computeGradientAndScore()", (n, d) -> {
            n.computeGradientAndScore();
            return null;
        });
        refused("computeGradientAndScore(LayerWorkspaceMgr)", (n, d) -> {
            n.computeGradientAndScore(LayerWorkspaceMgr.noWorkspaces());
            return null;
        });
        refused("gradient()", (n, d) -> n.gradient());
        refused("gradientAndScore()", (n, d) -> n.gradientAndScore());
        refused("scoreExamples(DataSet,boolean)", (n, d) -> n.scoreExamples(d, false));
        refused("scoreExamples(DataSetIterator,boolean)", (n, d) -> n.scoreExamples(iterator(d), false));
        refused("fit()", (n, d) -> {
            n.setInput(d.getFeatures());
            n.setLabels(d.getLabels());
            n.fit();
            return null;
        });
        refused("fit(INDArray,LayerWorkspaceMgr)", (n, d) -> {
            n.fit(d.getFeatures(), LayerWorkspaceMgr.noWorkspaces());
            return null;
        });
        refused("fit(MultiDataSet)", (n, d) -> {
            n.fit(new org.nd4j.linalg.dataset.MultiDataSet(d.getFeatures(), d.getLabels()));
            return null;
        });
        refused("fit(MultiDataSetIterator)", (n, d) -> {
            n.fit(new MultiDataSetIteratorAdapter(iterator(d)));
            return null;
        });
        refused("fit(MultiDataSetIterator,int)", (n, d) -> {
            n.fit(new MultiDataSetIteratorAdapter(iterator(d)), 1);
            return null;
        });
        refused("pretrain(DataSetIterator)", (n, d) -> {
            n.pretrain(iterator(d));
            return null;
        });
        refused("pretrain(DataSetIterator,int)", (n, d) -> {
            n.pretrain(iterator(d), 1);
            return null;
        });
        refused("pretrainLayer(int,DataSetIterator)", (n, d) -> {
            n.pretrainLayer(0, iterator(d));
            return null;
        });
        refused("pretrainLayer(int,DataSetIterator,int)", (n, d) -> {
            n.pretrainLayer(0, iterator(d), 1);
            return null;
        });
        refused("pretrainLayer(int,INDArray)", (n, d) -> {
            n.pretrainLayer(0, d.getFeatures());
            return null;
        });
        refused("rnnTimeStep(INDArray)", (n, d) -> n.rnnTimeStep(d.getFeatures()));
        refused("rnnTimeStep(INDArray,MemoryWorkspace)", (n, d) -> n.rnnTimeStep(d.getFeatures(), null));
        refused("rnnActivateUsingStoredState(INDArray,boolean,boolean)",
                (n, d) -> n.rnnActivateUsingStoredState(d.getFeatures(), false, false));
        refused("update(Gradient)", (n, d) -> {
            n.update(new DefaultGradient(Nd4j.zeros(DataType.FLOAT, 1, n.numParams())));
            return null;
        });
        refused("update(INDArray,String)", (n, d) -> {
            n.update(Nd4j.zeros(DataType.FLOAT, 1, 4), "W");
            return null;
        });
        refused("convertDataType(DataType)", (n, d) -> n.convertDataType(DataType.DOUBLE));
        refused("toComputationGraph()", (n, d) -> n.toComputationGraph());
        refused("setGradientsAccumulator(GradientsAccumulator)", (n, d) -> {
            n.setGradientsAccumulator(null);
            return null;
        });
        refused("setConf(NeuralNetConfiguration)", (n, d) -> {
            n.setConf(n.conf().clone());
            return null;
        });

        host("params()", "params(boolean)", "setParams(INDArray)", "setParameters(INDArray)", "paramTable()",
                "paramTable(boolean)", "setParamTable(Map)", "getParam(String)", "setParam(String,INDArray)",
                "setParamsViewArray(INDArray)", "numParams()", "numParams(boolean)", "getUpdater()",
                "getUpdater(boolean)", "setUpdater(Updater)", "updaterState()", "setLearningRate(double)",
                "setLearningRate(ISchedule)", "setLearningRate(int,double)", "setLearningRate(int,ISchedule)",
                "getLearningRate(int)", "getLayerWiseConfigurations()", "setLayerWiseConfigurations(MultiLayerConfiguration)",
                "conf()", "getConfig()", "getDefaultConfiguration()", "init()", "init(INDArray,boolean)", "isInitCalled()",
                "setInitDone(boolean)", "initGradientsView()", "clone()", "close()", "clear()", "equals(Object)",
                "save(File)", "save(File,boolean)", "score()", "setScore(double)", "calcRegularizationScore(boolean)",
                "applyConstraints(int,int)", "getIterationCount()", "setIterationCount(int)", "getEpochCount()",
                "setEpochCount(int)", "incrementEpochCount()", "getListeners()", "getTrainingListeners()",
                "setListeners(Collection)", "setListeners(TrainingListener[])", "addListeners(TrainingListener[])",
                "getInput()", "input()", "setInput(INDArray)", "setInput(INDArray,LayerWorkspaceMgr)", "getLabels()",
                "setLabels(INDArray)", "getMask()", "setMask(INDArray)", "getMaskArray()", "setMaskArray(INDArray)",
                "setLayerMaskArrays(INDArray,INDArray)", "clearLayerMaskArrays()",
                "feedForwardMaskArray(INDArray,MaskState,int)", "getInputMiniBatchSize()", "setInputMiniBatchSize(int)",
                "batchSize()", "getLastEtlTime()", "setLastEtlTime(long)", "getIndex()", "setIndex(int)", "type()",
                "getnLayers()", "getLayerNames()", "layerInputSize(int)", "layerSize(int)", "numLabels()",
                "isPretrainLayer()", "summary()", "summary(InputType)", "memoryInfo(int,InputType)",
                "setCacheMode(CacheMode)", "allowInputModification(boolean)", "clearLayersStates()",
                "clearNoiseWeightParams()", "rnnClearPreviousState()", "rnnGetPreviousState(int)",
                "rnnSetPreviousState(int,Map)", "updateRnnStateWithTBPTTState()", "isClearTbpttState()",
                "setClearTbpttState(boolean)", "updaterDivideByMinibatch(String)", "getGradient()",
                "setGradient(Gradient)", "getFlattenedGradients()", "getGradientsViewArray()",
                "setBackpropGradientsViewArray(INDArray)", "getHelperWorkspaces()");
        cpuObject("getLayer(int)", "getLayer(String)", "getLayers()", "setLayers(Layer[])", "getOutputLayer()",
                "getOptimizer()", "getHelper()", "load(File,boolean)");
    }

    /** The public methods of MultiLayerNetwork (and what it inherits, Object's aside) as "name(Type,Type)". */
    private static Set<String> publicMethods() {
        return Arrays.stream(MultiLayerNetwork.class.getMethods())
                .filter(m -> m.getDeclaringClass() != Object.class && !m.isBridge() && !m.isSynthetic())
                .map(EntryPointTableTest::signature)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String signature(Method m) {
        return m.getName() + "(" + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName)
                .collect(Collectors.joining(",")) + ")";
    }

    @Test
    void theTableCoversEveryPublicMethodOfMultiLayerNetwork() {
        Set<String> missing = new TreeSet<>(publicMethods());
        missing.removeAll(TABLE.keySet());
        Set<String> stale = new TreeSet<>(TABLE.keySet());
        stale.removeAll(publicMethods());
        assertTrue(missing.isEmpty(), "public MultiLayerNetwork methods without an entry: " + missing);
        assertTrue(stale.isEmpty(), "entries for methods MultiLayerNetwork does not have: " + stale);
        assertTrue(Modifier.isStatic(method("load(File,boolean)").getModifiers()),
                "MultiLayerNetwork.load is static and returns a CPU network; SpiNNakerMultiLayerNetwork.load(File) "
                        + "is the way back onto the machine");
    }

    private static Method method(String signature) {
        return Arrays.stream(MultiLayerNetwork.class.getMethods()).filter(m -> signature(m).equals(signature))
                .findFirst().orElseThrow();
    }

    static Stream<Arguments> entries(Behaviour behaviour) {
        return TABLE.entrySet().stream().filter(e -> e.getValue().behaviour() == behaviour)
                .map(e -> Arguments.of(e.getKey(), e.getValue().twoClasses(), e.getValue().call()));
    }

    static Stream<Arguments> machineEntries() {
        return entries(MACHINE);
    }

    static Stream<Arguments> refusedEntries() {
        return entries(THROWS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("machineEntries")
    void runsOnTheMachine(String signature, boolean twoClasses, Call call) throws Exception {
        try (SpiNNakerMultiLayerNetwork net = network(twoClasses)) {
            List<RunStats> before = stats(net);
            call.run(net, data(twoClasses ? 2 : 4));
            List<RunStats> after = stats(net);
            boolean ran = false;
            for (int k = 0; k < before.size(); k++) {
                ran |= after.get(k) != null && after.get(k) != before.get(k) && after.get(k).packetsDelivered() > 0;
            }
            assertTrue(ran, signature + " did not run on the machine");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedEntries")
    void throwsRatherThanComputeOnTheCpu(String signature, boolean twoClasses, Call call) {
        try (SpiNNakerMultiLayerNetwork net = network(false)) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> call.run(net, data(4)), signature);
            assertTrue(e.getMessage() != null && e.getMessage().contains("SpiNNaker"), signature + ": " + e.getMessage());
            assertEquals(List.of(), Stream.of(stats(net).toArray()).filter(s -> s != null).toList(),
                    signature + " ran something on the machine before throwing");
        }
    }

    private static SpiNNakerMultiLayerNetwork network(boolean twoClasses) {
        SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(TestNetworks.small(twoClasses ? 2 : 4));
        net.init();
        return net;
    }

    private static DataSet data(int classes) {
        Nd4j.getRandom().setSeed(17);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 6, classes);
        for (int i = 0; i < 6; i++) {
            labels.putScalar(i, i % classes, 1);
        }
        return new DataSet(Nd4j.rand(DataType.FLOAT, 6, 6), labels);
    }

    /** The statistics of each machine use (null where nothing ran yet). */
    private static List<RunStats> stats(SpiNNakerMultiLayerNetwork net) {
        return Arrays.asList(orNull(net::lastRunStats), orNull(net::lastFeedForwardStats),
                orNull(net::lastTrainingStats), orNull(net::lastScoreStats));
    }

    private static RunStats orNull(java.util.function.Supplier<RunStats> stats) {
        try {
            return stats.get();
        } catch (IllegalStateException nothingRanYet) {
            return null;
        }
    }
}
