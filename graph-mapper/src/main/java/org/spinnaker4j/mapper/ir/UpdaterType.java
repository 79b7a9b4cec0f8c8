package org.spinnaker4j.mapper.ir;

/** The updaters the kernels implement, with DL4J's formulas; each keeps this many arrays of state per parameter. */
public enum UpdaterType {
    SGD(0), NESTEROVS(1), ADAM(2);

    private final int stateArrays;

    UpdaterType(int stateArrays) {
        this.stateArrays = stateArrays;
    }

    public int stateArrays() {
        return stateArrays;
    }
}
