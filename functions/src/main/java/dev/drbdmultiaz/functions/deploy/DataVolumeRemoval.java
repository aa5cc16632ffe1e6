package dev.drbdmultiaz.functions.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.exceptions.DataVolumeRemovalFailedException;
import dev.drbdmultiaz.functions.common.exceptions.InvalidDeployRequestException;
import dev.drbdmultiaz.model.CustomResourceTypes;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;

/**
 * The data-volume removal resource ({@value #RESOURCE_TYPE}, only in a stack with
 * {@code drbd:removalPolicy} destroy), served by the deploy trigger's Provider. The Auto Scaling
 * group depends on it, so CloudFormation deletes it after the group. Create and Update do nothing.
 * Delete starts the removal state machine, and isComplete waits for it, so {@code cdk destroy}
 * ends when the cluster's data volumes are deleted or fails with why.
 *
 * <p>A Delete while the group still exists is the resource leaving the template (the policy set
 * back to retain, or a replacement), not the stack's deletion: it deletes nothing. The state
 * machine itself deletes nothing while a volume of the cluster is attached.
 */
public final class DataVolumeRemoval {

    /** The custom resource's type in the template. */
    public static final String RESOURCE_TYPE = CustomResourceTypes.DATA_VOLUME_REMOVAL;
    static final String PHYSICAL_ID = "drbd-multiaz-data-volume-removal";
    private static final StructuredLog LOG = StructuredLog.of(DataVolumeRemoval.class);

    private final SfnClient sfn;
    private final AutoScalingClient autoScaling;
    private final Optional<String> stateMachineArn;
    private final String groupName;
    private final Clock clock;

    /**
     * @param stateMachineArn the removal state machine; empty in a stack that keeps its data volumes
     *     (which has no such resource, so a request for one is refused)
     */
    public DataVolumeRemoval(SfnClient sfn, AutoScalingClient autoScaling, Optional<String> stateMachineArn,
        String groupName, Clock clock) {
        this.sfn = Objects.requireNonNull(sfn, "sfn");
        this.autoScaling = Objects.requireNonNull(autoScaling, "autoScaling");
        this.stateMachineArn = Objects.requireNonNull(stateMachineArn, "stateMachineArn");
        this.groupName = Objects.requireNonNull(groupName, "groupName");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Whether {@code event} is a request for this resource (its ResourceType). */
    public static boolean handles(JsonNode event) {
        return event != null && RESOURCE_TYPE.equals(event.path("ResourceType").asText(""));
    }

    /** onEvent: Delete after the group is gone starts the removal, hands its ARN to isComplete. */
    public DeployReconcile.OnEventResponse onEvent(JsonNode event) {
        String requestType = DeployReconcile.requestType(event);
        String machine = requireStateMachine();
        if (!"Delete".equals(requestType)) {
            return new DeployReconcile.OnEventResponse(PHYSICAL_ID, Map.of());
        }
        String physicalId = event.path("PhysicalResourceId").asText(PHYSICAL_ID);
        if (groupExists()) {
            LOG.info("Kept the data volumes: the removal resource left the template while the group exists",
                "groupName", groupName);
            return new DeployReconcile.OnEventResponse(physicalId, Map.of());
        }
        String executionArn = sfn.startExecution(b -> b.stateMachineArn(machine)
            .name("destroy-" + DeployReconcile.NAME_TIME.format(clock.instant())).input("{}")).executionArn();
        LOG.info("Started data-volume removal for stack deletion", "executionArn", executionArn, "groupName", groupName);
        return new DeployReconcile.OnEventResponse(physicalId, Map.of(DeployReconcile.EXECUTION_ARN, executionArn));
    }

    /** isComplete: Create, Update and a Delete that started nothing are complete; else the removal's status. */
    public DeployReconcile.IsCompleteResponse isComplete(JsonNode event) {
        String requestType = DeployReconcile.requestType(event);
        requireStateMachine();
        String executionArn = event.path("Data").path(DeployReconcile.EXECUTION_ARN).asText("");
        if (!"Delete".equals(requestType) || executionArn.isEmpty()) {
            return new DeployReconcile.IsCompleteResponse(true, Map.of());
        }
        DescribeExecutionResponse execution = sfn.describeExecution(b -> b.executionArn(executionArn));
        switch (execution.statusAsString()) {
            case "RUNNING":
            case "PENDING_REDRIVE":
                return new DeployReconcile.IsCompleteResponse(false, Map.of());
            case "SUCCEEDED":
                LOG.info("Removed the data volumes", "executionArn", executionArn);
                return new DeployReconcile.IsCompleteResponse(true, Map.of());
            default:
                throw new DataVolumeRemovalFailedException(String.format(
                    "Data-volume removal %s ended %s: %s: %s (read its history in the Step Functions console)",
                    executionArn, execution.statusAsString(), execution.error(),
                    DeployReconcile.shortCause(execution.cause())));
        }
    }

    /** The removal state machine; a request for the resource in a stack without one is refused. */
    private String requireStateMachine() {
        return stateMachineArn.orElseThrow(() -> new InvalidDeployRequestException(RESOURCE_TYPE
            + " is served only in a stack with drbd:removalPolicy destroy; this stack has no removal state machine"));
    }

    private boolean groupExists() {
        return !autoScaling.describeAutoScalingGroups(b -> b.autoScalingGroupNames(groupName))
            .autoScalingGroups().isEmpty();
    }
}
