package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * What training a BatchNormalization on the machine must reproduce, measured on nd4j-native 1.0.0-M2.1 (CPU only,
 * in double so that each formula is pinned to 1e-12): the training forward pass normalizes with the mini-batch's mean
 * and biased variance per feature (std = sqrt(var + eps)); the backward pass needs per feature only the sums of delta
 * and of delta · x̂; gamma and beta step through the network's updater with the gradient divided by the batch size;
 * and the running mean and statistic move by (1 − decay) towards the batch's, undivided: mean' = decay · mean + (1 −
 * decay) · batchMean, var' = decay · var + (1 − decay) · batchVar, and with useLogStd log10stdev' = log10(sqrt(decay
 * · 10^(2 · log10stdev) + (1 − decay) · batchVar)), no eps. {@link BatchNormTrainingFloatTest} pins the steps in float.
 */
class BatchNormTrainingReferenceTest {

    private static final int BATCH = 5;
    private static final int N = 3;
    private static final double EPS = 1e-3;
    private static final double DECAY = 0.8;
    private static final double LR = 0.1;
    private static final double EXACT = 1e-12;

    private static MultiLayerNetwork network(boolean logStd) {
        return network(DataType.DOUBLE, new BatchNormalization.Builder().useLogStd(logStd).eps(EPS).decay(DECAY), N);
    }

    /**
     * The normalization {@code bn} of {@code n} features, then an MSE output layer of 2 (Sgd at LR), in {@code type};
     * gamma, beta, the running mean and statistic random, each of its own range.
     */
    static MultiLayerNetwork network(DataType type, BatchNormalization.Builder bn, int n) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(type)
                .weightInit(WeightInit.XAVIER).updater(new Sgd(LR)).list()
                .layer(bn.build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(n)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(6);
        Layer layer = net.getLayer(0);
        boolean logStd = ((BatchNormalization) layer.conf().getLayer()).isUseLogStd();
        layer.setParam("gamma", Nd4j.rand(type, 1, n).addi(0.5));
        layer.setParam("beta", Nd4j.rand(type, 1, n).subi(0.5));
        layer.setParam("mean", Nd4j.rand(type, 1, n).subi(0.5));
        layer.setParam(logStd ? "log10stdev" : "var", Nd4j.rand(type, 1, n).addi(logStd ? -0.5 : 0.2));
        return net;
    }

    private static INDArray inputs() {
        Nd4j.getRandom().setSeed(7);
        return Nd4j.rand(DataType.DOUBLE, BATCH, N).muli(3).subi(1);
    }

    private static double batchMean(INDArray x, int j) {
        double s = 0;
        for (int i = 0; i < BATCH; i++) {
            s += x.getDouble(i, j);
        }
        return s / BATCH;
    }

    /** The biased variance: the sum of squares over the batch divided by the batch, not by batch − 1. */
    private static double batchVar(INDArray x, int j) {
        double m = batchMean(x, j);
        double s = 0;
        for (int i = 0; i < BATCH; i++) {
            s += (x.getDouble(i, j) - m) * (x.getDouble(i, j) - m);
        }
        return s / BATCH;
    }

    private static double xHat(INDArray x, int i, int j) {
        return (x.getDouble(i, j) - batchMean(x, j)) / Math.sqrt(batchVar(x, j) + EPS);
    }

    @ParameterizedTest(name = "useLogStd {0}")
    @ValueSource(booleans = {true, false})
    void trainingForwardNormalizesWithTheBatchsMeanAndBiasedVariance(boolean logStd) {
        MultiLayerNetwork net = network(logStd);
        INDArray x = inputs();
        INDArray gamma = net.getLayer(0).getParam("gamma");
        INDArray beta = net.getLayer(0).getParam("beta");
        INDArray y = net.feedForward(x, true).get(1);
        for (int i = 0; i < BATCH; i++) {
            for (int j = 0; j < N; j++) {
                double expected = xHat(x, i, j) * gamma.getDouble(j) + beta.getDouble(j);
                assertEquals(expected, y.getDouble(i, j), EXACT, "sample " + i + ", feature " + j);
            }
        }
        // outside training the running statistics normalize, as at inference on the machine
        INDArray inference = net.feedForward(x, false).get(1);
        double mean = net.getLayer(0).getParam("mean").getDouble(0);
        double stat = net.getLayer(0).getParam(logStd ? "log10stdev" : "var").getDouble(0);
        double std = Math.sqrt((logStd ? Math.pow(10, 2 * stat) : stat) + EPS);
        assertEquals((x.getDouble(0, 0) - mean) / std * gamma.getDouble(0) + beta.getDouble(0),
                inference.getDouble(0, 0), EXACT);
    }

