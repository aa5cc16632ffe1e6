package dev.drbdmultiaz.functions.reconcile.plan;

import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.functions.reconcile.state.RunCounters;
import dev.drbdmultiaz.functions.reconcile.volumes.VolumeGrowthResult;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What this execution has seen and done so far: the planner's second input.
 *
 * @param observed last status result per instance
 * @param counters counters and flags of the execution
 * @param unreachable members this run goes on without (CheckAgentsOnline): no command, no observation
 * @param volumeGrowth what EC2 answered the last ModifyDataVolumes, one item per volume
 */
public record RunProgress(Map<String, NodeStatus> observed, RunCounters counters, Set<String> unreachable,
    List<VolumeGrowthResult> volumeGrowth) {

    public RunProgress {
        observed = observed == null ? Map.of() : Map.copyOf(observed);
        counters = counters == null ? RunCounters.initial() : counters;
        unreachable = unreachable == null ? Set.of() : Set.copyOf(unreachable);
        volumeGrowth = volumeGrowth == null ? List.of() : List.copyOf(volumeGrowth);
    }

    public RunProgress(Map<String, NodeStatus> observed, RunCounters counters, Set<String> unreachable) {
        this(observed, counters, unreachable, List.of());
    }

    public RunProgress(Map<String, NodeStatus> observed, RunCounters counters) {
        this(observed, counters, Set.of());
    }

    /** Nothing observed or done yet. */
    public static RunProgress initial() {
        return new RunProgress(Map.of(), RunCounters.initial());
    }

    public Optional<NodeStatus> status(String instanceId) {
        return Optional.ofNullable(observed.get(instanceId));
    }
}
