package org.spinnaker4j.kernels;

/**
 * A kind of work a kernel does in one event, beyond filing the packet it received ({@link KernelCore#lastWork()}
 * reports them as a set of {@link #code()} bits); what a simulator charges cycles for. One event can do several:
 * the last row of an output layer's block whose labels are already in completes its forward pass, its deltas and
 * its block's backward pass, in that order: an event does its forward-pass work before its backward-pass work.
 */
public enum KernelWork {
    /** A source sent its values, or a block's or reduce's z completed and its outputs were sent (with softmax
     * peers: its local max). */
    FORWARD(false),
    /** Softmax across cores, once every peer's max is in: {@code exp(z - M)} and the local sum sent. */
    SOFTMAX_SUM(false),
    /** Softmax across cores, once every peer's sum is in: {@code y = e / total} sent. */
    SOFTMAX_NORMALISE(false),
    /** Hidden softmax across cores in training, once its backward partials are in: the local {@code sum e_k y_k}
     * sent. */
    SOFTMAX_DOT(true),
    /** An activator's deltas (from its labels, or its backward partials), added to db and sent or used by its own
     * block. */
    DELTAS(true),
    /** A block's backward pass once its deltas are in: {@code dW += x·delta}, and {@code W·delta} sent to the
     * previous layer if it sends backward. */
    BLOCK_BACKWARD(true),
    /** A block under dropout filed the row it received scaled by its mask / p: a hash and a multiply. */
    DROPOUT_ROW(false),
    /** A block under dropout scaled the {@code W·delta} it sends by the masks / p: a hash and a multiply per row. */
    DROPOUT_BACK(true),
    /** An inference reduce whose activation acts on each output alone sent columns as soon as each one's partials
     * were in, each summed, biased and activated: one column's work per packet the event sent. */
    COLUMN(false);

    private final boolean backward;

    KernelWork(boolean backward) {
        this.backward = backward;
    }

    /** The bit of this work in the C kernels' {@code S4J_WORK_*} set. */
    public int code() {
        return switch (this) {
            case FORWARD -> KernelAbi.WORK_FORWARD;
            case SOFTMAX_SUM -> KernelAbi.WORK_SOFTMAX_SUM;
            case SOFTMAX_NORMALISE -> KernelAbi.WORK_SOFTMAX_NORMALISE;
            case SOFTMAX_DOT -> KernelAbi.WORK_SOFTMAX_DOT;
            case DELTAS -> KernelAbi.WORK_DELTAS;
            case BLOCK_BACKWARD -> KernelAbi.WORK_BLOCK_BACKWARD;
            case DROPOUT_ROW -> KernelAbi.WORK_DROPOUT_ROW;
            case DROPOUT_BACK -> KernelAbi.WORK_DROPOUT_BACK;
            case COLUMN -> KernelAbi.WORK_COLUMN;
        };
    }

    /** Whether this is work of the backward pass (training), which an event does after its forward-pass work. */
    public boolean backward() {
        return backward;
    }

    /** Whether this work is in a set of codes such as {@link KernelCore#lastWork()}. */
    public boolean in(int work) {
        return (work & code()) != 0;
    }
}
