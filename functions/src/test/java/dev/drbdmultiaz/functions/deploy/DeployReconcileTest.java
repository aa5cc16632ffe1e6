package dev.drbdmultiaz.functions.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.common.exceptions.InvalidDeployRequestException;
import dev.drbdmultiaz.functions.common.exceptions.ReconcileExecutionFailedException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryRequest;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sfn.model.StateEnteredEventDetails;
import software.amazon.awssdk.services.sfn.model.StateExitedEventDetails;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;

/** Step Functions answers for every terminal status are mocked; moto's executions never finish. */
@DisplayName("Deploy trigger (CDK Provider framework handlers)")
class DeployReconcileTest {

    private static final String STATE_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:reconcile";
    private static final String EXECUTION = "arn:aws:states:eu-west-1:123456789012:execution:reconcile:deploy-1";
    private static final String HOLDER = "arn:aws:states:eu-west-1:123456789012:execution:reconcile:launch-1";

    private final SfnClient sfn = mock(SfnClient.class);
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final Duration WAIT = Duration.ofMinutes(55);
    private final DeployReconcile deploy = new DeployReconcile(sfn, STATE_MACHINE, WAIT,
        Clock.fixed(NOW, ZoneOffset.UTC));

    /** A removal whose clients fail the test if a deploy request reaches it. */
    private static DataVolumeRemoval unusedRemoval() {
        return new DataVolumeRemoval(mock(SfnClient.class, i -> {
            throw new AssertionError("the removal got a deploy request");
        }), mock(software.amazon.awssdk.services.autoscaling.AutoScalingClient.class, i -> {
            throw new AssertionError("the removal got a deploy request");
        }), java.util.Optional.empty(), "group", Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static JsonNode event(String json) throws Exception {
        return Json.readTree(json);
    }

    private static String call(com.amazonaws.services.lambda.runtime.RequestStreamHandler handler, String input)
        throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    private void execution(String arn, String status, String output, String error, String cause) {
        when(sfn.describeExecution(argThat((DescribeExecutionRequest r) -> r != null && arn.equals(r.executionArn()))))
            .thenReturn(DescribeExecutionResponse.builder().executionArn(arn).status(status).output(output)
                .error(error).cause(cause).build());
    }

    @Test
    @DisplayName("starts deploy-<hash12>-<time> on Create and hands its ARN to isComplete")
    void create() throws Exception {
        when(sfn.startExecution(any(StartExecutionRequest.class)))
            .thenReturn(StartExecutionResponse.builder().executionArn(EXECUTION).build());

        String response = call(new DeployReconcileOnEventHandler(deploy, unusedRemoval()), """
            {"RequestType":"Create","ResourceProperties":{"ServiceToken":"arn:x","ConfigHash":"0123456789abcdef0123"}}
            """);

        ArgumentCaptor<StartExecutionRequest> request = ArgumentCaptor.forClass(StartExecutionRequest.class);
        verify(sfn).startExecution(request.capture());
        assertEquals("deploy-0123456789ab-20240501T120000Z", request.getValue().name());
        assertEquals(Json.readTree("{\"trigger\":{\"source\":\"deploy\"}}"), Json.readTree(request.getValue().input()));
        assertEquals(Json.readTree("{\"PhysicalResourceId\":\"drbd-multiaz-deploy-reconcile\",\"Data\":{\"ExecutionArn\":\""
            + EXECUTION + "\",\"Deadline\":\"2024-05-01T12:55:00Z\"}}"), Json.readTree(response));
    }

    @Test
    @DisplayName("keeps the physical id on Update so CloudFormation replaces nothing")
    void update() throws Exception {
        when(sfn.startExecution(any(StartExecutionRequest.class)))
            .thenReturn(StartExecutionResponse.builder().executionArn(EXECUTION).build());

        DeployReconcile.OnEventResponse response = deploy.onEvent(event("""
            {"RequestType":"Update","PhysicalResourceId":"pid","ResourceProperties":{"ConfigHash":"abc"}}"""));

        assertEquals("pid", response.physicalResourceId());
    }

    @Test
    @DisplayName("starts nothing on Delete and completes at once")
    void delete() throws Exception {
        JsonNode event = event("{\"RequestType\":\"Delete\",\"PhysicalResourceId\":\"pid\"}");

        assertEquals("pid", deploy.onEvent(event).physicalResourceId());
        assertTrue(deploy.isComplete(event).complete());
        verifyNoInteractions(sfn);
    }

    @Test
    @DisplayName("fails with InvalidDeployRequestException without a ConfigHash, starting nothing")
    void failsWithoutHash() {
        InvalidDeployRequestException e = assertThrows(InvalidDeployRequestException.class,
            () -> deploy.onEvent(event("{\"RequestType\":\"Create\",\"ResourceProperties\":{}}")));
        assertTrue(e.getMessage().contains("ConfigHash"));
        verifyNoInteractions(sfn);
    }

    @Test
    @DisplayName("fails with InvalidDeployRequestException for an unknown RequestType")
    void failsOnUnknownRequestType() {
        assertThrows(InvalidDeployRequestException.class, () -> deploy.onEvent(event("{\"RequestType\":\"Import\"}")));
    }

    @Test
    @DisplayName("answers IsComplete false while the execution runs and true when it succeeded")
    void waitsForExecution() throws Exception {
        JsonNode event = event("{\"RequestType\":\"Create\",\"Data\":{\"ExecutionArn\":\"" + EXECUTION + "\"}}");
        execution(EXECUTION, "RUNNING", null, null, null);
        assertFalse(deploy.isComplete(event).complete());

        execution(EXECUTION, "SUCCEEDED", "{\"groupName\":\"g\",\"nodes\":[]}", null, null);
        String response = call(new DeployReconcileIsCompleteHandler(deploy, unusedRemoval()), Json.write(event));
        assertEquals(Json.readTree("{\"IsComplete\":true,\"Data\":{\"ExecutionArn\":\"" + EXECUTION + "\"}}"),
            Json.readTree(response));
    }

    @Test
    @DisplayName("follows an execution that was coalesced into the running holder")
    void followsCoalesced() throws Exception {
        JsonNode event = event("{\"RequestType\":\"Update\",\"Data\":{\"ExecutionArn\":\"" + EXECUTION + "\"}}");
        execution(EXECUTION, "SUCCEEDED", "{\"lock\":{\"acquired\":false,\"generation\":4,\"holderExecutionArn\":\""
            + HOLDER + "\"}}", null, null);
        execution(HOLDER, "RUNNING", null, null, null);
        assertFalse(deploy.isComplete(event).complete());

        execution(HOLDER, "FAILED", null, "NodeStepFailed", "{\"step\":\"InstallDrbd\",\"instanceId\":\"i-1\"}");
        ReconcileExecutionFailedException e = assertThrows(ReconcileExecutionFailedException.class,
            () -> deploy.isComplete(event));
        assertTrue(e.getMessage().contains(HOLDER), e.getMessage());
    }

    @Test
    @DisplayName("fails with the execution's error and cause when it failed, timed out or was aborted")
    void failsWithCause() throws Exception {
        JsonNode event = event("{\"RequestType\":\"Create\",\"Data\":{\"ExecutionArn\":\"" + EXECUTION + "\"}}");
        for (String status : new String[] {"FAILED", "TIMED_OUT", "ABORTED"}) {
            execution(EXECUTION, status, null, "AllReplicasInconsistentException", "Every replica is Inconsistent");

            ReconcileExecutionFailedException e = assertThrows(ReconcileExecutionFailedException.class,
                () -> deploy.isComplete(event));

            assertTrue(e.getMessage().contains(status), e.getMessage());
            assertTrue(e.getMessage().contains("AllReplicasInconsistentException: Every replica is Inconsistent"),
                e.getMessage());
        }
    }

    private DeployReconcile at(Instant now) {
        return new DeployReconcile(sfn, STATE_MACHINE, WAIT, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static JsonNode waiting(String deadline) throws Exception {
        return event("{\"RequestType\":\"Create\",\"Data\":{\"ExecutionArn\":\"" + EXECUTION
            + "\",\"Deadline\":\"" + deadline + "\"}}");
    }

    @Test
    @DisplayName("past its deadline, fails the deploy with where the running reconcile is, before CloudFormation times out")
    void failsAtDeadlineWithWhereItIs() throws Exception {
        execution(EXECUTION, "RUNNING", null, null, null);
        when(sfn.getExecutionHistory(any(GetExecutionHistoryRequest.class))).thenReturn(GetExecutionHistoryResponse
            .builder().events(
                HistoryEvent.builder().id(9L).type(HistoryEventType.TASK_STATE_ENTERED)
                    .stateEnteredEventDetails(StateEnteredEventDetails.builder().name("SendNodeCommand").build()).build(),
                HistoryEvent.builder().id(8L).type(HistoryEventType.TASK_STATE_EXITED)
                    .stateExitedEventDetails(StateExitedEventDetails.builder().name("PlanNextStep")
                        .output("{\"plan\":{\"step\":\"InstallDrbd\",\"reason\":\"i-3 has no DRBD 9\"}}").build())
                    .build())
            .build());
        JsonNode event = waiting("2024-05-01T12:55:00Z");

        assertFalse(at(Instant.parse("2024-05-01T12:54:59Z")).isComplete(event).complete());
        ReconcileExecutionFailedException e = assertThrows(ReconcileExecutionFailedException.class,
            () -> at(Instant.parse("2024-05-01T12:55:00Z")).isComplete(event));

        assertTrue(e.getMessage().contains("still running after 55 minutes"), e.getMessage());
        assertTrue(e.getMessage().contains("step InstallDrbd (i-3 has no DRBD 9)"), e.getMessage());
        ArgumentCaptor<GetExecutionHistoryRequest> history = ArgumentCaptor.forClass(GetExecutionHistoryRequest.class);
        verify(sfn).getExecutionHistory(history.capture());
        assertTrue(history.getValue().reverseOrder(), "the newest events come first");
    }

    @Test
    @DisplayName("past its deadline with no plan yet, names the last state the reconcile entered")
    void failsAtDeadlineNamingTheState() throws Exception {
        execution(EXECUTION, "RUNNING", null, null, null);
        when(sfn.getExecutionHistory(any(GetExecutionHistoryRequest.class))).thenReturn(GetExecutionHistoryResponse
            .builder().events(HistoryEvent.builder().id(3L).type(HistoryEventType.TASK_STATE_ENTERED)
                .stateEnteredEventDetails(StateEnteredEventDetails.builder().name("AcquireClusterLock").build()).build())
            .build());

        ReconcileExecutionFailedException e = assertThrows(ReconcileExecutionFailedException.class,
            () -> at(Instant.parse("2024-05-01T13:00:00Z")).isComplete(waiting("2024-05-01T12:55:00Z")));

        assertTrue(e.getMessage().contains("state AcquireClusterLock"), e.getMessage());
    }

    @Test
    @DisplayName("a finished reconcile is reported as it ended even past the deadline")
    void finishedPastDeadline() throws Exception {
        execution(EXECUTION, "SUCCEEDED", "{}", null, null);

        assertTrue(at(Instant.parse("2024-05-01T13:00:00Z")).isComplete(waiting("2024-05-01T12:55:00Z")).complete());
    }

    @Test
    @DisplayName("refuses a Deadline that is not an ISO-8601 instant, naming it")
    void refusesMalformedDeadline() {
        InvalidDeployRequestException e = assertThrows(InvalidDeployRequestException.class,
            () -> deploy.isComplete(waiting("tomorrow")));
        assertTrue(e.getMessage().contains("'tomorrow'"), e.getMessage());
        verifyNoInteractions(sfn);
    }
}
