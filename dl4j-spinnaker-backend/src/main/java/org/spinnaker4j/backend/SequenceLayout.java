package org.spinnaker4j.backend;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.spinnaker4j.mapper.ir.Conv1DGeometry;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;

/**
 * The host's side of a convolutional network's vectors, which the machine keeps position-major (value c of
 * position t at t·channels + c): its NCW input [batch, channels, length] and its label rows in, and each layer's
 * activations out as DL4J shapes them, [batch, channels, length] for a {@code Convolution1DLayer} (or a
 * {@code Subsampling1DLayer}) and, for a layer after RnnToFeedForward, a row per sample and position, sample i's
 * position t in row t·batch + i (a {@code GlobalPoolingLayer} and the layers after it: a row per sample). A 2-D
 * convolution's vectors are (row, column, channel): its NCHW input in, each layer's activations out as NCHW, and a
 * dense layer's after it as [batch, nOut].
 */
final class SequenceLayout {

    private SequenceLayout() {
    }

    /** Each sample's input vector, position-major. */
    static float[][] samples(INDArray input, Conv1DGeometry first) {
        if (first.image() != null) {
            return imageSamples(input, first.image());
        }
        long[] shape = input.shape();
        if (input.rank() != 3 || shape[1] != first.channelsIn() || shape[2] != first.length() || shape[0] == 0) {
            throw new IllegalArgumentException("this convolutional network takes NCW input [batch ≥ 1, "
                    + first.channelsIn() + ", " + first.length() + "] (the sequence length it was mapped for), got "
                    + "shape " + Arrays.toString(shape));
        }
        int batch = (int) shape[0];
        int c = first.channelsIn();
        int length = first.length();
        float[] flat = input.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[][] samples = new float[batch][c * length];
        for (int i = 0; i < batch; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int t = 0; t < length; t++) {
                    samples[i][t * c + ch] = flat[(i * c + ch) * length + t];
                }
            }
        }
        return samples;
    }

    /**
     * Each sample's image, NCHW [batch, channels, height, width] or flat [batch, channels·height·width] in that
     * order (InputType.convolutionalFlat), as a (row, column, channel) vector.
     */
    private static float[][] imageSamples(INDArray input, Conv2DGeometry g) {
        long[] shape = input.shape();
        int c = g.channelsIn();
        int pixels = g.height() * g.width();
        boolean nchw = input.rank() == 4 && shape[1] == c && shape[2] == g.height() && shape[3] == g.width();
        boolean flat = input.rank() == 2 && shape[1] == (long) c * pixels;
        if (!(nchw || flat) || shape[0] == 0) {
            throw new IllegalArgumentException("this convolutional network takes NCHW input [batch ≥ 1, " + c + ", "
                    + g.height() + ", " + g.width() + "] or [batch ≥ 1, " + c * pixels + "] (the image size it was "
                    + "mapped for), got shape " + Arrays.toString(shape));
        }
        int batch = (int) shape[0];
        float[] values = input.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[][] samples = new float[batch][c * pixels];
        for (int i = 0; i < batch; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < pixels; p++) {
                    samples[i][p * c + ch] = values[(i * c + ch) * pixels + p];
                }
            }
        }
        return samples;
    }

    /**
     * DL4J's rows of a per-position layer (sample i's position t in row t·batch + i) as one position-major vector
     * per sample: the inverse of {@link #activations} for a layer after RnnToFeedForward.
     */
    static float[][] bySample(float[][] rows, int batch) {
        int length = rows.length / batch;
        int c = rows[0].length;
        float[][] samples = new float[batch][length * c];
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < length; t++) {
                System.arraycopy(rows[t * batch + i], 0, samples[i], t * c, c);
            }
        }
        return samples;
    }

    /** A layer's activations, one position-major vector per sample, as DL4J shapes them. */
    static INDArray activations(float[][] values, DenseLayerSpec layer) {
        Conv1DGeometry g = layer.convolution();
        if (g.image() != null) {
            return g.image().dense() ? Nd4j.create(values) : nchw(values, g.image());
        }
        int batch = values.length;
        int c = g.channelsOut();
        int length = g.outLength();
        if (g.pointwise() || (layer.isPooling() && layer.pooling().global())) {
            float[][] rows = new float[batch * length][];
            for (int i = 0; i < batch; i++) {
                for (int t = 0; t < length; t++) {
                    rows[t * batch + i] = Arrays.copyOfRange(values[i], t * c, (t + 1) * c);
                }
            }
            return Nd4j.create(rows);
        }
        float[] ncw = new float[batch * c * length];
        for (int i = 0; i < batch; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int t = 0; t < length; t++) {
                    ncw[(i * c + ch) * length + t] = values[i][t * c + ch];
                }
            }
        }
        return Nd4j.create(ncw, new long[] {batch, c, length}, 'c');
    }

    /** A 2-D convolution's activations, (row, column, channel) per sample, as NCHW [batch, channels, height, width]. */
    private static INDArray nchw(float[][] values, Conv2DGeometry g) {
        int batch = values.length;
        int c = g.channelsOut();
        int pixels = g.outHeight() * g.outWidth();
        float[] out = new float[batch * c * pixels];
        for (int i = 0; i < batch; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < pixels; p++) {
                    out[(i * c + ch) * pixels + p] = values[i][p * c + ch];
                }
            }
        }
        return Nd4j.create(out, new long[] {batch, c, g.outHeight(), g.outWidth()}, 'c');
    }
}
