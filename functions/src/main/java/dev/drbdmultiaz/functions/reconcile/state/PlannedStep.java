package dev.drbdmultiaz.functions.reconcile.state;

import dev.drbdmultiaz.functions.reconcile.volumes.VolumeGrowth;
import dev.drbdmultiaz.model.Step;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Result of PlanNextStep ({@code $.plan}). Build one with the factory of its kind:
 * {@link #runOnNodes}, {@link #waitThenObserve}, {@link #releaseDeparting}, {@link #converged} or
 * {@link #nodeStepFailed};
 * the canonical constructor is the JSON shape the ASL and the handlers read.
 *
 * @param step the step name, also the RouteStep branch (see {@link dev.drbdmultiaz.model.Step})
 * @param reason why this step, for the operator
 * @param documentName SSM document to send, {@code null} for Converged
 * @param targets instances to send it to; for ReleaseDepartingMembers the departing members let go
 * @param parameters document parameters by name (SendNodeCommand puts them in the SSM API shape)
 * @param mutating whether the document changes a node
 * @param heartbeat whether RecordLifecycleHeartbeats runs before the step (the handler's HeartbeatSchedule)
 * @param waitSeconds WaitForConnections' or WaitForResync's wait before the next observation, else 0
 * @param pollSeconds WaitForCommand's wait between result polls
 * @param lifecycle what CompleteLifecycleActions does; set on Converged only
 * @param commandTimeoutSeconds how long RunNodeStep waits for the command's completion before it
 *     falls back to polling (its TimeoutSecondsPath), in the unit of the other waits; 0 without a document
 * @param volumes GrowDataVolumes' data volumes to grow now (ModifyDataVolumes' items), else {@code null}
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
    LifecyclePlan lifecycle,
    int commandTimeoutSeconds,
    List<VolumeGrowth> volumes) {

    public PlannedStep {
        targets = targets == null ? List.of() : List.copyOf(targets);
        parameters = parameters == null ? Map.of() : copyParameters(parameters);
        volumes = volumes == null ? null : List.copyOf(volumes);
    }

    public PlannedStep(String step, String reason, String documentName, List<String> targets,
        Map<String, String> parameters, boolean mutating, boolean heartbeat, int waitSeconds, int pollSeconds,
        LifecyclePlan lifecycle, int commandTimeoutSeconds) {
        this(step, reason, documentName, targets, parameters, mutating, heartbeat, waitSeconds, pollSeconds,
            lifecycle, commandTimeoutSeconds, null);
    }

    public PlannedStep(String step, String reason, String documentName, List<String> targets,
        Map<String, String> parameters, boolean mutating, boolean heartbeat, int waitSeconds, int pollSeconds,
        LifecyclePlan lifecycle) {
        this(step, reason, documentName, targets, parameters, mutating, heartbeat, waitSeconds, pollSeconds,
            lifecycle, 0);
    }

    /**
     * Send {@code documentName} (the deployed name of the step's document) to {@code targets} now.
     *
     * @param pollSeconds WaitForCommand's wait between result polls
     */
    public static PlannedStep runOnNodes(Step step, String reason, String documentName, List<String> targets,
        Map<String, String> parameters, int pollSeconds) {
        return new PlannedStep(step.name(), reason, documentName, targets, parameters, step.mutating(), false, 0,
            pollSeconds, null);
    }

    /**
     * Wait {@code waitSeconds}, then send the status document {@code documentName} to
     * {@code targets} again ({@code step}: WaitForConnections or WaitForResync).
     */
    public static PlannedStep waitThenObserve(Step step, String reason, int waitSeconds, String documentName,
        List<String> targets, Map<String, String> parameters, int pollSeconds) {
        return new PlannedStep(step.name(), reason, documentName, targets, parameters, step.mutating(), false,
            waitSeconds, pollSeconds, null);
    }

    /**
     * Ask EC2 to grow {@code volumes} (none: the ones asked for earlier are still being modified),
     * wait {@code waitSeconds}, then send the status document {@code documentName} to {@code targets}.
     */
    public static PlannedStep growDataVolumes(String reason, List<VolumeGrowth> volumes, int waitSeconds,
        String documentName, List<String> targets, Map<String, String> parameters, int pollSeconds) {
        return new PlannedStep(Step.GrowDataVolumes.name(), reason, documentName, targets, parameters, false, false,
            waitSeconds, pollSeconds, null, 0, volumes);
    }

    /**
     * CONTINUE the terminate actions of the departing members {@code targets}, then wait until the
     * group no longer lists them (ReleaseDepartingMembers, then AwaitDeparture).
     */
    public static PlannedStep releaseDeparting(String reason, List<String> targets, int pollSeconds) {
        return new PlannedStep(Step.ReleaseDepartingMembers.name(), reason, null, targets, Map.of(), false, false, 0,
            pollSeconds, null);
    }

    /** Nothing left to send; {@code lifecycle} says what CompleteLifecycleActions does. */
    public static PlannedStep converged(String reason, LifecyclePlan lifecycle, int pollSeconds) {
        return new PlannedStep(Step.Converged.name(), reason, null, List.of(), Map.of(), false, false, 0,
            pollSeconds, lifecycle);
    }

    /**
     * Stop: the last node step failed ({@code $.collected.failure} names the node); the
     * NodeStepFailed state turns it into the execution's error.
     */
    public static PlannedStep nodeStepFailed(String reason, int pollSeconds) {
        return new PlannedStep(Step.NodeStepFailed.name(), reason, null, List.of(), Map.of(), false, false, 0,
            pollSeconds, null);
    }

    /** The same step, with {@code due} as its heartbeat flag. */
    public PlannedStep withHeartbeat(boolean due) {
        return new PlannedStep(step, reason, documentName, targets, parameters, mutating, due, waitSeconds,
            pollSeconds, lifecycle, commandTimeoutSeconds, volumes);
    }

    /** The same step, with {@code seconds} as its command timeout. */
    public PlannedStep withCommandTimeout(int seconds) {
        return new PlannedStep(step, reason, documentName, targets, parameters, mutating, heartbeat, waitSeconds,
            pollSeconds, lifecycle, seconds, volumes);
    }

    /** The value of parameter {@code name}, or {@code null}. */
    public String parameter(String name) {
        return parameters.get(name);
    }

    private static Map<String, String> copyParameters(Map<String, String> parameters) {
        return java.util.Collections.unmodifiableMap(new TreeMap<>(parameters));
    }
}
