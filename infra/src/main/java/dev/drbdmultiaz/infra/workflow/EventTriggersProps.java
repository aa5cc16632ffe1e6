package dev.drbdmultiaz.infra.workflow;

import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.autoscaling.IAutoScalingGroup;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sqs.IQueue;

/** Props of {@link EventTriggers}: immutable, built by {@link #builder()}. */
public final class EventTriggersProps {

    private final IFunction triggerFunction;
    private final IQueue deadLetterQueue;
    private final IAutoScalingGroup group;
    private final String launchHookName;
    private final String terminateHookName;
    private final String clusterId;
    private final Duration readjustSchedule;

    private EventTriggersProps(Builder b) {
        this.triggerFunction = Objects.requireNonNull(b.triggerFunction, "triggerFunction is required");
        this.deadLetterQueue = Objects.requireNonNull(b.deadLetterQueue, "deadLetterQueue is required");
        this.group = Objects.requireNonNull(b.group, "group is required");
        this.launchHookName = Objects.requireNonNull(b.launchHookName, "launchHookName is required");
        this.terminateHookName = Objects.requireNonNull(b.terminateHookName, "terminateHookName is required");
        this.clusterId = Objects.requireNonNull(b.clusterId, "clusterId is required");
        this.readjustSchedule = b.readjustSchedule;
    }

    public static Builder builder() {
        return new Builder();
    }

    public IFunction getTriggerFunction() {
        return triggerFunction;
    }

    public IQueue getDeadLetterQueue() {
        return deadLetterQueue;
    }

    public IAutoScalingGroup getGroup() {
        return group;
    }

    public String getLaunchHookName() {
        return launchHookName;
    }

    public String getTerminateHookName() {
        return terminateHookName;
    }

    public String getClusterId() {
        return clusterId;
    }

    /** Null when no schedule is wanted. */
    public Duration getReadjustSchedule() {
        return readjustSchedule;
    }

    /** Builder of {@link EventTriggersProps}. */
    public static final class Builder {
        private IFunction triggerFunction;
        private IQueue deadLetterQueue;
        private IAutoScalingGroup group;
        private String launchHookName;
        private String terminateHookName;
        private String clusterId;
        private Duration readjustSchedule;

        private Builder() {
        }

        /** The function every rule targets (its alias). Required. */
        public Builder triggerFunction(IFunction value) {
            this.triggerFunction = value;
            return this;
        }

        /** Where the rules put events they could not deliver. Required. */
        public Builder deadLetterQueue(IQueue value) {
            this.deadLetterQueue = value;
            return this;
        }

        /** The replica group whose lifecycle actions start a reconcile. Required. */
        public Builder group(IAutoScalingGroup value) {
            this.group = value;
            return this;
        }

        /** Required. */
        public Builder launchHookName(String value) {
            this.launchHookName = value;
            return this;
        }

        /** Required. */
        public Builder terminateHookName(String value) {
            this.terminateHookName = value;
            return this;
        }

        /** The {@code detail.clusterId} a re-adjust event must carry. Required. */
        public Builder clusterId(String value) {
            this.clusterId = value;
            return this;
        }

        /** Rate of the scheduled re-adjust. Default: no schedule rule. */
        public Builder readjustSchedule(Duration value) {
            this.readjustSchedule = value;
            return this;
        }

        public EventTriggersProps build() {
            return new EventTriggersProps(this);
        }
    }
}
