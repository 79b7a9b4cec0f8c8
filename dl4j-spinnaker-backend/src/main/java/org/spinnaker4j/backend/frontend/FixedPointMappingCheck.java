package org.spinnaker4j.backend.frontend;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;

/**
 * The check of a fixed-point mapping: its kernels run a layer only on fused blocks, each holding the layer's whole
 * fan-in for its columns. A layer the partitioning split across its fan-in (blocks sending partial sums to reduce or
 * relay cores) is refused, naming the layer: 64-bit partial sums across cores are not built yet.
 */
public final class FixedPointMappingCheck {

    private FixedPointMappingCheck() {
    }

    /** Throws an {@link UnsupportedNetworkException} listing every layer of a fixed-point mapping that needs partials. */
    public static void check(Mapping mapping) {
        if (!mapping.network().fixedPoint()) {
            return;
        }
        SortedMap<Integer, Long> partialCores = new TreeMap<>();
        for (MachineVertex v : mapping.graph().vertices()) {
            boolean partial = v.kind() == VertexKind.REDUCE || v.kind() == VertexKind.RELAY
                    || (v.kind() == VertexKind.DENSE_BLOCK && !v.fused());
            if (partial) {
                partialCores.merge(v.layer(), 1L, Long::sum);
            }
        }
        List<Problem> problems = new ArrayList<>();
        partialCores.forEach((layer, cores) -> problems.add(new Problem(layer, "layer",
                "in s16.15 fixed point, the " + mapping.strategy() + " partitioning splits this layer's fan-in over "
                + "cores (" + cores + " cores send or sum partial sums), and 64-bit partial sums across cores are "
                + "not built yet; use FEWEST_CORES with layers whose block of whole fan-in fits a core (it splits "
                + "only the columns then), or Arithmetic.FLOAT32")));
        if (!problems.isEmpty()) {
            throw new UnsupportedNetworkException(problems);
        }
    }
}
