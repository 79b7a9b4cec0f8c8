package org.spinnaker4j.mapper.ir;

/** The output-layer losses the kernels implement, with DL4J's definitions and scaling. */
public enum LossFunction {
    MSE, L1, L2, MAE, XENT, MCXENT, NEGATIVELOGLIKELIHOOD
}
