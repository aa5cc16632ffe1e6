package dev.drbdmultiaz.functions.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.common.exceptions.InvalidTriggerEventException;
import dev.drbdmultiaz.functions.reconcile.registry.RegistryTable;
import dev.drbdmultiaz.functions.testing.MotoServer;
import dev.drbdmultiaz.functions.testing.Tables;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;

@DisplayName("TriggerReconcile")
class TriggerReconcileHandlerTest {

    private static final String STATE_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:reconcile";
    private static final TriggerReconcileHandler.Config CONFIG = new TriggerReconcileHandler.Config(STATE_MACHINE,
        "registry", new TriggerEvents.Identity("prod", "drbd-asg", "drbd-launch", "drbd-terminate"));

    private final SfnClient sfn = mock(SfnClient.class);
    private final DynamoDbClient dynamoDb = freeLock();
    private final TriggerReconcileHandler handler = new TriggerReconcileHandler(CONFIG, sfn, dynamoDb);

    /** A registry whose lock is always free: every conditional write succeeds. */
    private static DynamoDbClient freeLock() {
        DynamoDbClient dynamoDb = mock(DynamoDbClient.class);
        when(dynamoDb.updateItem(any(UpdateItemRequest.class))).thenReturn(UpdateItemResponse.builder()
            .attributes(java.util.Map.of("generation", AttributeValue.fromN("1"))).build());
        return dynamoDb;
    }

    static String lifecycle(String detailType, String group, String hook, String instanceId, String transition) {
        return """
            {"version":"0","id":"7e2b1d4f-3c7a-4f1e-9a45-0123456789ab","detail-type":"%s","source":"aws.autoscaling",
             "account":"123456789012","time":"2024-05-01T12:34:56Z","region":"eu-west-1",
             "resources":["arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:x"],
             "detail":{"LifecycleActionToken":"87654321-4321","AutoScalingGroupName":"%s","LifecycleHookName":"%s",
                       "EC2InstanceId":"%s","LifecycleTransition":"%s","NotificationMetadata":""}}
            """.formatted(detailType, group, hook, instanceId, transition);
    }

    static String launch() {
        return lifecycle("EC2 Instance-launch Lifecycle Action", "drbd-asg", "drbd-launch", "i-0123456789abcdef0",
            "autoscaling:EC2_INSTANCE_LAUNCHING");
    }

    static String event(String source, String detailType, String detail) {
        return """
            {"id":"11112222-3333","detail-type":"%s","source":"%s","time":"2024-05-01T00:00:00Z","detail":%s}
            """.formatted(detailType, source, detail);
    }

    private String invoke(String input) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    private void started() {
        when(sfn.startExecution(any(StartExecutionRequest.class))).thenAnswer(call -> StartExecutionResponse.builder()
            .executionArn(STATE_MACHINE.replace("stateMachine", "execution") + ":"
                + ((StartExecutionRequest) call.getArgument(0)).name()).build());
    }

    @Test
    @DisplayName("starts a launch-<instance>-<time>-<event id> execution with identity-only input")
    void launchEvent() throws Exception {
        started();

        JsonNode result = Json.readTree(invoke(launch()));

        ArgumentCaptor<StartExecutionRequest> request = ArgumentCaptor.forClass(StartExecutionRequest.class);
        verify(sfn).startExecution(request.capture());
        assertEquals("launch-i-0123456789abcdef0-20240501T123456Z-7e2b1d4f", request.getValue().name());
        assertEquals(STATE_MACHINE, request.getValue().stateMachineArn());
        assertEquals(Json.readTree("{\"trigger\":{\"source\":\"launch\",\"instanceId\":\"i-0123456789abcdef0\"}}"),
            Json.readTree(request.getValue().input()));
        assertTrue(result.get("started").asBoolean());
        assertTrue(request.getValue().name().matches("[A-Za-z0-9_-]{1,80}"));
    }

    @Test
    @DisplayName("names terminate, re-adjust and schedule executions after their trigger")
    void otherTriggers() throws Exception {
        started();
        invoke(lifecycle("EC2 Instance-terminate Lifecycle Action", "drbd-asg", "drbd-terminate",
            "i-0123456789abcdef0", "autoscaling:EC2_INSTANCE_TERMINATING"));
        invoke(event("drbd-multiaz", "Reconcile Requested", "{\"clusterId\":\"prod\"}"));
        invoke(event("aws.events", "Scheduled Event", "{}"));

        ArgumentCaptor<StartExecutionRequest> requests = ArgumentCaptor.forClass(StartExecutionRequest.class);
        verify(sfn, org.mockito.Mockito.times(3)).startExecution(requests.capture());
        assertEquals(java.util.List.of("terminate-i-0123456789abcdef0-20240501T123456Z-7e2b1d4f",
                "readjust-20240501T000000Z-11112222", "schedule-20240501T000000Z-11112222"),
            requests.getAllValues().stream().map(StartExecutionRequest::name).toList());
        assertEquals(Json.readTree("{\"trigger\":{\"source\":\"readjust\"}}"),
            Json.readTree(requests.getAllValues().get(1).input()));
    }

