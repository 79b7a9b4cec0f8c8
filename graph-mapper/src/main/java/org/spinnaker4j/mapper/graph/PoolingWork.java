package org.spinnaker4j.mapper.graph;

import org.spinnaker4j.mapper.ir.Conv1DGeometry;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.PoolingSpec;

/**
 * What a pooling layer's block pools in one sample, which the cost model charges at its completion: its
 * {@code kind}, its {@code windows} (each row of its field times each output pixel of its columns: the window's
 * setup on that row; along a sequence a position), their {@code pixels} (the window's pixels on the row that fall
 * on it) and the {@code values} it compares or adds (each such pixel's channels among the block's columns).
 */
public record PoolingWork(PoolingSpec.Kind kind, long windows, long pixels, long values) {

    public PoolingWork {
        if (kind == null || windows < 0 || pixels < windows || values < pixels) {
            throw new IllegalArgumentException("pooling work needs a kind and windows ≤ pixels ≤ values, got " + kind
                    + ", " + windows + ", " + pixels + ", " + values);
        }
    }

    /**
     * The work of the block of a pooling layer on {@code g} whose field is {@code rows} (whole input positions) and
     * whose columns are {@code cols} (within one output position): along a sequence each position of the field is one
     * pixel of {@code g.channelsIn()} channels; across an image's rows ({@code g.image()}) each is a row of pixels,
     * but for a batch normalization ({@link PoolingSpec.Kind#NORM}), which takes a row as one position.
     */
    public static PoolingWork of(PoolingSpec.Kind kind, Conv1DGeometry g, Slice rows, Slice cols) {
        // a batch normalization normalizes one position of its 1-D geometry (an image's: one row, as one pixel)
        Conv2DGeometry image = kind == PoolingSpec.Kind.NORM ? null : g.image();
        int channels = image == null ? g.channelsIn() : image.channelsIn();
        int width = image == null ? 1 : image.width();
        int kernelW = image == null ? 1 : image.kernelW();
        int strideW = image == null ? 1 : image.strideW();
        int padW = image == null ? 0 : image.padLeft();
        long fieldRows = rows.size() / ((long) width * channels);
        int first = cols.lo() % g.channelsOut();
        int end = first + cols.size();
        long windows = 0;
        long pixels = 0;
        long values = 0;
        for (int ox = first / channels; ox <= (end - 1) / channels; ox++) {
            int x0 = ox * strideW - padW;
            int n = Math.min(kernelW, width - x0) - Math.max(0, -x0);
            windows++;
            pixels += n;
            values += (long) n * (Math.min(end, (ox + 1) * channels) - Math.max(first, ox * channels));
        }
        return new PoolingWork(kind, windows * fieldRows, pixels * fieldRows, values * fieldRows);
    }
}
