package org.spinnaker4j.kernels;

import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Plain Java reference of DL4J's backward pass, losses and updaters (DL4J/ND4J 1.0.0-M2.1 semantics), written
 * independently of the C kernels, plus a packet router for test networks.
 */
final class TrainingReference {

    private TrainingReference() {
    }

    /** A training config of a core that is not an output activator. */
    static TrainingConfig hidden(Hyper u, int deltaKeyBase, int backwardKeyBase, int expectedBackwardPartials,
                                 boolean sendsBackward) {
        return backward(TrainingConfig.builder(u.config()).deltaKeyBase(deltaKeyBase)
                .backwardPartials(expectedBackwardPartials), backwardKeyBase, sendsBackward);
    }

    /** A training config of an output-layer activator. */
    static TrainingConfig output(Hyper u, LossKind loss, int layerOutputs, int deltaKeyBase, int backwardKeyBase,
                                 int lossKeyBase, boolean sendsBackward) {
        return backward(TrainingConfig.builder(u.config()).loss(loss, layerOutputs, lossKeyBase)
                .deltaKeyBase(deltaKeyBase), backwardKeyBase, sendsBackward);
    }

    private static TrainingConfig backward(TrainingConfig.Builder config, int backwardKeyBase, boolean sendsBackward) {
        return (sendsBackward ? config.sendsBackward(backwardKeyBase) : config).build();
    }

    /** The training SOFTMAX_SYNC ranges of core {@code self} of a softmax split over {@code cores}: every other's. */
    static List<KeyRange> peerSyncs(int self, int cores, java.util.function.IntUnaryOperator syncKeyOf) {
        List<KeyRange> ranges = new ArrayList<>();
        for (int p = 0; p < cores; p++) {
            if (p != self) {
                ranges.add(KeyRange.trainingSoftmaxSync(syncKeyOf.applyAsInt(p)));
            }
        }
        return ranges;
    }

    /** An updater and its hyper-parameters. */
    record Hyper(UpdaterKind kind, float lr, float mu, float beta2, float eps) {
        UpdaterConfig config() {
            return new UpdaterConfig(kind, lr, mu, beta2, eps);
        }

        static Hyper sgd(float lr) {
            return new Hyper(UpdaterKind.SGD, lr, 0f, 0f, 0f);
        }

        static Hyper of(UpdaterKind kind) {
            return switch (kind) {
                case SGD -> new Hyper(kind, 0.1f, 0f, 0f, 0f);
                case NESTEROVS -> new Hyper(kind, 0.05f, 0.9f, 0f, 0f);
                case ADAM, NADAM, AMSGRAD -> new Hyper(kind, 0.01f, 0.9f, 0.999f, 1e-8f);
                case ADAMAX -> new Hyper(kind, 0.01f, 0.9f, 0.999f, 1e-8f);
                case ADAGRAD -> new Hyper(kind, 0.05f, 0f, 0f, 1e-6f);
                case ADADELTA -> new Hyper(kind, 0f, 0.95f, 0f, 1e-6f);
                case RMSPROP -> new Hyper(kind, 0.01f, 0.95f, 0f, 1e-8f);
                case NOOP -> new Hyper(kind, 0f, 0f, 0f, 0f);
            };
        }
    }

    /**
     * dy/dz as DL4J's IActivation.backprop computes it on a float32 network (the sigmoid or tanh of z is a float,
     * so it saturates to 1 exactly). ELU's backprop ignores alpha: ActivationELU runs elu_bp with alpha 1. Swish,
     * gelu, selu, mish and rationaltanh are libnd4j's float formulas, so they are NaN where its intermediates overflow.
     */
    static double derivative(KernelActivation act, float alpha, float z) {
        return switch (act) {
            case IDENTITY, SOFTMAX -> 1.0;
            case RELU -> z > 0 ? 1.0 : 0.0;
            case LEAKYRELU -> z < 0 ? alpha : 1.0;
            case SIGMOID -> {
                float s = (float) (1.0 / (1.0 + Math.exp(-(double) z)));
                yield s * (1f - s);
            }
            case TANH -> {
                float th = (float) Math.tanh(z);
                yield 1f - th * th;
            }
            case HARDTANH -> z >= -1f && z <= 1f ? 1.0 : 0.0;
            case SOFTPLUS -> (float) (1.0 / (1.0 + Math.exp(-(double) z)));
            case ELU -> z >= 0 ? 1.0 : (float) Math.exp(z);
            case SWISH -> {
                float e = Kernels.exp(z);
                yield (e * (z + e + 1f)) / ((e + 1f) * (e + 1f));
            }
            case GELU -> {
                float k = 1.702f * z;
                float e = Kernels.exp(k);
                yield (e * (1f + e + k)) / ((1f + e) * (1f + e));
            }
            case SELU -> z > 0 ? Kernels.SELU_LAMBDA : Kernels.SELU_ALPHA * Kernels.SELU_LAMBDA * Kernels.exp(z);
            case MISH -> {
                float e = Kernels.exp(z);
                float d = 2f * e + e * e + 2f;
                yield (e * (4f * (z + 1f) + 4f * (e * e) + e * e * e + e * (4f * z + 6f))) / (d * d);
            }
            case SOFTSIGN -> 1.0 / ((1.0 + Math.abs(z)) * (1.0 + Math.abs(z)));
            case RATIONALTANH -> {
                float d = (2f / 3f) * z;
                float d2 = d * d;
                float a = 1f + Math.abs(d) + d2 + 1.41645f * (d2 * d2);
                yield (1.7159f * (2f / 3f)) * ((1f + Math.signum(d) * (2f * d + (4f * 1.41645f) * (d2 * d))) / (a * a));
            }
            case RECTIFIEDTANH -> {
                float th = (float) Math.tanh(z);
                yield z > 0 ? 1f - th * th : 0.0;
            }
            case CUBE -> 3.0 * z * z;
            case THRESHOLDEDRELU -> z > alpha ? 1.0 : 0.0;
            case RELU6 -> z > 0 && z < 6 ? 1.0 : 0.0;
        };
    }

