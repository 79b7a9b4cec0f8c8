package org.spinnaker4j.mapper.ir;

/**
 * The number format the cores compute in. {@link #FLOAT32} (the default) is IEEE binary32 in soft-float, bit for bit
 * what DL4J's float networks compute; {@link #S16_15} is spinnaker_tools' {@code accum}, the fixed-point format
 * SpiNNaker's own software (sPyNNaker) computes in: a 32-bit two's-complement word with 1 sign, 16 integer and 15
 * fraction bits, so values from -2^16 to 2^16 - 2^-15 in steps of 2^-15.
 */
public enum Arithmetic {
    /** IEEE binary32, in the ARM968's soft-float library: parity with nd4j-native. */
    FLOAT32,
    /** spinnaker_tools {@code accum}: 1 sign, 16 integer and 15 fraction bits in one 32-bit word. */
    S16_15
}