    @Test
    @DisplayName("answers a duplicate delivery (ExecutionAlreadyExists) as success without a second execution")
    void duplicate() throws Exception {
        when(sfn.startExecution(any(StartExecutionRequest.class)))
            .thenThrow(ExecutionAlreadyExistsException.builder().message("exists").build());

        JsonNode result = Json.readTree(invoke(launch()));

        assertFalse(result.get("started").asBoolean());
        assertTrue(result.get("duplicate").asBoolean());
        ArgumentCaptor<UpdateItemRequest> writes = ArgumentCaptor.forClass(UpdateItemRequest.class);
        verify(dynamoDb, org.mockito.Mockito.times(2)).updateItem(writes.capture());
        assertTrue(writes.getAllValues().get(1).updateExpression().startsWith("REMOVE holder"),
            "the lock taken for the ended execution is freed: " + writes.getAllValues().get(1).updateExpression());
    }

    @Test
    @DisplayName("frees the lock it took when StartExecution fails, and fails so that the event is retried")
    void startFails() {
        when(sfn.startExecution(any(StartExecutionRequest.class)))
            .thenThrow(software.amazon.awssdk.services.sfn.model.SfnException.builder().message("throttled").build());

        assertThrows(dev.drbdmultiaz.functions.common.exceptions.AwsRequestFailedException.class,
            () -> invoke(launch()));
        ArgumentCaptor<UpdateItemRequest> writes = ArgumentCaptor.forClass(UpdateItemRequest.class);
        verify(dynamoDb, org.mockito.Mockito.times(2)).updateItem(writes.capture());
        assertTrue(writes.getAllValues().get(1).updateExpression().startsWith("REMOVE holder"));
    }

