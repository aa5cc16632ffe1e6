package dev.drbdmultiaz.functions.reconcile.state;

import java.util.List;

/**
 * What CompleteLifecycleActions does once the cluster converged; decided by the planner.
 *
 * @param continueLaunches members whose pending launch action continues
 * @param continueTerminates departing members whose pending terminate action continues
 * @param release departing members every survivor forgot: their registry items and node-ids go
 *     (invariant I6)
 * @param abandonLaunches unreachable members whose launch waits: never seen by a run, they cannot
 *     be named in the config, so the group replaces them
 * @param unreachable members the run went on without; they stay in the config as peers
 * @param evictable unreachable members that may be marked Unhealthy once unreachable for the
 *     eviction time, because a majority of UpToDate members stays without them
 * @param evictionHeld why unreachable members may not be evicted, or {@code null}
 * @param protectFromScaleIn the members that are DRBD Primary: the only ones the group may not pick
 *     when it scales in (every other member loses its scale-in protection)
 */
public record LifecyclePlan(List<String> continueLaunches, List<String> continueTerminates,
    List<DepartingMember> release, List<String> abandonLaunches, List<String> unreachable, List<String> evictable,
    String evictionHeld, List<String> protectFromScaleIn) {

    public LifecyclePlan {
        continueLaunches = continueLaunches == null ? List.of() : List.copyOf(continueLaunches);
        continueTerminates = continueTerminates == null ? List.of() : List.copyOf(continueTerminates);
        release = release == null ? List.of() : List.copyOf(release);
        abandonLaunches = abandonLaunches == null ? List.of() : List.copyOf(abandonLaunches);
        unreachable = unreachable == null ? List.of() : List.copyOf(unreachable);
        evictable = evictable == null ? List.of() : List.copyOf(evictable);
        protectFromScaleIn = protectFromScaleIn == null ? List.of() : List.copyOf(protectFromScaleIn);
    }

    public LifecyclePlan(List<String> continueLaunches, List<String> continueTerminates,
        List<DepartingMember> release, List<String> abandonLaunches, List<String> unreachable, List<String> evictable,
        String evictionHeld) {
        this(continueLaunches, continueTerminates, release, abandonLaunches, unreachable, evictable, evictionHeld,
            List.of());
    }

    public LifecyclePlan(List<String> continueLaunches, List<String> continueTerminates,
        List<DepartingMember> release) {
        this(continueLaunches, continueTerminates, release, List.of(), List.of(), List.of(), null, List.of());
    }
}
