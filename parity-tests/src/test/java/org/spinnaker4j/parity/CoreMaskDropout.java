package org.spinnaker4j.parity;

import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.ISchedule;
import org.spinnaker4j.backend.frontend.DropoutTranslator;
import org.spinnaker4j.kernels.KernelCore;

/**
 * DL4J's inverted dropout ({@code Dropout.applyDropout}: a mask of 1/p or 0, the input times it; its backprop the
 * gradient times the same mask) with the masks the cores draw, reconstructed on the host from their hash
 * ({@link KernelCore#dropoutHash}, {@link DropoutTranslator#stream}): nd4j-native running it follows the machine's
 * trajectory exactly, not just statistically. Value (sample s, index i) of the layer's input vector, position-major
 * along a sequence ({@code [batch, channels, length]}: i = t·channels + c; a layer run per position, whose rows are
 * t·batch + s, given its {@code positions}) or an image's rows ({@code [batch, channels, height, width]}: i = (y·width
 * + x)·channels + c; flattened in DL4J's (channel, row, column) order for a dense layer over the image, given its
 * {@code imageChannels}).
 */
final class CoreMaskDropout implements IDropout {

    private final double p;
    private final ISchedule schedule;
    private final long seed;
    private final int layer;
    private final int positions;
    private final int imageChannels;
    private transient INDArray mask;

    /**
     * @param p DL4J's p (when {@code schedule} is null)
     * @param schedule p's schedule, or null
     * @param seed the network's seed
     * @param layer the configuration's layer this dropout belongs to
     * @param positions the positions of a layer run per position (rank-2 input of positions × batch rows), else 1
     */
    CoreMaskDropout(double p, ISchedule schedule, long seed, int layer, int positions) {
        this(p, schedule, seed, layer, positions, 0);
    }

    /**
     * @param imageChannels the channels of the image a rank-2 input is flattened from, in DL4J's (channel, row,
     *        column) order ({@code CnnToFeedForwardPreProcessor}), else 0
     */
    CoreMaskDropout(double p, ISchedule schedule, long seed, int layer, int positions, int imageChannels) {
        this.p = p;
        this.schedule = schedule;
        this.seed = seed;
        this.layer = layer;
        this.positions = positions;
        this.imageChannels = imageChannels;
    }

    @Override
    public INDArray applyDropout(INDArray input, INDArray result, int iteration, int epoch,
            LayerWorkspaceMgr workspaceMgr) {
        float keep = (float) (schedule != null ? schedule.valueAt(iteration, epoch) : p);
        int stream = DropoutTranslator.stream(seed, iteration, layer);
        mask = workspaceMgr.createUninitialized(ArrayType.INPUT, input.dataType(), input.shape(), input.ordering());
        float scale = 1f / keep;
        if (input.rank() == 4) {
            long channels = input.size(1);
            long width = input.size(3);
            for (long s = 0; s < input.size(0); s++) {
                for (long c = 0; c < channels; c++) {
                    for (long y = 0; y < input.size(2); y++) {
                        for (long x = 0; x < width; x++) {
                            mask.putScalar(new long[] {s, c, y, x},
                                    value(stream, s, (y * width + x) * channels + c, keep, scale));
                        }
                    }
                }
            }
        } else if (input.rank() == 3) {
            long channels = input.size(1);
            for (long s = 0; s < input.size(0); s++) {
                for (long c = 0; c < channels; c++) {
                    for (long t = 0; t < input.size(2); t++) {
                        mask.putScalar(new long[] {s, c, t}, value(stream, s, t * channels + c, keep, scale));
                    }
                }
            }
        } else {
            long batch = input.size(0) / positions;
            long width = input.size(1);
            // a flattened image's value c·pixels + pixel is the machine's pixel·channels + c
            long pixels = imageChannels > 0 ? width / imageChannels : 1;
            for (long r = 0; r < input.size(0); r++) {
                for (long c = 0; c < width; c++) {
                    long index = imageChannels > 0 ? (c % pixels) * imageChannels + c / pixels : c;
                    mask.putScalar(r, c, value(stream, r % batch, (r / batch) * width + index, keep, scale));
                }
            }
        }
        Nd4j.getExecutioner().exec(new MulOp(input.castTo(DataType.FLOAT), mask, result));
        return result;
    }

    private static float value(int stream, long sample, long index, float keep, float scale) {
        return KernelCore.dropoutKeeps(KernelCore.dropoutHash(stream, (int) sample, (int) index), keep) ? scale : 0f;
    }

    @Override
    public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
        Nd4j.getExecutioner().exec(new MulOp(gradAtOutput, mask, gradAtInput));
        mask = null;
        return gradAtInput;
    }

    @Override
    public void clear() {
        mask = null;
    }

    @Override
    public CoreMaskDropout clone() {
        return new CoreMaskDropout(p, schedule, seed, layer, positions, imageChannels);
    }
}
