package dev.drbdmultiaz.functions.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.exceptions.AwsRequestFailedException;
import dev.drbdmultiaz.functions.common.exceptions.ConfigurationException;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.common.exceptions.TransientAwsException;
import dev.drbdmultiaz.functions.reconcile.plan.DesiredSettings;
import dev.drbdmultiaz.functions.reconcile.plan.PlanNextStepHandler;
import dev.drbdmultiaz.model.ReconcileSetting;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

@DisplayName("Handler plumbing")
class CommonTest {

    private static final dev.drbdmultiaz.functions.reconcile.lifecycle.HeartbeatSchedule HEARTBEATS =
        new dev.drbdmultiaz.functions.reconcile.lifecycle.HeartbeatSchedule(java.time.Duration.ofHours(1),
            Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC));

    @AfterEach
    void restoreLog() {
        StructuredLog.redirect(System.out, Clock.systemUTC());
    }

    private static Map<String, String> planEnv() {
        Map<String, String> env = new HashMap<>();
        for (dev.drbdmultiaz.model.NodeDocument doc : dev.drbdmultiaz.model.NodeDocument.values()) {
            env.put(doc.environmentVariable(), "doc-" + doc.name().toLowerCase(java.util.Locale.ROOT));
        }
        env.putAll(Map.of("RESOURCE_NAME", "r0", "DRBD_PORT", "7789", "VOLUME_GROUP", "drbdpool", "THIN_POOL", "thin",
            "LOGICAL_VOLUME", "r0", "MAX_PEERS", "5", "SECRET_ARN", "arn:aws:secretsmanager:x"));
        return env;
    }

    @Test
    @DisplayName("reads the PlanNextStep environment in one place, with defaults for the tuning knobs")
    void planConfig() {
        PlanNextStepHandler.Config config = PlanNextStepHandler.Config.from(new Env(planEnv()));

        assertEquals("r0", config.desiredSettings().resourceName());
        // The default of the one home the construct uses too (the handler had 20, the construct 30).
        assertEquals(30, ReconcileSetting.CONNECT_WAIT_MAX_ATTEMPTS.defaultInt());
        assertEquals(30, config.desiredSettings().connectWaitMaxAttempts());
        assertEquals(1.0, config.desiredSettings().waitTimeScale());
        assertEquals("/dev/drbdpool/r0", config.desiredSettings().backingDisk());
        Map<String, String> rehearsal = planEnv();
        rehearsal.put("POLL_SECONDS", "1");
        DesiredSettings fast = PlanNextStepHandler.Config.from(new Env(rehearsal)).desiredSettings();
        assertEquals(1, fast.pollSeconds());
        assertEquals(List.of(1, 2, 4, 6, 6), java.util.stream.IntStream.range(0, 5)
            .mapToObj(fast::connectBackoffSeconds).toList());
    }

    @Test
    @DisplayName("fails with ConfigurationException naming the missing variable")
    void failsOnMissingVariable() {
        Map<String, String> env = planEnv();
        env.remove("DOCUMENT_FORGET_PEER");

        ConfigurationException e = assertThrows(ConfigurationException.class,
            () -> PlanNextStepHandler.Config.from(new Env(env)));
        assertTrue(e.getMessage().contains("DOCUMENT_FORGET_PEER"), e.getMessage());
    }

    @Test
    @DisplayName("fails with ConfigurationException for a malformed number, showing the value")
    void failsOnMalformedNumber() {
        Map<String, String> env = planEnv();
        env.put("POLL_SECONDS", "fast");

        ConfigurationException e = assertThrows(ConfigurationException.class,
            () -> PlanNextStepHandler.Config.from(new Env(env)));
        assertTrue(e.getMessage().contains("POLL_SECONDS") && e.getMessage().contains("fast"), e.getMessage());
    }

    @Test
    @DisplayName("runs PlanNextStep end to end on JSON: the first step of a fresh run is ObserveNodes")
    void planHandlerJson() throws Exception {
        RequestStreamHandler handler = new PlanNextStepHandler(PlanNextStepHandler.Config.from(new Env(planEnv()))
            .desiredSettings(), HEARTBEATS);
        String state = """
            {"executionArn":"arn:exec","trigger":{"source":"manual"},
             "lock":{"acquired":true,"generation":1,"holderExecutionArn":"arn:exec"},
             "cluster":{"groupName":"g","snapshot":1,"members":[
               {"instanceId":"i-1","availabilityZone":"eu-west-1a","lifecycleState":"InService","nodeId":0},
               {"instanceId":"i-2","availabilityZone":"eu-west-1b","lifecycleState":"Pending:Wait","nodeId":1,"pendingAction":"launch"},
               {"instanceId":"i-3","availabilityZone":"eu-west-1c","lifecycleState":"InService","nodeId":2}],"departing":[]},
             "agents":{"allOnline":true,"exhausted":false,"offline":[],"attempt":1,"waitSeconds":0},
             "heartbeat":{"recordedAt":"2024-05-01T11:59:00Z","dueAt":"2024-05-01T12:19:00Z"},
             "somethingElse":{"ignored":true}}
            """;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(state.getBytes(StandardCharsets.UTF_8)), out, null);

        JsonNode plan = Json.readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals("ObserveNodes", plan.get("step").asText());
        assertEquals("doc-status", plan.get("documentName").asText());
        assertEquals(Json.readTree("[\"i-1\",\"i-2\",\"i-3\"]"), plan.get("targets"));
        assertEquals(Json.readTree("{\"LogicalVolume\":\"r0\",\"ResourceName\":\"r0\",\"VolumeGroup\":\"drbdpool\"}"),
            plan.get("parameters"));
        assertEquals(false, plan.get("heartbeat").asBoolean(), "the last heartbeat is not due yet");
        assertEquals(5, plan.get("pollSeconds").asInt());
    }

    @Test
    @DisplayName("fails with InvalidStateDocumentException on input that is not JSON")
    void failsOnBadInput() {
        RequestStreamHandler handler = new PlanNextStepHandler(PlanNextStepHandler.Config.from(new Env(planEnv()))
            .desiredSettings(), HEARTBEATS);

        assertThrows(InvalidStateDocumentException.class, () -> handler.handleRequest(
            new ByteArrayInputStream("{\"cluster\":".getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), null));
        assertThrows(InvalidStateDocumentException.class, () -> handler.handleRequest(
            new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), null));
    }

    @Test
    @DisplayName("sorts SDK failures: throttling, 5xx and network errors are retryable, the rest terminal")
    void translatesSdkErrors() {
        AwsServiceException throttled = AwsServiceException.builder().statusCode(400).awsErrorDetails(
            AwsErrorDetails.builder().errorCode("ThrottlingException").errorMessage("slow down").build()).build();
        AwsServiceException unavailable = AwsServiceException.builder().statusCode(503).awsErrorDetails(
            AwsErrorDetails.builder().errorCode("ServiceUnavailable").errorMessage("later").build()).build();
        AwsServiceException denied = AwsServiceException.builder().statusCode(403).awsErrorDetails(
            AwsErrorDetails.builder().errorCode("AccessDeniedException").serviceName("Ssm").errorMessage("no").build()).build();

        assertEquals(TransientAwsException.class, AwsErrors.translate(throttled).getClass());
        assertEquals(TransientAwsException.class, AwsErrors.translate(unavailable).getClass());
        assertEquals(TransientAwsException.class,
            AwsErrors.translate(SdkClientException.create("connection reset")).getClass());
        RuntimeException terminal = AwsErrors.translate(denied);
        assertEquals(AwsRequestFailedException.class, terminal.getClass());
        assertTrue(terminal.getMessage().contains("AccessDeniedException"), terminal.getMessage());
    }

    @Test
    @DisplayName("logs one JSON object per line with level, capitalized message and fields")
    void structuredLog() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StructuredLog.redirect(new PrintStream(out, true, StandardCharsets.UTF_8),
            Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC));

        StructuredLog.of(CommonTest.class).info("Acquired cluster lock", "executionArn", "arn:x", "generation", 3,
            "targets", List.of("i-1"), "absent", null);

        assertEquals(Json.readTree("""
            {"timestamp":"2024-05-01T12:00:00Z","level":"INFO","logger":"CommonTest","message":"Acquired cluster lock",
             "executionArn":"arn:x","generation":3,"targets":["i-1"]}"""),
            Json.readTree(out.toString(StandardCharsets.UTF_8).trim()));
    }
}