    /** y = act(z) for a whole layer (softmax over all of z). */
    static float[] activateAll(KernelActivation act, float alpha, float[] z) {
        if (act == KernelActivation.SOFTMAX) {
            return Kernels.softmax(z);
        }
        float[] y = new float[z.length];
        for (int j = 0; j < z.length; j++) {
            y[j] = Kernels.activate(act, alpha, z[j]);
        }
        return y;
    }

    /** Hidden layer: delta = dL/dz from e = dL/dy (softmax: y (e - sum e y)). */
    static float[] hiddenDelta(KernelActivation act, float alpha, float[] z, float[] y, float[] e) {
        float[] delta = new float[z.length];
        if (act == KernelActivation.SOFTMAX) {
            double s = 0;
            for (int j = 0; j < z.length; j++) {
                s += (double) e[j] * y[j];
            }
            for (int j = 0; j < z.length; j++) {
                delta[j] = (float) (y[j] * (e[j] - s));
            }
            return delta;
        }
        for (int j = 0; j < z.length; j++) {
            delta[j] = (float) (e[j] * derivative(act, alpha, z[j]));
        }
        return delta;
    }

    /** The per-example loss (summed over these outputs) and delta = dL/dz of an output layer. */
    record LossResult(double loss, float[] delta) {
    }

    static LossResult loss(LossKind loss, KernelActivation act, float alpha, float[] z, float[] y, float[] t,
                           int layerOutputs) {
        float[] delta = new float[z.length];
        double sum = 0;
        for (int j = 0; j < z.length; j++) {
            double yj = y[j];
            double tj = t[j];
            double d = derivative(act, alpha, z[j]);
            double g;
            switch (loss) {
                case MSE, L2 -> {
                    sum += (yj - tj) * (yj - tj);
                    g = 2 * (yj - tj) * d / (loss == LossKind.MSE ? layerOutputs : 1);
                }
                case L1, MAE -> {
                    sum += Math.abs(yj - tj);
                    g = Math.signum(yj - tj) * d / (loss == LossKind.MAE ? layerOutputs : 1);
                }
                case XENT -> {
                    // clipbyvalue(1e-5, 1 - 1e-5) and 1 - y on a float array, as DL4J runs them
                    float c = Math.min(Math.max(y[j], 1e-5f), (float) (1 - 1e-5));
                    float oneMinus = 1f - c;
                    sum -= tj * Math.log(c) + (1 - tj) * Math.log(oneMinus);
                    g = (c - tj) / ((double) c * oneMinus) * d;
                }
                case MCXENT, NEGATIVELOGLIKELIHOOD -> {
                    if (act == KernelActivation.SOFTMAX) {
                        double c = Math.min(Math.max(yj, 1e-10), 1 - 1e-10);
                        sum -= tj * Math.log(c);
                        g = yj - tj;
                    } else {
                        sum -= tj * Math.log(yj);
                        g = -(tj / yj) * d;
                    }
                }
                default -> throw new IllegalArgumentException("no loss");
            }
            delta[j] = (float) g;
        }
        if (loss == LossKind.MSE || loss == LossKind.MAE) {
            sum /= layerOutputs;
        }
        return new LossResult(sum, delta);
    }

    /** ND4J's updater ops on one parameter array, in float as ND4J runs them on float32 networks. */
    static final class Updater {
        private final Hyper h;
        private final float[] s1;
        private final float[] s2;
        private final float[] s3;

        Updater(Hyper h, int n) {
            this.h = h;
            this.s1 = new float[n];
            this.s2 = new float[n];
            this.s3 = new float[n];
        }

