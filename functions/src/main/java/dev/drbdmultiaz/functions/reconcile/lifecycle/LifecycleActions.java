package dev.drbdmultiaz.functions.reconcile.lifecycle;

import dev.drbdmultiaz.functions.common.AwsErrors;
import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.reconcile.registry.MembershipRegistry;
import dev.drbdmultiaz.functions.reconcile.state.DepartingMember;
import dev.drbdmultiaz.functions.reconcile.state.LifecyclePlan;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.functions.reconcile.state.Step;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.CompleteLifecycleActionRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsRequest;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.autoscaling.model.RecordLifecycleActionHeartbeatRequest;

/**
 * Lifecycle actions of the cluster's Auto Scaling group, completed by instance id (no token:
 * members launched before the rules existed have none). Invariant I4: every pending action is
 * completed (CONTINUE or ABANDON) by the reconcile that saw it, never left to time out.
 */
public final class LifecycleActions {

    static final String CONTINUE = "CONTINUE";
    static final String ABANDON = "ABANDON";
    private static final StructuredLog LOG = StructuredLog.of(LifecycleActions.class);

    private final AutoScalingClient autoScaling;
    private final MembershipRegistry registry;
    private final String groupName;
    private final String launchHookName;
    private final String terminateHookName;

    public LifecycleActions(AutoScalingClient autoScaling, MembershipRegistry registry, String groupName,
        String launchHookName, String terminateHookName) {
        this.autoScaling = Objects.requireNonNull(autoScaling, "autoScaling");
        this.registry = registry;
        this.groupName = Objects.requireNonNull(groupName, "groupName");
        this.launchHookName = Objects.requireNonNull(launchHookName, "launchHookName");
        this.terminateHookName = Objects.requireNonNull(terminateHookName, "terminateHookName");
    }

    /** RecordLifecycleHeartbeats: extends the launch hook timeout of every pending launch. */
    public ActionsResult recordHeartbeats(ReconcileState state) {
        if (state.cluster() == null) {
            throw new InvalidStateDocumentException("RecordLifecycleHeartbeats needs $.cluster, but the state has none");
        }
        List<String> done = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Member member : state.cluster().members()) {
            if (!member.launchPending()) {
                continue;
            }
            String id = member.instanceId();
            tolerateNoAction(id, "heartbeat", done, skipped, () -> autoScaling.recordLifecycleActionHeartbeat(
                RecordLifecycleActionHeartbeatRequest.builder().autoScalingGroupName(groupName)
                    .lifecycleHookName(launchHookName).instanceId(id).build()));
        }
        LOG.info("Recorded lifecycle action heartbeats", "executionArn", state.currentExecutionArn(),
            "instanceIds", done, "skipped", skipped);
        return new ActionsResult(done, List.of(), List.of(), skipped);
    }

    /**
     * CompleteLifecycleActions: carries out the Converged plan's lifecycle part: CONTINUE pending
     * launches and terminates, then release departed members every survivor forgot (I6). Also
     * records each member's reported hostname and address in the registry.
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
        List<String> released = new ArrayList<>();
        for (DepartingMember departed : plan.release()) {
            registry.release(departed.instanceId(), departed.nodeId());
            released.add(departed.instanceId());
        }
        LOG.info("Completed lifecycle actions", "executionArn", state.currentExecutionArn(),
            "continued", continued, "released", released, "skipped", skipped);
        return new ActionsResult(continued, List.of(), released, skipped);
    }

    /**
     * AbandonPendingLaunches (failure path): ABANDON the pending launches of the nodes the error
     * names (NodeStepFailed, AgentsOffline), or of every pending launch when it names none, so the
     * group replaces them. Terminate actions are never touched.
     */
    public ActionsResult abandonPendingLaunches(ReconcileState state) {
        Set<String> named = namedNodes(state);
        List<AutoScalingGroup> groups = autoScaling.describeAutoScalingGroups(
            DescribeAutoScalingGroupsRequest.builder().autoScalingGroupNames(groupName).build())
            .autoScalingGroups();
        List<String> abandoned = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (AutoScalingGroup group : groups) {
            for (Instance instance : group.instances()) {
                String id = instance.instanceId();
                if (!"Pending:Wait".equals(instance.lifecycleStateAsString())
                    || (named != null && !named.contains(id))) {
                    continue;
                }
                tolerateNoAction(id, "abandon launch", abandoned, skipped, () -> complete(id, launchHookName, ABANDON));
            }
        }
        LOG.warn("Abandoned pending launches", "executionArn", state.currentExecutionArn(),
            "error", state.error() == null ? null : state.error().error(), "abandoned", abandoned, "skipped", skipped);
        return new ActionsResult(List.of(), abandoned, List.of(), skipped);
    }

    /** The instances the error names, or {@code null} when it names none. */
    private static Set<String> namedNodes(ReconcileState state) {
        if (state.error() == null) {
            return null;
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
        return null;
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
     */
    public record ActionsResult(List<String> continued, List<String> abandoned, List<String> released,
        List<String> skipped) {
    }
}
