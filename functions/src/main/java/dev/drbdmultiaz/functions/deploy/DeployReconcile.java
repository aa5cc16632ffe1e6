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
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryRequest;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;

/**
 * The deploy trigger, a CloudFormation custom resource through the CDK Provider framework:
 * onEvent starts a reconcile execution for Create and Update, isComplete waits for it, so
 * {@code cdk deploy} ends when the cluster converged or fails with the reconcile's cause. Delete
 * starts nothing and completes at once (stack deletion never waits on the cluster).
 *
 * <p>The Provider framework gives up after its total timeout with a bare "Operation timed out"
 * (its waiter retries isComplete until then, then onTimeout reports that). So isComplete does not
 * let it come to that: once {@code DEPLOY_WAIT_SECONDS} have passed (the total timeout less two
 * polls) it fails the deploy with where the reconcile is, read from the execution's history; the
 * reconcile itself goes on and the next trigger sees its result.
 */
public final class DeployReconcile {

    /** Property of the custom resource: hash of the cluster configuration (a change re-runs it). */
    public static final String CONFIG_HASH = "ConfigHash";
    static final String EXECUTION_ARN = "ExecutionArn";
    static final String DEADLINE = "Deadline";
    static final int MAX_FOLLOW = 5;
    static final int MAX_CAUSE = 2000;
    /** GetExecutionHistory's largest page. */
    static final int HISTORY_EVENTS = 1000;
    private static final Pattern HASH = Pattern.compile("[A-Za-z0-9]{1,128}");
    /** The time in execution names the deploy functions start. */
    static final DateTimeFormatter NAME_TIME =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final StructuredLog LOG = StructuredLog.of(DeployReconcile.class);

    private final SfnClient sfn;
    private final String stateMachineArn;
    private final Duration wait;
    private final Clock clock;

    /**
     * @param wait how long a deploy waits for its reconcile before it fails with where it is
     */
    public DeployReconcile(SfnClient sfn, String stateMachineArn, Duration wait, Clock clock) {
        this.sfn = Objects.requireNonNull(sfn, "sfn");
        this.stateMachineArn = Objects.requireNonNull(stateMachineArn, "stateMachineArn");
        this.wait = Objects.requireNonNull(wait, "wait");
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
        String input = Json.write(Map.of("trigger", new Trigger(Trigger.DEPLOY, null)));
        String executionArn = sfn.startExecution(StartExecutionRequest.builder()
            .stateMachineArn(stateMachineArn).name(name).input(input).build())
            .executionArn();
        LOG.info("Started reconcile execution for deployment", "executionArn", executionArn,
            "requestType", requestType, "configHash", configHash);
        String id = "Create".equals(requestType) || physicalId == null ? "drbd-multiaz-deploy-reconcile" : physicalId;
        return new OnEventResponse(id, Map.of(EXECUTION_ARN, executionArn,
            DEADLINE, clock.instant().plus(wait).toString()));
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
        Instant deadline = deadline(event);
        String current = executionArn;
        for (int hop = 0; hop <= MAX_FOLLOW; hop++) {
            String arn = current;
            DescribeExecutionResponse execution = sfn.describeExecution(
                DescribeExecutionRequest.builder().executionArn(arn).build());
            switch (execution.statusAsString()) {
                case "RUNNING":
                case "PENDING_REDRIVE":
                    if (deadline != null && !clock.instant().isBefore(deadline)) {
                        throw new ReconcileExecutionFailedException(String.format(
                            "Reconcile execution %s is still running after %s, and CloudFormation waits for a custom"
                                + " resource at most an hour: it is at %s. The reconcile goes on (read it in the Step"
                                + " Functions console); deploy again or wait for the schedule to see its result",
                            current, wait.toSeconds() < 120 ? wait.toSeconds() + " s" : wait.toMinutes() + " minutes",
                            whereItIs(current)));
                    }
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
                    throw new ReconcileExecutionFailedException(String.format(
                        "Reconcile execution %s ended %s: %s: %s (read its history in the Step Functions console)",
                        current, execution.statusAsString(), execution.error(), shortCause(execution.cause())));
            }
        }
        throw new ReconcileExecutionFailedException("Reconcile execution " + executionArn
            + " was coalesced more than " + MAX_FOLLOW + " times; start a reconcile by hand and deploy again");
    }

    /** Data.Deadline from onEvent, or {@code null} for a request from before deadlines existed. */
    private static Instant deadline(JsonNode event) {
        String text = event.path("Data").path(DEADLINE).asText("");
        try {
            return text.isEmpty() ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidDeployRequestException("Data." + DEADLINE + " must be an ISO-8601 instant, got '" + text + "'");
        }
    }

    /**
     * The running execution's last plan (step and reason), or the last state it entered: read from
     * its newest {@value #HISTORY_EVENTS} history events (one page; a poll loop writes many).
     */
    String whereItIs(String executionArn) {
        String lastState = null;
        for (HistoryEvent e : sfn.getExecutionHistory(GetExecutionHistoryRequest.builder().executionArn(executionArn)
            .reverseOrder(true).maxResults(HISTORY_EVENTS).build()).events()) {
            if (e.stateExitedEventDetails() != null && "PlanNextStep".equals(e.stateExitedEventDetails().name())) {
                try {
                    JsonNode plan = Json.readTree(e.stateExitedEventDetails().output()).path("plan");
                    return "step " + plan.path("step").asText("?") + " (" + plan.path("reason").asText("") + ")";
                } catch (JsonProcessingException notJson) {
                    break;
                }
            }
            if (lastState == null && e.stateEnteredEventDetails() != null) {
                lastState = e.stateEnteredEventDetails().name();
            }
        }
        return lastState == null ? "an unknown state" : "state " + lastState;
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

    /** An execution's cause, at most {@value #MAX_CAUSE} characters (a failure reason has a size limit). */
    static String shortCause(String cause) {
        if (cause == null) {
            return "";
        }
        return cause.length() > MAX_CAUSE ? cause.substring(0, MAX_CAUSE) + "…" : cause;
    }

    static String requestType(JsonNode event) {
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
