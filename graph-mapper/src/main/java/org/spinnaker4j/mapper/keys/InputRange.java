package org.spinnaker4j.mapper.keys;

import org.spinnaker4j.mapper.graph.PartitionKind;

/**
 * What a receiving core does with a range of keys: key k in [keyLo, keyHi) is value
 * {@code localOffset + (k - keyLo)} of the core's input (for FORWARD), or a softmax peer's
 * max (k = keyLo) or sum (k = keyLo + 1).
 */
public record InputRange(int keyLo, int keyHi, int localOffset, PartitionKind kind) {
}
