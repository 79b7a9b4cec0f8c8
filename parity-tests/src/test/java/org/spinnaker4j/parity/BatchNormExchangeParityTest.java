package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.kernels.BatchNormTrainingConfig;
import org.spinnaker4j.kernels.KernelActivation;
import org.spinnaker4j.kernels.KernelConfig;
import org.spinnaker4j.kernels.KernelCore;
import org.spinnaker4j.kernels.KernelKind;
import org.spinnaker4j.kernels.KeyRange;
import org.spinnaker4j.kernels.PoolingConfig;
import org.spinnaker4j.kernels.TrainingConfig;
import org.spinnaker4j.kernels.UpdateValues;
import org.spinnaker4j.kernels.UpdaterConfig;
import org.spinnaker4j.kernels.UpdaterKind;
import org.spinnaker4j.mapper.ir.PoolingSpec;

/**
 * A BatchNormalization after a 2-D convolution trained on several NORM blocks, each holding one image row (or a
 * slice of one), which exchange their partial sums per channel ({@link KernelCore#batchNormExchange}; each block's
 * sends delivered to every other block in a shuffled order), against nd4j-native 1.0.0-M2.1's layer in float on the
 * same [batch, channels, height, width] input: the training outputs, the deltas sent back, gamma and beta after
 * each SGD step of their gradients, the running mean and statistic after each step as DL4J's {@code fit} moves
 * them, over three mini-batches (an image of one row: a block alone, no exchange). Every block must end with the same bits of each channel's parameters. The largest
 * differences are logged (docs/architecture.md, "The kernel's mini-batch mode").
 */
class BatchNormExchangeParityTest {

    private static final Logger LOG = LoggerFactory.getLogger(BatchNormExchangeParityTest.class);
    private static final double EPS = BatchNormTrainingFloatTest.EPS;
    private static final double DECAY = BatchNormTrainingFloatTest.DECAY;
    private static final float LR = 0.1f;
    private static final int STEPS = 3;
    private static final double BOUND = 2e-6;
    private static final int IN = 0x100;
    private static final int E = 0x10000;
    private static final int X = 0x20000;
    private static final int OUT = 0x40000;
    private static final int BACK = 0x50000;

    /** A block: image row {@code y}, its row values {@code first ..} {@code first + cols − 1}, and its core. */
    private record Block(int y, int first, int cols, KernelCore core) { }

    /** The normalization over an image of {@code c} channels, h × w, then MSE (2), in float; random parameters. */
    private static MultiLayerNetwork network(boolean logStd, int h, int w, int c) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
                .updater(new Sgd(LR)).list()
                .layer(new BatchNormalization.Builder().useLogStd(logStd).eps(EPS).decay(DECAY).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(h, w, c)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(6);
        Layer layer = net.getLayer(0);
        layer.setParam("gamma", Nd4j.rand(DataType.FLOAT, 1, c).addi(0.5));
        layer.setParam("beta", Nd4j.rand(DataType.FLOAT, 1, c).subi(0.5));
        layer.setParam("mean", Nd4j.rand(DataType.FLOAT, 1, c).subi(0.5));
        layer.setParam(BatchNormTrainingFloatTest.statName(logStd),
                Nd4j.rand(DataType.FLOAT, 1, c).addi(logStd ? -0.5f : 0.2f));
        return net;
    }

