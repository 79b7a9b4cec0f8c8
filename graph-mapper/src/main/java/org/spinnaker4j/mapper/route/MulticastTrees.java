package org.spinnaker4j.mapper.route;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.Direction;
import org.spinnaker4j.mapper.machine.Machine;

/**
 * The multicast trees the {@link Router} builds: from a source chip, the part of a
 * breadth-first shortest-path tree (directions tried in link-id order) that reaches the target
 * chips. Trees from one source share that source's shortest-path tree, which the machine computes once
 * ({@link Machine#arrivalLinks}).
 */
public final class MulticastTrees {

    private final Machine machine;

    public MulticastTrees(Machine machine) {
        this.machine = machine;
    }

    /** For each chip the source reaches, the direction of the link its packets arrive by. */
    public Map<ChipLocation, Direction> arrivalLinks(ChipLocation source) {
        return machine.arrivalLinks(source);
    }

    /** How many links a packet from {@code source} crosses on its way to {@code target}. */
    public int hops(ChipLocation source, ChipLocation target) {
        Map<ChipLocation, Direction> arrival = arrivalLinks(source);
        int hops = 0;
        for (ChipLocation c = target; !c.equals(source); hops++) {
            Direction in = arrival.get(c);
            if (in == null) {
                throw new MappingException("no working path from chip " + source + " to chip " + target);
            }
            c = machine.neighbour(c, in.opposite()).orElseThrow();
        }
        return hops;
    }

    /** The links a packet from {@code source} crosses to reach every one of {@code targets}, each once. */
    public Set<RouteWalker.LinkUse> links(ChipLocation source, Collection<ChipLocation> targets) {
        Map<ChipLocation, Direction> arrival = arrivalLinks(source);
        Set<RouteWalker.LinkUse> links = new LinkedHashSet<>();
        for (ChipLocation target : targets) {
            ChipLocation c = target;
            while (!c.equals(source)) {
                Direction in = arrival.get(c);
                if (in == null) {
                    throw new MappingException("no working path from chip " + source + " to chip " + target);
                }
                ChipLocation parent = machine.neighbour(c, in.opposite()).orElseThrow();
                if (!links.add(new RouteWalker.LinkUse(parent, in))) {
                    break;
                }
                c = parent;
            }
        }
        return links;
    }
}
