package dev.drbdmultiaz.functions.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.exceptions.InvalidDeployRequestException;
import dev.drbdmultiaz.functions.common.exceptions.ReconcileExecutionFailedException;
import dev.drbdmultiaz.functions.reconcile.state.Trigger;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;

/**
 * The deploy trigger, a CloudFormation custom resource through the CDK Provider framework:
 * onEvent starts a reconcile execution for Create and Update, isComplete waits for it, so
 * {@code cdk deploy} ends when the cluster converged or fails with the reconcile's cause. Delete
 * starts nothing and completes at once (stack deletion never waits on the cluster).
 */
public final class DeployReconcile {

    /** Property of the custom resource: hash of the cluster configuration (a change re-runs it). */
    public static final String CONFIG_HASH = "ConfigHash";
    static final String EXECUTION_ARN = "ExecutionArn";
    static final int MAX_FOLLOW = 5;
    static final int MAX_CAUSE = 2000;
    private static final Pattern HASH = Pattern.compile("[A-Za-z0-9]{1,128}");
    private static final DateTimeFormatter NAME_TIME =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final StructuredLog LOG = StructuredLog.of(DeployReconcile.class);

    private final SfnClient sfn;
    private final String stateMachineArn;
    private final Clock clock;

    public DeployReconcile(SfnClient sfn, String stateMachineArn, Clock clock) {
        this.sfn = Objects.requireNonNull(sfn, "sfn");
        this.stateMachineArn = Objects.requireNonNull(stateMachineArn, "stateMachineArn");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** onEvent: {@code {"PhysicalResourceId", "Data":{"ExecutionArn"}}}. */
    public OnEventResponse onEvent(JsonNode event) {
        String requestType = requestType(event);
        String physicalId = event.path("PhysicalResourceId").asText(null);
        if ("Delete".equals(requestType)) {
            LOG.info("Deleted deploy trigger without a reconcile", "physicalResourceId", physicalId);
            return new OnEventResponse(physicalId, Map.of());
        }
        String configHash = event.path("ResourceProperties").path(CONFIG_HASH).asText("");
        if (!HASH.matcher(configHash).matches()) {
            throw new InvalidDeployRequestException("ResourceProperties." + CONFIG_HASH
                + " must be letters and digits (a hash of the cluster configuration), got '" + configHash + "'");
        }
        String name = "deploy-" + configHash.substring(0, Math.min(12, configHash.length())) + "-"
            + NAME_TIME.format(clock.instant());
        String input = Json.write(Map.of("trigger", new Trigger("deploy", null)));
        String executionArn = sfn.startExecution(StartExecutionRequest.builder()
            .stateMachineArn(stateMachineArn).name(name).input(input).build())
            .executionArn();
        LOG.info("Started reconcile execution for deployment", "executionArn", executionArn,
            "requestType", requestType, "configHash", configHash);
        String id = "Create".equals(requestType) || physicalId == null ? "drbd-multiaz-deploy-reconcile" : physicalId;
        return new OnEventResponse(id, Map.of(EXECUTION_ARN, executionArn));
    }

    /** isComplete: {@code {"IsComplete":bool,"Data":{…}}}; throws with the cause when it failed. */
    public IsCompleteResponse isComplete(JsonNode event) {
        String requestType = requestType(event);
        if ("Delete".equals(requestType)) {
            return new IsCompleteResponse(true, Map.of());
        }
        String executionArn = event.path("Data").path(EXECUTION_ARN).asText("");
        if (executionArn.isEmpty()) {
            throw new InvalidDeployRequestException(
                "isComplete needs Data.ExecutionArn from onEvent, but the event has none");
        }
        String current = executionArn;
        for (int hop = 0; hop <= MAX_FOLLOW; hop++) {
            String arn = current;
            DescribeExecutionResponse execution = sfn.describeExecution(
                DescribeExecutionRequest.builder().executionArn(arn).build());
            switch (execution.statusAsString()) {
                case "RUNNING":
                case "PENDING_REDRIVE":
                    LOG.info("Found reconcile execution running", "executionArn", current);
                    return new IsCompleteResponse(false, Map.of());
                case "SUCCEEDED":
                    String coalescedInto = coalescedInto(execution.output());
                    if (coalescedInto != null && !coalescedInto.equals(current)) {
                        LOG.info("Followed coalesced reconcile execution", "executionArn", current,
                            "holderExecutionArn", coalescedInto);
                        current = coalescedInto;
                        continue;
                    }
                    LOG.info("Found reconcile execution succeeded", "executionArn", current);
                    Map<String, String> data = new LinkedHashMap<>();
                    data.put(EXECUTION_ARN, current);
                    return new IsCompleteResponse(true, data);
                default:
                    String cause = execution.cause() == null ? "" : execution.cause();
                    if (cause.length() > MAX_CAUSE) {
                        cause = cause.substring(0, MAX_CAUSE) + "…";
                    }
                    throw new ReconcileExecutionFailedException(String.format(
                        "Reconcile execution %s ended %s: %s: %s (read its history in the Step Functions console)",
                        current, execution.statusAsString(), execution.error(), cause));
            }
        }
        throw new ReconcileExecutionFailedException("Reconcile execution " + executionArn
            + " was coalesced more than " + MAX_FOLLOW + " times; start a reconcile by hand and deploy again");
    }

    /** The holder a coalesced execution's output names ({@code lock.acquired:false}), or {@code null}. */
    static String coalescedInto(String output) {
        if (output == null || output.isBlank()) {
            return null;
        }
        try {
            JsonNode lock = Json.readTree(output).path("lock");
            if (lock.path("acquired").isBoolean() && !lock.path("acquired").asBoolean()) {
                return lock.path("holderExecutionArn").asText(null);
            }
            return null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String requestType(JsonNode event) {
        String type = event == null ? "" : event.path("RequestType").asText("");
        if (!type.equals("Create") && !type.equals("Update") && !type.equals("Delete")) {
            throw new InvalidDeployRequestException(
                "RequestType must be Create, Update or Delete, got '" + type + "'");
        }
        return type;
    }

    /**
     * onEvent's answer to the Provider framework.
     *
     * @param physicalResourceId stable id of the deploy trigger
     * @param data attributes; {@code ExecutionArn} reaches isComplete
     */
    public record OnEventResponse(
        @JsonProperty("PhysicalResourceId") String physicalResourceId,
        @JsonProperty("Data") Map<String, String> data) {
    }

    /**
     * isComplete's answer to the Provider framework.
     *
     * @param complete whether the reconcile finished successfully
     * @param data attributes merged into the resource's
     */
    public record IsCompleteResponse(
        @JsonProperty("IsComplete") boolean complete,
        @JsonProperty("Data") Map<String, String> data) {
    }
}
