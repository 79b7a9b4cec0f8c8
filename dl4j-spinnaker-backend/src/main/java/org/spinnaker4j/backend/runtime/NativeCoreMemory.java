package org.spinnaker4j.backend.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.spinnaker4j.kernels.BatchNormTrainingConfig;
import org.spinnaker4j.kernels.GradientNormalizationConfig;
import org.spinnaker4j.kernels.GradientNormalizationKind;
import org.spinnaker4j.kernels.KernelActivation;
import org.spinnaker4j.kernels.KernelConfig;
import org.spinnaker4j.kernels.KernelCopyConfig;
import org.spinnaker4j.kernels.KernelCore;
import org.spinnaker4j.kernels.KeyRange;
import org.spinnaker4j.kernels.LossKind;
import org.spinnaker4j.kernels.PoolingConfig;
import org.spinnaker4j.kernels.TrainingConfig;
import org.spinnaker4j.kernels.UpdaterConfig;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.UpdaterType;
import org.spinnaker4j.mapper.partition.CoreMemory;
import org.spinnaker4j.mapper.partition.CoreShape;

/**
 * The mapper's DTCM questions answered by the kernels: a core's DTCM is {@link KernelCore#DTCM_BYTES}, and its state
 * the size the kernels' own size function gives a probe config of that shape.
 */
public final class NativeCoreMemory implements CoreMemory {

    /** A batch normalization's decay and eps for a probe: its state's size does not depend on them. */
    private static final double PROBE_DECAY = 0.9;
    private static final double PROBE_EPS = 1e-5;

    @Override
    public int dtcmBytes() {
        return KernelCore.DTCM_BYTES;
    }

    @Override
    public int mostSamplesInFlight() {
        return TrainingConfig.MAX_SAMPLES_IN_FLIGHT;
    }

    @Override
    public int stateBytes(VertexKind kind, int nRows, int nCols, boolean fused, int nInputRanges,
            int nSoftmaxPeers) {
        return stateBytes(new CoreShape(kind, nRows, nCols, fused, nInputRanges, nSoftmaxPeers, null, null, false));
    }

    @Override
    public int stateBytes(CoreShape s) {
        boolean training = s.updater() != null;
        boolean activates = s.kind() == VertexKind.REDUCE || (s.kind() == VertexKind.DENSE_BLOCK && s.fused());
        boolean softmax = s.softmaxPeers() > 0;
        int dataRanges = s.ranges() - s.softmaxPeers() - s.normPeers() - s.copy().ranges() - s.sums().peers();
        int syncKeys = KeyRange.syncKeys(training);
        List<KeyRange> ranges = new ArrayList<>();
        for (int i = 0; i < dataRanges; i++) {
            ranges.add(KeyRange.data(i, 1, 0));
        }
        for (int i = 0; i < s.softmaxPeers(); i++) {
            int base = dataRanges + syncKeys * i;
            ranges.add(training ? KeyRange.trainingSoftmaxSync(base) : KeyRange.softmaxSync(base));
        }
        int normBase = dataRanges + syncKeys * s.softmaxPeers();
        for (int i = 0; i < s.normPeers(); i++) {
            ranges.add(KeyRange.norm(normBase + s.normKeys() * i, s.normKeys(), 1 + i));
        }
        int copyBase = normBase + s.normKeys() * s.normPeers();
        for (int i = 0; i < s.copy().ranges(); i++) {
            ranges.add(KeyRange.param(copyBase + i, 1, 0));
        }
        // a batch normalization's peers' sums, after every other range (as the kernel takes them)
        int sumsBase = copyBase + s.copy().ranges();
        int sumKeys = BatchNormTrainingConfig.exchangeKeys(s.sums().channels());
        for (int i = 0; i < s.sums().peers(); i++) {
            ranges.add(KeyRange.batchNormPartial(sumsBase + sumKeys * i, s.sums().channels(), 1 + i));
        }
        TrainingConfig trainingConfig = training ? training(s, softmax, activates) : null;
        // the kernel keeps one slot row for a relay's single partial per value, one per range for a reduce's (two
        // or more: a layer of one row block is fused), as CoreDataBuilder configures them
        int partials = switch (s.kind()) {
            case RELAY -> 1;
            case REDUCE -> 2;
            default -> 0;
        };
        // a pooling block's state does not depend on its channels: its rows, a whole number of positions, will do;
        // an s16.15 core is probed in s16.15 (a reduce taking its blocks' partials as halves, as CoreDataBuilder
        // configures it; a pooling block and a convolution's row block at inference; a fused training block the
        // kernels train in s16.15, with its 64-bit gradient sums), but one the fixed kernels do not run, which the
        // host refuses at init(), as float32
        KernelConfig floating = probe(s, softmax, partials, ranges, trainingConfig, false);
        boolean fixed = s.arithmetic() == Arithmetic.S16_15 && (!training || floating.trainsInFixedPoint());
        return KernelCore.stateBytes(fixed ? probe(s, softmax, partials, ranges, trainingConfig, true) : floating);
    }

