package dev.drbdmultiaz.rehearsal.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class FaultPlanTest {

    @Test
    void aSeedReplaysTheSameSequence() {
        assertEquals(FaultPlan.draw(42, 10), FaultPlan.draw(42, 10));
        assertEquals(FaultPlan.draw(42, 10).toString(), FaultPlan.draw(42, 10).toString());
        assertNotEquals(FaultPlan.draw(42, 10).faults(), FaultPlan.draw(43, 10).faults());
    }

    @Test
    void aPlanHoldsExactlyTheFaultsAskedForWithinTheirBounds() {
        for (long seed = 0; seed < 200; seed++) {
            FaultPlan plan = FaultPlan.draw(seed, 10);
            assertEquals(10, plan.faults().size(), plan.toString());
            assertTrue(plan.faults().get(0).after().compareTo(Duration.ofMinutes(1)) >= 0, plan.toString());
            for (PlannedFault f : plan.faults()) {
                assertNotEquals(FaultKind.TWO_AT_ONCE, f.kind(), "two-at-once is expanded into two faults: " + plan);
                assertTrue(f.after().compareTo(FaultPlan.MAX_GAP) <= 0, plan.toString());
                assertTrue(f.hold().compareTo(Duration.ofMinutes(2)) >= 0
                    && f.hold().compareTo(FaultPlan.MAX_HOLD) <= 0, plan.toString());
            }
        }
        assertEquals(0, FaultPlan.draw(1, 0).faults().size());
        assertThrows(IllegalArgumentException.class, () -> FaultPlan.draw(1, -1));
    }

    @Test
    void aHundredSequencesDrawEveryFaultOfTheCatalogAndSomeAtOnce() {
        Set<FaultKind> drawn = LongStream.range(0, 100).boxed().flatMap(s -> FaultPlan.draw(s, 10).faults().stream())
            .map(PlannedFault::kind).collect(Collectors.toCollection(() -> EnumSet.noneOf(FaultKind.class)));
        Set<FaultKind> catalog = EnumSet.allOf(FaultKind.class);
        catalog.remove(FaultKind.TWO_AT_ONCE);
        assertEquals(catalog, drawn);
        int together = LongStream.range(0, 100).mapToInt(s -> FaultPlan.draw(s, 10).simultaneous()).sum();
        assertTrue(together > 20, "pairs at once over 100 sequences: " + together);
    }

    @Test
    void consecutiveSeedsBeginWithDifferentFaults() {
        Set<FaultKind> first = LongStream.range(0, 20).mapToObj(s -> FaultPlan.draw(s, 1).faults().get(0).kind())
            .collect(Collectors.toCollection(() -> EnumSet.noneOf(FaultKind.class)));
        assertTrue(first.size() >= 8, "seeds 0..19 begin with only " + first);
    }

    @Test
    void withoutDropsOneFaultAndKeepsTheOthersInOrder() {
        FaultPlan plan = FaultPlan.draw(7, 5);
        FaultPlan shorter = plan.without(2);
        assertEquals(4, shorter.faults().size());
        assertEquals(plan.faults().subList(0, 2), shorter.faults().subList(0, 2));
        assertEquals(plan.faults().subList(3, 5), shorter.faults().subList(2, 4));
        assertEquals(plan.seed(), shorter.seed());
    }
}
