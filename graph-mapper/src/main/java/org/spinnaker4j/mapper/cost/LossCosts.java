package org.spinnaker4j.mapper.cost;

import java.util.Locale;
import java.util.Map;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.LossFunction;

/**
 * The instructions per output of an output-layer core's deltas (loss, gradient, activation's backward, db, delta
 * sent), from the cost table's {@code loss.output.<activation>.<loss>} figures: each loss is measured with the
 * activation DL4J users pair it with, the weighted MSE and MCXENT also with weights ({@code _weighted}); a pair not
 * measured is charged the loss's own work (its figure less the backward work of the activation it was measured
 * with, never below 0) plus its activation's backward work, plus, weighted, what the weights add to the MSE.
 */
final class LossCosts {

    /** The suffix of a figure measured with per-output weights. */
    private static final String WEIGHTED = "_weighted";

    private LossCosts() {
    }

    /** The activation a loss's figure is measured with, and the loss's name in the figure. */
    private record Measured(ActivationKind activation, String loss) {
    }

    private static Measured measured(LossFunction loss) {
        return switch (loss) {
            case MSE, L1, L2, MAE -> new Measured(ActivationKind.IDENTITY, "mse");
            case XENT -> new Measured(ActivationKind.SIGMOID, "xent");
            case MCXENT, NEGATIVELOGLIKELIHOOD, SPARSE_MCXENT -> new Measured(ActivationKind.SOFTMAX, "mcxent");
            case HINGE -> new Measured(ActivationKind.IDENTITY, "hinge");
            case SQUARED_HINGE -> new Measured(ActivationKind.IDENTITY, "squared_hinge");
            case KL_DIVERGENCE -> new Measured(ActivationKind.SOFTMAX, "kld");
            case POISSON -> new Measured(ActivationKind.SOFTPLUS, "poisson");
            case COSINE_PROXIMITY -> new Measured(ActivationKind.IDENTITY, "cosine");
            case MEAN_ABSOLUTE_PERCENTAGE_ERROR -> new Measured(ActivationKind.IDENTITY, "mape");
            case MEAN_SQUARED_LOGARITHMIC_ERROR -> new Measured(ActivationKind.SOFTPLUS, "msle");
            case WASSERSTEIN -> new Measured(ActivationKind.IDENTITY, "wasserstein");
        };
    }

    private static String figure(ActivationKind activation, String loss) {
        return "loss.output." + activation.name().toLowerCase(Locale.ROOT) + "." + loss;
    }

    /** Instructions per output of an output core with {@code activation} and {@code loss}. */
    static double perOutput(InstructionCounts table, Map<ActivationKind, Double> backwardPerOutput,
            ActivationKind activation, OutputLoss loss) {
        Measured m = measured(loss.function());
        String suffix = loss.weighted() ? WEIGHTED : "";
        if (table.figures().containsKey(figure(activation, m.loss() + suffix))) {
            return table.of(figure(activation, m.loss() + suffix));
        }
        double lossWork = table.of(figure(m.activation(), m.loss())) - backwardPerOutput.get(m.activation());
        double weighting = loss.weighted() ? table.of(figure(ActivationKind.IDENTITY, "mse" + WEIGHTED))
                - table.of(figure(ActivationKind.IDENTITY, "mse")) : 0;
        return Math.max(0, lossWork) + Math.max(0, weighting) + backwardPerOutput.get(activation);
    }
}
