package dev.drbdmultiaz.rehearsal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.rehearsal.stack.DeployedStack;
import dev.drbdmultiaz.rehearsal.stack.SynthesizedStack;
import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import dev.drbdmultiaz.rehearsal.support.NodeBinaries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No ASL feature the rehearsal's engine would ignore: every definition the rehearsal runs (the
 * source reconcile.asl.json, the deployed one with its merged Retry, the Provider framework's
 * waiter) passes the runner's own check ({@code run-execution.mjs --check}, against
 * rehearsal/runtime/asl-support.json, the one list of what the engine runs), and the check names
 * the state and field of what it refuses (JSONata, Assign, Arguments/Output, any field not listed).
 */
@Timeout(300)
class AslFeaturesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** What {@code --check} printed and its exit code (0 none, 3 problems). */
    private record Check(int exit, List<String> problems) {
    }

    @Test
    @DisplayName("every ASL definition the rehearsal runs uses only what the engine runs")
    void productDefinitionsPass(@TempDir Path dir) throws Exception {
        SynthesizedStack synthesized = SynthesizedStack.of(ROOT, RehearsalOptions.defaultFunctionsJar(ROOT), Map.of());
        StackView view = new StackView(new DeployedStack(synthesized, synthesized.settings().region(), 1L));
        Path waiter = Files.writeString(dir.resolve("provider-waiter.asl.json"), view.waiterDefinition());
        for (Path definition : List.of(ROOT.resolve("state-machines/reconcile.asl.json"), view.reconcileDefinition(),
            ROOT.resolve("state-machines/remove-data-volumes.asl.json"), waiter)) {
            Check check = check(definition);
            assertEquals(List.of(), check.problems(), definition + " uses ASL the rehearsal's engine does not run");
            assertEquals(0, check.exit());
        }
    }

    @Test
    @DisplayName("the check names the state and field of JSONata, Assign, Arguments/Output, HeartbeatSeconds off a callback, and unknown fields")
    void refusedFeaturesAreNamed(@TempDir Path dir) throws Exception {
        Path definition = Files.writeString(dir.resolve("refused.asl.json"), "{\"QueryLanguage\":\"JSONata\","
            + "\"StartAt\":\"Plan\",\"States\":{"
            + "\"Plan\":{\"Type\":\"Pass\",\"Assign\":{\"round\":1},\"Next\":\"Run\"},"
            + "\"Run\":{\"Type\":\"Task\",\"Resource\":\"${F}\",\"Arguments\":{},\"Output\":{},\"HeartbeatSeconds\":5,"
            + "\"Next\":\"Pick\"},"
            + "\"Pick\":{\"Type\":\"Choice\",\"Choices\":[{\"Condition\":\"{% true %}\",\"Next\":\"Done\"}],"
            + "\"Default\":\"Done\"},"
            + "\"Done\":{\"Type\":\"Succeed\",\"Frobnicate\":true}}}");
        Check check = check(definition);
        assertEquals(3, check.exit());
        for (String expected : List.of("(top level): QueryLanguage:", "Plan: Assign:", "Run: Arguments:", "Run: Output:",
            "Run: HeartbeatSeconds:", "Pick: Choices[0]: Condition:", "Done: Frobnicate:")) {
            assertTrue(check.problems().stream().anyMatch(p -> p.startsWith(expected)), expected + " in " + check.problems());
        }
    }

    private static Check check(Path definition) throws IOException, InterruptedException {
        try (ChildProcesses processes = new ChildProcesses()) {
            Process process = processes.start(new ProcessBuilder(NodeBinaries.node(22, processes).toString(),
                ROOT.resolve("rehearsal/runtime/run-execution.mjs").toString(), "--check", definition.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT));
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the check ended");
            return new Check(process.exitValue(), out.lines().filter(l -> !l.isBlank()).toList());
        }
    }
}
