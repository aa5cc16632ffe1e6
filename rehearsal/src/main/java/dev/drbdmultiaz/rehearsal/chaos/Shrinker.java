package dev.drbdmultiaz.rehearsal.chaos;

import java.util.Set;
import java.util.function.Function;

/**
 * Shortens a failing plan: drops its faults one at a time, last first, keeping each drop after
 * which a run still breaks one of the invariants the full plan broke (or, when the full plan only
 * stopped the rehearsal without a violation, still fails). One run per fault.
 */
final class Shrinker {

    /** What a run of a candidate plan ended with. */
    record Verdict(boolean passed, Set<Invariant> broken) {
    }

    private Shrinker() {
    }

    static FaultPlan shrink(FaultPlan plan, Set<Invariant> broken, Function<FaultPlan, Verdict> runner) {
        FaultPlan shortest = plan;
        for (int i = shortest.faults().size() - 1; i >= 0; i--) {
            FaultPlan candidate = shortest.without(i);
            Verdict verdict = runner.apply(candidate);
            boolean stillFails = broken.isEmpty() ? !verdict.passed()
                : verdict.broken().stream().anyMatch(broken::contains);
            if (stillFails) {
                shortest = candidate;
            }
        }
        return shortest;
    }
}
