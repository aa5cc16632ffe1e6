package dev.drbdmultiaz.rehearsal.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the emulator reads a Command document's aws:runShellScript step. */
class SsmDocumentTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("The step of a source document gives the plugin name and the execution timeout")
    void readsTheSourceYaml() {
        Path file = SsmNodes.projectRoot().resolve("ssm-documents/drbd-up.yaml");
        assertEquals(new SsmDocument.Step("UpOrAdjust", 300), new SsmDocument("drbd-up", file).step());
    }

    @Test
    @DisplayName("A document deployed as the template's JSON content has the same step as its YAML source")
    void readsTheDeployedJson() throws IOException {
        Path source = SsmNodes.projectRoot().resolve("ssm-documents/drbd-status.yaml");
        Path deployed = dir.resolve("drbd-status.yaml");
        Files.writeString(deployed, new ObjectMapper().writerWithDefaultPrettyPrinter()
            .writeValueAsString(new YAMLMapper().readTree(source.toFile())));
        assertEquals(new SsmDocument("s", source).step(), new SsmDocument("s", deployed).step());
        assertEquals(new SsmDocument.Step("Status", 60), new SsmDocument("s", deployed).step());
    }

    @Test
    @DisplayName("A step without a name or timeoutSeconds is aws:runShellScript with 3600 s")
    void defaults() throws IOException {
        Path file = Files.writeString(dir.resolve("bare.yaml"), String.join("\n", "schemaVersion: \"2.2\"",
            "mainSteps:", "  - action: aws:runShellScript", "    inputs:", "      runCommand: [\"true\"]", ""));
        assertEquals(new SsmDocument.Step("aws:runShellScript", 3600), new SsmDocument("bare", file).step());
    }

    @Test
    @DisplayName("fails with InvalidDocument on a timeoutSeconds that is no whole number")
    void failsOnABadTimeout() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), String.join("\n", "schemaVersion: \"2.2\"",
            "mainSteps:", "  - action: aws:runShellScript", "    name: Bad", "    inputs:",
            "      timeoutSeconds: soon", "      runCommand: [\"true\"]", ""));
        SsmError e = assertThrows(SsmError.class, () -> new SsmDocument("bad", file).step());
        assertEquals("InvalidDocument", e.code());
    }
}
