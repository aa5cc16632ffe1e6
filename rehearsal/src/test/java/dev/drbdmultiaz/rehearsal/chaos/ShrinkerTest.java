package dev.drbdmultiaz.rehearsal.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShrinkerTest {

    private static PlannedFault fault(FaultKind kind) {
        return new PlannedFault(kind, Duration.ofMinutes(1), 0, 0, Duration.ofMinutes(2));
    }

    private static boolean has(FaultPlan plan, FaultKind kind) {
        return plan.faults().stream().anyMatch(f -> f.kind() == kind);
    }

    @Test
    void keepsOnlyTheFaultsTheFailureNeeds() {
        FaultPlan plan = new FaultPlan(3, List.of(fault(FaultKind.REBOOT), fault(FaultKind.TERMINATE),
            fault(FaultKind.READJUST_BURST), fault(FaultKind.AGENT_OFFLINE), fault(FaultKind.THROTTLE_SSM)));
        List<FaultPlan> tried = new ArrayList<>();
        FaultPlan shortest = Shrinker.shrink(plan, Set.of(Invariant.LIFECYCLE), candidate -> {
            tried.add(candidate);
            boolean fails = has(candidate, FaultKind.TERMINATE) && has(candidate, FaultKind.AGENT_OFFLINE);
            return new Shrinker.Verdict(!fails, fails ? Set.of(Invariant.LIFECYCLE) : Set.of());
        });
        assertEquals(List.of(FaultKind.TERMINATE, FaultKind.AGENT_OFFLINE),
            shortest.faults().stream().map(PlannedFault::kind).toList());
        assertEquals(5, tried.size(), "one run per fault");
    }

    @Test
    void aDropThatBreaksAnotherInvariantOnlyIsNotKept() {
        FaultPlan plan = new FaultPlan(3, List.of(fault(FaultKind.REBOOT), fault(FaultKind.TERMINATE)));
        FaultPlan shortest = Shrinker.shrink(plan, Set.of(Invariant.NO_LOST_WRITE), candidate ->
            has(candidate, FaultKind.REBOOT) && has(candidate, FaultKind.TERMINATE)
                ? new Shrinker.Verdict(false, Set.of(Invariant.NO_LOST_WRITE))
                : new Shrinker.Verdict(false, Set.of(Invariant.CONVERGES)));
        assertEquals(plan, shortest);
    }
}
