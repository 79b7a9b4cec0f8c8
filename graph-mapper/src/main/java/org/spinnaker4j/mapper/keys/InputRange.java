package org.spinnaker4j.mapper.keys;

/**
 * What a receiving core does with a range of keys: key k in [keyLo, keyHi) is value
 * {@code localOffset + (k - keyLo)} of the kind of input {@code kind} names (for SOFTMAX_SYNC
 * the key offset says which quantity the peer sent; IGNORE ranges are discarded).
 */
public record InputRange(int keyLo, int keyHi, int localOffset, ReceiveKind kind) {
}