    private static INDArray image(long seed, int batch, int c, int h, int w) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, batch, c, h, w).muli(3).subi(1);
    }

    private static float[] param(MultiLayerNetwork net, String name) {
        return net.getLayer(0).getParam(name).toFloatVector();
    }

    /** The blocks: each image row cut into {@code slices} slices of its w × c values (the last takes the rest). */
    private static List<Block> blocks(MultiLayerNetwork net, boolean logStd, int h, int w, int c, int slices,
                                      int batch) {
        int rowValues = w * c;
        int cut = (rowValues + slices - 1) / slices;
        int peers = h * slices;
        int keys = BatchNormTrainingConfig.exchangeKeys(c);
        List<Block> blocks = new ArrayList<>();
        for (int y = 0; y < h; y++) {
            for (int s = 0; s < slices; s++) {
                int index = y * slices + s;
                int first = s * cut;
                int cols = Math.min(cut, rowValues - first);
                List<KeyRange> inputs = new ArrayList<>();
                inputs.add(KeyRange.data(IN + y * rowValues, rowValues, 0));
                inputs.add(KeyRange.backwardPartial(E + index * rowValues, cols, 0));
                for (int q = 0; q < peers; q++) {
                    if (q != index) {
                        inputs.add(KeyRange.batchNormPartial(X + q * keys, c, q));
                    }
                }
                BatchNormTrainingConfig mode = new BatchNormTrainingConfig(batch, DECAY, EPS, logStd, c, h * w, peers,
                        index, peers > 1 ? X + index * keys : 0);
                TrainingConfig training = TrainingConfig.builder(new UpdaterConfig(UpdaterKind.SGD, LR, 0f, 0f, 0f))
                        .backwardPartials(1).sendsBackward(BACK + index * rowValues).samplesInFlight(batch)
                        .batchNorm(mode).build();
                KernelCore core = new KernelCore();
                core.load(new KernelConfig(KernelKind.DENSE_BLOCK, rowValues, cols, KernelActivation.IDENTITY, 0f, true,
                        OUT + index * rowValues, 0, 0, 0, inputs, training, PoolingConfig.norm(rowValues, first)),
                        weights(net, logStd, c, first, cols), perColumn(param(net, "beta"), c, first, cols));
                blocks.add(new Block(y, first, cols, core));
            }
        }
        return blocks;
    }

    /** A channel's values repeated in every column of that channel. */
    private static float[] perColumn(float[] channels, int c, int first, int cols) {
        float[] v = new float[cols];
        for (int j = 0; j < cols; j++) {
            v[j] = channels[(first + j) % c];
        }
        return v;
    }

    private static float[] weights(MultiLayerNetwork net, boolean logStd, int c, int first, int cols) {
        float[] gamma = perColumn(param(net, "gamma"), c, first, cols);
        float[] mean = perColumn(param(net, "mean"), c, first, cols);
        float[] stat = perColumn(param(net, BatchNormTrainingFloatTest.statName(logStd)), c, first, cols);
        float[] weights = new float[4 * cols];
        for (int j = 0; j < cols; j++) {
            weights[j] = gamma[j];
            weights[cols + j] = mean[j];
            weights[2 * cols + j] = stat[j];
            weights[3 * cols + j] = PoolingSpec.batchNorm(EPS, logStd).std(stat[j]);
        }
        return weights;
    }

    /** Value {@code i} of image row {@code y} of sample {@code b}: channel i mod c of pixel i / c. */
    private static float rowValue(INDArray a, int b, int y, int i, int c) {
        return a.getFloat(b, i % c, y, i / c);
    }

    /** Every block's sends of the round, delivered to every other block in a shuffled order (none alone). */
    private static void exchange(List<Block> blocks, int batch, int round, Random random) {
        if (blocks.size() == 1) {
            return;
        }
        List<int[]> packets = new ArrayList<>();
        for (int p = 0; p < blocks.size(); p++) {
            KernelCore core = blocks.get(p).core();
            int[] outbox = new int[2 * core.maxSendsPerEvent()];
            int sends = core.batchNormExchange(batch, round, outbox);
            for (int k = 0; k < sends; k++) {
                packets.add(new int[] {p, outbox[2 * k], outbox[2 * k + 1]});
            }
        }
        Collections.shuffle(packets, random);
        for (int[] packet : packets) {
            for (int q = 0; q < blocks.size(); q++) {
                if (q != packet[0]) {
                    KernelCore core = blocks.get(q).core();
                    assertEquals(0, core.onPacket(packet[1], packet[2], new int[2 * core.maxSendsPerEvent()]));
                }
            }
        }
    }

    /**
     * The largest difference of a block's event's sends (sample after sample, {@code rows} a sample, keys from
     * {@code base}) to a's values: send i of a sample is row value {@code offset + i}, compared if the block holds
     * it, else 0 (another block's).
     */
    private static double maxDiff(INDArray a, Block block, int[] outbox, int sends, int base, int rows, int offset,
                                  int c) {
        double d = 0;
        for (int k = 0; k < sends; k++) {
            int value = offset + k % rows;
            float sent = Float.intBitsToFloat(outbox[2 * k + 1]);
            assertEquals(base + k % rows, outbox[2 * k], "send " + k);
            if (value >= block.first() && value < block.first() + block.cols()) {
                d = Math.max(d, Math.abs(rowValue(a, k / rows, block.y(), value, c) - sent));
            } else {
                assertEquals(0f, sent, "send " + k + ": another block's value");
            }
        }
        return d;
    }

    @ParameterizedTest(name = "{0} x {1} x {2} in {3} slice(s) a row, useLogStd {4}, batch {5}")
    @CsvSource({"3, 5, 2, 1, true, 5", "3, 5, 2, 1, false, 16", "4, 3, 3, 1, false, 5", "4, 3, 3, 1, true, 16",
        "4, 3, 3, 2, true, 5", "4, 3, 3, 2, false, 16", "1, 5, 3, 1, true, 16"})
    void blocksExchangingTheirSumsTrainAsNd4j(int h, int w, int c, int slices, boolean logStd, int batch) {
        MultiLayerNetwork reference = network(logStd, h, w, c);
        MultiLayerNetwork fitted = network(logStd, h, w, c);
        List<Block> blocks = blocks(reference, logStd, h, w, c, slices, batch);
        Random random = new Random(11);
        double forward = 0;
        double backward = 0;
        double parameters = 0;
        double statistics = 0;
        for (int step = 0; step < STEPS; step++) {
            INDArray x = image(7 + step, batch, c, h, w);
            INDArray delta = image(9 + step, batch, c, h, w);
            Layer bn = reference.getLayer(0);
            LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
            reference.initGradientsView();
            bn.setInput(x, mgr);
            INDArray y = bn.activate(true, mgr).dup();
            Pair<Gradient, INDArray> back = bn.backpropGradient(delta, mgr);
            float[] dGamma = back.getFirst().getGradientFor("gamma").toFloatVector();
            float[] dBeta = back.getFirst().getGradientFor("beta").toFloatVector();
            INDArray deltaBack = back.getSecond().dup();

            for (int b = 0; b < batch; b++) {
                for (Block block : blocks) {
                    KernelCore core = block.core();
                    for (int i = 0; i < w * c; i++) {
                        assertEquals(0, core.onPacket(IN + block.y() * w * c + i,
                                Float.floatToRawIntBits(rowValue(x, b, block.y(), i, c)),
                                new int[2 * core.maxSendsPerEvent()]));
                    }
                }
            }
            exchange(blocks, batch, 0, random);
            exchange(blocks, batch, 1, random);
            for (Block block : blocks) {
                int[] outbox = new int[2 * block.core().maxSendsPerEvent()];
                forward = Math.max(forward, maxDiff(y, block, outbox, block.core().batchNormForward(batch, outbox),
                        OUT + blocks.indexOf(block) * w * c, block.cols(), block.first(), c));
            }
            for (int b = 0; b < batch; b++) {
                for (Block block : blocks) {
                    int index = blocks.indexOf(block);
                    for (int j = 0; j < block.cols(); j++) {
                        assertEquals(0, block.core().onPacket(E + index * w * c + j,
                                Float.floatToRawIntBits(rowValue(delta, b, block.y(), block.first() + j, c)),
                                new int[2 * block.core().maxSendsPerEvent()]));
                    }
                }
            }
            exchange(blocks, batch, 2, random);
            for (Block block : blocks) {
                int[] outbox = new int[2 * block.core().maxSendsPerEvent()];
                backward = Math.max(backward, maxDiff(deltaBack, block, outbox,
                        block.core().batchNormBackward(batch, outbox), BACK + blocks.indexOf(block) * w * c, w * c, 0, c));
            }
            UpdateValues rate = new UpdateValues(LR, 0f, 0f, 0f, 0f);
            for (Block block : blocks) {
                block.core().applyUpdate(batch, step, rate, rate);
            }

            // nd4j's SGD step of gamma and beta (their gradients ÷ batch), its fit's step of the running statistics
            float[] gamma = param(reference, "gamma");
            float[] beta = param(reference, "beta");
            for (int k = 0; k < c; k++) {
                gamma[k] -= LR * (dGamma[k] / batch);
                beta[k] -= LR * (dBeta[k] / batch);
            }
            fitted.fit(new DataSet(x, Nd4j.rand(DataType.FLOAT, batch, 2)));
            String stat = BatchNormTrainingFloatTest.statName(logStd);
            bn.setParam("gamma", Nd4j.createFromArray(gamma).reshape(1, c));
            bn.setParam("beta", Nd4j.createFromArray(beta).reshape(1, c));
            bn.setParam("mean", fitted.getLayer(0).getParam("mean").dup());
            bn.setParam(stat, fitted.getLayer(0).getParam(stat).dup());
            float[] mean = param(fitted, "mean");
            float[] stats = param(fitted, stat);
            float[][] kept = channelParameters(blocks, c);
            for (int k = 0; k < c; k++) {
                parameters = Math.max(parameters, Math.max(Math.abs(kept[0][k] - gamma[k]),
                        Math.abs(kept[4][k] - beta[k])));
                statistics = Math.max(statistics, Math.max(Math.abs(kept[1][k] - mean[k]),
                        Math.abs(kept[2][k] - stats[k])));
            }
        }
        LOG.info("{} x {} x {} in {} block(s) a row, useLogStd {}, batch {}, {} steps: largest differences to "
                + "nd4j-native: outputs {}, deltas back {}, gamma and beta {}, running statistics {}", h, w, c, slices,
                logStd, batch, STEPS, forward, backward, parameters, statistics);
        assertTrue(forward < BOUND, "outputs " + forward);
        assertTrue(backward < BOUND, "deltas back " + backward);
        assertTrue(parameters < BOUND, "gamma, beta " + parameters);
        assertTrue(statistics < BOUND, "running statistics " + statistics);
    }

    /**
     * Each channel's gamma, mean, statistic, std and beta ([5][c]) as every column of every block holds them,
     * asserted bit for bit the same everywhere.
     */
    private static float[][] channelParameters(List<Block> blocks, int c) {
        float[][] kept = new float[5][c];
        boolean[] seen = new boolean[c];
        for (Block block : blocks) {
            float[] w = block.core().readWeights();
            float[] b = block.core().readBias();
            for (int j = 0; j < block.cols(); j++) {
                int k = (block.first() + j) % c;
                float[] values = {w[j], w[block.cols() + j], w[2 * block.cols() + j], w[3 * block.cols() + j], b[j]};
                for (int r = 0; r < values.length; r++) {
                    if (seen[k]) {
                        assertEquals(Float.floatToRawIntBits(kept[r][k]), Float.floatToRawIntBits(values[r]),
                                "row " + r + " of channel " + k + " differs between blocks");
                    }
                    kept[r][k] = values[r];
                }
                seen[k] = true;
            }
        }
        return kept;
    }
}
