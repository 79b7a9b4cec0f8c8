package org.spinnaker4j.backend.frontend;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.spinnaker4j.kernels.AccumQuantiser;

/**
 * The score {@code fit} reports for an s16.15 mini-batch, whose cores send no loss: DL4J's own CPU score of the
 * network with its parameters, inputs and labels quantised to s16.15 as the cores hold them before the update. It
 * is the float loss of the quantised network, not the fixed-point outputs' loss (docs/fixed-point.md gives the
 * difference measured).
 */
public final class FixedPointScore {

    private FixedPointScore() {
    }

    /** DL4J's score of {@code conf} with {@code parameters}, on {@code features} and {@code labels}, all quantised. */
    public static double of(MultiLayerConfiguration conf, float[] parameters, float[][] features, float[][] labels) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init(Nd4j.create(quantised(new float[][] {parameters})[0], 1, parameters.length), false);
        INDArray x = Nd4j.create(quantised(features)).castTo(DataType.FLOAT);
        INDArray y = Nd4j.create(quantised(labels)).castTo(DataType.FLOAT);
        return cpu.score(new DataSet(x, y), false);
    }

    /** Each row's values rounded to the nearest s16.15 word's value (saturated), as the host loads them. */
    private static float[][] quantised(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            int[] words = AccumQuantiser.quantise(rows[r], 1, "score").words();
            out[r] = new float[words.length];
            for (int i = 0; i < words.length; i++) {
                out[r][i] = AccumQuantiser.toFloat(words[i]);
            }
        }
        return out;
    }
}
