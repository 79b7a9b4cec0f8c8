package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * What the non-finite parity tests share: the special float values they plant (NaN, the
 * infinities, finite values that overflow {@code exp} or a square, signed zeros), the layouts
 * that put a layer on one core, behind a reduce core or one neuron per core, and the
 * comparison: NaN exactly where nd4j-native has NaN, infinities of the same sign, finite
 * values within a tolerance relative to their size.
 */
final class NonFinite {

    /** The special values, one per column of a test network. */
    static final float[] VALUES = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE,
        -Float.MAX_VALUE, 1e30f, -1e30f, 100f, -100f, 88.8f, -88.8f, 20.5f, -20.5f, 1f, -1f, -0.0f, 0f};

    /** How a test forces a layer onto one core, behind a reduce core, or over one core per neuron. */
    enum Layout {
        /** FEWEST_CORES on a small layer: one fused core per layer. */
        FUSED(PartitioningStrategy.FEWEST_CORES, 3),
        /** FEWEST_CORES on a layer with too many inputs for one core: reduce cores add bias and activate. */
        REDUCE(PartitioningStrategy.FEWEST_CORES, 3000),
        /** One neuron per core: a softmax layer exchanges max, sum (and backward dots) between peers. */
        NEURON_PER_CORE(PartitioningStrategy.NEURON_PER_CORE, 3);

        final PartitioningStrategy strategy;
        final int nIn;

        Layout(PartitioningStrategy strategy, int nIn) {
            this.strategy = strategy;
            this.nIn = nIn;
        }

        SpiNNakerOptions options() {
            return SpiNNakerOptions.builder().partitioning(strategy).build();
        }

        /** Asserts that the mapping has the shape this layout stands for. */
        void assertShape(Mapping mapping) {
            long reduces = mapping.graph().count(VertexKind.REDUCE);
            boolean softmax = mapping.network().layers().stream()
                    .anyMatch(l -> l.activation().kind() == ActivationKind.SOFTMAX);
            boolean split = mapping.graph().partitions().stream().anyMatch(p -> p.kind() == PartitionKind.SOFTMAX_SYNC);
            switch (this) {
                case FUSED -> assertTrue(reduces == 0 && !split, "FUSED: a layer was split");
                case REDUCE -> assertTrue(reduces > 0, "REDUCE: no reduce core");
                case NEURON_PER_CORE -> assertTrue(split == softmax, "NEURON_PER_CORE: softmax not split over peers");
            }
        }
    }

    private NonFinite() {
    }

    /** A [1, n] row of the given values. */
    static INDArray row(float... values) {
        return Nd4j.create(values.clone(), new long[] {1, values.length}, 'c');
    }

    /** A CPU network of {@code conf}, initialised, then {@code setUp} applied (e.g. to plant values). */
    static MultiLayerNetwork cpu(MultiLayerConfiguration conf, Consumer<MultiLayerNetwork> setUp) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        setUp.accept(cpu);
        return cpu;
    }

    /** Sets the bias of layer {@code layer} to {@code values}. */
    static void setBias(MultiLayerNetwork net, int layer, float... values) {
        net.getLayer(layer).getParam("b").assign(row(values));
    }

    /**
     * Asserts that {@code actual} is {@code expected} element by element: NaN where it is NaN,
     * the same infinity where it is infinite, otherwise within {@code tolerance}·max(1, |e|).
     */
    static void assertSameValues(String what, INDArray expected, INDArray actual, double tolerance) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] a = actual.castTo(DataType.FLOAT).dup('c').data().asFloat();
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < e.length; i++) {
            if (!same(e[i], a[i], tolerance)) {
                wrong.add("[" + i + "] CPU " + e[i] + " SpiNNaker " + a[i]);
            }
        }
        assertTrue(wrong.isEmpty(), what + ": " + wrong.size() + " of " + e.length + " differ: "
                + String.join(", ", wrong.subList(0, Math.min(12, wrong.size()))));
    }

    /** Whether {@code a} is {@code e}: both NaN, the same infinity, or both finite and close. */
    static boolean same(double e, double a, double tolerance) {
        if (Double.isNaN(e) || Double.isInfinite(e) || Double.isNaN(a) || Double.isInfinite(a)) {
            return Double.compare(e, a) == 0;
        }
        return Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e));
    }
}
