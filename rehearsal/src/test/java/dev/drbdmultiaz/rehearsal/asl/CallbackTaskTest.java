package dev.drbdmultiaz.rehearsal.asl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.InvalidOutputException;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;

/**
 * The callback pattern as Step Functions runs it (developer guide, "Wait for a Callback with Task
 * Token"): the token in the context object reaches the function, SendTaskSuccess's output lands at
 * ResultPath, SendTaskFailure's error and cause reach the Catch, TimeoutSecondsPath and
 * HeartbeatSecondsPath end the attempt with States.Timeout (which States.TaskFailed does not catch)
 * and States.HeartbeatTimeout, scaled by the rehearsal's time; a closed token answers TaskTimedOut,
 * one never issued InvalidToken. The test plays the completion function: it reads the token from
 * the runner's TaskScheduled line and calls the front with the SDK.
 */
@Timeout(180)
class CallbackTaskTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Task timeouts and heartbeats are a tenth of their AWS seconds. */
    private static final double SCALE = 0.1;
    private static final String DEFINITION = "{\"StartAt\":\"Plain?\",\"States\":{"
        + "\"Plain?\":{\"Type\":\"Choice\",\"Choices\":[{\"Variable\":\"$.plain\",\"IsPresent\":true,\"Next\":\"Plain\"}],"
        + "\"Default\":\"RunNodeStep\"},"
        + "\"Plain\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::lambda:invoke\","
        + "\"Parameters\":{\"FunctionName\":\"${EchoFunction}\",\"Payload\":{\"step.$\":\"$.step\"}},"
        + "\"ResultPath\":\"$.plainResult\",\"End\":true},"
        + "\"RunNodeStep\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::lambda:invoke.waitForTaskToken\","
        + "\"Parameters\":{\"FunctionName\":\"${EchoFunction}\",\"Payload\":{\"taskToken.$\":\"$$.Task.Token\","
        + "\"step.$\":\"$.step\"}},\"TimeoutSecondsPath\":\"$.timeout\",\"HeartbeatSecondsPath\":\"$.heartbeat\","
        + "\"ResultPath\":\"$.collected\",\"Next\":\"Done\",\"Catch\":["
        + "{\"ErrorEquals\":[\"States.TaskFailed\"],\"ResultPath\":\"$.error\",\"Next\":\"Failed\"},"
        + "{\"ErrorEquals\":[\"States.Timeout\"],\"ResultPath\":\"$.callbackTimeout\",\"Next\":\"TimedOut\"},"
        + "{\"ErrorEquals\":[\"States.ALL\"],\"ResultPath\":\"$.error\",\"Next\":\"Failed\"}]},"
        + "\"Done\":{\"Type\":\"Pass\",\"End\":true},\"TimedOut\":{\"Type\":\"Wait\",\"Seconds\":30,\"End\":true},"
        + "\"Failed\":{\"Type\":\"Pass\",\"End\":true}}}";

    @TempDir
    static Path sandbox;
    private static AslFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new AslFixture(sandbox, DEFINITION, CompressedTime.of(SCALE));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    @DisplayName("SendTaskSuccess: the output lands at ResultPath; the token then is closed (TaskTimedOut)")
    void successLandsAtResultPath() throws Exception {
        Execution execution = fixture.start("success", "{\"step\":\"install\",\"timeout\":600,\"heartbeat\":300}");
        JsonNode scheduled = scheduled(execution);
        String token = scheduled.path("token").asText();
        assertEquals(token, scheduled.path("parameters").path("Payload").path("taskToken").asText(),
            "the function's payload carries the token, in place of $$.Task.Token");
        assertEquals("install", scheduled.path("parameters").path("Payload").path("step").asText());
        AslFixture.awaitEvent(execution, Duration.ofSeconds(60), type("TaskSubmitted"));

        fixture.client.sendTaskSuccess(b -> b.taskToken(token).output("{\"exitCode\":0,\"nodes\":[\"a\"]}"));
        JsonNode output = finalOutput(execution);
        assertEquals(JSON.readTree("{\"exitCode\":0,\"nodes\":[\"a\"]}"), output.path("collected"));
        assertEquals(List.of("Plain?", "RunNodeStep", "Done"), entered(execution));
        assertThrows(TaskTimedOutException.class,
            () -> fixture.client.sendTaskSuccess(b -> b.taskToken(token).output("{}")), "its task has closed");

        List<String> history = fixture.client.getExecutionHistory(b -> b.executionArn(execution.arn())).events()
            .stream().map(HistoryEvent::typeAsString).toList();
        assertTrue(history.containsAll(List.of("TaskStateEntered", "TaskScheduled", "TaskSubmitted", "TaskSucceeded",
            "TaskStateExited")), history.toString());
    }

    @Test
    @DisplayName("SendTaskFailure: the task fails with its error and cause; the Catch sees them")
    void failureReachesTheCatch() throws Exception {
        Execution execution = fixture.start("failure", "{\"step\":\"up\",\"timeout\":600,\"heartbeat\":300}");
        String token = scheduled(execution).path("token").asText();
        fixture.client.sendTaskFailure(b -> b.taskToken(token).error("NodeStepFailed").cause("drbd-up exit 3 on i-1"));
        JsonNode output = finalOutput(execution);
        assertEquals("NodeStepFailed", output.path("error").path("Error").asText());
        assertEquals("drbd-up exit 3 on i-1", output.path("error").path("Cause").asText());
        assertEquals(List.of("Plain?", "RunNodeStep", "Failed"), entered(execution));
        assertThrows(TaskTimedOutException.class,
            () -> fixture.client.sendTaskHeartbeat(b -> b.taskToken(token)), "its task has closed");
    }

    @Test
    @DisplayName("no callback: States.Timeout after the scaled TimeoutSeconds, not caught by States.TaskFailed; late callbacks answer TaskTimedOut")
    void noCallbackTimesOut() throws Exception {
        Execution execution = fixture.start("timeout", "{\"step\":\"up\",\"timeout\":20,\"heartbeat\":30}");
        JsonNode scheduled = scheduled(execution);
        JsonNode caught = AslFixture.awaitEvent(execution, Duration.ofSeconds(30), type("StateCaught"));
        long waited = caught.path("timestamp").asLong() - scheduled.path("timestamp").asLong();
        assertTrue(waited >= 1800 && waited < 6000, "20 s x 0.1 = 2 s, was " + waited + " ms");
        String token = scheduled.path("token").asText();
        assertEquals(Execution.RUNNING, execution.status(), "TimedOut waits 3 s: the execution still runs");
        assertThrows(TaskTimedOutException.class,
            () -> fixture.client.sendTaskSuccess(b -> b.taskToken(token).output("{}")), "the attempt has closed");
        JsonNode output = finalOutput(execution);
        assertEquals("States.Timeout", output.path("callbackTimeout").path("Error").asText());
        assertEquals(List.of("Plain?", "RunNodeStep", "TimedOut"), entered(execution));
    }

    @Test
    @DisplayName("heartbeats keep the task alive; without them States.HeartbeatTimeout ends it after the scaled HeartbeatSeconds")
    void heartbeatTimeout() throws Exception {
        Execution execution = fixture.start("heartbeat", "{\"step\":\"up\",\"timeout\":300,\"heartbeat\":10}");
        JsonNode scheduled = scheduled(execution);
        String token = scheduled.path("token").asText();
        for (int i = 0; i < 6; i++) {
            AslFixture.sleep(500);
            fixture.client.sendTaskHeartbeat(b -> b.taskToken(token)); // every 0.5 s of the 1 s allowed
        }
        long lastBeat = System.currentTimeMillis();
        JsonNode caught = AslFixture.awaitEvent(execution, Duration.ofSeconds(30), type("StateCaught"));
        long total = caught.path("timestamp").asLong() - scheduled.path("timestamp").asLong();
        long afterBeat = caught.path("timestamp").asLong() - lastBeat;
        assertTrue(total >= 3000, "alive while it heartbeats, ended after " + total + " ms");
        assertTrue(afterBeat >= 700 && afterBeat < 4000, "10 s x 0.1 = 1 s after the last beat, was " + afterBeat);
        JsonNode output = finalOutput(execution);
        assertEquals("States.HeartbeatTimeout", output.path("error").path("Error").asText());
    }

    @Test
    @DisplayName("a token never issued is InvalidToken; output that is not JSON is InvalidOutput")
    void invalidTokenAndOutput() throws Exception {
        assertThrows(InvalidTokenException.class,
            () -> fixture.client.sendTaskSuccess(b -> b.taskToken("AQ-never-issued").output("{}")));
        Execution execution = fixture.start("invalid-output", "{\"step\":\"up\",\"timeout\":600,\"heartbeat\":300}");
        String token = scheduled(execution).path("token").asText();
        assertThrows(InvalidOutputException.class,
            () -> fixture.client.sendTaskSuccess(b -> b.taskToken(token).output("{not json")));
        fixture.client.sendTaskSuccess(b -> b.taskToken(token).output("[1]"));
        assertEquals(JSON.readTree("[1]"), finalOutput(execution).path("collected"));
    }

    @Test
    @DisplayName("StopExecution kills the execution's open token: TaskTimedOut")
    void stopKillsTheToken() {
        Execution execution = fixture.start("stopped", "{\"step\":\"up\",\"timeout\":600,\"heartbeat\":300}");
        String token = scheduled(execution).path("token").asText();
        fixture.sfn.stop(execution.arn());
        assertThrows(TaskTimedOutException.class,
            () -> fixture.client.sendTaskSuccess(b -> b.taskToken(token).output("{}")));
    }

    @Test
    @DisplayName("each attempt gets its own token")
    void tokensDiffer() throws Exception {
        Execution a = fixture.start("token-a", "{\"step\":\"up\",\"timeout\":600,\"heartbeat\":300}");
        Execution b = fixture.start("token-b", "{\"step\":\"up\",\"timeout\":600,\"heartbeat\":300}");
        String tokenA = scheduled(a).path("token").asText();
        String tokenB = scheduled(b).path("token").asText();
        assertNotEquals(tokenA, tokenB);
        assertTrue(tokenA.length() >= 100, "unguessable: " + tokenA.length() + " characters");
        fixture.client.sendTaskSuccess(r -> r.taskToken(tokenA).output("\"a\""));
        fixture.client.sendTaskSuccess(r -> r.taskToken(tokenB).output("\"b\""));
        assertEquals("a", finalOutput(a).path("collected").asText());
        assertEquals("b", finalOutput(b).path("collected").asText());
    }

    @Test
    @DisplayName("arn:aws:states:::lambda:invoke wraps the Invoke answer: ExecutedVersion, Payload, StatusCode, SDK metadata")
    void plainInvokeIsWrapped() throws Exception {
        Execution execution = fixture.start("plain", "{\"plain\":true,\"step\":\"status\"}");
        JsonNode result = finalOutput(execution).path("plainResult");
        assertEquals("status", result.path("Payload").path("echo").path("step").asText(), result.toString());
        assertEquals(200, result.path("StatusCode").asInt());
        assertTrue(result.path("ExecutedVersion").asText().length() > 0, result.toString());
        assertEquals(result.path("ExecutedVersion").asText(),
            result.path("SdkHttpMetadata").path("HttpHeaders").path("X-Amz-Executed-Version").asText());
        assertEquals(200, result.path("SdkHttpMetadata").path("HttpStatusCode").asInt());
        assertTrue(result.path("SdkResponseMetadata").has("RequestId"), result.toString());
    }

    private static JsonNode scheduled(Execution execution) {
        return AslFixture.awaitEvent(execution, Duration.ofSeconds(60), type("TaskScheduled"));
    }

    private static JsonNode finalOutput(Execution execution) throws Exception {
        Execution done = execution.done().get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(Execution.SUCCEEDED, done.status(), done.error() + ": " + done.cause());
        return JSON.readTree(done.output());
    }

    private static List<String> entered(Execution execution) {
        return execution.events().stream().filter(e -> "StateEntered".equals(e.path("type").asText()))
            .map(e -> e.path("state").asText()).toList();
    }

    private static Predicate<JsonNode> type(String type) {
        return e -> type.equals(e.path("type").asText());
    }
}
