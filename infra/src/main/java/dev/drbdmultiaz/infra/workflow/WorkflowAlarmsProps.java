package dev.drbdmultiaz.infra.workflow;

import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.autoscaling.IAutoScalingGroup;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.stepfunctions.IStateMachine;

/** Props of {@link WorkflowAlarms}: immutable, built by {@link #builder()}; every prop is required. */
public final class WorkflowAlarmsProps {

    private final String clusterId;
    private final IStateMachine stateMachine;
    private final IAutoScalingGroup group;
    private final Duration lifecycleHookTimeout;
    private final ILogGroup completeLifecycleActionsLogGroup;
    private final ILogGroup planDataVolumesLogGroup;
    private final IQueue deadLetterQueue;

    private WorkflowAlarmsProps(Builder b) {
        this.clusterId = Objects.requireNonNull(b.clusterId, "clusterId is required");
        this.stateMachine = Objects.requireNonNull(b.stateMachine, "stateMachine is required");
        this.group = Objects.requireNonNull(b.group, "group is required");
        this.lifecycleHookTimeout = Objects.requireNonNull(b.lifecycleHookTimeout, "lifecycleHookTimeout is required");
        this.completeLifecycleActionsLogGroup = Objects.requireNonNull(
                b.completeLifecycleActionsLogGroup, "completeLifecycleActionsLogGroup is required");
        this.planDataVolumesLogGroup = Objects.requireNonNull(
                b.planDataVolumesLogGroup, "planDataVolumesLogGroup is required");
        this.deadLetterQueue = Objects.requireNonNull(b.deadLetterQueue, "deadLetterQueue is required");
    }

    public static Builder builder() {
        return new Builder();
    }

    public String getClusterId() {
        return clusterId;
    }

    public IStateMachine getStateMachine() {
        return stateMachine;
    }

    public IAutoScalingGroup getGroup() {
        return group;
    }

    public Duration getLifecycleHookTimeout() {
        return lifecycleHookTimeout;
    }

    public ILogGroup getCompleteLifecycleActionsLogGroup() {
        return completeLifecycleActionsLogGroup;
    }

    public ILogGroup getPlanDataVolumesLogGroup() {
        return planDataVolumesLogGroup;
    }

    public IQueue getDeadLetterQueue() {
        return deadLetterQueue;
    }

    /** Builder of {@link WorkflowAlarmsProps}. */
    public static final class Builder {
        private String clusterId;
        private IStateMachine stateMachine;
        private IAutoScalingGroup group;
        private Duration lifecycleHookTimeout;
        private ILogGroup completeLifecycleActionsLogGroup;
        private ILogGroup planDataVolumesLogGroup;
        private IQueue deadLetterQueue;

        private Builder() {
        }

        /** Names the topic and the namespace of the log-derived metrics. */
        public Builder clusterId(String value) {
            this.clusterId = value;
            return this;
        }

        /** Whose failed and timed-out executions raise an alarm. */
        public Builder stateMachine(IStateMachine value) {
            this.stateMachine = value;
            return this;
        }

        /** The replica group whose instances held in Terminating:Wait raise an alarm. */
        public Builder group(IAutoScalingGroup value) {
            this.group = value;
            return this;
        }

        /** The heartbeat timeout of the terminate hook: the unit of "held too long". */
        public Builder lifecycleHookTimeout(Duration value) {
            this.lifecycleHookTimeout = value;
            return this;
        }

        /** Where CompleteLifecycleActions logs a held eviction. */
        public Builder completeLifecycleActionsLogGroup(ILogGroup value) {
            this.completeLifecycleActionsLogGroup = value;
            return this;
        }

        /** Where PlanDataVolumes logs the data volumes it keeps. */
        public Builder planDataVolumesLogGroup(ILogGroup value) {
            this.planDataVolumesLogGroup = value;
            return this;
        }

        /** Whose visible messages (undelivered trigger events) raise an alarm. */
        public Builder deadLetterQueue(IQueue value) {
            this.deadLetterQueue = value;
            return this;
        }

        public WorkflowAlarmsProps build() {
            return new WorkflowAlarmsProps(this);
        }
    }
}
