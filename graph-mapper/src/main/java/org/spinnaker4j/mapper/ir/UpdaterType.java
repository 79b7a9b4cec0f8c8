package org.spinnaker4j.mapper.ir;

/**
 * The updaters the kernels implement, with DL4J's formulas; each keeps this many arrays of state per parameter, in
 * the order DL4J lays them out in its updater state view.
 */
public enum UpdaterType {
    SGD(0), NESTEROVS(1), ADAM(2), ADAMAX(2), NADAM(2), AMSGRAD(3), ADAGRAD(1), ADADELTA(2), RMSPROP(1), NOOP(0);

    private final int stateArrays;

    UpdaterType(int stateArrays) {
        this.stateArrays = stateArrays;
    }

    /** Arrays of updater state per parameter. */
    public int stateArrays() {
        return stateArrays;
    }
}
