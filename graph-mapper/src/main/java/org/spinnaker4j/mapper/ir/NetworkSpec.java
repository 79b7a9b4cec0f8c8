package org.spinnaker4j.mapper.ir;

import java.util.List;

/**
 * The network IR: a chain of dense layers over an input vector and, for a network that trains
 * on the machine, its {@link TrainingSpec} (null for inference). No front-end (DL4J) types, so
 * any front end can lower into it.
 */
public record NetworkSpec(List<DenseLayerSpec> layers, TrainingSpec training) {

    /** An inference-only network. */
    public NetworkSpec(List<DenseLayerSpec> layers) {
        this(layers, null);
    }

    public NetworkSpec {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
        for (int i = 1; i < layers.size(); i++) {
            if (layers.get(i).nIn() != layers.get(i - 1).nOut()) {
                throw new IllegalArgumentException("layer " + i + " has nIn " + layers.get(i).nIn()
                        + " but layer " + (i - 1) + " has nOut " + layers.get(i - 1).nOut());
            }
        }
    }

    /** The same layers, mapped for training with {@code spec}. */
    public NetworkSpec withTraining(TrainingSpec spec) {
        return new NetworkSpec(layers, spec);
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
}
