package dev.drbdmultiaz.functions.reconcile.state;

import java.util.List;

/**
 * What CompleteLifecycleActions does once the cluster converged; decided by the planner.
 *
 * @param continueLaunches members whose pending launch action continues
 * @param continueTerminates departing members whose pending terminate action continues
 * @param release departing members every survivor forgot: their registry items and node-ids go
 *     (invariant I6)
 */
public record LifecyclePlan(List<String> continueLaunches, List<String> continueTerminates, List<DepartingMember> release) {

    public LifecyclePlan {
        continueLaunches = continueLaunches == null ? List.of() : List.copyOf(continueLaunches);
        continueTerminates = continueTerminates == null ? List.of() : List.copyOf(continueTerminates);
        release = release == null ? List.of() : List.copyOf(release);
    }
}
