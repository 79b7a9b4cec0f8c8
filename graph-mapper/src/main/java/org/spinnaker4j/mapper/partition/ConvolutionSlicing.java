package org.spinnaker4j.mapper.partition;

import java.util.ArrayList;
import java.util.List;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Conv1DGeometry;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.PoolingSpec;

/**
 * The slicing of a convolutional network ({@link NetworkSpec#isConvolutional()}): a block per output position and
 * slice of output channels, holding the kernel's columns for those channels and taking as rows exactly the input
 * positions its receptive field covers (all their channels; the padding's taps have no rows), so it is always
 * fused and every value goes only to the blocks whose receptive field covers it. Row slices of neighbouring
 * blocks overlap by the halo ({@code kernel − stride} positions), which is why a layer's row slices here are
 * paired with its column slices one for one rather than crossed ({@link GraphBuilder}). Each input position has
 * its input sources (one, or several that split its channels); a position that no output position sees (the
 * tail {@code ConvolutionMode.Truncate} drops, say) has none, as nothing needs it. A layer whose receptive fields
 * each come from several producers (every convolution of kernel > 1; a per-position layer whose input positions
 * are cut into channel slices) takes each field through a relay, shared by the blocks of that position: its
 * producers send at once, interleaved, and a block fed by them directly would multiply most of its rows only once
 * the first producer's last one is in, finishing late and slipping its sends into the next sample's window (the
 * kernel then refuses a duplicate row). A global pooling layer takes none (its field, the whole sequence, fits no
 * relay; its block does one compare or add per row). Each of the last layer's blocks
 * has an output sink of its own, as a dense layer's activating cores do: a sink fed by several blocks could get a
 * value of the next sample from one before the last of this sample's from another, since the pipelined schedule
 * lets a block's sends slip while it receives the next sample's inputs.
 */
final class ConvolutionSlicing {

    private ConvolutionSlicing() {
    }

    /**
     * The slicing in which the positions of vector v ≥ 1 have their channels cut into {@code channelSlices[v]}
     * slices (at least 1, at most the channels; 1 where a softmax needs every channel of a position on one core)
     * and every input position is fed by {@code sourcesPerPosition} sources (at most its channels).
     */
    static LayerSlicing of(NetworkSpec network, int[] channelSlices, int sourcesPerPosition) {
        int nLayers = network.layers().size();
        List<List<Slice>> rows = new ArrayList<>();
        List<List<Slice>> cols = new ArrayList<>();
        for (int l = 0; l < nLayers; l++) {
            Conv1DGeometry g = network.layers().get(l).convolution();
            boolean softmax = network.layers().get(l).activation().kind() == ActivationKind.SOFTMAX;
            int slices = softmax ? 1 : Math.max(1, Math.min(g.channelsOut(), channelSlices[l + 1]));
            List<Slice> layerRows = new ArrayList<>();
            List<Slice> layerCols = new ArrayList<>();
            for (int t = 0; t < g.outLength(); t++) {
                Slice field = new Slice((g.firstInput(t) + g.firstValidTap(t)) * g.channelsIn(),
                        (g.firstInput(t) + g.endValidTap(t)) * g.channelsIn());
                for (Slice c : positionSlices(network, l, slices)) {
                    layerRows.add(field);
                    layerCols.add(new Slice(t * g.channelsOut() + c.lo(), t * g.channelsOut() + c.hi()));
                }
            }
            rows.add(layerRows);
            cols.add(layerCols);
        }
        Conv1DGeometry first = network.layers().get(0).convolution();
        boolean[] seen = new boolean[first.length()];
        for (Slice field : rows.get(0)) {
            for (int p = field.lo() / first.channelsIn(); p < field.hi() / first.channelsIn(); p++) {
                seen[p] = true;
            }
        }
        List<Slice> sources = new ArrayList<>();
        for (int p = 0; p < first.length(); p++) {
            if (seen[p]) {
                for (Slice c : Slice.split(first.channelsIn(), Math.max(1, Math.min(first.channelsIn(),
                        sourcesPerPosition)))) {
                    sources.add(new Slice(p * first.channelsIn() + c.lo(), p * first.channelsIn() + c.hi()));
                }
            }
        }
        List<Boolean> relayed = new ArrayList<>();
        for (int l = 0; l < nLayers; l++) {
            List<Slice> producers = l == 0 ? sources : cols.get(l - 1);
            // a global pooling layer's field is the whole sequence, which no relay's slot table holds
            PoolingSpec pooling = network.layers().get(l).pooling();
            relayed.add((pooling == null || !pooling.global())
                    && rows.get(l).stream().anyMatch(field -> producers.stream().filter(field::overlaps).count() > 1));
        }
        return new LayerSlicing(sources, rows, cols, cols.get(nLayers - 1), relayed);
    }

    /**
     * A position's outputs cut into {@code slices} near-equal runs; but where a 2-D convolution trains and is cut into
     * more slices than its output columns, every output column's channels are cut alike into as many slices as that
     * takes, so that its blocks hold disjoint or equal channels of its kernel (the copies {@link KernelCopies} plans;
     * near-equal runs would give some blocks part of the channels and others, spanning two columns, all of them).
     */
    private static List<Slice> positionSlices(NetworkSpec network, int l, int slices) {
        Conv1DGeometry g = network.layers().get(l).convolution();
        Conv2DGeometry image = g.image();
        if (!network.trains() || image == null || image.dense() || network.layers().get(l).isPooling()
                || slices <= image.outWidth()) {
            return Slice.split(g.channelsOut(), slices);
        }
        int co = image.channelsOut();
        List<Slice> cut = new ArrayList<>();
        for (int ox = 0; ox < image.outWidth(); ox++) {
            for (Slice c : Slice.split(co, Math.min(co, (slices + image.outWidth() - 1) / image.outWidth()))) {
                cut.add(new Slice(ox * co + c.lo(), ox * co + c.hi()));
            }
        }
        return cut;
    }

    /** The most slices {@link #of} cuts vector v into per position: its channels (the input's: 1, by position). */
    static int maxChannelSlices(NetworkSpec network, int v) {
        return v == 0 ? 1 : network.layers().get(v - 1).convolution().channelsOut();
    }
}
