package org.spinnaker4j.mapper.tdma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.cost.BoundCalculator;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.partition.TrialLayout;

/** A mapping's schedules make room for their windows only while the {@link RoomBudget} lasts. */
class RoomBudgetTest {

    private static final TdmaScheduler SCHEDULER = new TdmaScheduler(CoreCostModel.ARM968_SOFT_FLOAT,
            MachineTiming.SPINNAKER1, TdmaScheduler.DEFAULT_RECEIVE_QUEUE);

    @Test
    void spendsWholeLayoutsUntilTheNextWouldOverrunIt() {
        RoomBudget budget = new RoomBudget(10);
        assertTrue(budget.spend(4));
        assertTrue(budget.spend(4));
        assertFalse(budget.spend(4), "a third layout of 4 cores overruns 10");
        assertTrue(budget.spend(2));
        assertEquals(10, budget.spent());
        assertThrows(IllegalArgumentException.class, () -> new RoomBudget(-1));
    }

    /** A share spends from the budget it is drawn from, up to its own limit and no more than that one has left. */
    @Test
    void aShareSpendsItsWholesBudgetUpToItsOwnLimit() {
        RoomBudget whole = new RoomBudget(10);
        RoomBudget first = whole.share(6);
        assertTrue(first.spend(4));
        assertFalse(first.spend(4), "8 overruns the share of 6");
        assertEquals(4, whole.spent());
        RoomBudget second = whole.share(8);
        assertTrue(second.spend(5));
        assertFalse(second.spend(2), "the whole has 1 left");
        assertEquals(9, whole.spent());
        assertEquals(5, second.spent());
        assertTrue(second.spend(1));
        assertEquals(10, whole.spent());
    }

    /**
     * A slicing of the s16.15 MNIST MLP that FASTEST's search lays out on a SpiNN-5 board and whose schedule's first periods
     * find no room for a window as first laid out, and room-making finds it. Without a budget the schedule is the
     * mapping's own (the default budget does not bind on a board); with none left, it settles for a longer period and
     * lays nothing out to make room. (The slicing FASTEST takes itself needs no room since session 38's trees spread
     * the input over the links; some it lays out on the way do, and the first of those is the case here.)
     */
    @Test
    void aScheduleWithNoBudgetLeftMakesNoRoomAndTakesALongerPeriod() {
        Mapping m = firstLaidOutThatMakesRoom();
        RoomBudget unlimited = new RoomBudget(Long.MAX_VALUE);
        TdmaSchedule free = schedule(m, unlimited);
        RoomBudget none = new RoomBudget(0);
        TdmaSchedule capped = schedule(m, none);

        assertTrue(unlimited.spent() > 0, "the schedule made room");
        assertTrue(unlimited.spent() < RoomBudget.MAPPING, "the default budget does not bind");
        assertEquals(m.tdma().periodClocks(), free.periodClocks());
        assertEquals(m.tdma().stepClocks(), free.stepClocks());
        assertEquals(0, none.spent());
        assertTrue(capped.periodClocks() > free.periodClocks(),
                "without room-making the period " + capped.periodClocks() + " is longer than " + free.periodClocks());
    }

    /** The first slicing FASTEST's search lays out for the s16.15 MNIST MLP whose schedule makes room within the default budget. */
    private static Mapping firstLaidOutThatMakesRoom() {
        Mapper mapper = new Mapper(PartitioningStrategy.FASTEST, TestSupport.MEMORY);
        List<Mapping> laidOut = new ArrayList<>();
        TrialLayout recording = (n, g, machine) -> {
            try {
                Mapping trial = mapper.layOut(n, g, machine);
                laidOut.add(trial);
                return Optional.of(trial.tdma());
            } catch (MappingException doesNotMap) {
                return Optional.empty();
            }
        };
        PartitioningStrategy.FASTEST.partitioner(BoundCalculator.SPINNAKER1, recording).partition(
                TestSupport.mnist().withArithmetic(Arithmetic.S16_15), TestSupport.MEMORY, Machine.spinn5());
        for (Mapping m : laidOut) {
            RoomBudget budget = new RoomBudget(Long.MAX_VALUE);
            schedule(m, budget);
            if (budget.spent() > 0 && budget.spent() < RoomBudget.MAPPING) {
                return m;
            }
        }
        throw new AssertionError("none of the " + laidOut.size() + " slicings laid out makes room");
    }

    private static TdmaSchedule schedule(Mapping m, RoomBudget budget) {
        return SCHEDULER.schedule(m.network(), m.graph(), m.placements(), m.keys(), m.routingTables(), m.machine(),
                (v, samples) -> samples == 1, budget);
    }
}
