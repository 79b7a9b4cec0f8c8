package org.spinnaker4j.kernels;

import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Delivers packets to the cores whose input ranges contain their keys; keeps the rest as outputs. */
final class PacketRouter {
    final List<KernelCore> cores;
    final List<Packet> outputs = new ArrayList<>();

    PacketRouter(List<KernelCore> cores) {
        this.cores = cores;
    }

    /** The cores that take {@code key}. */
    List<Integer> destinations(int key) {
        List<Integer> d = new ArrayList<>();
        for (int c = 0; c < cores.size(); c++) {
            for (KeyRange r : cores.get(c).config().inputs()) {
                if (r.contains(key)) {
                    d.add(c);
                }
            }
        }
        return d;
    }

    /** Runs {@code initial} (pairs of destination and packet) to quiescence in a random order. */
    void runRandom(List<Object[]> initial, Random rnd) {
        List<Object[]> pending = new ArrayList<>(initial);
        while (!pending.isEmpty()) {
            Object[] next = pending.remove(rnd.nextInt(pending.size()));
            int dest = (Integer) next[0];
            for (Packet sent : Kernels.deliver(cores.get(dest), (Packet) next[1])) {
                route(sent, pending);
            }
        }
    }

    private void route(Packet sent, List<Object[]> pending) {
        List<Integer> dests = destinations(sent.key());
        if (dests.isEmpty()) {
            outputs.add(sent);
        }
        for (int d : dests) {
            pending.add(new Object[] {d, sent});
        }
    }
}
