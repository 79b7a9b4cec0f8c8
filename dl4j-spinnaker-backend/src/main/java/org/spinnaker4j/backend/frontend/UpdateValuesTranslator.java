package org.spinnaker4j.backend.frontend;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.spinnaker4j.backend.runtime.ExactRates;
import org.spinnaker4j.backend.runtime.LayerUpdate;
import org.spinnaker4j.kernels.UpdateValues;

/**
 * The values each layer's cores update with at one iteration and epoch, sent with the update command: what DL4J's
 * updaters and regularizations compute from their schedules for that update ({@code BaseMultiLayerUpdater} passes
 * the network's iteration count and {@code getEpochCount()} to every {@code UpdaterBlock}): the learning rate
 * ({@code IUpdater.getLearningRate(iteration, epoch)}, a double the updater op rounds to float), Nesterovs'
 * momentum ({@code currentMomentum(iteration, epoch)}) and the regularization coefficients
 * ({@link RegularizationTranslator#at}); and the dropout of each layer's input in the mini-batch
 * ({@link DropoutTranslator}). A value without a schedule is the same at every update; there is no other path for it.
 */
public final class UpdateValuesTranslator {

    private UpdateValuesTranslator() {
    }

    /**
     * {@code result.get(l)}: the values of layer l (of the layers {@link Dl4jFrontEnd} translated) at this update.
     *
     * @throws IllegalStateException if a schedule gives a value the cores cannot use (not finite, or negative)
     */
    public static List<LayerUpdate> at(MultiLayerConfiguration conf, int iteration, int epoch) {
        List<LayerUpdate> updates = new ArrayList<>();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            if (Dl4jFrontEnd.isPooling(layer)) {
                UpdateValues none = new UpdateValues(0f, 0f, 0f, 0f, 0f);
                updates.add(new LayerUpdate(none, none, DropoutTranslator.keep(conf, i, iteration, epoch),
                        dropoutStream(conf, i, iteration), DropoutTranslator.dropsGradient(conf, i),
                        ExactRates.NONE)); // no parameters
                continue;
            }
            if (!(layer instanceof BaseLayer base) || Dl4jFrontEnd.isDropoutLayer(layer)) {
                continue;
            }
            // a batch normalization steps gamma and beta by its updater, never regularized (DL4J's getUpdaterByParam
            // and getRegularizationByParam)
            boolean norm = BatchNormTranslator.isBatchNorm(layer);
            try {
                updates.add(new LayerUpdate(values(base.getIUpdater(), norm ? List.of() : base.getRegularization(),
                        iteration, epoch), values(norm ? base.getIUpdater() : biasUpdater(base),
                        norm ? List.of() : base.getRegularizationBias(), iteration, epoch),
                        DropoutTranslator.keep(conf, i, iteration, epoch),
                        dropoutStream(conf, i, iteration),
                        DropoutTranslator.dropsGradient(conf, i),
                        exactRates(base.getIUpdater(), iteration, epoch)));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("layer " + i + " (" + layer.getClass().getSimpleName() + "): at iteration "
                        + iteration + ", epoch " + epoch + " its schedules give values the cores cannot use: "
                        + e.getMessage(), e);
            }
        }
        return updates;
    }

    /** The stream key of the dropout of layer {@code i}'s input in the mini-batch of {@code iteration} (0: none). */
    private static int dropoutStream(MultiLayerConfiguration conf, int i, int iteration) {
        int dropout = DropoutTranslator.dropoutOf(conf, i);
        return dropout < 0 ? 0 : DropoutTranslator.stream(conf.getConf(i).getSeed(), iteration, dropout);
    }

    /** The learning rate the kernels take for an updater at one update: DL4J's, 0 for updaters without one. */
    static float learningRate(IUpdater u, int iteration, int epoch) {
        return u != null && u.hasLearningRate() ? (float) u.getLearningRate(iteration, epoch) : 0f;
    }

    /**
     * The updater DL4J's {@code UpdaterBlock} of a layer's bias applies ({@code getUpdaterByParam("b")}): its
     * {@code biasUpdater}, or its updater if it has none or an equal one (the very object then).
     */
    static IUpdater biasUpdater(BaseLayer layer) {
        IUpdater bias = layer.getBiasUpdater();
        return bias == null || bias.equals(layer.getIUpdater()) ? layer.getIUpdater() : bias;
    }

    /**
     * An Sgd or Adam updater's constants in double at this iteration and epoch (an s16.15 core's update is computed
     * from them); {@link ExactRates#NONE} for other updaters.
     */
    static ExactRates exactRates(IUpdater u, int iteration, int epoch) {
        if (u instanceof Adam a) {
            return new ExactRates(true, a.getLearningRate(iteration, epoch), a.getBeta1(), a.getBeta2(),
                    a.getEpsilon());
        }
        if (u instanceof Sgd s) {
            return new ExactRates(false, s.getLearningRate(iteration, epoch), 0, 0, 0);
        }
        return ExactRates.NONE;
    }

    /** The values of one array's update: its updater's learning rate and momentum, its regularization's. */
    private static UpdateValues values(IUpdater u, List<Regularization> regularization, int iteration, int epoch) {
        float momentum = u instanceof Nesterovs n ? (float) n.currentMomentum(iteration, epoch) : 0f;
        RegularizationTranslator.Coefficients c = RegularizationTranslator.at(regularization, u, iteration, epoch);
        return new UpdateValues(learningRate(u, iteration, epoch), momentum, c.l1(), c.l2(), c.weightDecay());
    }
}
