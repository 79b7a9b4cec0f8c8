package org.spinnaker4j.parity;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.spinnaker4j.demo.MnistIdx;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.kernels.AccumUpdate.Rounding;

/**
 * The measurement of docs/fixed-point.md's "Training in s16.15": the MNIST MLP ({@link ReferenceNetworks#mnistMlp},
 * Adam 1e-3; or with Sgd at a given rate) trained as MnistDemo trains it (the first 8,000 digits in mini-batches of 32
 * in order, 2 epochs) by DL4J in float32 on nd4j-native and by {@link AccumTrainingReference} with nearest and with
 * stochastic rounding, then the accuracy on the 2,000 test digits (the fixed-point networks evaluated in s16.15 by the
 * same reference). Arguments: the MNIST directory (default {@code ../data/mnist}), then {@code adam} (default) or
 * {@code sgd=<rate>}, then the stochastic rounding's seed (default 2026). Run from parity-tests with this checkout's
 * test class path (the command is in docs/fixed-point.md, "Training in s16.15").
 */
public final class FixedPointTrainingMnist {

    private static final int TRAIN = 8000;
    private static final int BATCH = 32;
    private static final int EPOCHS = 2;
    /** The stochastic rounding's seed unless given. */
    static final int SEED = 2026;

    private FixedPointTrainingMnist() {
    }

    public static void main(String[] args) throws IOException {
        Locale.setDefault(Locale.ROOT);
        Path dir = Path.of(args.length > 0 ? args[0] : "../data/mnist");
        String updater = args.length > 1 ? args[1] : "adam";
        int seed = args.length > 2 ? Integer.parseInt(args[2]) : SEED;
        DataSet all = MnistIdx.load(dir);
        DataSet train = (DataSet) all.getRange(0, TRAIN);
        DataSet test = (DataSet) all.getRange(TRAIN, all.numExamples());
        System.out.printf("MNIST MLP, %s: %d training digits, mini-batches of %d in order, %d epochs; %d test digits%n",
                updater, train.numExamples(), BATCH, EPOCHS, test.numExamples());
        long t0 = System.nanoTime();
        double cpu = floatAccuracy(updater, EPOCHS, train, test);
        System.out.printf("float32 (nd4j-native): accuracy %.2f %% (%.0f s)%n", 100 * cpu,
                (System.nanoTime() - t0) / 1e9);
        for (Rounding rounding : Rounding.values()) {
            t0 = System.nanoTime();
            Result fixed = fixedAccuracy(updater, rounding, seed, EPOCHS, train, test, System.out);
            System.out.printf("s16.15, %s rounding: accuracy %.2f %% (evaluated in s16.15; %.0f s)%n", rounding,
                    100 * fixed.accuracy(), (System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * The accuracy on {@code test} of the MLP trained by DL4J in float32 on nd4j-native as MnistDemo trains it (its
     * mini-batches in order), for {@code epochs}.
     */
    static double floatAccuracy(String updater, int epochs, DataSet train, DataSet test) {
        MultiLayerNetwork cpu = network(updater);
        for (int e = 0; e < epochs; e++) {
            cpu.fit(new ListDataSetIterator<>(train.asList(), BATCH));
        }
        Evaluation eval = new Evaluation(10);
        eval.eval(test.getLabels(), cpu.output(test.getFeatures()));
        return eval.accuracy();
    }

    /** What a fixed-point training gives: the accuracy on the test digits and the training's counts. */
    record Result(double accuracy, AccumTrainingReference.Counts counts) {
    }

    /**
     * The MLP trained by {@link AccumTrainingReference} (stochastic rounding seeded {@code seed}) for {@code epochs} as
     * MnistDemo trains it, evaluated in s16.15 on {@code test}; each epoch's mean mini-batch loss and counts printed to
     * {@code log}.
     */
    static Result fixedAccuracy(String updater, Rounding rounding, int seed, int epochs, DataSet train, DataSet test,
            PrintStream log) {
        float[][] x = train.getFeatures().toFloatMatrix();
        float[][] y = train.getLabels().toFloatMatrix();
        AccumTrainingReference fixed = new AccumTrainingReference(network(updater), rounding, seed);
        for (int e = 1; e <= epochs; e++) {
            double loss = 0;
            int batches = 0;
            for (int start = 0; start < x.length; start += BATCH) {
                int end = Math.min(x.length, start + BATCH);
                loss += fixed.fit(Arrays.copyOfRange(x, start, end), Arrays.copyOfRange(y, start, end)).loss();
                batches++;
            }
            log.printf("s16.15, %s rounding, epoch %d: mean mini-batch loss %.4f; %s%n", rounding, e, loss / batches,
                    fixed.counts());
        }
        float[][] testX = test.getFeatures().toFloatMatrix();
        float[][] testY = test.getLabels().toFloatMatrix();
        int right = 0;
        for (int r = 0; r < testX.length; r++) {
            if (testY[r][fixed.classify(testX[r])] == 1f) {
                right++;
            }
        }
        return new Result((double) right / testX.length, fixed.counts());
    }

    /** The MNIST MLP with its initial parameters (seed 42), with Adam 1e-3 or Sgd at the given rate. */
    static MultiLayerNetwork network(String updater) {
        MultiLayerConfiguration conf = ReferenceNetworks.mnistMlp();
        if (updater.startsWith("sgd=")) {
            double rate = Double.parseDouble(updater.substring(4));
            for (int l = 0; l < conf.getConfs().size(); l++) {
                ((BaseLayer) conf.getConf(l).getLayer()).setIUpdater(new Sgd(rate));
            }
        } else if (!updater.equals("adam")) {
            throw new IllegalArgumentException("Expected adam or sgd=<rate>, got " + updater);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
