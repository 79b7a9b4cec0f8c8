package org.spinnaker4j.backend;

import java.io.Serializable;
import java.util.Objects;
import org.spinnaker4j.backend.sim.EmbeddedSimulator;
import org.spinnaker4j.backend.sim.SendMode;
import org.spinnaker4j.backend.sim.SimulatorParameters;
import org.spinnaker4j.backend.runtime.FixedPointRounding;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.InputPath;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * How a network is put on SpiNNaker: which machine (default one SpiNN-5 board), how layers
 * are partitioned (default FASTEST), which backend runs it (default the embedded simulator) and
 * how that simulator behaves (default TDMA sends, reinjection on), and the number format the cores compute in
 * (default float32).
 * Immutable; build with {@link #builder()}.
 */
public final class SpiNNakerOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Machine machine;
    private final PartitioningStrategy partitioning;
    private final MachineBackend backend;
    private final SimulatorParameters simulator;
    private final boolean trainsOnMachine;
    private final int sequenceLength;
    private final int imageHeight;
    private final int imageWidth;
    private final Arithmetic arithmetic;
    private final FixedPointRounding fixedPointRounding;
    private final InputPath inputPath;
    private final int hostThreads;

    private SpiNNakerOptions(Builder b) {
        this.machine = b.machine;
        this.partitioning = b.partitioning;
        this.backend = b.backend;
        this.simulator = b.simulator;
        this.trainsOnMachine = b.trainsOnMachine;
        this.sequenceLength = b.sequenceLength;
        this.imageHeight = b.imageHeight;
        this.imageWidth = b.imageWidth;
        this.arithmetic = b.arithmetic;
        this.fixedPointRounding = b.fixedPointRounding;
        this.inputPath = b.inputPath;
        this.hostThreads = b.hostThreads;
    }

    /** One SpiNN-5 board, FASTEST partitioning, embedded simulator. */
    public static SpiNNakerOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Machine machine() {
        return machine;
    }

    public PartitioningStrategy partitioning() {
        return partitioning;
    }

    public MachineBackend backend() {
        return backend;
    }

    /** The embedded simulator's send mode, buffers, timeouts and cost model. */
    public SimulatorParameters simulator() {
        return simulator;
    }

    /**
     * Whether the network trains on the machine (default): {@code init()} then checks the training options and maps
     * for training too. Without it ({@link Builder#inferenceOnly()}) only inference is mapped, which needs fewer
     * cores, and {@code fit} throws.
     */
    /**
     * The sequence length a network of {@code Convolution1DLayer}s is mapped for (its input is [batch, channels,
     * sequenceLength]); 0 if not set. DL4J's configuration does not keep the length its {@code setInputType} had.
     */
    public int sequenceLength() {
        return sequenceLength;
    }

    /**
     * The image height a network that starts with a {@code ConvolutionLayer} is mapped for (its input is [batch,
     * channels, height, width]); 0 if not set, when a {@code FeedForwardToCnnPreProcessor} in front of the first
     * layer ({@code setInputType(InputType.convolutionalFlat(h, w, c))}) gives it. DL4J's configuration does not
     * keep the size {@code setInputType(InputType.convolutional(h, w, c))} had.
     */
    public int imageHeight() {
        return imageHeight;
    }

    /** The image width, as {@link #imageHeight()}. */
    public int imageWidth() {
        return imageWidth;
    }

    public boolean trainsOnMachine() {
        return trainsOnMachine;
    }

    /**
     * The number format the cores compute in: {@link Arithmetic#FLOAT32} unless set (also for options serialized
     * before the field existed, which read it back as null).
     */
    public Arithmetic arithmetic() {
        return arithmetic == null ? Arithmetic.FLOAT32 : arithmetic;
    }

    /**
     * How an s16.15 training core rounds its parameters' steps: {@link FixedPointRounding#stochastic(int)} with seed 0
     * unless set (also for options serialized before the field existed).
     */
    public FixedPointRounding fixedPointRounding() {
        return fixedPointRounding == null ? FixedPointRounding.defaults() : fixedPointRounding;
    }

    /**
     * How each sample reaches the first layer's cores: {@link InputPath#PACKETS} unless set (also for options
     * serialized before the field existed).
     */
    public InputPath inputPath() {
        return inputPath == null ? InputPath.PACKETS : inputPath;
    }

    /**
     * The host threads the embedded simulator may use: 1, 2, or {@link EmbeddedSimulator#CHOOSE_HOST_THREADS} (0,
     * unless set; also for options serialized before the field existed): the simulator chooses run by run
     * (docs/simulator-speed.md, "Two lanes").
     */
    public int hostThreads() {
        return hostThreads;
    }

    /** A builder that starts from this one's settings. */
    public Builder toBuilder() {
        Builder b = builder().machine(machine).partitioning(partitioning).backend(backend).simulator(simulator);
        b.trainsOnMachine = trainsOnMachine;
        b.sequenceLength = sequenceLength;
        b.imageHeight = imageHeight;
        b.imageWidth = imageWidth;
        b.arithmetic = arithmetic();
        b.fixedPointRounding = fixedPointRounding();
        b.inputPath = inputPath();
        b.hostThreads = hostThreads;
        return b;
    }

    @Override
    public String toString() {
        return "SpiNNakerOptions{machine=" + machine.description() + ", partitioning=" + partitioning
                + ", backend=" + backend + ", sendMode=" + simulator.sendMode()
                + (trainsOnMachine ? "" : ", inferenceOnly") + (sequenceLength > 0 ? ", sequenceLength=" + sequenceLength : "")
                + (imageHeight > 0 ? ", imageSize=" + imageHeight + "x" + imageWidth : "")
                + (arithmetic() == Arithmetic.FLOAT32 ? "" : ", arithmetic=" + arithmetic
                        + ", fixedPointRounding=" + fixedPointRounding())
                + (inputPath() == InputPath.PACKETS ? "" : ", inputPath=" + inputPath())
                + (hostThreads == EmbeddedSimulator.CHOOSE_HOST_THREADS ? "" : ", hostThreads=" + hostThreads) + "}";
    }

    /** Builds {@link SpiNNakerOptions}. */
    public static final class Builder {
        private Machine machine = Machine.spinn5();
        private PartitioningStrategy partitioning = PartitioningStrategy.FASTEST;
        private MachineBackend backend = MachineBackend.EMBEDDED_SIMULATOR;
        private SimulatorParameters simulator = SimulatorParameters.defaults();
        private boolean trainsOnMachine = true;
        private int sequenceLength;
        private int imageHeight;
        private int imageWidth;
        private Arithmetic arithmetic = Arithmetic.FLOAT32;
        private FixedPointRounding fixedPointRounding = FixedPointRounding.defaults();
        private InputPath inputPath = InputPath.PACKETS;
        private int hostThreads = EmbeddedSimulator.CHOOSE_HOST_THREADS;

        private Builder() {
        }

        /**
         * The host threads the embedded simulator may use: 1; 2, with which a pipelined TDMA run over several chips
         * runs its chips in two lanes, one a thread; or 0 (default, {@link EmbeddedSimulator#CHOOSE_HOST_THREADS}):
         * two lanes where the host has a second core and they ran the simulator's earlier runs faster, one thread
         * otherwise. The results are the same bits either way (docs/simulator-speed.md, "Two lanes").
         */
        public Builder hostThreads(int threads) {
            this.hostThreads = EmbeddedSimulator.requireHostThreads(threads);
            return this;
        }

        /**
         * Maps the network for inference only: fewer cores (a training core also holds dW, updater state and
         * deltas), training options not checked, {@code fit} refused.
         */
        public Builder inferenceOnly() {
            this.trainsOnMachine = false;
            return this;
        }

        /**
         * The length of the sequences a network of {@code Convolution1DLayer}s takes: the machine is mapped for
         * one length, and its input must have it.
         */
        public Builder sequenceLength(int length) {
            if (length < 1) {
                throw new IllegalArgumentException("sequence length must be at least 1, got " + length);
            }
            this.sequenceLength = length;
            return this;
        }

        /**
         * The size of the images a network that starts with a {@code ConvolutionLayer} takes: the machine is mapped
         * for one size, and its input must have it.
         */
        public Builder imageSize(int height, int width) {
            if (height < 1 || width < 1) {
                throw new IllegalArgumentException("image size must be at least 1 × 1, got " + height + " × " + width);
            }
            this.imageHeight = height;
            this.imageWidth = width;
            return this;
        }

        /**
         * The number format the cores compute in: {@link Arithmetic#FLOAT32} (default, parity with nd4j-native) or
         * {@link Arithmetic#S16_15}, spinnaker_tools' {@code accum} (1 sign, 16 integer, 15 fraction bits), which
         * {@code init()} checks layer by layer. In s16.15, {@code fit} trains the networks docs/fixed-point.md,
         * "Training in s16.15 through fit", lists (others are refused at {@code init()}).
         */
        public Builder arithmetic(Arithmetic arithmetic) {
            this.arithmetic = Objects.requireNonNull(arithmetic, "arithmetic");
            return this;
        }

        /**
         * How s16.15 training rounds each parameter's step to a word: {@link FixedPointRounding#stochastic(int)}
         * (default, seed 0: steps below half a word's step still move parameters on average) or
         * {@link FixedPointRounding#nearest()} (such steps are lost). Unused in float32.
         */
        public Builder fixedPointRounding(FixedPointRounding rounding) {
            this.fixedPointRounding = Objects.requireNonNull(rounding, "rounding");
            return this;
        }

        /**
         * How each sample reaches the first layer's cores: {@link InputPath#PACKETS} (default: input source cores
         * multicast its values) or {@link InputPath#SDRAM} (the first layer's blocks read their rows from their chip's
         * SDRAM by DMA; fully connected networks only, {@code init()} refuses a convolutional one).
         */
        public Builder inputPath(InputPath path) {
            this.inputPath = Objects.requireNonNull(path, "path");
            return this;
        }

        /** The machine: {@code Machine.spinn3()}, {@code Machine.spinn5()}, {@code Machine.spinn5Triads(w, h)}, … */
        public Builder machine(Machine machine) {
            this.machine = Objects.requireNonNull(machine, "machine");
            return this;
        }

        public Builder partitioning(PartitioningStrategy partitioning) {
            this.partitioning = Objects.requireNonNull(partitioning, "partitioning");
            return this;
        }

        public Builder backend(MachineBackend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /** The simulator's parameters; {@link SimulatorParameters#defaults()} unless set. */
        public Builder simulator(SimulatorParameters simulator) {
            this.simulator = Objects.requireNonNull(simulator, "simulator");
            return this;
        }

        /** Shorthand for the simulator's send mode: TDMA (default) or BURST. */
        public Builder sendMode(SendMode mode) {
            return simulator(simulator.withSendMode(Objects.requireNonNull(mode, "mode")));
        }

        public SpiNNakerOptions build() {
            return new SpiNNakerOptions(this);
        }
    }
}