    /**
     * One-hot probes: delta 1 at (sample p, feature q) and 0 elsewhere. Feature q's gamma gradient is x̂[p][q], its
     * beta gradient 1, the other features' 0; the delta sent back is gamma / std · (delta − Σdelta / B − x̂ ·
     * Σ(delta · x̂) / B), in feature q only. The running mean's and statistic's "gradients" are the decay's steps.
     */
    @ParameterizedTest(name = "useLogStd {0}")
    @ValueSource(booleans = {true, false})
    void backwardNeedsPerFeatureSumsOfDeltaAndDeltaTimesXHat(boolean logStd) {
        MultiLayerNetwork net = network(logStd);
        INDArray x = inputs();
        net.initGradientsView();
        Layer bn = net.getLayer(0);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        INDArray gamma = bn.getParam("gamma").dup();
        for (int p = 0; p < BATCH; p++) {
            for (int q = 0; q < N; q++) {
                bn.setInput(x, mgr);
                bn.activate(true, mgr);
                INDArray delta = Nd4j.zeros(DataType.DOUBLE, BATCH, N);
                delta.putScalar(p, q, 1);
                Pair<Gradient, INDArray> back = bn.backpropGradient(delta, mgr);
                INDArray dGamma = back.getFirst().getGradientFor("gamma");
                INDArray dBeta = back.getFirst().getGradientFor("beta");
                for (int j = 0; j < N; j++) {
                    assertEquals(j == q ? xHat(x, p, q) : 0, dGamma.getDouble(j), EXACT, "dGamma " + j);
                    assertEquals(j == q ? 1 : 0, dBeta.getDouble(j), EXACT, "dBeta " + j);
                }
                double std = Math.sqrt(batchVar(x, q) + EPS);
                double sumDeltaXHat = xHat(x, p, q);
                for (int i = 0; i < BATCH; i++) {
                    for (int j = 0; j < N; j++) {
                        double expected = j != q ? 0
                                : gamma.getDouble(q) / std
                                        * ((i == p ? 1 : 0) - 1.0 / BATCH - xHat(x, i, q) * sumDeltaXHat / BATCH);
                        assertEquals(expected, back.getSecond().getDouble(i, j), EXACT,
                                "delta back to sample " + i + ", feature " + j + " from probe " + p + ", " + q);
                    }
                }
            }
        }
    }

    /**
     * One fit step: gamma and beta by Sgd with their gradients divided by the batch size; the running mean and
     * statistic (a no-op updater, not divided) to the decayed averages. The variance averaged in is the biased one,
     * without eps in log10stdev's case too, whose new value is the log of the new standard deviation.
     */
    @ParameterizedTest(name = "useLogStd {0}")
    @ValueSource(booleans = {true, false})
    void oneStepMovesTheRunningStatisticsByOneMinusDecayUndivided(boolean logStd) {
        MultiLayerNetwork net = network(logStd);
        INDArray x = inputs();
        Nd4j.getRandom().setSeed(8);
        INDArray labels = Nd4j.rand(DataType.DOUBLE, BATCH, 2);
        String statName = logStd ? "log10stdev" : "var";
        Layer bn = net.getLayer(0);
        INDArray gamma = bn.getParam("gamma").dup();
        INDArray beta = bn.getParam("beta").dup();
        INDArray mean = bn.getParam("mean").dup();
        INDArray stat = bn.getParam(statName).dup();
        // the delta the output layer sends back, from the same training forward pass
        net.setInput(x);
        net.setLabels(labels);
        net.computeGradientAndScore();
        INDArray dGamma = net.gradient().getGradientFor("0_gamma").dup();
        INDArray dBeta = net.gradient().getGradientFor("0_beta").dup();
        net.fit(new DataSet(x, labels));
        for (int j = 0; j < N; j++) {
            assertEquals(gamma.getDouble(j) - LR * dGamma.getDouble(j) / BATCH, bn.getParam("gamma").getDouble(j),
                    EXACT, "gamma " + j);
            assertEquals(beta.getDouble(j) - LR * dBeta.getDouble(j) / BATCH, bn.getParam("beta").getDouble(j),
                    EXACT, "beta " + j);
            assertEquals(DECAY * mean.getDouble(j) + (1 - DECAY) * batchMean(x, j), bn.getParam("mean").getDouble(j),
                    EXACT, "mean " + j);
            double expected = logStd
                    ? Math.log10(Math.sqrt(DECAY * Math.pow(10, 2 * stat.getDouble(j))
                            + (1 - DECAY) * batchVar(x, j)))
                    : DECAY * stat.getDouble(j) + (1 - DECAY) * batchVar(x, j);
            assertEquals(expected, bn.getParam(statName).getDouble(j), EXACT, statName + " " + j);
        }
    }

