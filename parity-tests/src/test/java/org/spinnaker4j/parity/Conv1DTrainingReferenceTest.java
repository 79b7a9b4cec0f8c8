package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * What training a Convolution1DLayer on the machine must reproduce, measured on nd4j-native (CPU only): the
 * kernel's gradient is the sum over every sample and output position of input × delta, tap by tap, at DL4J's
 * flat index (so the blocks of a channel slice, each summing its own position's share, add up to it); the
 * per-position output layer's rows (sample i's position t in row t·batch + i) all count in its gradient; and
 * both the score and the update divide by the number of those rows, batch × positions, not by the sequences.
 */
class Conv1DTrainingReferenceTest {

    private static final int BATCH = 5;
    private static final int N_IN = 2;
    private static final int N_OUT = 3;
    private static final int K = 3;
    private static final int STRIDE = 2;
    private static final int PAD = 1;
    private static final int LENGTH = 7;
    /** (7 + 2 − 3) / 2 + 1 output positions. */
    private static final int T = 4;
    private static final int CLASSES = 2;
    private static final double LR = 0.1;

    private static MultiLayerNetwork network() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .weightInit(WeightInit.XAVIER).biasInit(0.1).updater(new Sgd(LR)).list()
                .layer(new Convolution1DLayer.Builder().nIn(N_IN).nOut(N_OUT).kernelSize(K).stride(STRIDE)
                        .padding(PAD).convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY)
                        .build())
                .inputPreProcessor(1, new RnnToFeedForwardPreProcessor())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(N_OUT).nOut(CLASSES)
                        .activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void theKernelsGradientIsTheSumOverSamplesAndPositionsAndScoreAndUpdateDivideByTheRows() {
        MultiLayerNetwork net = network();
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.rand(DataType.DOUBLE, BATCH, N_IN, LENGTH).subi(0.5);
        INDArray labels = Nd4j.rand(DataType.DOUBLE, BATCH * T, CLASSES);
        DataSet data = new DataSet(x, labels);
        INDArray before = net.params().dup();
        // the convolution's output [batch, N_OUT, T] as the output layer's rows: row t * batch + i
        INDArray conv = net.feedForward(x).get(1).permute(2, 0, 1).dup('c').reshape('c', T * BATCH, N_OUT);
        INDArray y = net.output(x);
        assertEquals(BATCH * T, y.rows());
        // MSE: the score sums (y - t)^2 / classes over the rows; its gradient is 2 (y - t) / classes per output
        INDArray diff = y.sub(labels);
        double sumOfRows = diff.mul(diff).sumNumber().doubleValue() / CLASSES;
        assertEquals(sumOfRows / (BATCH * T), net.score(data), 1e-12, "the score divides by the rows");
        INDArray delta = diff.mul(2.0 / CLASSES);
        INDArray wOut = before.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(N_OUT + K * N_IN * N_OUT,
                N_OUT + K * N_IN * N_OUT + N_OUT * CLASSES)).reshape('f', N_OUT, CLASSES);
        INDArray deltaConv = delta.mmul(wOut.transpose()); // identity activation
        double[] expected = new double[(int) before.length()];
        for (int i = 0; i < BATCH; i++) {
            for (int t = 0; t < T; t++) {
                int row = t * BATCH + i;
                for (int out = 0; out < N_OUT; out++) {
                    double d = deltaConv.getDouble(row, out);
                    expected[out] += d;
                    for (int k = 0; k < K; k++) {
                        int p = t * STRIDE - PAD + k;
                        for (int in = 0; in < N_IN && p >= 0 && p < LENGTH; in++) {
                            expected[N_OUT + k * N_IN * N_OUT + in * N_OUT + out] += x.getDouble(i, in, p) * d;
                        }
                    }
                }
            }
        }
        net.fit(data);
        INDArray step = before.sub(net.params());
        for (int p = 0; p < N_OUT + K * N_IN * N_OUT; p++) {
            assertEquals(LR * expected[p] / (BATCH * T), step.getDouble(p), 1e-12, "parameter " + p);
        }
        // the output layer's weights: the sum over every row of its input times its delta
        for (int in = 0; in < N_OUT; in++) {
            for (int c = 0; c < CLASSES; c++) {
                double g = conv.getColumn(in).mul(delta.getColumn(c)).sumNumber().doubleValue();
                int p = N_OUT + K * N_IN * N_OUT + c * N_OUT + in;
                assertEquals(LR * g / (BATCH * T), step.getDouble(p), 1e-12, "output weight " + in + ", " + c);
            }
        }
    }
}
