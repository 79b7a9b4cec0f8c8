package org.spinnaker4j.benchmarks;

import java.util.Comparator;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.tdma.Phase;
import org.spinnaker4j.mapper.tdma.TdmaSchedule;
import org.spinnaker4j.mapper.tdma.TdmaScheduler;

/**
 * What a mapping's forward step (one sample's latency under TDMA) is made of: its longest TDMA windows, each with
 * the cores that send in it and its share of the step, for the report to say what limits a latency.
 */
final class StepWindows {

    private StepWindows() {
    }

    /**
     * The {@code n} longest forward windows (values and softmax exchanges) of {@code m}'s TDMA schedule, longest
     * first, as "stage 9 (layer 3 relay): 20,412 clocks, 14 %" separated by semicolons; empty without a schedule.
     */
    static String longest(Mapping m, int n) {
        TdmaSchedule tdma = m.tdma();
        if (tdma == null || tdma.stepClocks() <= 0) {
            return "";
        }
        int[] stage = TdmaScheduler.stages(m.graph());
        return tdma.stages().stream().filter(st -> st.phase() == Phase.FORWARD || st.phase() == Phase.SYNC)
                .sorted(Comparator.comparingLong(TdmaSchedule.Stage::windowClocks).reversed()).limit(n)
                .map(st -> String.format(Locale.ROOT, "stage %d %s(%s): %,d clocks, %.0f %%", st.index(),
                        st.phase() == Phase.SYNC ? "softmax exchange " : "", senders(m, stage, st.index()),
                        st.windowClocks(), 100.0 * st.windowClocks() / tdma.stepClocks()))
                .collect(Collectors.joining("; "));
    }

    /** The layers and kinds of the cores in stage {@code s}, such as "layer 3 dense block, layer 3 relay". */
    private static String senders(Mapping m, int[] stage, int s) {
        TreeSet<String> kinds = new TreeSet<>();
        for (MachineVertex v : m.graph().vertices()) {
            if (stage[v.id()] == s) {
                String kind = v.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ');
                kinds.add(v.layer() < 0 ? kind : "layer " + v.layer() + " " + kind);
            }
        }
        return String.join(", ", kinds);
    }
}
