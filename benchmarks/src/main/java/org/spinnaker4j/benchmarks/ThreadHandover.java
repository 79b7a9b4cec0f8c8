package org.spinnaker4j.benchmarks;

import java.util.Arrays;

/**
 * The host's cost of one handover between two threads, the least a simulator split over two threads would pay per
 * window of a link's time (docs/simulator-speed.md, "A second simulator thread"): two threads take turns through
 * two volatile counters, each spinning until the other's turn ends, and this prints the wall time per round trip
 * (each thread waits once), the median and the worst of {@code rounds} blocks of {@code trips} round trips. On a host
 * whose cores other processes share, a waiting thread often spins while its partner is descheduled, which the
 * figures show. Usage: {@code ThreadHandover [trips [rounds]]}.
 */
public final class ThreadHandover {

    private static volatile long mainTurn;
    private static volatile long partnerTurn;

    private ThreadHandover() {
    }

    /** Runs the blocks and prints their times per round trip. */
    public static void main(String[] args) throws InterruptedException {
        long trips = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        if (trips < 1 || rounds < 1) {
            throw new IllegalArgumentException("Expected trips and rounds of at least 1, got " + trips + " and "
                    + rounds);
        }
        double[] nanos = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            nanos[r] = block(trips);
            System.out.printf("block %d: %.0f ns per round trip%n", r + 1, nanos[r]);
        }
        Arrays.sort(nanos);
        System.out.printf("%d blocks of %d round trips: median %.0f ns, best %.0f ns, worst %.0f ns%n", rounds, trips,
                nanos[rounds / 2], nanos[0], nanos[rounds - 1]);
    }

    /** Wall nanoseconds per round trip over {@code trips} of them. */
    private static double block(long trips) throws InterruptedException {
        mainTurn = 0;
        partnerTurn = 0;
        Thread partner = new Thread(() -> {
            for (long k = 1; k <= trips; k++) {
                while (mainTurn < k) {
                    Thread.onSpinWait();
                }
                partnerTurn = k;
            }
        });
        partner.start();
        long start = System.nanoTime();
        for (long k = 1; k <= trips; k++) {
            mainTurn = k;
            while (partnerTurn < k) {
                Thread.onSpinWait();
            }
        }
        long elapsed = System.nanoTime() - start;
        partner.join();
        return (double) elapsed / trips;
    }
}
