package org.spinnaker4j.mapper.tdma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.machine.MachineTiming;

/**
 * A window's bursts on a link are counted over the senders that use it in one round or the next: senders whose
 * packets cross a shared link in rounds far apart never bunch there, while senders that use it in the same rounds, or
 * a round's last senders and the next round's first, do, as if all sent every round.
 */
class LinkBurstsTest {

    private static final long LINK = MachineTiming.SPINNAKER1.linkClocks();
    private static final int QUEUE = TdmaScheduler.DEFAULT_LINK_QUEUE;
    /** A window's senders, staggered in this order. */
    private static final List<Integer> SENDERS = List.of(10, 11, 12, 13, 14, 15, 16, 17);

    /** One link, used by each of {@code senders} for {@code packets} rounds from the round {@code first} gives. */
    private static LinkBursts link(List<Integer> senders, int[] first, int packets) {
        RoundOverlap link = new RoundOverlap();
        for (int i = 0; i < senders.size(); i++) {
            link.add(senders.get(i), first[i], packets);
        }
        return new LinkBursts(List.of(link), LINK, QUEUE);
    }

    /** Six senders next to each other in the stagger, each sending two packets from round 0. */
    private static LinkBursts allAtOnce() {
        return link(SENDERS.subList(0, 6), new int[6], 2);
    }

    @Test
    void sixNeighboursSendingEveryRoundOverflowTheQueueUnlessPacedApart() {
        // the first and the sixth of them arrive within 5 stagger steps of between / 8, in which the link must carry
        // the one packet past its queue's 4 and the one it carries
        assertEquals(SENDERS.size() * ((LINK + 4) / 5), allAtOnce().between(SENDERS));
    }

    @Test
    void sendersUsingTheLinkInRoundsFarApartAreNotPacedAsIfTheyMet() {
        LinkBursts apart = link(SENDERS.subList(0, 6), new int[] {0, 0, 0, 8, 8, 8}, 2);
        assertEquals(0, apart.between(SENDERS), "three senders a round fit the link's queue");
        assertTrue(apart.between(SENDERS) < allAtOnce().between(SENDERS));
        long between = allAtOnce().between(SENDERS);
        long[] waits = apart.waits(SENDERS, between);
        long[] together = allAtOnce().waits(SENDERS, between);
        for (int i = 0; i < SENDERS.size(); i++) {
            assertTrue(waits[i] <= together[i], "sender " + i + ": " + waits[i] + " > " + together[i]);
        }
        assertTrue(waits[5] < together[5], "the last of six waits behind five, of three behind two");
    }

    @Test
    void sendersUsingTheLinkInOverlappingRoundsArePacedAsIfAllSentEveryRound() {
        LinkBursts overlapping = link(SENDERS.subList(0, 6), new int[] {0, 1, 0, 1, 0, 1}, 2);
        long between = allAtOnce().between(SENDERS);
        assertEquals(between, overlapping.between(SENDERS));
        assertArrayEquals(allAtOnce().waits(SENDERS, between), overlapping.waits(SENDERS, between));
    }

    @Test
    void aRoundsLastSendersAndTheNextRoundsFirstAreCountedAsOneBurst() {
        // senders 5, 6, 7 of the stagger in round 0, then 0, 1, 2 in round 1: six packets in a row on the link
        LinkBursts boundary = link(SENDERS, new int[] {1, 1, 1, 9, 9, 0, 0, 0}, 1);
        LinkBursts sameSixAtOnce = link(List.of(15, 16, 17, 10, 11, 12), new int[6], 1);
        assertTrue(boundary.between(SENDERS) > 0);
        assertEquals(sameSixAtOnce.between(SENDERS), boundary.between(SENDERS));
    }

    @Test
    void roundsOfALinkGiveEachDistinctSetOfItsSendersInARoundAndTheNext() {
        RoundOverlap link = new RoundOverlap();
        link.add(1, 0, 2);
        link.add(2, 0, 2);
        link.add(3, 4, 2);
        link.add(3, 6, 1);
        assertEquals(List.of(Set.of(1, 2), Set.of(3)), link.sendersOfTwoRounds());
        link.add(4, 2, 1);
        // rounds 0 and 1: senders 1 and 2; 1 and 2: 1, 2 and 4; 2 and 3: 4; 3 and 4 to 6 and 7: 3
        assertEquals(List.of(Set.of(1, 2), Set.of(1, 2, 4), Set.of(4), Set.of(3)),
                link.sendersOfTwoRounds());
    }
}
