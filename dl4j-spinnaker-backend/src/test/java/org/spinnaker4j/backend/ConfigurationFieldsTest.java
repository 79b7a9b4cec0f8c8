package org.spinnaker4j.backend;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;

/**
 * Every field of the DL4J configuration classes a supported network is made of, and what the backend does with it:
 * honoured (the machine computes what DL4J computes), refused at {@code init()} (or at the next run, if set later),
 * or without effect on results. A DL4J version that adds a field fails this test until someone decides.
 * The refusals are tested in {@code FrontEndRejectionTest} and {@code Dl4jSemanticsTest}; the settings DL4J's own
 * stochastic gradient descent ignores ({@code minimize}, {@code maxNumLineSearchIterations}) in the parity tests.
 */
class ConfigurationFieldsTest {

    private static final Map<String, String> FIELDS = Map.ofEntries(
            entry("MultiLayerConfiguration.confs", "honoured: translated layer by layer"),
            entry("MultiLayerConfiguration.inputPreProcessors", "refused"),
            entry("MultiLayerConfiguration.backpropType", "Standard honoured; TruncatedBPTT refused"),
            entry("MultiLayerConfiguration.tbpttFwdLength", "no effect: read by truncated BPTT only, which is refused"),
            entry("MultiLayerConfiguration.tbpttBackLength", "no effect: read by truncated BPTT only, which is refused"),
            entry("MultiLayerConfiguration.validateOutputLayerConfig", "no effect: DL4J's checks when it builds"),
            entry("MultiLayerConfiguration.trainingWorkspaceMode", "no effect: CPU memory management"),
            entry("MultiLayerConfiguration.inferenceWorkspaceMode", "no effect: CPU memory management"),
            entry("MultiLayerConfiguration.cacheMode", "no effect: CPU memory management"),
            entry("MultiLayerConfiguration.dataType", "FLOAT honoured; other types refused"),
            entry("MultiLayerConfiguration.iterationCount", "honoured: Adam's bias correction on the cores, the schedules "
                    + "by iteration (evaluated on the host, sent with each update)"),
            entry("MultiLayerConfiguration.epochCount", "honoured: counted by fit(DataSetIterator), read by the schedules "
                    + "by epoch"),
            entry("NeuralNetConfiguration.layer", "honoured: translated (see the layer fields)"),
            entry("NeuralNetConfiguration.miniBatch", "honoured (gradients and score averaged, or summed); "
                    + "different settings per layer refused"),
            entry("NeuralNetConfiguration.maxNumLineSearchIterations", "no effect: line searches are refused"),
            entry("NeuralNetConfiguration.seed", "honoured: DL4J initialises the parameters on the host"),
            entry("NeuralNetConfiguration.optimizationAlgo", "STOCHASTIC_GRADIENT_DESCENT honoured; others refused"),
            entry("NeuralNetConfiguration.variables", "no effect: DL4J's list of parameter names"),
            entry("NeuralNetConfiguration.stepFunction", "NegativeGradientStepFunction (the default) honoured; "
                    + "others refused"),
            entry("NeuralNetConfiguration.minimize", "no effect: no DL4J 1.0.0-M2.1 solver reads it"),
            entry("NeuralNetConfiguration.cacheMode", "no effect: CPU memory management"),
            entry("NeuralNetConfiguration.dataType", "FLOAT honoured; other types refused"),
            entry("NeuralNetConfiguration.iterationCount", "honoured: kept equal to MultiLayerConfiguration's after every "
                    + "fit, as DL4J does (scheduled regularization terms of the score read it)"),
            entry("NeuralNetConfiguration.epochCount", "honoured as iterationCount"),
            entry("Layer.layerName", "no effect: names only"),
            entry("Layer.iDropout", "Dropout honoured outside training (no effect there); training with it "
                    + "refused; other dropouts refused"),
            entry("Layer.constraints", "refused"),
            entry("BaseLayer.activationFn", "honoured: identity, relu, leakyrelu, sigmoid, tanh, softmax, hardtanh, "
                    + "softplus, elu, swish, gelu (not precise), selu, mish, softsign, rationaltanh, rectifiedtanh, "
                    + "cube, thresholdedrelu (its theta), relu6; others refused"),
            entry("BaseLayer.weightInitFn", "honoured: DL4J initialises the parameters on the host"),
            entry("BaseLayer.biasInit", "honoured: DL4J initialises the parameters on the host"),
            entry("BaseLayer.gainInit", "honoured: DL4J initialises the parameters on the host"),
            entry("BaseLayer.regularization", "honoured: L1Regularization, L2Regularization, WeightDecay (applyLR "
                    + "either way), per layer, in score() too, coefficients fixed or following any schedule; repeats and other "
                    + "kinds refused"),
            entry("BaseLayer.regularizationBias", "honoured as regularization, on the bias"),
            entry("BaseLayer.iUpdater", "Sgd, Nesterovs, Adam, AdaMax, Nadam, AMSGrad, AdaGrad, AdaDelta, RmsProp, NoOp "
                    + "honoured, per layer (learning-rate changes followed), learning rate and Nesterovs' momentum fixed or "
                    + "following any schedule; others refused"),
            entry("BaseLayer.biasUpdater", "honoured: the bias' own updater, on the cores that own the bias (the "
                    + "updaters above, fixed or scheduled); others refused"),
            entry("BaseLayer.weightNoise", "refused"),
            entry("BaseLayer.gradientNormalization", "honoured, every mode, per layer (the L2 modes exchange "
                    + "partial norms between the layer's cores)"),
            entry("BaseLayer.gradientNormalizationThreshold", "honoured (a threshold that is not a finite float "
                    + "refused)"),
            entry("FeedForwardLayer.nIn", "honoured"),
            entry("FeedForwardLayer.nOut", "honoured"),
            entry("FeedForwardLayer.timeDistributedFormat", "no effect: time-distributed (rank 3) input is refused"),
            entry("DenseLayer.hasLayerNorm", "refused"),
            entry("DenseLayer.hasBias", "honoured in inference; false refused for training"),
            entry("BaseOutputLayer.lossFn", "MSE, L1, L2, MAE, XENT, MCXENT, NEGATIVELOGLIKELIHOOD honoured; "
                    + "others and loss weights refused"),
            entry("BaseOutputLayer.hasBias", "honoured in inference; false refused for training"));

    private static final List<Class<?>> CLASSES = List.of(MultiLayerConfiguration.class, NeuralNetConfiguration.class,
            Layer.class, BaseLayer.class, FeedForwardLayer.class, DenseLayer.class, BaseOutputLayer.class,
            OutputLayer.class);

    @Test
    void everyConfigurationFieldIsHonouredRefusedOrWithoutEffect() {
        Set<String> fields = new TreeSet<>();
        for (Class<?> c : CLASSES) {
            Arrays.stream(c.getDeclaredFields())
                    .filter(f -> !Modifier.isStatic(f.getModifiers()) && !f.isSynthetic())
                    .map(Field::getName)
                    .forEach(name -> fields.add(c.getSimpleName() + "." + name));
        }
        assertEquals(new TreeSet<>(FIELDS.keySet()), fields,
                "a DL4J configuration field is new (or gone): decide whether it is honoured, refused or without effect");
    }
}
