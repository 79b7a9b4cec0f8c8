package org.spinnaker4j.mapper.tdma;

import java.util.Comparator;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;

/**
 * What a schedule's forward step (one sample's latency under TDMA) is made of: its longest windows, each with the
 * cores that send in it and its share of the step, so that a mapping's description and the machine report can say
 * what limits a latency.
 */
public final class StepWindows {

    private StepWindows() {
    }

    /**
     * The {@code n} longest forward windows (values and softmax exchanges) of {@code tdma}, the schedule of
     * {@code graph}, longest first, as "stage 9 (layer 3 relay): 20,412 clocks, 14 %" separated by semicolons; empty
     * for a schedule with no step.
     */
    public static String longest(MachineGraph graph, TdmaSchedule tdma, int n) {
        if (tdma.stepClocks() <= 0) {
            return "";
        }
        int[] stage = TdmaScheduler.stages(graph);
        return tdma.stages().stream().filter(st -> st.phase() == Phase.FORWARD || st.phase() == Phase.SYNC)
                .sorted(Comparator.comparingLong(TdmaSchedule.Stage::windowClocks).reversed()).limit(n)
                .map(st -> String.format(Locale.ROOT, "stage %d %s(%s): %,d clocks, %.0f %%", st.index(),
                        st.phase() == Phase.SYNC ? "softmax exchange " : "", senders(graph, stage, st.index()),
                        st.windowClocks(), 100.0 * st.windowClocks() / tdma.stepClocks()))
                .collect(Collectors.joining("; "));
    }

    /** The layers and kinds of the cores in stage {@code s}, such as "layer 3 dense block, layer 3 relay". */
    private static String senders(MachineGraph graph, int[] stage, int s) {
        TreeSet<String> kinds = new TreeSet<>();
        for (MachineVertex v : graph.vertices()) {
            if (stage[v.id()] == s) {
                String kind = v.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ');
                kinds.add(v.layer() < 0 ? kind : "layer " + v.layer() + " " + kind);
            }
        }
        return String.join(", ", kinds);
    }
}
