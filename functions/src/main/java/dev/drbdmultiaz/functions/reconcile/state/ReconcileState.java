package dev.drbdmultiaz.functions.reconcile.state;

import dev.drbdmultiaz.functions.reconcile.lifecycle.LifecycleActions;
import dev.drbdmultiaz.functions.reconcile.volumes.DataVolumes;
import dev.drbdmultiaz.functions.reconcile.volumes.VolumeGrowthResult;
import java.util.List;

/**
 * The execution's state document (docs/CONTRACTS.md, "State document paths"). Every task receives
 * the whole document and reads its part; every field may be absent.
 *
 * @param executionArn this execution's ARN; the state machine passes it to AcquireClusterLock
 *     ({@code "executionArn.$": "$$.Execution.Id"}), later tasks read {@code lock.holderExecutionArn}
 * @param trigger what started the execution (identity only)
 * @param lock result of AcquireClusterLock
 * @param cluster result of DescribeCluster
 * @param agents result of CheckAgentsOnline
 * @param plan result of PlanNextStep
 * @param command result of SendNodeCommand
 * @param collected result of CollectCommandResults
 * @param error the error a Catch recorded
 * @param heartbeat result of the last RecordLifecycleHeartbeats
 * @param abandon result of AbandonPendingLaunches (failure path)
 * @param departure result of the last AwaitDeparture
 * @param lifecycle result of CompleteLifecycleActions (after Converged)
 * @param volumes result of PlanDataVolumes (after CompleteLifecycleActions)
 * @param dataVolumeError the error of a data-volume state (ScanDataVolumes, PlanVolumeTags, TagMemberVolumes,
 *     DescribeDataVolumes, PlanDataVolumes, TagDataVolumes, DeleteDataVolumes) that the run went on past
 * @param volumeGrowth result of the last ModifyDataVolumes (GrowDataVolumes): one item per volume
 */
public record ReconcileState(
    String executionArn,
    Trigger trigger,
    LockState lock,
    ClusterSnapshot cluster,
    AgentsStatus agents,
    PlannedStep plan,
    CommandSent command,
    Collected collected,
    ErrorInfo error,
    HeartbeatStatus heartbeat,
    FailureHandover abandon,
    DepartureStatus departure,
    LifecycleActions.ActionsResult lifecycle,
    DataVolumes volumes,
    ErrorInfo dataVolumeError,
    List<VolumeGrowthResult> volumeGrowth) {

    public ReconcileState(String executionArn, Trigger trigger, LockState lock, ClusterSnapshot cluster,
        AgentsStatus agents, PlannedStep plan, CommandSent command, Collected collected, ErrorInfo error,
        HeartbeatStatus heartbeat, FailureHandover abandon, DepartureStatus departure,
        LifecycleActions.ActionsResult lifecycle, DataVolumes volumes, ErrorInfo dataVolumeError) {
        this(executionArn, trigger, lock, cluster, agents, plan, command, collected, error, heartbeat, abandon,
            departure, lifecycle, volumes, dataVolumeError, null);
    }

    public ReconcileState(String executionArn, Trigger trigger, LockState lock, ClusterSnapshot cluster,
        AgentsStatus agents, PlannedStep plan, CommandSent command, Collected collected, ErrorInfo error,
        HeartbeatStatus heartbeat, FailureHandover abandon, DepartureStatus departure,
        LifecycleActions.ActionsResult lifecycle) {
        this(executionArn, trigger, lock, cluster, agents, plan, command, collected, error, heartbeat, abandon,
            departure, lifecycle, null, null);
    }

    public ReconcileState(String executionArn, Trigger trigger, LockState lock, ClusterSnapshot cluster,
        AgentsStatus agents, PlannedStep plan, CommandSent command, Collected collected, ErrorInfo error) {
        this(executionArn, trigger, lock, cluster, agents, plan, command, collected, error, null, null);
    }

    public ReconcileState(String executionArn, Trigger trigger, LockState lock, ClusterSnapshot cluster,
        AgentsStatus agents, PlannedStep plan, CommandSent command, Collected collected, ErrorInfo error,
        HeartbeatStatus heartbeat, FailureHandover abandon) {
        this(executionArn, trigger, lock, cluster, agents, plan, command, collected, error, heartbeat, abandon, null);
    }

    public ReconcileState(String executionArn, Trigger trigger, LockState lock, ClusterSnapshot cluster,
        AgentsStatus agents, PlannedStep plan, CommandSent command, Collected collected, ErrorInfo error,
        HeartbeatStatus heartbeat, FailureHandover abandon, DepartureStatus departure) {
        this(executionArn, trigger, lock, cluster, agents, plan, command, collected, error, heartbeat, abandon,
            departure, null);
    }

    /** The trigger, or a manual one when the input had none. */
    public Trigger triggerOrManual() {
        return trigger == null ? new Trigger("manual", null) : trigger;
    }

    /** This execution's ARN, from the input or the lock, or {@code null}. */
    public String currentExecutionArn() {
        if (executionArn != null && !executionArn.isBlank()) {
            return executionArn;
        }
        return lock == null || !lock.acquired() ? null : lock.holderExecutionArn();
    }

    /** The collected results so far; empty before the first command. */
    public Collected collectedOrEmpty() {
        return collected == null ? Collected.empty() : collected;
    }
}
