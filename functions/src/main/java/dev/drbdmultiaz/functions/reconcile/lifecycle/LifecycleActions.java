package dev.drbdmultiaz.functions.reconcile.lifecycle;

import dev.drbdmultiaz.functions.common.AwsErrors;
import dev.drbdmultiaz.functions.common.Backoff;
import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.exceptions.DepartureTimeoutException;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.reconcile.registry.MembershipRegistry;
import dev.drbdmultiaz.functions.reconcile.state.Connections;
import dev.drbdmultiaz.functions.reconcile.state.DepartingMember;
import dev.drbdmultiaz.functions.reconcile.state.DepartureStatus;
import dev.drbdmultiaz.functions.reconcile.state.FailureHandover;
import dev.drbdmultiaz.functions.reconcile.state.HeartbeatStatus;
import dev.drbdmultiaz.functions.reconcile.state.JoiningMembers;
import dev.drbdmultiaz.functions.reconcile.state.LifecyclePlan;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.model.Step;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.CompleteLifecycleActionRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsRequest;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.autoscaling.model.RecordLifecycleActionHeartbeatRequest;

/**
 * Lifecycle actions of the cluster's Auto Scaling group, completed by instance id (no token:
 * members launched before the rules existed have none). Invariant I4: no action is left to time
 * out. A run heartbeats every action of the group while it works (also the actions of instances
 * that launched after it described the group), completes them when it converged, and on failure
 * ABANDONs the launches the failure names and hands everything else to a follow-up run.
 */
public final class LifecycleActions {

    static final String CONTINUE = "CONTINUE";
    static final String ABANDON = "ABANDON";
    static final String PENDING_WAIT = "Pending:Wait";
    static final String TERMINATING_WAIT = "Terminating:Wait";
    /**
     * Failed runs in a row after which the launches a failure does not name are ABANDONed too
     * (the group replaces them) instead of being handed to yet another follow-up.
     */
    public static final int MAX_HANDOVERS = 3;
    /** About 15 AWS minutes of checks: far longer than an instance takes to shut down. */
    static final int DEPARTURE_MAX_ATTEMPTS = 32;
    private static final StructuredLog LOG = StructuredLog.of(LifecycleActions.class);

    private final AutoScalingClient autoScaling;
    private final MembershipRegistry registry;
    private final String groupName;
    private final String launchHookName;
    private final String terminateHookName;
    private final HeartbeatSchedule schedule;
    private final Eviction eviction;
    private final ScaleInProtection scaleIn;

    public LifecycleActions(AutoScalingClient autoScaling, MembershipRegistry registry, String groupName,
        String launchHookName, String terminateHookName, HeartbeatSchedule schedule) {
        this(autoScaling, registry, groupName, launchHookName, terminateHookName, schedule, Duration.ZERO,
            Clock.systemUTC());
    }

    /** With {@code evictAfter}: how long a member may stay unreachable before it is replaced (zero: never). */
    public LifecycleActions(AutoScalingClient autoScaling, MembershipRegistry registry, String groupName,
        String launchHookName, String terminateHookName, HeartbeatSchedule schedule, Duration evictAfter, Clock clock) {
        this.autoScaling = Objects.requireNonNull(autoScaling, "autoScaling");
        this.registry = registry;
        this.groupName = Objects.requireNonNull(groupName, "groupName");
        this.launchHookName = Objects.requireNonNull(launchHookName, "launchHookName");
        this.terminateHookName = Objects.requireNonNull(terminateHookName, "terminateHookName");
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.eviction = registry == null ? null : new Eviction(autoScaling, registry, evictAfter, clock);
        this.scaleIn = new ScaleInProtection(autoScaling, groupName);
    }

