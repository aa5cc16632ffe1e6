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
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;

/** Step Functions answers for every terminal status are mocked; moto's executions never finish. */
@DisplayName("Deploy trigger (CDK Provider framework handlers)")
class DeployReconcileTest {

    private static final String STATE_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:reconcile";
    private static final String EXECUTION = "arn:aws:states:eu-west-1:123456789012:execution:reconcile:deploy-1";
    private static final String HOLDER = "arn:aws:states:eu-west-1:123456789012:execution:reconcile:launch-1";

    private final SfnClient sfn = mock(SfnClient.class);
    private final DeployReconcile deploy = new DeployReconcile(sfn, STATE_MACHINE,
        Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC));

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

        String response = call(new DeployReconcileOnEventHandler(deploy), """
            {"RequestType":"Create","ResourceProperties":{"ServiceToken":"arn:x","ConfigHash":"0123456789abcdef0123"}}
            """);

        ArgumentCaptor<StartExecutionRequest> request = ArgumentCaptor.forClass(StartExecutionRequest.class);
        verify(sfn).startExecution(request.capture());
        assertEquals("deploy-0123456789ab-20240501T120000Z", request.getValue().name());
        assertEquals(Json.readTree("{\"trigger\":{\"source\":\"deploy\"}}"), Json.readTree(request.getValue().input()));
        assertEquals(Json.readTree("{\"PhysicalResourceId\":\"drbd-multiaz-deploy-reconcile\",\"Data\":{\"ExecutionArn\":\""
            + EXECUTION + "\"}}"), Json.readTree(response));
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
        String response = call(new DeployReconcileIsCompleteHandler(deploy), Json.write(event));
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
}