    private static KernelConfig probe(CoreShape s, boolean softmax, int partials, List<KeyRange> ranges,
            TrainingConfig trainingConfig, boolean fixed) {
        return new KernelConfig(KernelKinds.of(s.kind()), s.rows(), s.cols(),
                softmax ? KernelActivation.SOFTMAX : KernelActivation.IDENTITY, 0f, s.fused(), 0, partials,
                s.softmaxPeers(), 0, ranges, trainingConfig,
                s.pooling() ? PoolingConfig.max(s.rows(), 0, 0f) : s.miniBatchNorm() ? PoolingConfig.norm(s.rows(), 0)
                        : null, KernelKinds.of(s.rowBlock()), fixed, fixed && s.kind() == VertexKind.REDUCE);
    }

    /** A training config of the shape's size: its updaters', loss's and normalization's state, held samples. */
    private static TrainingConfig training(CoreShape s, boolean softmax, boolean activates) {
        TrainingConfig.Builder config = TrainingConfig.builder(probeUpdater(s.updater()))
                .biasUpdater(probeUpdater(s.biasUpdater()))
                .gradientNormalization(norm(s)).samplesInFlight(s.samplesInFlight());
        if (s.outputLayer()) {
            config.loss(softmax ? LossKind.MCXENT : LossKind.MSE, s.cols(), 0);
            if (s.lossWeighted()) {
                config.lossWeights(Collections.nCopies(s.cols(), 1f));
            }
        } else if (activates) {
            // an s16.15 hidden block is probed taking its errors as halves (a 64-bit sum a column, the larger state)
            // and states its layer's width (at least its columns), as the kernels require of one that sends back
            config.backwardPartials(s.arithmetic() == Arithmetic.S16_15 ? 2 : 1).layerOutputs(s.cols());
        }
        if (s.kind() == VertexKind.DENSE_BLOCK) {
            config.sendsBackward(0);
        }
        if (s.copy().chunks() > 0) {
            config.copy(copy(s.copy()));
        }
        if (s.miniBatchNorm()) {
            config.batchNorm(s.sums().peers() == 0
                    ? new BatchNormTrainingConfig(s.samplesInFlight(), PROBE_DECAY, PROBE_EPS, true)
                    : new BatchNormTrainingConfig(s.samplesInFlight(), PROBE_DECAY, PROBE_EPS, true,
                            s.sums().channels(), 1, s.sums().peers() + 1, 0, 0));
        }
        return config.build();
    }

    /**
     * A kernel copy of the shape's size: its chunk table and share slots. As many of its chunks as can be are owned,
     * one parameter each but the last owned one, which takes the rest of what it owns; the others hold one parameter
     * each. That is max(owned, chunks) parameters, no more than the copy holds.
     */
    private static KernelCopyConfig copy(CoreShape.Copy c) {
        int ownedChunks = Math.min(c.owned(), c.chunks());
        List<KernelCopyConfig.Chunk> chunks = new ArrayList<>();
        for (int i = 0; i < ownedChunks; i++) {
            chunks.add(new KernelCopyConfig.Chunk(i, i + 1 < ownedChunks ? i + 1 : c.owned(), i, 0));
        }
        for (int next = Math.max(c.owned(), ownedChunks); chunks.size() < c.chunks(); next++) {
            chunks.add(new KernelCopyConfig.Chunk(next, next + 1, -1, 0));
        }
        return new KernelCopyConfig(c.copies(), 0, 0, 0, chunks);
    }

    private static UpdaterConfig probeUpdater(UpdaterType type) {
        return new UpdaterConfig(KernelKinds.of(type), 0.1f, 0.9f, 0.999f, 1e-8f);
    }

    /** A normalization of the shape's size: every L2 mode with that many keys lays the state out alike. */
    private static GradientNormalizationConfig norm(CoreShape s) {
        return switch (s.normKeys()) {
            case 0 -> GradientNormalizationConfig.NONE;
            case 1 -> new GradientNormalizationConfig(GradientNormalizationKind.RENORM_L2_PER_LAYER, 1f, 0,
                    s.normPeers(), 0);
            default -> new GradientNormalizationConfig(GradientNormalizationKind.RENORM_L2_PER_PARAM_TYPE, 1f, 0,
                    s.normPeers(), 0);
        };
    }
}
