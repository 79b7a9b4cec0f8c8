package org.spinnaker4j.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Console output of work that runs on several threads, printed in the order of its sections: a
 * section's lines are printed as soon as they are written if every earlier section is done, and
 * otherwise held until then, so the output reads as if the sections had run one after another.
 */
final class OrderedOutput {

    private final PrintStream out;
    private final List<List<String>> held = new ArrayList<>();
    private final boolean[] done;
    /** The first section not done: its lines are printed at once. */
    private int current;

    OrderedOutput(PrintStream out, int sections) {
        this.out = out;
        this.done = new boolean[sections];
        for (int s = 0; s < sections; s++) {
            held.add(new ArrayList<>());
        }
    }

    /** Writes a formatted line (or lines) of {@code section}. */
    synchronized void printf(int section, String format, Object... args) {
        String text = String.format(format, args);
        if (done[section]) {
            throw new IllegalStateException("section " + section + " is done");
        }
        if (section == current) {
            out.print(text);
            out.flush();
        } else {
            held.get(section).add(text);
        }
    }

    /** Section {@code section} has written all its lines; the next sections' held lines follow it. */
    synchronized void done(int section) {
        done[section] = true;
        while (current < done.length && done[current]) {
            current++;
            if (current < done.length) {
                held.get(current).forEach(out::print);
                held.get(current).clear();
            }
        }
        out.flush();
    }
}
