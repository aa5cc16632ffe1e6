package dev.drbdmultiaz.test.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.model.ReconcileSetting;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every setting that is also a node document's parameter accepts exactly what the parameter's
 * allowedPattern accepts, so a value the construct takes is never refused at SendCommand time
 * (and the documents refuse nothing the construct would have refused too).
 */
@DisplayName("Settings agree with the documents' allowedPatterns")
class SettingsAgreeWithDocumentsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Names at and beyond the limits of both kinds of name, and numbers around every range. */
    private static List<String> candidates() {
        List<String> values = new ArrayList<>(List.of("r0", "R0", "a", "Z", "0a", "_a", "-a", "a-b", "a_b", "a.b",
            "a+b", "a b", "", "r0data", "drbdpool", "thinpool", "a".repeat(31), "a".repeat(32), "a".repeat(63),
            "a".repeat(64), "A".repeat(63), "7", "07", "+7", "-1", "1e1", "7 "));
        IntStream.rangeClosed(-2, 130).forEach(n -> values.add(Integer.toString(n)));
        return values;
    }

    @Test
    @DisplayName("for every document parameter fed by a setting, both accept the same values")
    void sameValues() throws IOException {
        int parameters = 0;
        for (NodeDocument document : NodeDocument.values()) {
            JsonNode declared = YAML.readTree(WorkflowFixture.projectRoot().resolve("ssm-documents")
                .resolve(document.fileName()).toFile()).path("parameters");
            for (ReconcileSetting setting : ReconcileSetting.values()) {
                String parameter = setting.documentParameter().orElse(null);
                if (parameter == null || !declared.has(parameter)) {
                    continue;
                }
                parameters++;
                Pattern allowed = Pattern.compile(declared.path(parameter).path("allowedPattern").asText());
                for (String value : candidates()) {
                    assertEquals(allowed.matcher(value).find(), setting.accepts(value),
                        () -> document.baseName() + " " + parameter + " (allowedPattern " + allowed
                            + ") and setting " + setting + " (" + setting.describe() + ") disagree on '" + value + "'");
                }
                setting.defaultValue().ifPresent(value -> assertTrue(allowed.matcher(value).find(),
                    () -> setting + "'s default '" + value + "' is refused by " + document.baseName()));
            }
        }
        assertTrue(parameters >= 11, "only " + parameters + " document parameters are fed by settings");
    }

    @Test
    @DisplayName("each setting that names a document parameter is a parameter of some document")
    void everyNamedParameterExists() throws IOException {
        for (ReconcileSetting setting : ReconcileSetting.values()) {
            if (setting.documentParameter().isEmpty()) {
                continue;
            }
            boolean found = false;
            for (NodeDocument document : NodeDocument.values()) {
                found |= YAML.readTree(WorkflowFixture.projectRoot().resolve("ssm-documents")
                    .resolve(document.fileName()).toFile()).path("parameters").has(setting.documentParameter().get());
            }
            assertTrue(found, setting + " names parameter " + setting.documentParameter().get() + ", which no document has");
        }
        assertFalse(ReconcileSetting.NODE_COUNT.inEnvironment());
    }

    @Test
    @DisplayName("each document's runShellScript timeout is the one NodeDocument says (the workflow waits that long for it)")
    void executionTimeouts() throws IOException {
        for (NodeDocument document : NodeDocument.values()) {
            var steps = YAML.readTree(WorkflowFixture.projectRoot().resolve("ssm-documents")
                .resolve(document.fileName()).toFile()).path("mainSteps");
            assertEquals(1, steps.size(), document + " has one step");
            assertEquals(Integer.toString(document.executionTimeoutSeconds()),
                steps.get(0).at("/inputs/timeoutSeconds").asText(), document.fileName());
        }
    }
}
