package dev.drbdmultiaz.infra.workflow;

import java.util.Arrays;
import java.util.List;
import software.amazon.awscdk.Duration;

/**
 * The Lambda handlers of the reconcile workflow: one Lambda function per entry.
 *
 * <p>Entries invoked by the state machine are named after their state (CONTRACTS.md, "Reconcile
 * workflow"); {@link #RELEASE_CLUSTER_LOCK} serves both ReleaseClusterLock and
 * ReleaseClusterLockAfterFailure, {@link #RECORD_LIFECYCLE_HEARTBEATS} serves the three heartbeat
 * states. The other entries run outside the state machine: the EventBridge targets (the trigger,
 * and the completion of node steps on SSM's command events) and the two CDK Provider framework
 * handlers of the deploy trigger.
 */
public enum WorkflowHandler {
    ACQUIRE_CLUSTER_LOCK("AcquireClusterLock", "reconcile.lock.AcquireClusterLockHandler", 30, true),
    DESCRIBE_CLUSTER("DescribeCluster", "reconcile.cluster.DescribeClusterHandler", 60, true),
    CHECK_AGENTS_ONLINE("CheckAgentsOnline", "reconcile.nodes.CheckAgentsOnlineHandler", 60, true),
    PLAN_NEXT_STEP("PlanNextStep", "reconcile.plan.PlanNextStepHandler", 60, true),
    SEND_NODE_COMMAND("SendNodeCommand", "reconcile.nodes.SendNodeCommandHandler", 60, true),
    COLLECT_COMMAND_RESULTS("CollectCommandResults", "reconcile.nodes.CollectCommandResultsHandler", 60, true),
    RECORD_LIFECYCLE_HEARTBEATS(
            "RecordLifecycleHeartbeats", "reconcile.lifecycle.RecordLifecycleHeartbeatsHandler", 60, true),
    AWAIT_DEPARTURE("AwaitDeparture", "reconcile.lifecycle.AwaitDepartureHandler", 60, true),
    COMPLETE_LIFECYCLE_ACTIONS(
            "CompleteLifecycleActions", "reconcile.lifecycle.CompleteLifecycleActionsHandler", 60, true),
    ABANDON_PENDING_LAUNCHES(
            "AbandonPendingLaunches", "reconcile.lifecycle.AbandonPendingLaunchesHandler", 60, true),
    PLAN_VOLUME_TAGS("PlanVolumeTags", "reconcile.volumes.PlanVolumeTagsHandler", 60, true),
    PLAN_DATA_VOLUMES("PlanDataVolumes", "reconcile.volumes.PlanDataVolumesHandler", 60, true),
    REPORT_CLUSTER_STATUS("ReportClusterStatus", "reconcile.report.ReportClusterStatusHandler", 60, true),
    RELEASE_CLUSTER_LOCK("ReleaseClusterLock", "reconcile.lock.ReleaseClusterLockHandler", 30, true),
    START_FOLLOW_UP_RECONCILE("StartFollowUpReconcile", "trigger.StartFollowUpReconcileHandler", 30, true),
    TRIGGER_RECONCILE("TriggerReconcile", "trigger.TriggerReconcileHandler", 30, false),
    COMPLETE_NODE_COMMAND("CompleteNodeCommand", "reconcile.nodes.CompleteNodeCommandHandler", 60, false),
    DEPLOY_RECONCILE_ON_EVENT("DeployReconcileOnEvent", "deploy.DeployReconcileOnEventHandler", 60, false),
    DEPLOY_RECONCILE_IS_COMPLETE(
            "DeployReconcileIsComplete", "deploy.DeployReconcileIsCompleteHandler", 60, false);

    private static final String FUNCTIONS_PACKAGE = "dev.drbdmultiaz.functions.";

    private final String id;
    private final String handlerClass;
    private final int timeoutSeconds;
    private final boolean invokedByStateMachine;

    WorkflowHandler(String id, String relativeClass, int timeoutSeconds, boolean invokedByStateMachine) {
        this.id = id;
        this.handlerClass = FUNCTIONS_PACKAGE + relativeClass;
        this.timeoutSeconds = timeoutSeconds;
        this.invokedByStateMachine = invokedByStateMachine;
    }

    /** Construct ID, and the state name for handlers the state machine invokes. */
    public String id() {
        return id;
    }

    /** Fully qualified Java class of the handler in the functions jar. */
    public String handlerClass() {
        return handlerClass;
    }

    /** The Lambda handler string, {@code <class>::handleRequest}. */
    public String handler() {
        return handlerClass + "::handleRequest";
    }

    public Duration timeout() {
        return Duration.seconds(timeoutSeconds);
    }

    public boolean invokedByStateMachine() {
        return invokedByStateMachine;
    }

    /**
     * The ASL substitution variable ({@code ${...}} without the braces) that carries the ARN of
     * this handler's alias; null for handlers outside the state machine.
     */
    public String substitutionKey() {
        return invokedByStateMachine ? id + "Function" : null;
    }

    /** The handlers whose alias ARN the state machine definition receives as a substitution. */
    public static List<WorkflowHandler> stateMachineHandlers() {
        return Arrays.stream(values()).filter(WorkflowHandler::invokedByStateMachine).toList();
    }
}
