package org.spinnaker4j.mapper.cost;

/**
 * A set of one arithmetic's kernel figures read from the cost table, and their unit: ARM instructions (float32's,
 * which {@link CoreCostModel} turns into cycles with its cycles per instruction) or estimated cycles (s16.15's
 * {@code *.cycles} keys, charged as they are).
 */
sealed interface KernelFigures permits ForwardFigures, BackwardFigures {

    /** Whether the figures are cycles (else instructions). */
    boolean inCycles();
}
