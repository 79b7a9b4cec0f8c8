package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A key's receive cost is that of the first range holding it, overlapping, empty and high (unsigned) ranges included,
 * else the default.
 */
class ReceiveCostsTest {

    @Test
    void costsAsTheFirstRangeHoldingTheKey() {
        Random random = new Random(15);
        for (int round = 0; round < 20; round++) {
            List<SimCore.KeyClass<Long>> ranges = new ArrayList<>();
            for (int k = 0; k < 1 + random.nextInt(12); k++) {
                int lo = random.nextInt(400) + (random.nextBoolean() ? 0x7FFF_FF00 : 0);
                int hi = lo + random.nextInt(60) - 5; // some empty
                ranges.add(new SimCore.KeyClass<>(lo, hi, 100L + k, 0));
            }
            ReceiveCosts costs = new ReceiveCosts(ranges, SimCore.KeyClass::meaning, 7);
            for (int base : new int[] {0, 0x7FFF_FF00}) {
                for (int key = base - 10; key < base + 480; key++) {
                    int probe = key;
                    long expected = ranges.stream().filter(r -> r.contains(probe)).findFirst()
                            .map(SimCore.KeyClass::meaning).orElse(7L);
                    assertEquals(expected, costs.cycles(key), "round " + round + ", key " + key);
                }
            }
        }
    }
}
