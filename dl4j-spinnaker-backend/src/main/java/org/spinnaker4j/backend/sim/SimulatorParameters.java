package org.spinnaker4j.backend.sim;

import java.io.Serializable;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.tdma.TdmaScheduler;

/**
 * The simulated machine's timing and buffer sizes. Every default is explained with its
 * source in docs/machine-model.md; those marked "est." there are model assumptions.
 *
 * @param sendMode            BURST or TDMA
 * @param reinjection         whether the extra monitor reinjects dropped packets
 * @param wait1RouterCycles   router cycles a blocked packet waits before it is dropped (SFEC: 480)
 * @param routerInputDepth    packets the router's input stage holds (est.)
 * @param linkQueueDepth      packets each outgoing link buffers (est.)
 * @param coreReceiveDepth    packets a core's receive queue holds (est., spin1_api-style software queue)
 * @param reinjectionQueue    packets the reinjection queue holds (SFEC: 4096, so 4095 usable)
 * @param cost                cycles of the cores' work
 * @param timing              the clocks and the link speed, as the mapper reads them
 */
public record SimulatorParameters(SendMode sendMode, boolean reinjection, int wait1RouterCycles, int routerInputDepth,
        int linkQueueDepth, int coreReceiveDepth, int reinjectionQueue, CoreCostModel cost, MachineTiming timing)
        implements Serializable {

    /** The defaults: TDMA, reinjection on, SFEC's router timeout, the default cost model and SpiNNaker1's timing. */
    public static SimulatorParameters defaults() {
        return new SimulatorParameters(SendMode.TDMA, true, 480, 8, TdmaScheduler.DEFAULT_LINK_QUEUE,
                TdmaScheduler.DEFAULT_RECEIVE_QUEUE, 4095,
                CoreCostModel.ARM968_SOFT_FLOAT, MachineTiming.SPINNAKER1);
    }

    public SimulatorParameters {
        if (sendMode == null || cost == null || timing == null) {
            throw new IllegalArgumentException("sendMode, cost and timing must not be null");
        }
        if (wait1RouterCycles < 1 || routerInputDepth < 1 || linkQueueDepth < 1 || coreReceiveDepth < 1
                || reinjectionQueue < 1) {
            throw new IllegalArgumentException("wait1, queue and buffer sizes must be at least 1: " + this);
        }
    }

    public SimulatorParameters withSendMode(SendMode mode) {
        return new SimulatorParameters(mode, reinjection, wait1RouterCycles, routerInputDepth, linkQueueDepth,
                coreReceiveDepth, reinjectionQueue, cost, timing);
    }

    public SimulatorParameters withReinjection(boolean on) {
        return new SimulatorParameters(sendMode, on, wait1RouterCycles, routerInputDepth, linkQueueDepth,
                coreReceiveDepth, reinjectionQueue, cost, timing);
    }

    public SimulatorParameters withBuffers(int routerInput, int linkQueue, int coreReceive) {
        return new SimulatorParameters(sendMode, reinjection, wait1RouterCycles, routerInput, linkQueue, coreReceive,
                reinjectionQueue, cost, timing);
    }
}
