package dev.drbdmultiaz.test.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CDK app as {@code cdk synth} runs it (a child process with the context in
 * {@code CDK_CONTEXT_JSON}): a refused setting is one line on stderr and exit code 2.
 */
@DisplayName("CDK app command line")
class AppCommandLineTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"drbd:nodeCount\":4}", "{\"drbd.nodeCount\":5}",
        "{\"drbd:instanceType\":\"t4g.medium\"}", "{\"drbd:readjustIntervalMinutes\":45}"})
    @DisplayName("a refused setting prints one line naming it, no stack trace, and exits 2")
    void refusedSettingIsOneLine(String context, @TempDir Path out) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.drbdmultiaz.infra.DrbdMultiAzApp")
                .directory(TemplateFixture.PROJECT_ROOT.toFile())
                .redirectOutput(out.resolve("stdout").toFile())
                .redirectError(out.resolve("stderr").toFile());
        builder.environment().put("CDK_CONTEXT_JSON", context);
        builder.environment().put("CDK_OUTDIR", out.resolve("cdk.out").toString());
        // jsii's own banner about this machine's Node version is not the app's output.
        builder.environment().put("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20");
        Process process = builder.start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the app did not end");

        List<String> stderr = Files.readAllLines(out.resolve("stderr"), StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank()).toList();
        assertEquals(2, process.exitValue(), String.join("\n", stderr));
        assertEquals(1, stderr.size(), "expected one line, got:\n" + String.join("\n", stderr));
        String key = context.substring(2, context.indexOf('"', 2));
        assertTrue(stderr.get(0).startsWith("drbd-multiaz: ") && stderr.get(0).contains(key), stderr.get(0));
        assertFalse(stderr.get(0).contains("Exception"), stderr.get(0));
    }
}