        /** p -= update(acc / batch); acc = 0. */
        void apply(float[] p, float[] acc, int batch, int iteration) {
            double alphaT = h.lr * Math.sqrt(1 - Math.pow(h.beta2, iteration + 1)) / (1 - Math.pow(h.mu, iteration + 1));
            for (int k = 0; k < p.length; k++) {
                float g = acc[k] / batch;
                switch (h.kind) {
                    case SGD -> p[k] -= h.lr * g;
                    case NESTEROVS -> {
                        float vPrev = s1[k];
                        float v = h.mu * vPrev - h.lr * g;
                        s1[k] = v;
                        p[k] += -h.mu * vPrev + (1 + h.mu) * v;
                    }
                    case ADAM -> {
                        s1[k] = h.mu * s1[k] + (1 - h.mu) * g;
                        s2[k] = h.beta2 * s2[k] + (1 - h.beta2) * g * g;
                        p[k] -= (float) (alphaT * s1[k] / (Math.sqrt(s2[k]) + h.eps));
                    }
                    case ADAMAX -> {
                        s1[k] = h.mu * s1[k] + (1 - h.mu) * g;
                        s2[k] = Math.max(h.beta2 * s2[k], Math.abs(g)) + 1e-32f;
                        p[k] -= (float) (h.lr / (1 - Math.pow(h.mu, iteration + 1)) * s1[k] / s2[k]);
                    }
                    case NADAM -> {
                        s1[k] = h.mu * s1[k] + (1 - h.mu) * g;
                        s2[k] = h.beta2 * s2[k] + (1 - h.beta2) * g * g;
                        double mHat = (h.mu * s1[k] + (1 - h.mu) * g) / (1 - Math.pow(h.mu, iteration + 1));
                        p[k] -= (float) (h.lr * mHat / (Math.sqrt(s2[k]) + h.eps));
                    }
                    case AMSGRAD -> {
                        s1[k] = h.mu * s1[k] + (1 - h.mu) * g;
                        s2[k] = h.beta2 * s2[k] + (1 - h.beta2) * g * g;
                        s3[k] = Math.max(s3[k], s2[k]);
                        p[k] -= (float) (alphaT * s1[k] / (Math.sqrt(s3[k]) + h.eps));
                    }
                    case ADAGRAD -> {
                        s1[k] += g * g;
                        p[k] -= (float) (h.lr * g / (Math.sqrt(s1[k]) + h.eps));
                    }
                    case ADADELTA -> {
                        s1[k] = h.mu * s1[k] + (1 - h.mu) * g * g;
                        float dx = (float) (g * Math.sqrt(s2[k] + h.eps) / Math.sqrt(s1[k] + h.eps));
                        s2[k] = h.mu * s2[k] + (1 - h.mu) * dx * dx;
                        p[k] -= dx;
                    }
                    case RMSPROP -> {
                        s1[k] = h.mu * s1[k] + (1 - h.mu) * g * g;
                        p[k] -= (float) (h.lr * g / (Math.sqrt(s1[k]) + h.eps));
                    }
                    case NOOP -> p[k] -= g;
                }
                acc[k] = 0;
            }
        }
    }

    /** Cores of a test network; packets go to every core with an input range containing their key, else to the host. */
    static final class Net {
        final List<KernelCore> cores = new ArrayList<>();
        final List<Packet> host = new ArrayList<>();

        KernelCore add(KernelConfig config, float[] weights, float[] bias) {
            KernelCore core = new KernelCore();
            core.load(config, weights, bias);
            cores.add(core);
            return core;
        }

        List<KernelCore> destinations(int key) {
            List<KernelCore> d = new ArrayList<>();
            for (KernelCore c : cores) {
                for (KeyRange r : c.config().inputs()) {
                    if (r.contains(key)) {
                        d.add(c);
                        break;
                    }
                }
            }
            return d;
        }

        /** Delivers {@code injected} and everything it causes, in a random order, until nothing is in flight. */
        void run(List<Packet> injected, Random rnd) {
            List<Object[]> pending = new ArrayList<>();
            for (Packet p : injected) {
                route(p, pending);
            }
            while (!pending.isEmpty()) {
                Object[] next = pending.remove(rnd.nextInt(pending.size()));
                for (Packet sent : Kernels.deliver((KernelCore) next[0], (Packet) next[1])) {
                    route(sent, pending);
                }
            }
        }

        private void route(Packet p, List<Object[]> pending) {
            List<KernelCore> dests = destinations(p.key());
            if (dests.isEmpty()) {
                host.add(p);
            }
            for (KernelCore d : dests) {
                pending.add(new Object[] {d, p});
            }
        }

        /** The host packets with keys in {@code [base, base + n)}, taken out of {@link #host}. */
        List<Packet> take(int base, int n) {
            List<Packet> out = new ArrayList<>();
            host.removeIf(p -> {
                boolean in = Integer.compareUnsigned(p.key() - base, n) < 0;
                if (in) {
                    out.add(p);
                }
                return in;
            });
            return out;
        }
    }
}
