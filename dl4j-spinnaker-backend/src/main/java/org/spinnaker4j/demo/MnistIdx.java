package org.spinnaker4j.demo;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads MNIST from gzip-compressed IDX files (images: magic 2051, labels: magic 2049) into a
 * DL4J {@link DataSet}: features scaled to [0, 1], labels one-hot over 10 classes.
 */
public final class MnistIdx {

    public static final String IMAGES = "mnist-10k-images-idx3-ubyte.gz";
    public static final String LABELS = "mnist-10k-labels-idx1-ubyte.gz";

    private MnistIdx() {
    }

    /** The digits in {@code dir} ({@link #IMAGES} and {@link #LABELS}). */
    public static DataSet load(Path dir) throws IOException {
        float[][] images = readImages(dir.resolve(IMAGES));
        int[] labels = readLabels(dir.resolve(LABELS));
        if (images.length != labels.length) {
            throw new IOException(dir + ": " + images.length + " images but " + labels.length + " labels");
        }
        INDArray features = Nd4j.create(images);
        INDArray oneHot = Nd4j.zeros(labels.length, 10);
        for (int i = 0; i < labels.length; i++) {
            oneHot.putScalar(i, labels[i], 1f);
        }
        return new DataSet(features, oneHot);
    }

    private static DataInputStream open(Path file, int magic) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("MNIST file not found: " + file.toAbsolutePath());
        }
        InputStream in = new GZIPInputStream(Files.newInputStream(file));
        DataInputStream data = new DataInputStream(in);
        int found = data.readInt();
        if (found != magic) {
            data.close();
            throw new IOException(file + ": IDX magic " + found + ", expected " + magic);
        }
        return data;
    }

    private static float[][] readImages(Path file) throws IOException {
        try (DataInputStream in = open(file, 2051)) {
            int n = in.readInt();
            int pixels = in.readInt() * in.readInt();
            byte[] buffer = new byte[pixels];
            float[][] images = new float[n][pixels];
            for (int i = 0; i < n; i++) {
                in.readFully(buffer);
                for (int p = 0; p < pixels; p++) {
                    images[i][p] = (buffer[p] & 0xFF) / 255f;
                }
            }
            return images;
        }
    }

    private static int[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file, 2049)) {
            int n = in.readInt();
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = in.readUnsignedByte();
                if (labels[i] > 9) {
                    throw new IOException(file + ": label " + labels[i] + " at index " + i + " is not a digit");
                }
            }
            return labels;
        }
    }
}
