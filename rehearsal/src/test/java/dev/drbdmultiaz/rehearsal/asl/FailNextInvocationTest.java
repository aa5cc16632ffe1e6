package dev.drbdmultiaz.rehearsal.asl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.lambda.LambdaService;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An injected handler failure answers the next invocation as Lambda answers a handler's exception
 * (Unhandled, errorType and errorMessage), so the Task fails with the exception's class name: the
 * product's Retry policy does not retry it, its Catch takes it. Once.
 */
@Timeout(120)
class FailNextInvocationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("the next invocation fails with java.lang.RuntimeException, not retried, caught; the one after runs the handler")
    void nextInvocationFailsOnce(@TempDir Path sandbox) throws Exception {
        String definition = "{\"StartAt\":\"Work\",\"States\":{"
            + "\"Work\":{\"Type\":\"Task\",\"Resource\":\"${EchoFunction}\",\"Retry\":" + AslFixture.taskRetry() + ","
            + "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"ResultPath\":\"$.error\",\"Next\":\"Caught\"}],"
            + "\"Next\":\"Done\"},"
            + "\"Caught\":{\"Type\":\"Pass\",\"End\":true},"
            + "\"Done\":{\"Type\":\"Succeed\"}}}";
        try (AslFixture fixture = new AslFixture(sandbox, definition)) {
            fixture.lambda.failNextInvocation(AslFixture.FUNCTION);
            Execution failed = fixture.start("fails").done().get(90, TimeUnit.SECONDS);
            assertEquals(Execution.SUCCEEDED, failed.status(), "the Catch ends it in Caught: " + failed.events());
            JsonNode taskFailed = failed.events().stream()
                .filter(e -> "StateFailed".equals(e.path("type").asText()) && "Work".equals(e.path("state").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("Work did not fail: " + failed.events()));
            assertEquals("java.lang.RuntimeException", taskFailed.path("error").asText());
            JsonNode cause = JSON.readTree(taskFailed.path("cause").asText());
            assertEquals("java.lang.RuntimeException", cause.path("errorType").asText());
            assertTrue(cause.path("errorMessage").asText().contains("failNextInvocation"), cause.toString());
            assertTrue(cause.path("stackTrace").isArray(), "Lambda's Java runtime shape: " + cause);
            assertFalse(has(failed, "StateRetried"), "the product's Retry does not name it");
            assertTrue(has(failed, "StateCaught"));
            assertTrue(failed.events().stream().anyMatch(AslFixture.entered("Caught")));
            assertEquals(1, fixture.invocations());

            Execution next = fixture.start("runs").done().get(90, TimeUnit.SECONDS);
            assertEquals(Execution.SUCCEEDED, next.status());
            assertTrue(next.events().stream().anyMatch(AslFixture.entered("Done")), "only one invocation failed");
            assertFalse(has(next, "StateFailed"));

            fixture.lambda.failNextInvocation(AslFixture.FUNCTION);
            LambdaService.FunctionError direct = assertThrows(LambdaService.FunctionError.class,
                () -> fixture.lambda.invoke(AslFixture.FUNCTION, JSON.createObjectNode()));
            assertEquals("java.lang.RuntimeException", direct.errorType(), "the same answer to EventBridge's invoke");
            assertThrows(IllegalArgumentException.class, () -> fixture.lambda.failNextInvocation("no-such-function"));
        }
    }

    private static boolean has(Execution execution, String type) {
        List<JsonNode> events = execution.events();
        return events.stream().anyMatch(e -> type.equals(e.path("type").asText()));
    }
}
