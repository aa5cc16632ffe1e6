package dev.drbdmultiaz.rehearsal.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.rehearsal.RehearsalOptions;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import dev.drbdmultiaz.rehearsal.stack.DeployedStack;
import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host runs a SnapStart function's runtime hooks as Lambda does when it publishes the
 * version: beforeCheckpoint, then afterRestore, both before the first event; an on-demand
 * function's hooks never run (Lambda calls them only for SnapStart).
 */
@DisplayName("Lambda host priming")
class PrimingHostTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static FunctionSpec probe(String name, boolean snapStart) {
        return new FunctionSpec(name, name, "arn:aws:lambda:us-east-1:" + DeployedStack.ACCOUNT + ":function:" + name,
            "java21", PrimingProbeHandler.class.getName() + "::handleRequest", 512, 30, snapStart, Map.of(),
            "/aws/lambda/" + name, RehearsalOptions.defaultFunctionsJar(ROOT));
    }

    private static List<String> ran(JsonNode answer) {
        List<String> ran = new ArrayList<>();
        answer.forEach(step -> ran.add(step.asText()));
        return ran;
    }

    @Test
    @DisplayName("a SnapStart function's hooks run before its first event, beforeCheckpoint first;"
        + " an on-demand one's never")
    void hooksBeforeFirstEvent(@TempDir Path sandbox) throws URISyntaxException {
        Path testClasses = Path.of(PrimingProbeHandler.class.getProtectionDomain().getCodeSource().getLocation()
            .toURI());
        Map<String, String> routing = Map.of("AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", "http://127.0.0.1:9");
        try (ChildProcesses processes = new ChildProcesses();
             LambdaService lambda = new LambdaService(processes, List.of(probe("snap", true), probe("plain", false)),
                 routing, CompressedTime.REAL, new CredentialAuthority(), ROOT, sandbox, List.of(testClasses),
                 Map.of())) {
            assertEquals(List.of("beforeCheckpoint", "afterRestore", "event"),
                ran(lambda.invoke("snap", JSON.createObjectNode())));
            assertEquals(List.of("beforeCheckpoint", "afterRestore", "event", "event"),
                ran(lambda.invoke("snap", JSON.createObjectNode())), "the hooks run once, at init");
            assertEquals(List.of("event"), ran(lambda.invoke("plain", JSON.createObjectNode())));
        }
    }
}
