package org.spinnaker4j.mapper.partition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Conv1DGeometry;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.RowBlock;

/**
 * The copies of one slice of a convolution's kernel that a mapping's position blocks hold, and the plan of the
 * exchange that makes them update as one: every parameter has one <b>owner</b> among the copies that hold it,
 * which adds the holders' gradient shares in position order, updates the parameter and sends its new value to them (a
 * reduce-scatter, then an all-gather), so every copy holds the same bits.
 *
 * <p>The slice's parameters are numbered as one flat array: its kernel rows (tap·channelsIn + in, every tap) by
 * its {@code channels}, row-major, then the channels' biases. The copy of output position t holds the rows of the
 * taps that fall on the input ({@link Conv1DGeometry#firstValidTap}, {@link Conv1DGeometry#endValidTap}): a
 * contiguous range of the flat weights, and every bias. The parameters are cut into {@link Chunk}s, each with its
 * holders and its owner: a run of taps with the same holders (all the taps when no padding reaches a block), cut
 * into near-equal parts, one per holder; the biases likewise. Owners are dealt round robin over the chunks, so the
 * parts are spread evenly over the copies. Taps no block holds (they see only padding) are listed in
 * {@link #unheldTaps()}: no exchange covers them. A 2-D convolution's blocks hold their kernel once
 * ({@link RowBlock}): a tap is a kernel row (kernelW × channelsIn inputs), each output row is a position whose column
 * slices are copies each, and a slice is the channels a block's kernel holds (every block holding the same
 * channels holds the same kernel; slices of a layer that overlap without being equal cannot update as one).
 *
 * @param layer the convolution's layer
 * @param channels the output channels of the slice, within one position
 * @param copies the blocks holding the slice, in position order
 * @param chunks the slice's held parameters cut by owner, in flat order (weights, then biases)
 * @param unheldTaps taps whose rows no block holds
 * @param weights the slice's flat kernel weights (every tap's rows), where its biases, if it has any, start
 */
