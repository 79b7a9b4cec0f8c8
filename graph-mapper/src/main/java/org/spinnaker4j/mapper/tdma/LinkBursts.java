package org.spinnaker4j.mapper.tdma;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a window's packets bunch on its links, counted round by round: a window's senders are staggered over each round
 * in the order of its sender list, and the senders that can meet on a link are those that use it in one round or the
 * next ({@link RoundOverlap#sendersOfTwoRounds}): the packets of a round's last senders and the next round's first
 * ones follow each other on the link as closely as those of one round. Where every sender uses a link from round 0
 * on, that is all its senders, as if each sent on it every round; where a part of a block's rows sent back takes the
 * rounds of its own rows, only the senders whose parts cross the link in those two rounds.
 */
final class LinkBursts {

    /** Per link, each distinct set of its senders in a round and the next. */
    private final List<List<Set<Integer>>> sendersOfLinks = new ArrayList<>();
    private final long linkClocks;
    private final int queue;

    /**
     * The bursts on links each used in the rounds {@code links} say, a packet taking {@code linkClocks} on a link
     * whose queue holds {@code queue} packets besides the one it carries.
     */
    LinkBursts(Collection<RoundOverlap> links, long linkClocks, int queue) {
        for (RoundOverlap link : links) {
            sendersOfLinks.add(link.sendersOfTwoRounds());
        }
        this.linkClocks = linkClocks;
        this.queue = queue;
    }

    /**
     * The least time between a sender's packets, the senders staggered in the order {@code senders}, that keeps every
     * link's bursts within its queue (in every round and the next).
     */
    long between(List<Integer> senders) {
        Map<Integer, Integer> position = positions(senders);
        long bound = 0;
        for (List<Set<Integer>> sets : sendersOfLinks) {
            for (Set<Integer> linkSenders : sets) {
                bound = Math.max(bound, between(linkSenders.stream().mapToInt(position::get).sorted().toArray(),
                        senders.size()));
            }
        }
        return bound;
    }

    /**
     * The least time between a sender's packets for which the packets of one link's senders, at stagger positions
     * {@code positions} (ascending) among a window's {@code n} senders, never queue more than {@code queue} on the
     * link besides the one it carries: the senders are {@code between / n} (rounded down) apart, and a run of m of
     * them whose first and last are p positions apart (wrapping into the next round) arrives within p·between / n, in
     * which the link carries p·between / (n·linkClocks) of them. The sending fraction bounds each link's packets per
     * round on average; this bounds how they bunch where the link's senders are neighbours in the stagger (the blocks
     * of a chip, say, all sending towards the same next layer), which routers' small buffers cannot absorb.
     */
    private long between(int[] positions, int n) {
        int m = positions.length;
        long need = 0;
        for (int i = 0; i < m; i++) {
            for (int j = i + queue + 1; j < i + m; j++) {
                long span = j < m ? positions[j] - positions[i] : positions[j - m] + n - positions[i];
                long excess = j - i - queue;
                need = Math.max(need, n * ((linkClocks * excess + span - 1) / span));
            }
        }
        return need;
    }

    /**
     * How long each sender's packets (by position in {@code senders}) may wait on the links of its tree behind the
     * packets of the window's other senders, a packet per {@code between} (at the window's fastest pace; slower, the
     * senders are further apart): for each link and each set of its senders in a round and the next, their packets
     * staggered {@code between / n} apart over two rounds played through a queue draining a packet per link time; a
     * sender's most on a link, added up over its tree's links. Senders a stagger step apart that share a link meet
     * there when the step is shorter than a packet's time on it: on the NEURON_PER_CORE mapping of a 3 × 3 pooling,
     * relays 63 clocks apart shared a link of 76 clocks a packet, and a pooling block got its last row, and sent its
     * value, 20 clocks after its slot in every sample.
     */
    long[] waits(List<Integer> senders, long between) {
        int n = senders.size();
        long betweenCores = Math.max(1, between / n);
        Map<Integer, Integer> position = positions(senders);
        long[] waits = new long[n];
        for (List<Set<Integer>> sets : sendersOfLinks) {
            long[] onLink = new long[n];
            for (Set<Integer> linkSenders : sets) {
                if (linkSenders.size() < 2) {
                    continue;
                }
                int[] at = linkSenders.stream().mapToInt(position::get).sorted().toArray();
                long free = 0;
                for (int round = 0; round < 2; round++) {
                    for (int p : at) {
                        long arrival = round * between + p * betweenCores;
                        onLink[p] = Math.max(onLink[p], free - arrival);
                        free = Math.max(free, arrival) + linkClocks;
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                waits[i] += onLink[i];
            }
        }
        return waits;
    }

    private static Map<Integer, Integer> positions(List<Integer> senders) {
        Map<Integer, Integer> position = new HashMap<>();
        for (int i = 0; i < senders.size(); i++) {
            position.put(senders.get(i), i);
        }
        return position;
    }
}
