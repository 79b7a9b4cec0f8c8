package org.spinnaker4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.tdma.TdmaSchedule;

/** A mapping's longest TDMA windows as the report names them: longest first, with their cores and share. */
class StepWindowsTest {

    private static final Pattern WINDOW = Pattern.compile("stage (\\d+) (softmax exchange )?\\(([^)]+)\\): "
            + "([\\d,]+) clocks, (\\d+) %");

    @Test
    void namesTheLongestWindowsLongestFirst() {
        SpiNNakerOptions options = SpiNNakerOptions.builder().partitioning(PartitioningStrategy.FEWEST_CORES)
                .inferenceOnly().build();
        try (SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(ReferenceNetworks.seedNetwork(),
                options)) {
            net.init();
            Mapping m = net.mapping();
            String[] windows = StepWindows.longest(m, 3).split("; ");
            assertEquals(3, windows.length, String.join("; ", windows));
            long longest = m.tdma().stages().stream().mapToLong(TdmaSchedule.Stage::windowClocks).max().orElseThrow();
            long previous = Long.MAX_VALUE;
            for (String w : windows) {
                Matcher matcher = WINDOW.matcher(w);
                assertTrue(matcher.matches(), w);
                long clocks = Long.parseLong(matcher.group(4).replace(",", ""));
                assertTrue(clocks <= previous, String.join("; ", windows));
                assertTrue(matcher.group(3).startsWith("layer ") || matcher.group(3).startsWith("input"), w);
                assertEquals(Math.round(100.0 * clocks / m.tdma().stepClocks()), Long.parseLong(matcher.group(5)), w);
                previous = clocks;
            }
            assertTrue(windows[0].contains(String.format(Locale.ROOT, "%,d clocks", longest)), windows[0]);
        }
    }
}
