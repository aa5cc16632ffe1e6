package dev.drbdmultiaz.infra.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads an ASL definition the way it is deployed: with the Task retry policy, written once in
 * {@value #TASK_RETRY_FILE} next to the definition, appended to the Retry of every Task (also
 * inside Parallel branches and Map processors). A Task without Retry gets exactly the policy's
 * retriers; a Task that lists its own keeps them first, in its order (Step Functions applies the
 * first retrier whose ErrorEquals matches, so a Task's specific retrier wins over the shared one).
 * Other states are left as written.
 */
public final class AslDefinitionLoader {

    /** The policy file, in the definition's folder: {@code {"Comment": ..., "Retry": [retriers]}}. */
    public static final String TASK_RETRY_FILE = "task-retry.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private AslDefinitionLoader() {
    }

    /** The retriers of the policy next to {@code definitionFile}. */
    public static ArrayNode taskRetry(Path definitionFile) {
        Path file = definitionFile.resolveSibling(TASK_RETRY_FILE);
        JsonNode retry = read(file).path("Retry");
        if (!retry.isArray() || retry.isEmpty()) {
            throw new IllegalArgumentException(file + " has no Retry array of retriers");
        }
        return (ArrayNode) retry;
    }

    /** The definition in {@code definitionFile} with the policy of its folder on every Task. */
    public static ObjectNode load(Path definitionFile) {
        return withTaskRetry(read(definitionFile), taskRetry(definitionFile));
    }

    /** A copy of {@code definition} with {@code retry} appended to every Task's Retry. */
    public static ObjectNode withTaskRetry(JsonNode definition, ArrayNode retry) {
        if (!definition.isObject()) {
            throw new IllegalArgumentException("an ASL definition is a JSON object, got " + definition.getNodeType());
        }
        ObjectNode copy = definition.deepCopy();
        addToTasks(copy.path("States"), retry);
        return copy;
    }

    /**
     * {@link #load} written under the definition's file name into a fresh temporary folder, for
     * {@code DefinitionBody.fromFile}: synthesis copies it into the cloud assembly as the
     * definition asset (a fresh folder per call, so the CDK's asset cache, keyed by the source
     * path, never serves an older content). Deleted when the JVM exits.
     */
    public static Path stage(Path definitionFile) {
        ObjectNode definition = load(definitionFile);
        try {
            Path dir = Files.createTempDirectory("asl-definition");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve(definitionFile.getFileName().toString());
            JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), definition);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not stage the loaded definition of " + definitionFile, e);
        }
    }

    private static void addToTasks(JsonNode states, ArrayNode retry) {
        states.properties().forEach(entry -> {
            JsonNode state = entry.getValue();
            if ("Task".equals(state.path("Type").asText())) {
                JsonNode own = state.path("Retry");
                if (!own.isMissingNode() && !own.isArray()) {
                    throw new IllegalArgumentException("Task " + entry.getKey() + ": Retry is no array");
                }
                ArrayNode retriers = own.isArray() ? (ArrayNode) own : ((ObjectNode) state).putArray("Retry");
                retriers.addAll(retry.deepCopy());
            }
            state.path("Branches").forEach(branch -> addToTasks(branch.path("States"), retry));
            addToTasks(state.path("Iterator").path("States"), retry);
            addToTasks(state.path("ItemProcessor").path("States"), retry);
        });
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + file, e);
        }
    }
}
