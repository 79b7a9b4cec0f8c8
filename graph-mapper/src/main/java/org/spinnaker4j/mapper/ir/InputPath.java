package org.spinnaker4j.mapper.ir;

/**
 * How each sample's input reaches the first layer's cores. The host writes a batch to the board before a run either
 * way (its time is the host link's, not the machine's); what differs is the path from there to the cores.
 */
public enum InputPath {
    /**
     * Input source cores hold the sample's values and multicast one packet per value to the first layer's blocks,
     * each of which files and multiplies in a packet at a time.
     */
    PACKETS,
    /**
     * Each of the first layer's dense blocks reads its rows of the sample from its chip's SDRAM by DMA and multiplies
     * them in in one event, as SpiNNaker applications stream their data: no input source cores, no input packets.
     * Fully connected networks only (a convolution's first layer takes packets).
     */
    SDRAM
}
