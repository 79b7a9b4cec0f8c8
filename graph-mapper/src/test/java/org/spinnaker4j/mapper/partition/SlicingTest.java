package org.spinnaker4j.mapper.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.ir.NetworkSpec;

/** The moves of the FASTEST search that {@link Slicing} offers beside its neighbours. */
class SlicingTest {

    private static final Slicing SEED_CHOICE = new Slicing(new int[] {2, 6, 10, 68, 17, 8},
            new int[] {1, 1, 4, 7, 6, 1}, 1);

    @Test
    void aRegroupingScalesSlicesAndGroupsTogetherKeepingTheConsumersRowSlices() {
        NetworkSpec network = TestSupport.seed();
        List<Slicing> regroupings = SEED_CHOICE.regroupings(network);
        // vector 2: 3 row slices in groups of 6; vector 3: 10 in groups of 10; vector 4: 3 in groups of 9
        assertEquals(List.of(new Slicing(new int[] {2, 6, 18, 68, 17, 8}, new int[] {1, 1, 6, 7, 6, 1}, 1),
                new Slicing(new int[] {2, 6, 10, 100, 17, 8}, new int[] {1, 1, 4, 10, 6, 1}, 1),
                new Slicing(new int[] {2, 6, 10, 68, 27, 8}, new int[] {1, 1, 4, 7, 9, 1}, 1)), regroupings);
        for (Slicing s : regroupings) {
            assertTrue(!SEED_CHOICE.neighbours(network).contains(s), s + " is a neighbour");
        }
    }

    @Test
    void aRegroupingNeverCutsAVectorFinerThanItsValues() {
        // vectors 3 and 4 in single values, in 10 and 2 row slices: groups half as large again would need 450 and 74
        Slicing wide = new Slicing(new int[] {2, 6, 10, 300, 50, 8}, new int[] {1, 1, 4, 30, 25, 1}, 1);
        for (Slicing s : wide.regroupings(TestSupport.seed())) {
            for (int v = 0; v < s.parts().length; v++) {
                assertTrue(s.parts()[v] <= TestSupport.seed().vectorSize(v), s.toString());
            }
        }
        assertEquals(1, wide.regroupings(TestSupport.seed()).size(), "only vector 2's groups can grow");
    }

    @Test
    void trainingHasNoRegroupings() {
        assertEquals(List.of(), SEED_CHOICE.regroupings(TestSupport.training(TestSupport.seed())));
    }
}
