package org.spinnaker4j.mapper.tdma;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which rounds of a TDMA window each sender uses one resource in (a receiving core, a link), and the most senders
 * that use it in one round: what the window's pace must leave that resource time for. A sender sends a packet a
 * round; most partitions take the window's first rounds, but a part of a block's rows sent back takes the rounds of
 * its own rows ({@link org.spinnaker4j.mapper.graph.BackwardSendOrder}), so blocks sending to different receivers in
 * the same round do not meet there.
 */
final class RoundOverlap {

    private final Map<Integer, List<int[]>> roundsOf = new HashMap<>();

    /** Sender {@code sender} uses the resource in rounds [first, first + packets). */
    void add(int sender, int first, int packets) {
        roundsOf.computeIfAbsent(sender, s -> new ArrayList<>()).add(new int[] {first, first + packets});
    }

    /** The first round in which {@code sender} uses it. */
    int firstRound(int sender) {
        return roundsOf.get(sender).stream().mapToInt(r -> r[0]).min().orElseThrow();
    }

    /** The most senders that use it in one round (a sender's overlapping rounds counted once). */
    int most() {
        TreeMap<Integer, Integer> change = new TreeMap<>();
        for (List<int[]> rounds : roundsOf.values()) {
            List<int[]> sorted = new ArrayList<>(rounds);
            sorted.sort(Comparator.comparingInt(r -> r[0]));
            int lo = sorted.get(0)[0];
            int hi = sorted.get(0)[1];
            for (int[] r : sorted) {
                if (r[0] > hi) {
                    change.merge(lo, 1, Integer::sum);
                    change.merge(hi, -1, Integer::sum);
                    lo = r[0];
                }
                hi = Math.max(hi, r[1]);
            }
            change.merge(lo, 1, Integer::sum);
            change.merge(hi, -1, Integer::sum);
        }
        int now = 0;
        int most = 0;
        for (int c : change.values()) {
            now += c;
            most = Math.max(most, now);
        }
        return most;
    }

    /**
     * For each round k, the senders that use it in round k or round k + 1, each distinct set once (round 0's first):
     * the senders whose packets can bunch on a link in one round's stagger, a run of round k's last senders running
     * on into round k + 1's first ({@link LinkBursts}). A sender uses rounds k and k + 1 where its rounds, each
     * taken one round earlier too, hold k, so the sets change only where those widened rounds start or end; where
     * every sender starts in round 0, the first set is all of them.
     */
    List<Set<Integer>> sendersOfTwoRounds() {
        TreeMap<Integer, Map<Integer, Integer>> change = new TreeMap<>();
        roundsOf.forEach((sender, rounds) -> {
            for (int[] r : rounds) {
                change.computeIfAbsent(Math.max(0, r[0] - 1), k -> new HashMap<>()).merge(sender, 1, Integer::sum);
                change.computeIfAbsent(r[1], k -> new HashMap<>()).merge(sender, -1, Integer::sum);
            }
        });
        Map<Integer, Integer> using = new HashMap<>();
        Set<Set<Integer>> sets = new LinkedHashSet<>();
        for (Map<Integer, Integer> at : change.values()) {
            at.forEach((sender, c) -> {
                if (using.merge(sender, c, Integer::sum) == 0) {
                    using.remove(sender);
                }
            });
            if (!using.isEmpty()) {
                sets.add(Set.copyOf(using.keySet()));
            }
        }
        return List.copyOf(sets);
    }
}