    /**
     * RecordLifecycleHeartbeats: extends the timeout of every waiting action of the group, launch
     * and terminate, also of instances this execution has not described (a launch that arrived
     * while it held the lock).
     */
    public HeartbeatStatus recordHeartbeats(ReconcileState state) {
        java.time.Instant[] times = schedule.recordNow();
        List<String> done = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Instance instance : waitingInstances()) {
            heartbeat(instance, done, skipped);
        }
        LOG.info("Recorded lifecycle action heartbeats", "executionArn", state.currentExecutionArn(),
            "instanceIds", done, "skipped", skipped);
        return new HeartbeatStatus(times[0].toString(), times[1].toString(), done, skipped);
    }

    private void heartbeat(Instance instance, List<String> done, List<String> skipped) {
        String id = instance.instanceId();
        String hook = PENDING_WAIT.equals(instance.lifecycleStateAsString()) ? launchHookName : terminateHookName;
        tolerateNoAction(id, "heartbeat", done, skipped, () -> autoScaling.recordLifecycleActionHeartbeat(
            RecordLifecycleActionHeartbeatRequest.builder().autoScalingGroupName(groupName)
                .lifecycleHookName(hook).instanceId(id).build()));
    }

    /** The group's instances in Pending:Wait or Terminating:Wait. */
    private List<Instance> waitingInstances() {
        return groupInstances().stream().filter(instance -> PENDING_WAIT.equals(instance.lifecycleStateAsString())
            || TERMINATING_WAIT.equals(instance.lifecycleStateAsString())).toList();
    }

    /**
     * CompleteLifecycleActions: carries out the Converged plan's lifecycle part: CONTINUE pending
     * launches and terminates, ABANDON the launches of unreachable new members, then release
     * departed members every survivor forgot (I6), and record or evict unreachable members
     * ({@link Eviction}), and move scale-in protection to the Primary ({@link ScaleInProtection}).
     * Also records each member's reported hostname and address in the registry.
     */
    public ActionsResult complete(ReconcileState state) {
        if (state.plan() == null || !Step.Converged.name().equals(state.plan().step())
            || state.plan().lifecycle() == null || state.cluster() == null) {
            throw new InvalidStateDocumentException("CompleteLifecycleActions runs only after PlanNextStep"
                + " returned Converged with a lifecycle plan, but $.plan.step is "
                + (state.plan() == null ? "absent" : state.plan().step()));
        }
        LifecyclePlan plan = state.plan().lifecycle();
        for (Member member : state.cluster().members()) {
            NodeStatus status = state.collectedOrEmpty().observed().get(member.instanceId());
            if (status != null && status.hostname() != null && status.address() != null
                && (!status.hostname().equals(member.hostname()) || !status.address().equals(member.address()))) {
                registry.recordEndpoint(member.instanceId(), status.hostname(), status.address());
            }
        }
        List<String> continued = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String id : plan.continueLaunches()) {
            tolerateNoAction(id, "continue launch", continued, skipped, () -> complete(id, launchHookName, CONTINUE));
        }
        for (String id : plan.continueTerminates()) {
            tolerateNoAction(id, "continue terminate", continued, skipped,
                () -> complete(id, terminateHookName, CONTINUE));
        }
        List<String> abandoned = new ArrayList<>();
        for (String id : plan.abandonLaunches()) {
            tolerateNoAction(id, "abandon launch", abandoned, skipped, () -> complete(id, launchHookName, ABANDON));
        }
        List<String> released = new ArrayList<>();
        for (DepartingMember departed : plan.release()) {
            registry.release(departed.instanceId(), departed.nodeId());
            released.add(departed.instanceId());
        }
        Eviction.Outcome evictions = eviction == null ? new Eviction.Outcome(List.of(), List.of())
            : eviction.apply(state.cluster().members(), plan, state.currentExecutionArn());
        ScaleInProtection.Outcome protection = scaleIn.apply(state.cluster(), plan.protectFromScaleIn(),
            state.currentExecutionArn());
        LOG.info("Completed lifecycle actions", "executionArn", state.currentExecutionArn(),
            "continued", continued, "abandoned", abandoned, "released", released, "skipped", skipped,
            "evicted", evictions.evicted());
        return new ActionsResult(continued, abandoned, released, skipped, plan.unreachable(), evictions.evicted(),
            evictions.held().isEmpty() ? null : plan.evictionHeld(),
            protection.error() == null ? plan.protectFromScaleIn() : state.cluster().scaleInProtected(),
            protection.error());
    }

    /**
     * AbandonPendingLaunches (failure path): ABANDON the pending launches of the nodes the error
     * names (NodeStepFailed, AgentsOffline, and for ConvergenceTimeoutException the nodes the last
     * observation shows not Connected), so the group replaces them; hand every other waiting
     * action to a follow-up run with a fresh heartbeat: the other launches (the failure may be
     * elsewhere), and every terminate action (a departing member is let go only after a run forgot
     * it, invariant I3). After {@value #MAX_HANDOVERS} failed runs in a row every pending launch is
     * ABANDONed.
     */
    public FailureHandover abandonPendingLaunches(ReconcileState state) {
        Set<String> named = namedNodes(state);
        boolean exhausted = state.triggerOrManual().followUpAttempt() >= MAX_HANDOVERS;
        List<String> abandoned = new ArrayList<>();
        List<String> handedOver = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Instance instance : waitingInstances()) {
            String id = instance.instanceId();
            boolean launch = PENDING_WAIT.equals(instance.lifecycleStateAsString());
            if (launch && (exhausted || named.contains(id))) {
                tolerateNoAction(id, "abandon launch", abandoned, skipped, () -> complete(id, launchHookName, ABANDON));
            } else {
                heartbeat(instance, handedOver, skipped);
            }
        }
        LOG.warn("Handled the lifecycle actions of a failed run", "executionArn", state.currentExecutionArn(),
            "error", state.error() == null ? null : state.error().error(), "abandoned", abandoned,
            "handedOver", handedOver, "skipped", skipped, "followUpAttempt", state.triggerOrManual().followUpAttempt());
        return new FailureHandover(abandoned, handedOver, skipped);
    }

    /** The instances the error names (none for an error that names no node). */
    private static Set<String> namedNodes(ReconcileState state) {
        if (state.error() == null) {
            return Set.of();
        }
        if (state.error().is("NodeStepFailed") && state.collected() != null && state.collected().failure() != null) {
            Set<String> ids = new HashSet<>(state.collected().failure().instanceIds());
            if (state.collected().failure().instanceId() != null) {
                ids.add(state.collected().failure().instanceId());
            }
            return ids;
        }
        if (state.error().is("AgentsOffline") && state.agents() != null && !state.agents().offline().isEmpty()) {
            return new HashSet<>(state.agents().offline());
        }
        if (state.error().is("ResyncTimeoutException") && state.cluster() != null) {
            // The joining members whose resync did not finish within the bound.
            return JoiningMembers.notUpToDate(state.cluster().members(), state.collectedOrEmpty().observed()).stream()
                .map(Member::instanceId).collect(java.util.stream.Collectors.toSet());
        }
        if (state.error().is("ConvergenceTimeoutException") && state.cluster() != null) {
            // The nodes that never connected within the bound; a launch among them is replaced.
            return Connections.unconnectedMembers(state.cluster().members(), state.collectedOrEmpty().observed());
        }
        return Set.of();
    }

    /**
     * AwaitDeparture: CONTINUE the terminate action of each departing member the plan lets go that
     * still waits in Terminating:Wait, then report which of them the group still lists. After a
     * terminate action the instance goes to Terminating:Proceed and runs until EC2 has shut it down;
     * only once the group no longer lists it can its DRBD no longer acknowledge a write (I9).
     * Bounded: {@link #DEPARTURE_MAX_ATTEMPTS} checks, then {@link DepartureTimeoutException}.
     */
    public DepartureStatus awaitDeparture(ReconcileState state, double waitTimeScale) {
        if (state.plan() == null || !Step.ReleaseDepartingMembers.name().equals(state.plan().step())) {
            throw new InvalidStateDocumentException("AwaitDeparture runs only after PlanNextStep returned "
                + Step.ReleaseDepartingMembers + ", but $.plan.step is "
                + (state.plan() == null ? "absent" : state.plan().step()));
        }
        Set<String> departing = Set.copyOf(state.plan().targets());
        DepartureStatus previous = state.departure();
        int attempt = previous == null || previous.departed() ? 1 : previous.attempt() + 1;
        List<String> continued = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Map<String, String> listed = new TreeMap<>();
        for (Instance instance : groupInstances()) {
            String id = instance.instanceId();
            String lifecycleState = instance.lifecycleStateAsString();
            if (!departing.contains(id) || !DepartingMember.listed(lifecycleState)) {
                continue;
            }
            listed.put(id, lifecycleState);
            if (TERMINATING_WAIT.equals(lifecycleState)) {
                tolerateNoAction(id, "continue terminate", continued, skipped,
                    () -> complete(id, terminateHookName, CONTINUE));
            }
        }
        boolean departed = listed.isEmpty();
        if (!departed && attempt >= DEPARTURE_MAX_ATTEMPTS) {
            throw new DepartureTimeoutException("Departing members are still listed by the group after " + attempt
                + " checks: " + listed + "; the survivors keep them in their DRBD config until their instances are"
                + " gone. Check the instances in the EC2 console (a stuck shutdown) and start a reconcile again");
        }
        int waitSeconds = departed ? 0 : Backoff.CHECKS.seconds(attempt, waitTimeScale);
        LOG.info(departed ? "Found departing members gone" : "Waiting for departing members to leave the group",
            "executionArn", state.currentExecutionArn(), "listed", listed, "continued", continued,
            "skipped", skipped, "attempt", attempt);
        return new DepartureStatus(continued, List.copyOf(listed.keySet()), attempt, waitSeconds,
            !departed && schedule.due(state), departed);
    }

    private List<Instance> groupInstances() {
        List<Instance> instances = new ArrayList<>();
        for (AutoScalingGroup group : autoScaling.describeAutoScalingGroups(DescribeAutoScalingGroupsRequest.builder()
            .autoScalingGroupNames(groupName).build()).autoScalingGroups()) {
            instances.addAll(group.instances());
        }
        return instances;
    }

    private void complete(String instanceId, String hookName, String result) {
        autoScaling.completeLifecycleAction(CompleteLifecycleActionRequest.builder().autoScalingGroupName(groupName)
            .lifecycleHookName(hookName).instanceId(instanceId).lifecycleActionResult(result).build());
    }

    /** Runs {@code call}; an answer that no action is active for the instance is a skip, not a failure. */
    private static void tolerateNoAction(String instanceId, String what, List<String> done, List<String> skipped,
        Runnable call) {
        try {
            call.run();
            done.add(instanceId);
        } catch (AutoScalingException e) {
            String message = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorMessage());
            if ("ValidationError".equals(AwsErrors.errorCode(e))
                && message.toLowerCase(Locale.ROOT).contains("no active lifecycle action")) {
                LOG.info("Found no active lifecycle action", "instanceId", instanceId, "action", what);
                skipped.add(instanceId);
                return;
            }
            throw e;
        }
    }

    /**
     * Result of a lifecycle task.
     *
     * @param continued instances whose action continued (or got a heartbeat)
     * @param abandoned instances whose launch was abandoned
     * @param released departed members removed from the registry with their node-ids
     * @param skipped instances without an active action
     * @param unreachable members the run went on without
     * @param evicted unreachable members marked Unhealthy: the group replaces them
     * @param evictionHeld why due evictions were held back, or {@code null}
     * @param protectedFromScaleIn the members (DRBD Primary) the group may not pick when it scales in
     * @param protectionError why moving that protection failed (the next run tries again), or {@code null}
     */
    public record ActionsResult(List<String> continued, List<String> abandoned, List<String> released,
        List<String> skipped, List<String> unreachable, List<String> evicted, String evictionHeld,
        List<String> protectedFromScaleIn, String protectionError) {

        public ActionsResult(List<String> continued, List<String> abandoned, List<String> released,
            List<String> skipped, List<String> unreachable, List<String> evicted, String evictionHeld) {
            this(continued, abandoned, released, skipped, unreachable, evicted, evictionHeld, List.of(), null);
        }

        public ActionsResult(List<String> continued, List<String> abandoned, List<String> released,
            List<String> skipped) {
            this(continued, abandoned, released, skipped, List.of(), List.of(), null);
        }
    }
}
