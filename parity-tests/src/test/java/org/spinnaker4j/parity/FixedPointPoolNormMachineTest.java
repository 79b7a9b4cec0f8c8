package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.demo.MnistIdx;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.parity.FixedPointMachineTest.Run;

/**
 * s16.15 pooling and batch normalization on the simulated machine (docs/fixed-point.md, "Pooling and batch
 * normalization"), on FASTEST and FEWEST_CORES: a 2-D MAX or AVG pool on the flat image input followed by dense
 * layers, the CNN demo's network (convolutions each pooled), and a fully connected network with a BatchNormalization (its running statistics set away from DL4J's
 * defaults, either statistic). Every output bit-equal to {@link AccumReference}, no packet dropped, no TDMA slot
 * missed (asserted by {@link FixedPointMachineTest#runBitEqual}), and every output within the error bound of
 * {@link AccumErrorBound} of nd4j-native float32, the largest difference logged.
 */
class FixedPointPoolNormMachineTest {

    private static final Logger LOG = LoggerFactory.getLogger(FixedPointPoolNormMachineTest.class);
    private static final int SAMPLES = 15;
    private static final double H = 0x1p-16;

    /** Pooling (MAX 2 × 2 stride 2; AVG 3 × 2 stride 1 × 2 with padding 1 × 0, counting it or not) → Dense → Dense. */
    private static MultiLayerConfiguration poolThenDense(PoolingType type, boolean padInDivisor) {
        SubsamplingLayer.Builder pool = new SubsamplingLayer.Builder(type);
        if (type == PoolingType.MAX) {
            pool.kernelSize(2, 2).stride(2, 2);
        } else {
            pool.kernelSize(3, 2).stride(1, 2).padding(1, 0).avgPoolIncludePadInDivisor(padInDivisor);
        }
        return Parity.list(11)
                .layer(pool.build())
                .layer(new DenseLayer.Builder().nOut(7).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(4).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutionalFlat(6, 8, 2)).build();
    }

    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void poolingOnTheInputThenDenseIsBitEqualAndWithinItsBound(PartitioningStrategy strategy) {
        INDArray x = Parity.images(SAMPLES, 2, 6, 8, 11).reshape(SAMPLES, 2 * 6 * 8);
        for (Object[] c : List.of(new Object[] {PoolingType.MAX, false, 4}, new Object[] {PoolingType.AVG, false, 6},
                new Object[] {PoolingType.AVG, true, 6})) {
            PoolingType type = (PoolingType) c[0];
            MultiLayerConfiguration conf = poolThenDense(type, (Boolean) c[1]);
            MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
            cpu.init();
            Run run = FixedPointMachineTest.runBitEqual(conf, cpu, x, strategy);
            double worst = 0;
            for (int r = 0; r < SAMPLES; r++) {
                List<int[]> words = run.words().get(r);
                float[] input = floatRow(run, 0, r);
                double[] e = new double[words.get(1).length];
                Arrays.fill(e, AccumErrorBound.pooling(type == PoolingType.MAX, (Integer) c[2], input, H));
                for (int l = 1; l < 3; l++) {
                    e = AccumErrorBound.layer(AccumReference.parameter(cpu, l, "W"),
                            AccumReference.parameter(cpu, l, "b"), FixedPointMachineTest.values(words.get(l)), floatRow(run, l, r), e);
                }
                worst = Math.max(worst, assertWithin(run, r, e, conf + " sample " + r));
            }
            LOG.info("s16.15 {} pool{} on the input → dense on {}: bit-equal to the reference, max |diff| to float {} "
                    + "(at most {} of its bound); {} cores, {} µs a sample", type, (Boolean) c[1]
                    ? " (padding in the divisor)" : "", strategy, run.maxDiffToFloat(), worst,
                    run.stats().coresUsed(), 1e6 * run.stats().simulatedSecondsPerSample());
        }
    }

