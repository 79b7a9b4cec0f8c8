package org.spinnaker4j.mapper.graph;

import java.util.Objects;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.RowBlock;

/**
 * One core's worth of work. {@code layer} is the dense layer it belongs to (-1 for input
 * sources; for output sinks the activation vector they collect, the layer count for the
 * network's output; for relays the layer whose rows they feed); {@code rows} is the slice of the vector it
 * receives (the layer's input for blocks) and {@code cols} the slice it produces. A fused
 * block holds every row of its layer, so it adds the bias and applies the activation itself. {@code pooling} is what a
 * pooling layer's block pools (compares or adds, no weights), null for every other vertex. {@code image}
 * is the 2-D convolution a block runs along the image's rows holding its kernel once ({@link #rowBlock()}), null
 * for every other vertex. {@code arithmetic} is the number format its kernel computes in (its network's), which
 * decides the costs it is charged; {@code trains} whether its network trains on the machine, which decides how an
 * s16.15 block multiplies (a training block each word as it arrives, an inference block all at its completion).
 * {@code sdramPartials}, on an unfused block, that its partial sums go to its reduce through their chip's SDRAM and on
 * a reduce that all its blocks' come so ({@link OutgoingPartition#throughSdram()}); decided once the graph is placed.
 */
public record MachineVertex(int id, VertexKind kind, int layer, Slice rows, Slice cols, boolean fused,
        PoolingWork pooling, Conv2DGeometry image, Arithmetic arithmetic, boolean trains, boolean sdramPartials) {

    public MachineVertex {
        Objects.requireNonNull(arithmetic, "arithmetic");
        if (sdramPartials && !(kind == VertexKind.REDUCE || kind == VertexKind.DENSE_BLOCK && !fused)) {
            throw new IllegalArgumentException("vertex " + id + " (" + kind + (fused ? ", fused" : "")
                    + ") takes no partial sums through SDRAM: only unfused blocks and reduces do");
        }
    }

    /** A vertex whose partial sums, if any, go by packets. */
    public MachineVertex(int id, VertexKind kind, int layer, Slice rows, Slice cols, boolean fused,
            PoolingWork pooling, Conv2DGeometry image, Arithmetic arithmetic, boolean trains) {
        this(id, kind, layer, rows, cols, fused, pooling, image, arithmetic, trains, false);
    }

    /** This vertex with its partial sums through its chip's SDRAM. */
    public MachineVertex withSdramPartials() {
        return new MachineVertex(id, kind, layer, rows, cols, fused, pooling, image, arithmetic, trains, true);
    }

    /** A vertex of a network that does not train on the machine. */
    public MachineVertex(int id, VertexKind kind, int layer, Slice rows, Slice cols, boolean fused,
            PoolingWork pooling, Conv2DGeometry image, Arithmetic arithmetic) {
        this(id, kind, layer, rows, cols, fused, pooling, image, arithmetic, false);
    }

    /** A vertex computing in float32. */
    public MachineVertex(int id, VertexKind kind, int layer, Slice rows, Slice cols, boolean fused,
            PoolingWork pooling, Conv2DGeometry image) {
        this(id, kind, layer, rows, cols, fused, pooling, image, Arithmetic.FLOAT32);
    }

    /** A vertex that is not a pooling layer's block. */
    public MachineVertex(int id, VertexKind kind, int layer, Slice rows, Slice cols, boolean fused) {
        this(id, kind, layer, rows, cols, fused, null, null);
    }

    /** A vertex that is not a 2-D convolution's block. */
    public MachineVertex(int id, VertexKind kind, int layer, Slice rows, Slice cols, boolean fused,
            PoolingWork pooling) {
        this(id, kind, layer, rows, cols, fused, pooling, null);
    }

    /** A block of a 2-D convolution that holds its kernel once: its columns in their output row; else null. */
    public RowBlock rowBlock() {
        if (image == null) {
            return null;
        }
        int perRow = image.outWidth() * image.channelsOut();
        return new RowBlock(image, cols.lo() % perRow, cols.size());
    }

    /** The slice of the incoming vector this vertex takes: rows for blocks, cols otherwise. */
    public Slice inputSlice() {
        return kind == VertexKind.DENSE_BLOCK ? rows : cols;
    }

    /** Whether this vertex applies its layer's activation (a fused block or a reduce). */
    public boolean activates() {
        return kind == VertexKind.REDUCE || (kind == VertexKind.DENSE_BLOCK && fused);
    }

    public String label() {
        return switch (kind) {
            case INPUT_SOURCE -> "input" + cols;
            case DENSE_BLOCK -> "layer " + layer
                    + (pooling != null ? " " + pooling.kind() + " pool" : fused ? " fused" : " block") + " W" + rows + cols;
            case REDUCE -> "layer " + layer + " reduce" + cols;
            case RELAY -> "layer " + layer + " relay of rows" + cols;
            case OUTPUT_SINK -> "output of vector " + layer + " " + cols;
            case LABEL_SOURCE -> "labels" + cols;
            case LOSS_SINK -> "loss of " + cols.size() + " cores";
        };
    }

    @Override
    public String toString() {
        return "#" + id + " " + label();
    }
}
