package org.spinnaker4j.mapper.ir;

import java.util.List;
import java.util.Objects;

/**
 * The network IR: a chain of dense layers over an input vector; for a network that trains on
 * the machine, its {@link TrainingSpec} (null for inference); and whether the host reads every
 * layer's activations back ({@code readsEveryLayer}) or only the last layer's. No front-end
 * (DL4J) types, so any front end can lower into it. A convolutional network is a chain of
 * convolutions ({@link Conv1DGeometry}), each taking the sequence the one before it makes; its training mapping
 * runs forward and backward passes, and updates only where every layer holds its kernel once
 * ({@link #updatesOnTheMachine()}). MAX and AVG pooling layers ({@link PoolingSpec}) train (they have no parameters);
 * a batch normalization per feature or per channel after a 2-D convolution trains with the mini-batch's statistics.
 * {@code arithmetic} is the number format every core computes in; an {@link Arithmetic#S16_15} training network trains
 * only on the fused blocks the kernels train in s16.15 (the front end checks which networks; docs/fixed-point.md).
 * {@code input} is how each sample reaches the first layer ({@link InputPath}).
 */
public record NetworkSpec(List<DenseLayerSpec> layers, TrainingSpec training, boolean readsEveryLayer,
        Arithmetic arithmetic, InputPath input) {

    /** An inference-only network whose output is read back. */
    public NetworkSpec(List<DenseLayerSpec> layers) {
        this(layers, null, false);
    }

    /** A network computing in float32. */
    public NetworkSpec(List<DenseLayerSpec> layers, TrainingSpec training, boolean readsEveryLayer) {
        this(layers, training, readsEveryLayer, Arithmetic.FLOAT32);
    }

    /** A network computing in {@code arithmetic} whose input comes by {@link InputPath#PACKETS}. */
    public NetworkSpec(List<DenseLayerSpec> layers, TrainingSpec training, boolean readsEveryLayer,
            Arithmetic arithmetic) {
        this(layers, training, readsEveryLayer, arithmetic, InputPath.PACKETS);
    }

    /** A network whose output is read back, trained on the machine if {@code training} is not null. */
    public NetworkSpec(List<DenseLayerSpec> layers, TrainingSpec training) {
        this(layers, training, false);
    }

    public NetworkSpec {
        layers = List.copyOf(layers);
        Objects.requireNonNull(arithmetic, "arithmetic");
        Objects.requireNonNull(input, "input");
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
        if (training != null && training.updaters().size() != layers.size()) {
            throw new IllegalArgumentException("an updater per layer is needed: " + layers.size() + " layers, "
                    + training.updaters().size() + " updaters");
        }
        for (int i = 1; i < layers.size(); i++) {
            if (layers.get(i).nIn() != layers.get(i - 1).nOut()) {
                throw new IllegalArgumentException("layer " + i + " has nIn " + layers.get(i).nIn()
                        + " but layer " + (i - 1) + " has nOut " + layers.get(i - 1).nOut());
            }
        }
        boolean convolutional = layers.get(0).isConvolution();
        if (convolutional && input == InputPath.SDRAM) {
            throw new IllegalArgumentException("input from SDRAM is read by a fully connected first layer's blocks; "
                    + "a convolutional network takes its input as packets (InputPath.PACKETS)");
        }
        for (int i = 0; i < layers.size(); i++) {
            Conv1DGeometry g = layers.get(i).convolution();
            if ((g != null) != convolutional) {
                throw new IllegalArgumentException("layer " + i + " mixes convolutions and fully connected layers; "
                        + "a network is a chain of one kind");
            }
            Conv1DGeometry before = i == 0 ? null : layers.get(i - 1).convolution();
            if (before != null && (g.channelsIn() != before.channelsOut() || g.length() != before.outLength())) {
                throw new IllegalArgumentException("layer " + i + " takes " + g.channelsIn() + " channels × "
                        + g.length() + " positions, layer " + (i - 1) + " makes " + before.channelsOut() + " × "
                        + before.outLength());
            }
        }
    }

    /** The same layers for inference, with every layer's activations read back. */
    public NetworkSpec readingEveryLayer() {
        return new NetworkSpec(layers, null, true, arithmetic, input);
    }

    /** The same network computing in {@code arithmetic}. */
    public NetworkSpec withArithmetic(Arithmetic arithmetic) {
        return new NetworkSpec(layers, training, readsEveryLayer, arithmetic, input);
    }

    /** The same network with its input reaching the first layer by {@code path}. */
    public NetworkSpec withInput(InputPath path) {
        return new NetworkSpec(layers, training, readsEveryLayer, arithmetic, path);
    }

    /** Whether the cores compute in s16.15 fixed point. */
    public boolean fixedPoint() {
        return arithmetic == Arithmetic.S16_15;
    }

    /** Whether the layers are convolutions along a sequence (all of them, then). */
    public boolean isConvolutional() {
        return layers.get(0).isConvolution();
    }

    /**
     * Whether the cores can apply this network's updates: a fully connected network, or a convolutional one whose
     * every tap some position block holds ({@link Conv1DGeometry#holdsEveryTap()}) and whose kernels held by several
     * blocks ({@link Conv1DGeometry#copiesKernel()}: several positions, or a 2-D convolution's column slices) exchange
     * their copies' shares ({@link #exchangesKernelCopies(int)}) to update as one (a pooling layer has no kernel), and
     * whose batch normalizations are per feature or per channel after a 2-D convolution
     * ({@link DenseLayerSpec#holdsMiniBatch()}: the cores compute their mini-batch's statistics; one along a sequence
     * they do not).
     */
    public boolean updatesOnTheMachine() {
        for (int l = 0; l < layers.size(); l++) {
            if (layers.get(l).isBatchNorm() && !layers.get(l).holdsMiniBatch()) {
                return false;
            }
            Conv1DGeometry g = layers.get(l).convolution();
            if (g != null && !layers.get(l).isPooling()
                    && (!g.holdsEveryTap() || (g.copiesKernel() && !exchangesKernelCopies(l)))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether layer {@code l}'s kernel copies, one in each of its position blocks, exchange their shares of the
     * gradient in training (the owners update, {@code KernelCopies}): a convolution of several output positions
     * whose every tap two or more of them hold ({@link Conv1DGeometry#sharesEveryTap()}), unless its gradient
     * normalization needs the layer's L2 norm, which the owners' chunks do not yet exchange.
     */
    public boolean exchangesKernelCopies(int l) {
        Conv1DGeometry g = layers.get(l).convolution();
        return training != null && g != null && !layers.get(l).isPooling() && g.outLength() > 1 && g.sharesEveryTap()
                && training.updater(l).gradientNormalization().type().normKeys() == 0;
    }

    /**
     * The rows of DL4J's output per sample, which its score and update divide by with the samples: a position
     * each for a convolutional network (its last layer runs per position), else 1.
     */
    public int rowsPerSample() {
        Conv1DGeometry last = layers.get(layers.size() - 1).convolution();
        return last == null ? 1 : last.outLength();
    }

    public boolean trains() {
        return training != null;
    }

    public int nIn() {
        return layers.get(0).nIn();
    }

    public int nOut() {
        return layers.get(layers.size() - 1).nOut();
    }

    /**
     * The size of activation vector v: v = 0 is the input, v = l + 1 the output of layer l.
     */
    public int vectorSize(int v) {
        return v == 0 ? nIn() : layers.get(v - 1).nOut();
    }

    /** The dropout of layer l's input in training ({@link InputDropout#NONE} outside training). */
    public InputDropout dropout(int layer) {
        return training == null ? InputDropout.NONE : training.dropout(layer);
    }
}
