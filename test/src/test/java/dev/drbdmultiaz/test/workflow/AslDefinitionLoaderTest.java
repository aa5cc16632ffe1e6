package dev.drbdmultiaz.test.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drbdmultiaz.infra.workflow.AslDefinitionLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/** AslDefinitionLoader: the Task retry policy of task-retry.json on every Task, nothing else changed. */
@DisplayName("AslDefinitionLoader")
class AslDefinitionLoaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The full reconcile.asl.json before the policy moved to task-retry.json (the change's parent commit). */
    private static final String FULL_DEFINITION =
            "703ff3b82c718891b99c000dc661eaec607b3cbe:state-machines/reconcile.asl.json";
    /**
     * reconcile.asl.json and task-retry.json as the change that split them wrote them (git hash-object):
     * fixed, so the proof keeps holding while the definition evolves.
     */
    private static final String SPLIT_DEFINITION_BLOB = "36abfc6e54b7662831ef91f990d89a45134c9b05";
    private static final String SPLIT_POLICY_BLOB = "9ce25a77f6bfc451617dff68e53cc9660c44907e";

    private static final String POLICY = """
            {"Comment": "test policy", "Retry": [
              {"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2.0,
               "JitterStrategy": "FULL"},
              {"ErrorEquals": ["a.RetryableOne"], "IntervalSeconds": 3, "MaxAttempts": 5, "BackoffRate": 2.0}]}
            """;

    private static final String DEFINITION = """
            {"StartAt": "Route", "States": {
              "Route": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Plain"}],
                        "Default": "Label"},
              "Label": {"Type": "Pass", "Result": {"Retry": "not a Task"}, "ResultPath": "$.label", "Next": "Plain"},
              "Plain": {"Type": "Task", "Resource": "${F}", "Next": "Own",
                        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]},
              "Own": {"Type": "Task", "Resource": "${F}", "Next": "Fan",
                      "Retry": [{"ErrorEquals": ["a.Contended"], "IntervalSeconds": 9, "MaxAttempts": 2},
                                {"ErrorEquals": ["a.Other"], "MaxAttempts": 1}]},
              "Fan": {"Type": "Parallel", "End": true, "Branches": [{"StartAt": "Inner", "States": {
                "Inner": {"Type": "Task", "Resource": "${F}", "End": true}}}]},
              "Failed": {"Type": "Fail"}}}
            """;

    @Test
    @DisplayName("a Task without Retry gets the policy's retriers, as written in task-retry.json")
    void taskWithoutRetryGetsPolicy(@TempDir Path dir) throws Exception {
        JsonNode loaded = AslDefinitionLoader.load(write(dir));
        assertEquals(JSON.readTree(POLICY).get("Retry"), loaded.at("/States/Plain/Retry"));
        assertEquals(JSON.readTree(POLICY).get("Retry"), loaded.at("/States/Fan/Branches/0/States/Inner/Retry"),
                "a Task in a Parallel branch is a Task too");
    }

    @Test
    @DisplayName("a Task's own retriers stay first, in their order, the policy's follow")
    void ownRetriersFirst(@TempDir Path dir) throws Exception {
        JsonNode retry = AslDefinitionLoader.load(write(dir)).at("/States/Own/Retry");
        ArrayNode expected = (ArrayNode) JSON.readTree(DEFINITION).at("/States/Own/Retry").deepCopy();
        expected.addAll((ArrayNode) JSON.readTree(POLICY).get("Retry"));
        assertEquals(expected, retry);
    }

    @Test
    @DisplayName("everything but the Tasks' Retry is left as written: Choice, Pass, Parallel, Fail, Catch, top level")
    void otherStatesUntouched(@TempDir Path dir) throws Exception {
        JsonNode loaded = AslDefinitionLoader.load(write(dir));
        JsonNode written = JSON.readTree(DEFINITION);
        for (String state : new String[] {"Route", "Label", "Failed"}) {
            assertEquals(written.at("/States/" + state), loaded.at("/States/" + state), state);
        }
        for (String task : new String[] {"/States/Plain", "/States/Own", "/States/Fan/Branches/0/States/Inner"}) {
            ((ObjectNode) loaded.at(task)).remove("Retry");
            ((ObjectNode) written.at(task)).remove("Retry");
        }
        assertEquals(written, loaded);
    }

    @Test
    @DisplayName("a definition folder without task-retry.json is refused, naming the file")
    void missingPolicyRefused(@TempDir Path dir) throws Exception {
        Path definition = dir.resolve("machine.asl.json");
        Files.writeString(definition, DEFINITION);
        UncheckedIOException error = assertThrows(UncheckedIOException.class,
                () -> AslDefinitionLoader.load(definition));
        assertTrue(error.getMessage().contains(AslDefinitionLoader.TASK_RETRY_FILE), error.getMessage());
    }

    @Test
    @DisplayName("the split reconcile definition, staged for deployment, is the full one it replaced (equal JSON trees)")
    void splitDefinitionIsTheFullOne(@TempDir Path dir) throws Exception {
        String full = git("show", FULL_DEFINITION);
        Path definition = dir.resolve("reconcile.asl.json");
        Files.writeString(definition, git("cat-file", "blob", SPLIT_DEFINITION_BLOB));
        Files.writeString(dir.resolve(AslDefinitionLoader.TASK_RETRY_FILE), git("cat-file", "blob", SPLIT_POLICY_BLOB));
        Path staged = AslDefinitionLoader.stage(definition);
        assertEquals(JSON.readTree(full), JSON.readTree(Files.readString(staged)));
    }

    private static Path write(Path dir) throws Exception {
        Files.writeString(dir.resolve(AslDefinitionLoader.TASK_RETRY_FILE), POLICY);
        Path definition = dir.resolve("machine.asl.json");
        Files.writeString(definition, DEFINITION);
        return definition;
    }

    /** The output of a git command in the repository; skips the test where git or the history is not there. */
    private static String git(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).directory(WorkflowFixture.projectRoot().toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new TestAbortedException("no git here: " + e.getMessage(), e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0,
                String.join(" ", command) + " failed: no such history here (a shallow clone or a source copy)");
        return output;
    }
}
