package dev.drbdmultiaz.functions.reconcile.state;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Result of PlanNextStep ({@code $.plan}).
 *
 * @param step the step name, also the RouteStep branch (see {@link dev.drbdmultiaz.model.Step})
 * @param reason why this step, for the operator
 * @param documentName SSM document to send, {@code null} for Converged
 * @param targets instances to send it to
 * @param parameters document parameters by name (SendNodeCommand puts them in the SSM API shape)
 * @param mutating whether the document changes a node
 * @param heartbeat whether RecordLifecycleHeartbeats runs before the step (the handler's HeartbeatSchedule)
 * @param waitSeconds WaitForConnections' wait before the next observation, else 0
 * @param pollSeconds WaitForCommand's wait between result polls
 * @param lifecycle what CompleteLifecycleActions does; set on Converged only
 */
public record PlannedStep(
    String step,
    String reason,
    String documentName,
    List<String> targets,
    Map<String, String> parameters,
    boolean mutating,
    boolean heartbeat,
    int waitSeconds,
    int pollSeconds,
    LifecyclePlan lifecycle) {

    public PlannedStep {
        targets = targets == null ? List.of() : List.copyOf(targets);
        parameters = parameters == null ? Map.of() : copyParameters(parameters);
    }

    /** The same step, with {@code due} as its heartbeat flag. */
    public PlannedStep withHeartbeat(boolean due) {
        return new PlannedStep(step, reason, documentName, targets, parameters, mutating, due, waitSeconds,
            pollSeconds, lifecycle);
    }

    /** The value of parameter {@code name}, or {@code null}. */
    public String parameter(String name) {
        return parameters.get(name);
    }

    private static Map<String, String> copyParameters(Map<String, String> parameters) {
        return java.util.Collections.unmodifiableMap(new TreeMap<>(parameters));
    }
}
