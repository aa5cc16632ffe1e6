package dev.drbdmultiaz.functions.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.common.exceptions.DataVolumeRemovalFailedException;
import dev.drbdmultiaz.functions.common.exceptions.InvalidDeployRequestException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsResponse;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;

@DisplayName("Data-volume removal (Custom::DrbdDataVolumeRemoval through the deploy trigger's handlers)")
class DataVolumeRemovalTest {

    private static final String REMOVAL = "arn:aws:states:eu-west-1:123456789012:stateMachine:removal";
    private static final String EXECUTION = "arn:aws:states:eu-west-1:123456789012:execution:removal:destroy-1";
    private static final String GROUP = "cluster-group";

    private final SfnClient sfn = mock(SfnClient.class);
    private final AutoScalingClient autoScaling = mock(AutoScalingClient.class);
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-04T02:00:00Z"), ZoneOffset.UTC);
    private final DataVolumeRemoval removal = new DataVolumeRemoval(sfn, autoScaling, Optional.of(REMOVAL), GROUP, clock);
    /** The deploy side, which must not see a removal request. */
    private final DeployReconcile deploy = new DeployReconcile(mock(SfnClient.class, i -> {
        throw new AssertionError("the deploy reconcile got a removal request");
    }), "arn:aws:states:eu-west-1:123456789012:stateMachine:reconcile", java.time.Duration.ofMinutes(55), clock);

    private static String request(String type, String data) {
        return "{\"RequestType\":\"" + type + "\",\"ResourceType\":\"Custom::DrbdDataVolumeRemoval\","
            + "\"PhysicalResourceId\":\"drbd-multiaz-data-volume-removal\","
            + "\"ResourceProperties\":{\"ServiceToken\":\"arn:x\",\"StateMachineArn\":\"" + REMOVAL + "\"}"
            + (data == null ? "" : ",\"Data\":" + data) + "}";
    }

    private static JsonNode call(com.amazonaws.services.lambda.runtime.RequestStreamHandler handler, String input)
        throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out, null);
        return Json.readTree(out.toString(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private void groupExists(boolean exists) {
        when(autoScaling.describeAutoScalingGroups(any(Consumer.class))).thenAnswer(invocation -> {
            DescribeAutoScalingGroupsRequest.Builder b = DescribeAutoScalingGroupsRequest.builder();
            ((Consumer<DescribeAutoScalingGroupsRequest.Builder>) invocation.getArgument(0)).accept(b);
            assertEquals(java.util.List.of(GROUP), b.build().autoScalingGroupNames());
            return DescribeAutoScalingGroupsResponse.builder().autoScalingGroups(exists
                ? java.util.List.of(AutoScalingGroup.builder().autoScalingGroupName(GROUP).build())
                : java.util.List.of()).build();
        });
    }

    @SuppressWarnings("unchecked")
    private void execution(String status, String error, String cause) {
        when(sfn.describeExecution(any(Consumer.class))).thenAnswer(invocation -> {
            DescribeExecutionRequest.Builder b = DescribeExecutionRequest.builder();
            ((Consumer<DescribeExecutionRequest.Builder>) invocation.getArgument(0)).accept(b);
            assertEquals(EXECUTION, b.build().executionArn());
            return DescribeExecutionResponse.builder().executionArn(EXECUTION).status(status).error(error).cause(cause)
                .build();
        });
    }

    @Test
    @DisplayName("Create and Update start nothing and are complete at once")
    void createAndUpdateDoNothing() throws Exception {
        for (String type : new String[] {"Create", "Update"}) {
            JsonNode created = call(new DeployReconcileOnEventHandler(deploy, removal), request(type, null));
            assertEquals("drbd-multiaz-data-volume-removal", created.path("PhysicalResourceId").asText(), created.toString());
            assertTrue(created.path("Data").isEmpty(), created.toString());
            JsonNode complete = call(new DeployReconcileIsCompleteHandler(deploy, removal), request(type, "{}"));
            assertTrue(complete.path("IsComplete").asBoolean(), complete.toString());
        }
        verifyNoInteractions(sfn, autoScaling);
    }

    @SuppressWarnings("unchecked")
    @Test
    @DisplayName("Delete once the group is gone starts the removal; isComplete waits for it and completes on SUCCEEDED")
    void deleteAfterTheGroupStartsTheRemoval() throws Exception {
        groupExists(false);
        when(sfn.startExecution(any(Consumer.class))).thenAnswer(invocation -> {
            StartExecutionRequest.Builder b = StartExecutionRequest.builder();
            ((Consumer<StartExecutionRequest.Builder>) invocation.getArgument(0)).accept(b);
            StartExecutionRequest started = b.build();
            assertEquals(REMOVAL, started.stateMachineArn());
            assertEquals("destroy-20261204T020000Z", started.name());
            return StartExecutionResponse.builder().executionArn(EXECUTION).build();
        });

        JsonNode deleted = call(new DeployReconcileOnEventHandler(deploy, removal), request("Delete", null));
        assertEquals(EXECUTION, deleted.at("/Data/ExecutionArn").asText(), deleted.toString());

        execution("RUNNING", null, null);
        String data = Json.write(deleted.path("Data"));
        assertFalse(call(new DeployReconcileIsCompleteHandler(deploy, removal), request("Delete", data))
            .path("IsComplete").asBoolean());
        execution("SUCCEEDED", null, null);
        assertTrue(call(new DeployReconcileIsCompleteHandler(deploy, removal), request("Delete", data))
            .path("IsComplete").asBoolean());
    }

    @SuppressWarnings("unchecked")
    @Test
    @DisplayName("Delete while the group exists (the resource left the template) deletes nothing and completes")
    void deleteWhileTheGroupExistsKeepsTheVolumes() throws Exception {
        groupExists(true);

        JsonNode deleted = call(new DeployReconcileOnEventHandler(deploy, removal), request("Delete", null));

        assertTrue(deleted.path("Data").isEmpty(), deleted.toString());
        verify(sfn, never()).startExecution(any(Consumer.class));
        assertTrue(call(new DeployReconcileIsCompleteHandler(deploy, removal), request("Delete", "{}"))
            .path("IsComplete").asBoolean());
    }

    @Test
    @DisplayName("a failed removal fails the stack deletion with its error and cause")
    void failedRemovalFailsTheDeletion() {
        execution("FAILED", "DataVolumesStillAttached", "Volumes of cluster c1 are still attached: vol-1");

        DataVolumeRemovalFailedException e = assertThrows(DataVolumeRemovalFailedException.class,
            () -> removal.isComplete(Json.readTree(request("Delete", "{\"ExecutionArn\":\"" + EXECUTION + "\"}"))));

        assertTrue(e.getMessage().contains("ended FAILED: DataVolumesStillAttached: Volumes of cluster c1 are still"
            + " attached: vol-1"), e.getMessage());
    }

    @Test
    @DisplayName("a stack without the removal state machine refuses a removal request, naming the setting")
    void refusedWithoutRemovalStateMachine() {
        DataVolumeRemoval none = new DataVolumeRemoval(sfn, autoScaling, Optional.empty(), GROUP, clock);

        InvalidDeployRequestException e = assertThrows(InvalidDeployRequestException.class,
            () -> none.onEvent(Json.readTree(request("Delete", null))));

        assertTrue(e.getMessage().contains("drbd:removalPolicy destroy"), e.getMessage());
        verifyNoInteractions(sfn, autoScaling);
    }
}
