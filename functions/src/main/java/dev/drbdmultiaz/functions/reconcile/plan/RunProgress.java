package dev.drbdmultiaz.functions.reconcile.plan;

import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.functions.reconcile.state.RunCounters;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What this execution has seen and done so far: the planner's second input.
 *
 * @param observed last status result per instance
 * @param counters counters and flags of the execution
 * @param unreachable members this run goes on without (CheckAgentsOnline): no command, no observation
 */
public record RunProgress(Map<String, NodeStatus> observed, RunCounters counters, Set<String> unreachable) {

    public RunProgress {
        observed = observed == null ? Map.of() : Map.copyOf(observed);
        counters = counters == null ? RunCounters.initial() : counters;
        unreachable = unreachable == null ? Set.of() : Set.copyOf(unreachable);
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