public record KernelCopies(int layer, Slice channels, List<Copy> copies, List<Chunk> chunks, List<Integer> unheldTaps,
        int weights) {

    /**
     * One block holding a copy of the slice.
     *
     * @param vertex the block's vertex id
     * @param position its output position
     * @param weights the flat weights it holds (its taps' kernel rows by the slice's channels)
     */
    public record Copy(int vertex, int position, Slice weights) {
    }

    /**
     * Contiguous parameters with the same holders and one owner.
     *
     * @param params the flat parameter range
     * @param holders indices into {@link #copies()} of the copies holding them, in position order
     * @param owner the index into {@link #copies()} of the copy that adds the shares and sends the sums
     */
    public record Chunk(Slice params, List<Integer> holders, int owner) {

        public Chunk {
            holders = List.copyOf(holders);
            if (!holders.contains(owner)) {
                throw new IllegalArgumentException("owner " + owner + " does not hold " + params);
            }
        }
    }

    public KernelCopies {
        copies = List.copyOf(copies);
        chunks = List.copyOf(chunks);
        unheldTaps = List.copyOf(unheldTaps);
    }

    /**
     * The kernel slices of every convolution in {@code graph}, by layer and then channel slice. Each position's
     * blocks must cut the channels alike (the strategies give a vector one slicing for all its positions).
     */
    public static List<KernelCopies> of(NetworkSpec network, MachineGraph graph) {
        List<KernelCopies> all = new ArrayList<>();
        for (int l = 0; l < network.layers().size(); l++) {
            DenseLayerSpec layer = network.layers().get(l);
            if (!layer.isConvolution()) {
                continue;
            }
            Conv1DGeometry g = layer.convolution();
            Map<Slice, List<MachineVertex>> byChannels = new LinkedHashMap<>();
            for (MachineVertex v : graph.vertices()) {
                if (v.kind() == VertexKind.DENSE_BLOCK && v.layer() == l) {
                    byChannels.computeIfAbsent(heldChannels(g, v), c -> new ArrayList<>()).add(v);
                }
            }
            for (Map.Entry<Slice, List<MachineVertex>> e : byChannels.entrySet()) {
                if (byChannels.keySet().stream().anyMatch(c -> !c.equals(e.getKey()) && c.overlaps(e.getKey()))) {
                    throw new IllegalArgumentException("layer " + l + "'s blocks hold kernel channels " + e.getKey()
                            + " and " + byChannels.keySet() + ": the copies of a channel must all hold the same "
                            + "channels to update as one");
                }
                long positions = e.getValue().stream().mapToInt(v -> v.cols().lo() / g.channelsOut()).distinct()
                        .count();
                if (positions != g.outLength() || (g.image() == null && e.getValue().size() != g.outLength())) {
                    throw new IllegalArgumentException("layer " + l + "'s channels " + e.getKey() + " are held by "
                            + e.getValue().size() + " blocks of " + positions + " of its " + g.outLength()
                            + " positions: every position must cut its channels alike");
                }
                all.add(plan(l, layer.hasBias(), g, e.getKey(), e.getValue()));
            }
        }
        return all;
    }

    /**
     * The output channels of the kernel a block holds: its columns' within its position, but a 2-D convolution's
     * block ({@link RowBlock}) holds the channels of its kernel, every channel where its columns span several output
     * columns.
     */
    private static Slice heldChannels(Conv1DGeometry g, MachineVertex v) {
        RowBlock block = v.rowBlock();
        if (block != null) {
            return new Slice(block.firstChannel(), block.firstChannel() + block.channels());
        }
        int t = v.cols().lo() / g.channelsOut();
        return new Slice(v.cols().lo() - t * g.channelsOut(), v.cols().hi() - t * g.channelsOut());
    }

    /**
     * The plan of one channel slice. A 2-D convolution's blocks ({@link RowBlock}) are planned as a convolution along
     * the image's rows whose kernel row (tap) is one kernel row of the 2-D kernel, kernelW × channelsIn inputs by the
     * slice's channels, which is how a block holds it; the blocks of each output row (its column slices) are copies
     * of that position, in order of column.
     */
    private static KernelCopies plan(int layer, boolean bias, Conv1DGeometry g, Slice channels,
            List<MachineVertex> blocks) {
        Conv2DGeometry image = g.image();
        int perTap = (image != null && !image.dense() ? image.kernelW() * image.channelsIn() : g.channelsIn())
                * channels.size();
        List<Copy> copies = new ArrayList<>();
        blocks.stream().sorted(Comparator.comparingInt(v -> v.cols().lo())).forEach(v -> {
            int t = v.cols().lo() / g.channelsOut();
            Slice field = new Slice((g.firstInput(t) + g.firstValidTap(t)) * g.channelsIn(),
                    (g.firstInput(t) + g.endValidTap(t)) * g.channelsIn());
            if (!v.fused() || !v.rows().equals(field)) {
                throw new IllegalArgumentException(v + " is not a fused block of position " + t + "'s whole field "
                        + field + ": only those hold a copy of the kernel");
            }
            copies.add(new Copy(v.id(), t, new Slice(g.firstValidTap(t) * perTap, g.endValidTap(t) * perTap)));
        });
        List<Chunk> chunks = new ArrayList<>();
        List<Integer> unheld = new ArrayList<>();
        int[] next = {0};
        int tap = 0;
        while (tap < g.kernel()) {
            List<Integer> holders = holders(copies, g, tap);
            int end = tap + 1;
            while (end < g.kernel() && holders(copies, g, end).equals(holders)) {
                end++;
            }
            if (holders.isEmpty()) {
                for (int j = tap; j < end; j++) {
                    unheld.add(j);
                }
            } else {
                deal(new Slice(tap * perTap, end * perTap), holders, next, chunks);
            }
            tap = end;
        }
        if (bias) {
            List<Integer> all = new ArrayList<>();
            for (int c = 0; c < copies.size(); c++) {
                all.add(c);
            }
            deal(new Slice(g.kernel() * perTap, g.kernel() * perTap + channels.size()), all, next, chunks);
        }
        return new KernelCopies(layer, channels, copies, chunks, unheld, g.kernel() * perTap);
    }

    /** The copies whose position's taps include {@code tap}, in position order. */
    private static List<Integer> holders(List<Copy> copies, Conv1DGeometry g, int tap) {
        List<Integer> holders = new ArrayList<>();
        for (int c = 0; c < copies.size(); c++) {
            int t = copies.get(c).position();
            if (g.firstValidTap(t) <= tap && tap < g.endValidTap(t)) {
                holders.add(c);
            }
        }
        return holders;
    }

    /** Cuts {@code run} into one near-equal part per holder (fewer when shorter), owners dealt on from next[0]. */
    private static void deal(Slice run, List<Integer> holders, int[] next, List<Chunk> chunks) {
        for (Slice part : Slice.split(run.size(), Math.min(holders.size(), run.size()))) {
            chunks.add(new Chunk(new Slice(run.lo() + part.lo(), run.lo() + part.hi()), holders,
                    holders.get(next[0] % holders.size())));
            next[0]++;
        }
    }

    /**
     * The chunks copy {@code c} sends its shares of, in the order its kernel sends them ({@code s4j_share_start}): the
     * chunks it holds, from the one after the first it owns (the first if it owns none) round to those before it,
     * but those it owns. Owners are dealt round robin, so the copies starting after their own chunks reach different
     * owners at first, not every copy the first chunk's owner at once.
     */
    public List<Chunk> shareOrder(int c) {
        List<Chunk> held = chunks.stream().filter(k -> k.holders().contains(c)).toList();
        int first = 0;
        for (int i = 0; i < held.size(); i++) {
            if (held.get(i).owner() == c) {
                first = (i + 1) % held.size();
                break;
            }
        }
        List<Chunk> order = new ArrayList<>();
        for (int j = 0; j < held.size(); j++) {
            Chunk k = held.get((first + j) % held.size());
            if (k.owner() != c) {
                order.add(k);
            }
        }
        return order;
    }

    /** The parameters copy {@code c} owns: a row of its share table. */
    public int owned(int c) {
        return chunks.stream().filter(k -> k.owner() == c).mapToInt(k -> k.params().size()).sum();
    }

    /** Where flat parameter {@code flat} of chunk {@code k} lies among the parameters its owner owns. */
    public int ownedOffset(Chunk k, int flat) {
        int offset = 0;
        for (Chunk o : chunks) {
            if (o == k) {
                return offset + flat - k.params().lo();
            }
            if (o.owner() == k.owner()) {
                offset += o.params().size();
            }
        }
        throw new IllegalArgumentException(k + " is not a chunk of " + this);
    }

    /**
     * The index of flat parameter {@code flat} in copy {@code c}'s block (its weights row-major, then its biases), which
     * must hold it.
     */
    public int localIndex(int c, int flat) {
        Slice held = copies.get(c).weights();
        if (flat >= weights) {
            if (flat >= params()) {
                throw new IllegalArgumentException("layer " + layer + "'s slice " + channels + " has no parameter "
                        + flat + ": " + weights + " weights and " + (params() - weights) + " biases");
            }
            return held.size() + flat - weights;
        }
        if (flat < held.lo() || flat >= held.hi()) {
            throw new IllegalArgumentException("copy " + c + " holds weights " + held + ", not " + flat);
        }
        return flat - held.lo();
    }

    /** The slice's flat parameters: its weights, then its biases if it has any (the last chunks). */
    private int params() {
        return chunks.isEmpty() ? weights : Math.max(weights, chunks.get(chunks.size() - 1).params().hi());
    }

    /** Whether copies must exchange their shares (more than one block holds the slice). */
    public boolean exchanges() {
        return copies.size() > 1;
    }

    /** The shares the copies send their owners per update: every held parameter once per holder but its owner. */
    public long sharesSent() {
        return chunks.stream().mapToLong(c -> (long) c.params().size() * (c.holders().size() - 1)).sum();
    }

    /** The new values the owners multicast per update (one per held parameter, when it has other holders). */
    public long sumsSent() {
        return chunks.stream().filter(c -> c.holders().size() > 1).mapToLong(c -> c.params().size()).sum();
    }

    /**
     * The packets copy {@code c} files per update: the other holders' shares of the parameters it owns and the new
     * values of the others it holds.
     */
    public long filedBy(int c) {
        long filed = 0;
        for (Chunk k : chunks) {
            if (k.owner() == c) {
                filed += (long) k.params().size() * (k.holders().size() - 1);
            } else if (k.holders().contains(c)) {
                filed += k.params().size();
            }
        }
        return filed;
    }
}
