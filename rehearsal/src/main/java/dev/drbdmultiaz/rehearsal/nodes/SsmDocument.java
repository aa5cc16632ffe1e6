package dev.drbdmultiaz.rehearsal.nodes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A Command document (schemaVersion 2.2) as the emulator runs it: the name SendCommand uses, the
 * file it was deployed from, and its {@code aws:runShellScript} step. The file is YAML or JSON (a
 * JSON document is YAML too); the script itself is rendered by {@link SsmScriptRenderer}.
 *
 * @param name the name SendCommand sends
 * @param file the document's file
 */
record SsmDocument(String name, Path file) {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String RUN_SHELL_SCRIPT = "aws:runShellScript";
    private static final int DEFAULT_TIMEOUT_SECONDS = 3600;

    /**
     * The document's {@code aws:runShellScript} step.
     *
     * @param name the step's name: GetCommandInvocation's PluginName and the plugin part of the
     *     CloudWatch Logs stream names ({@code aws:runShellScript} when the step has none)
     * @param timeoutSeconds the step's {@code inputs.timeoutSeconds}, 3600 when it has none
     */
    record Step(String name, int timeoutSeconds) {
    }

    /** The file's base name ({@code drbd-up}): how node documents and injected failures name it. */
    String baseName() {
        return file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    }

    /** Reads the first {@code aws:runShellScript} step of {@code mainSteps} (InvalidDocument if unreadable). */
    Step step() {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new SsmError("InvalidDocument", "Document " + name + " is not valid YAML: " + e.getMessage());
        }
        for (JsonNode step : root.path("mainSteps")) {
            if (RUN_SHELL_SCRIPT.equals(step.path("action").asText())) {
                return new Step(step.path("name").asText(RUN_SHELL_SCRIPT), timeoutSeconds(step));
            }
        }
        return new Step(RUN_SHELL_SCRIPT, DEFAULT_TIMEOUT_SECONDS);
    }

    private int timeoutSeconds(JsonNode step) {
        JsonNode timeout = step.path("inputs").path("timeoutSeconds");
        if (timeout.isMissingNode() || timeout.isNull()) {
            return DEFAULT_TIMEOUT_SECONDS;
        }
        try {
            return Integer.parseInt(timeout.asText().strip());
        } catch (NumberFormatException e) {
            throw new SsmError("InvalidDocument", "Document " + name + ": timeoutSeconds must be a whole number"
                + " of seconds, got " + timeout);
        }
    }
}
