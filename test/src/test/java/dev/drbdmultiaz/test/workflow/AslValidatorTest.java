package dev.drbdmultiaz.test.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.drbdmultiaz.infra.workflow.AslDefinitionLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every ASL file passes asl-validator (the npm package pinned in package.json), also as deployed. */
@DisplayName("asl-validator")
class AslValidatorTest {

    private static final Path ROOT = WorkflowFixture.projectRoot();

    @BeforeAll
    static void requireNodeModules() {
        if (!Files.isRegularFile(ROOT.resolve("node_modules/asl-validator/package.json"))) {
            fail("node_modules/asl-validator is missing: run `npm ci` in " + ROOT + " first");
        }
    }

    /** The state machines: every state-machines/*.json but the retry policy the loader adds to them. */
    static Stream<Path> definitions() throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve("state-machines"))) {
            List<Path> list = files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .filter(p -> !p.getFileName().toString().equals(AslDefinitionLoader.TASK_RETRY_FILE))
                    .sorted().toList();
            assertFalse(list.isEmpty(), "no state-machines/*.json found");
            return list.stream().map(ROOT::relativize);
        }
    }

    @ParameterizedTest(name = "{0} is a valid state machine")
    @MethodSource("definitions")
    @DisplayName("every state-machines/*.json is valid ASL, as written and as deployed (with the Task retry policy)")
    void everyDefinitionIsValid(Path definition) throws Exception {
        Result result = validate(definition);
        assertEquals(0, result.exitCode(), "asl-validator rejected " + definition + ":\n" + result.output());
        Path loaded = AslDefinitionLoader.stage(ROOT.resolve(definition));
        Result deployed = validate(loaded);
        assertEquals(0, deployed.exitCode(), "asl-validator rejected " + definition + " as loaded ("
                + loaded + "):\n" + deployed.output());
    }

    @Test
    @DisplayName("fails a definition whose transition points at no state (the harness really reports errors)")
    void failsBrokenDefinition(@TempDir Path dir) throws Exception {
        Path broken = dir.resolve("broken.asl.json");
        Files.writeString(broken, """
                {"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}
                """, StandardCharsets.UTF_8);
        Result result = validate(broken);
        assertNotEquals(0, result.exitCode(), "asl-validator accepted a broken definition:\n" + result.output());
        assertTrue(result.output().contains("Nowhere"), "expected the missing state in the message:\n"
                + result.output());
    }

    private record Result(int exitCode, String output) {
    }

    private static Result validate(Path definition) throws Exception {
        Process process = new ProcessBuilder(
                "npx", "--no-install", "asl-validator", "--json-path", definition.toString())
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(could not read the output: " + e + ")";
            }
        });
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("asl-validator did not finish within 120 s on " + definition);
        }
        return new Result(process.exitValue(), output.get(10, TimeUnit.SECONDS));
    }
}