    /**
     * After a 2-D convolution (an image of C channels) each channel's statistics span the batch and every pixel: its
     * mean and biased variance over BATCH × H × W values, and its running mean moves towards that mean.
     */
    @Test
    void overAnImageEachChannelsStatisticsSpanTheBatchAndEveryPixel() {
        int h = 2;
        int w = 3;
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE)
                .updater(new Sgd(LR)).list()
                .layer(new BatchNormalization.Builder().eps(EPS).decay(DECAY).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(h, w, N)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.rand(DataType.DOUBLE, BATCH, N, h, w).muli(3).subi(1);
        INDArray y = net.feedForward(x, true).get(1);
        INDArray mean = net.getLayer(0).getParam("mean").dup();
        net.fit(new DataSet(x, Nd4j.rand(DataType.DOUBLE, BATCH, 2)));
        for (int c = 0; c < N; c++) {
            // the channel's values as the rows of one feature: BATCH × h × w of them
            INDArray values = x.get(NDArrayIndex.all(), NDArrayIndex.point(c), NDArrayIndex.all(), NDArrayIndex.all())
                    .dup().reshape(BATCH * h * w, 1);
            double m = values.meanNumber().doubleValue();
            double var = values.sub(m).muli(values.sub(m)).meanNumber().doubleValue();
            for (int i = 0; i < BATCH; i++) {
                assertEquals((x.getDouble(i, c, 1, 2) - m) / Math.sqrt(var + EPS), y.getDouble(i, c, 1, 2), EXACT,
                        "sample " + i + ", channel " + c);
            }
            assertEquals(DECAY * mean.getDouble(c) + (1 - DECAY) * m, net.getLayer(0).getParam("mean").getDouble(c),
                    EXACT, "mean " + c);
        }
    }

    /**
     * In float no helper takes the layer over on the CPU (its own path runs, for features and images), and its
     * training outputs stay within 5e-7 of the double formula (measured: 1.0e-7 to 3.5e-7 for B = 5, 16, 32), which
     * is where a core computing in float lands too: nd4j's reductions are not a plain sum in sample order.
     */
    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {5, 16, 32})
    void inFloatTheLayersOwnPathRunsWithin5e7OfTheDoubleFormula(int batch) {
        for (boolean image : new boolean[] {false, true}) {
            NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(5)
                    .dataType(DataType.FLOAT).updater(new Sgd(LR)).list()
                    .layer(new BatchNormalization.Builder().eps(EPS).build())
                    .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build());
            MultiLayerNetwork net = new MultiLayerNetwork((image ? list.setInputType(InputType.convolutional(4, 3, N))
                    : list.setInputType(InputType.feedForward(N))).build());
            net.init();
            assertNull(net.getLayer(0).getHelper(), "a helper runs the layer");
            Nd4j.getRandom().setSeed(7);
            INDArray x = (image ? Nd4j.rand(DataType.FLOAT, batch, N, 4, 3) : Nd4j.rand(DataType.FLOAT, batch, N))
                    .muli(3).subi(1);
            INDArray y = net.feedForward(x, true).get(1);
            INDArray xd = x.castTo(DataType.DOUBLE);
            INDArray yd = y.castTo(DataType.DOUBLE);
            long pixels = x.length() / (batch * N);
            for (int c = 0; c < N; c++) {
                INDArray values = (image ? xd.get(NDArrayIndex.all(), NDArrayIndex.point(c), NDArrayIndex.all(),
                        NDArrayIndex.all()) : xd.getColumn(c)).dup().reshape(batch * pixels, 1);
                INDArray out = (image ? yd.get(NDArrayIndex.all(), NDArrayIndex.point(c), NDArrayIndex.all(),
                        NDArrayIndex.all()) : yd.getColumn(c)).dup().reshape(batch * pixels, 1);
                double m = values.meanNumber().doubleValue();
                double std = Math.sqrt(values.sub(m).muli(values.sub(m)).meanNumber().doubleValue() + EPS);
                double diff = Transforms.abs(values.sub(m).divi(std).subi(out)).maxNumber().doubleValue();
                assertTrue(diff < 5e-7, (image ? "image" : "features") + " channel " + c + ": " + diff);
            }
        }
    }
}
