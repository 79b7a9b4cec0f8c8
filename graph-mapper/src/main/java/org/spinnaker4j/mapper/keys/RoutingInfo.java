package org.spinnaker4j.mapper.keys;

import java.util.List;

/** The keys of every partition: {@code keys().get(partitionId)}. */
public record RoutingInfo(List<KeyAndMask> keys) {

    public RoutingInfo {
        keys = List.copyOf(keys);
    }

    public KeyAndMask of(int partitionId) {
        return keys.get(partitionId);
    }
}
