package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.demo.ReferenceNetworks;

/** The host link's time is what moving the run's values over a SpiNN-5 board's Ethernet takes, beside the machine's. */
class HostLinkTest {

    @Test
    void aValueTakes32BitsAtTheEthernetsPayloadRate() {
        // 100 Mbit/s, 256 of every 348 bytes data: 1e6 values take 0.32 s / (256/348)
        assertEquals(0.32 * 348 / 256, HostLink.SPINN5_ETHERNET.seconds(1_000_000), 1e-12);
    }

    @Test
    void aRunMovesEachSampleInAndEachResultOut() {
        MultiLayerNetwork cpu = new MultiLayerNetwork(ReferenceNetworks.seedNetwork());
        cpu.init();
        try (SpiNNakerMultiLayerNetwork net = SpiNNakerMultiLayerNetwork.wrap(cpu,
                SpiNNakerOptions.builder().inferenceOnly().build())) {
            net.output(Nd4j.rand(DataType.FLOAT, 3, 10));
            RunStats stats = net.lastRunStats();
            assertEquals(HostLink.SPINN5_ETHERNET.seconds(3 * (10 + 25)), stats.hostSeconds(), 1e-15);
            assertEquals(stats.hostSeconds() / 3, stats.hostSecondsPerSample(), 1e-15);
        }
    }
}