    static Stream<Arguments> foreignEvents() {
        return Stream.of(
            Arguments.of("another group", lifecycle("EC2 Instance-launch Lifecycle Action", "other-asg", "drbd-launch",
                "i-0123456789abcdef0", "autoscaling:EC2_INSTANCE_LAUNCHING"), "other-asg"),
            Arguments.of("another hook", lifecycle("EC2 Instance-launch Lifecycle Action", "drbd-asg", "drbd-terminate",
                "i-0123456789abcdef0", "autoscaling:EC2_INSTANCE_LAUNCHING"), "drbd-terminate"),
            Arguments.of("another cluster", event("drbd-multiaz", "Reconcile Requested", "{\"clusterId\":\"staging\"}"),
                "staging"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("foreignEvents")
    @DisplayName("ignores events of another group, hook or cluster with a logged no-op")
    void ignoresForeignEvents(String kind, String input, String named) throws Exception {
        JsonNode result = Json.readTree(invoke(input));

        assertFalse(result.get("started").asBoolean());
        assertTrue(result.get("reason").asText().contains(named), result.toString());
        verifyNoInteractions(sfn, dynamoDb);
    }

    static Stream<Arguments> malformedEvents() {
        String launch = launch();
        return Stream.of(
            Arguments.of("not JSON", "{\"source\": aws.autoscaling", "not the expected JSON"),
            Arguments.of("empty input", "", "empty input"),
            Arguments.of("JSON null", "null", "must be a JSON object"),
            Arguments.of("a JSON array", "[" + launch + "]", "must be a JSON object"),
            Arguments.of("no source", launch.replace("\"source\":\"aws.autoscaling\",", ""), "'source' is missing"),
            Arguments.of("no detail-type", launch.replace("\"detail-type\":\"EC2 Instance-launch Lifecycle Action\",", ""),
                "'detail-type' is missing"),
            Arguments.of("a numeric source", launch.replace("\"source\":\"aws.autoscaling\"", "\"source\":42"),
                "'source' of the event must be a non-empty string"),
            Arguments.of("an unknown source", launch.replace("aws.autoscaling", "aws.ec2"), "source 'aws.ec2'"),
            Arguments.of("an unknown Auto Scaling detail-type",
                launch.replace("EC2 Instance-launch Lifecycle Action", "EC2 Instance Launch Successful"),
                "detail-type 'EC2 Instance Launch Successful'"),
            Arguments.of("no event id", launch.replace("\"id\":\"7e2b1d4f-3c7a-4f1e-9a45-0123456789ab\",", ""),
                "'id' is missing"),
            Arguments.of("a malformed time", launch.replace("2024-05-01T12:34:56Z", "yesterday"), "time"),
            Arguments.of("no detail", event("aws.events", "Scheduled Event", "null"), "no detail object"),
            Arguments.of("no instance id", launch.replace("\"EC2InstanceId\":\"i-0123456789abcdef0\",", ""),
                "'EC2InstanceId' is missing"),
            Arguments.of("a malformed instance id", launch.replace("i-0123456789abcdef0", "i-0;reboot"),
                "EC2InstanceId"),
            Arguments.of("no group name", launch.replace("\"AutoScalingGroupName\":\"drbd-asg\",", ""),
                "'AutoScalingGroupName' is missing"),
            Arguments.of("a transition that contradicts the detail-type",
                launch.replace("EC2_INSTANCE_LAUNCHING", "EC2_INSTANCE_TERMINATING"), "LifecycleTransition"),
            Arguments.of("a re-adjust event without clusterId", event("drbd-multiaz", "Reconcile Requested", "{}"),
                "'clusterId' is missing"),
            Arguments.of("a re-adjust event with another detail-type", event("drbd-multiaz", "Reconcile Please",
                "{\"clusterId\":\"prod\"}"), "detail-type 'Reconcile Please'"),
            Arguments.of("a schedule with another detail-type", event("aws.events", "Cron", "{}"), "detail-type 'Cron'"));
    }

    @ParameterizedTest(name = "fails on {0}")
    @MethodSource("malformedEvents")
    @DisplayName("fails with InvalidTriggerEventException saying what was wrong, and starts nothing")
    void failsOnMalformedEvents(String kind, String input, String expectedInMessage) {
        InvalidTriggerEventException e = assertThrows(InvalidTriggerEventException.class, () -> invoke(input));

        assertTrue(e.getMessage().contains(expectedInMessage), kind + ": " + e.getMessage());
        assertTrue(e.getMessage().endsWith("nothing was started"), e.getMessage());
        verifyNoInteractions(sfn);
    }

    @Test
    @DisplayName("fails at construction naming a missing environment variable")
    void failsWithoutConfig() {
        var e = assertThrows(dev.drbdmultiaz.functions.common.exceptions.ConfigurationException.class,
            () -> TriggerReconcileHandler.Config.from(new dev.drbdmultiaz.functions.common.Env(java.util.Map.of(
                "STATE_MACHINE_ARN", STATE_MACHINE, "CLUSTER_TABLE_NAME", "registry", "CLUSTER_ID", "prod",
                "AUTO_SCALING_GROUP_NAME", "g",
                "LAUNCH_HOOK_NAME", "l"))));
        assertTrue(e.getMessage().contains("TERMINATE_HOOK_NAME"), e.getMessage());
    }

    @Test
    @DisplayName("starts a real execution on moto, treats the redelivered event as a duplicate, and coalesces"
        + " the next event into the running execution without starting one")
    void onMoto() throws Exception {
        try (MotoServer moto = MotoServer.start()) {
            SfnClient real = moto.sfn();
            String arn = real.createStateMachine(b -> b.name("reconcile-" + UUID.randomUUID())
                .roleArn("arn:aws:iam::123456789012:role/sfn")
                .definition("{\"StartAt\":\"Wait\",\"States\":{\"Wait\":{\"Type\":\"Wait\",\"Seconds\":600,"
                    + "\"End\":true}}}")).stateMachineArn();
            String table = Tables.createRegistry(moto.dynamoDb());
            TriggerReconcileHandler onMoto = new TriggerReconcileHandler(
                new TriggerReconcileHandler.Config(arn, table, CONFIG.identity()), real, moto.dynamoDb());

            JsonNode started = invoke(onMoto, launch());
            JsonNode redelivered = invoke(onMoto, launch());
            JsonNode readjust = invoke(onMoto, event("drbd-multiaz", "Reconcile Requested", "{\"clusterId\":\"prod\"}"));

            assertTrue(started.get("started").asBoolean());
            String executionArn = started.get("executionArn").asText();
            assertEquals(Json.readTree("{\"trigger\":{\"instanceId\":\"i-0123456789abcdef0\",\"source\":\"launch\"}}"),
                Json.readTree(real.describeExecution(b -> b.executionArn(executionArn)).input()));
            assertEquals(executionArn, redelivered.get("executionArn").asText(),
                "StartExecution answers a running execution of the same name and input");
            assertFalse(readjust.get("started").asBoolean());
            assertEquals(executionArn, readjust.get("coalescedInto").asText());
            assertEquals(1, real.listExecutions(b -> b.stateMachineArn(arn)).executions().size(),
                "neither the redelivered nor the coalesced event started an execution");
            assertEquals(java.util.List.of("readjust"), moto.dynamoDb().getItem(b -> b.tableName(table)
                .key(RegistryTable.key(RegistryTable.LOCK))).item().get("coalesced").ss());
        }
    }

    private static JsonNode invoke(TriggerReconcileHandler handler, String event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        return Json.readTree(out.toString(StandardCharsets.UTF_8));
    }
}