    /**
     * The CNN demo's LeNet-style network (seed-42 Xavier weights, untrained): convolutions, each followed by a MAX
     * pool, then dense layers and a softmax, on the first 20 digits of data/mnist: bit-equal to the reference (which
     * pools the convolutions' outputs), within 1e-3 of nd4j float32, the classes as float32's.
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void theCnnDemosNetworkIsBitEqualToTheReference(PartitioningStrategy strategy) throws IOException {
        MultiLayerConfiguration conf = ReferenceNetworks.mnistLeNet();
        // the module's directory is the tests' working directory; the digits are the repository's data/mnist
        INDArray digits = ((DataSet) MnistIdx.load(Path.of("..", "data", "mnist")).getRange(0, 20)).getFeatures();
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        Run run = FixedPointMachineTest.runBitEqual(conf, cpu, digits, strategy);
        float[][] floats = run.floats().get(run.floats().size() - 1).toFloatMatrix();
        for (int r = 0; r < floats.length; r++) {
            assertEquals(Parity.argmax(floats[r]), Parity.argmax(run.out()[r]), "digit " + r + "'s class");
        }
        assertTrue(run.maxDiffToFloat() <= 1e-3, run.maxDiffToFloat() + " from nd4j float32");
        LOG.info("s16.15 CNN demo network (conv, MAX pool, conv, MAX pool, dense, softmax) on {}: bit-equal to the "
                + "reference, max |diff| to float {}; {} cores, {} µs a sample", strategy, run.maxDiffToFloat(),
                run.stats().coresUsed(), 1e6 * run.stats().simulatedSecondsPerSample());
    }

    /** Dense (4 → 6, relu) → BatchNormalization → Dense (6 → 3, identity), its statistics set at random. */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void aFullyConnectedBatchNormalizationIsBitEqualAndWithinItsBound(PartitioningStrategy strategy) {
        INDArray x = Parity.uniformInputs(SAMPLES, 4, 5).muli(4).subi(2);
        for (boolean logStd : new boolean[] {true, false}) {
            MultiLayerConfiguration conf = Parity.list(12)
                    .layer(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.RELU).build())
                    .layer(new BatchNormalization.Builder().useLogStd(logStd).eps(1e-3).build())
                    .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(6).nOut(3).activation(Activation.IDENTITY)
                            .build())
                    .build();
            MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
            cpu.init();
            Nd4j.getRandom().setSeed(logStd ? 21 : 22);
            cpu.getLayer(1).setParam("gamma", Nd4j.rand(1, 6).muli(3).subi(1.5));
            cpu.getLayer(1).setParam("beta", Nd4j.rand(1, 6).muli(2).subi(1));
            cpu.getLayer(1).setParam("mean", Nd4j.rand(1, 6).muli(0.8));
            cpu.getLayer(1).setParam(logStd ? "log10stdev" : "var", logStd ? Nd4j.rand(1, 6).subi(0.6)
                    : Nd4j.rand(1, 6).muli(2).addi(0.05));
            Run run = FixedPointMachineTest.runBitEqual(conf, cpu, x, strategy);
            BatchNormalization norm = (BatchNormalization) conf.getConf(1).getLayer();
            double[] a = AccumReference.fold(cpu, 1, norm)[0];
            float[] mean = AccumReference.parameter(cpu, 1, "mean");
            float[] beta = AccumReference.parameter(cpu, 1, "beta");
            double worst = 0;
            for (int r = 0; r < SAMPLES; r++) {
                List<int[]> words = run.words().get(r);
                double[] e = new double[4];
                Arrays.fill(e, H);
                e = AccumErrorBound.layer(AccumReference.parameter(cpu, 0, "W"), AccumReference.parameter(cpu, 0, "b"),
                        FixedPointMachineTest.values(words.get(0)), floatRow(run, 0, r), e);
                e = AccumErrorBound.batchNorm(a, mean, beta, FixedPointMachineTest.values(words.get(1)), floatRow(run, 1, r), e);
                double[] normBound = e;
                double[] normOut = FixedPointMachineTest.values(words.get(2));
                float[] normFloat = floatRow(run, 2, r);
                for (int j = 0; j < normOut.length; j++) {
                    assertTrue(Math.abs(normOut[j] - normFloat[j]) <= normBound[j], "sample " + r + " feature " + j
                            + ": the normalization's output " + normOut[j] + " against float's " + normFloat[j]
                            + " beyond its bound " + normBound[j]);
                }
                e = AccumErrorBound.layer(AccumReference.parameter(cpu, 2, "W"), AccumReference.parameter(cpu, 2, "b"),
                        normOut, normFloat, e);
                worst = Math.max(worst, assertWithin(run, r, e, "sample " + r));
            }
            LOG.info("s16.15 dense → batch normalization ({}) → dense on {}: bit-equal to the reference, max |diff| "
                    + "to float {} (at most {} of its bound); {} cores, {} µs a sample", logStd ? "log10stdev" : "var",
                    strategy, run.maxDiffToFloat(), worst, run.stats().coresUsed(),
                    1e6 * run.stats().simulatedSecondsPerSample());
        }
    }

    /** Asserts every output of sample {@code r} within its bound; returns the largest |diff| / bound. */
    private static double assertWithin(Run run, int r, double[] bound, String what) {
        float[] floatOut = floatRow(run, run.floats().size() - 1, r);
        double worst = 0;
        for (int j = 0; j < floatOut.length; j++) {
            double diff = Math.abs(run.out()[r][j] - floatOut[j]);
            assertTrue(diff <= bound[j], what + " output " + j + ": " + diff + " above its bound " + bound[j]);
            worst = Math.max(worst, diff / bound[j]);
        }
        return worst;
    }

    /** nd4j's activations of layer l − 1 ({@code l} = 0: the input) for sample {@code r}, flattened NCHW. */
    private static float[] floatRow(Run run, int l, int r) {
        INDArray a = run.floats().get(l);
        return a.reshape('c', a.size(0), a.length() / a.size(0)).getRow(r).dup().toFloatVector();
    }
}
