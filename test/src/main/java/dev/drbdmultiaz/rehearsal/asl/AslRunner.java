package dev.drbdmultiaz.rehearsal.asl;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.aws.StepFunctionsFront;
import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Starts {@code test/rehearsal/run-execution.mjs} (aws-local-stepfunctions) for one execution:
 * the definition file as it is in {@code state-machines/}, the {@code ${...Function}}
 * substitutions, the Lambda host's endpoint and the Wait overrides. Node 22 comes from the npm
 * registry ({@code npx -y -p node@22}), resolved once per JVM; the library refuses older Node.
 */
public final class AslRunner implements StepFunctionsFront.RunnerLauncher {

    /** What to tell a user without Node.js. */
    public static final String NODE_HINT = "Node.js with npm/npx is missing: install Node.js 20+ and npm"
        + " (apt-get install nodejs npm, or https://nodejs.org); the rehearsal fetches Node 22 with npx";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path node22;

    private final Path projectRoot;
    private final Path definition;
    private final Map<String, String> substitutions;
    private final Supplier<URI> lambdaEndpoint;
    private final Map<String, Long> waitOverridesMillis;
    private final Path logDirectory;
    private final ChildProcesses processes;

    /**
     * @param lambdaEndpoint the Lambda host's endpoint, asked for at each launch (the host starts
     *     after the Step Functions front, whose endpoint it needs)
     */
    public AslRunner(Path projectRoot, Path definition, Map<String, String> substitutions, Supplier<URI> lambdaEndpoint,
        Map<String, Long> waitOverridesMillis, Path logDirectory, ChildProcesses processes) {
        this.projectRoot = projectRoot;
        this.definition = definition;
        this.substitutions = Map.copyOf(substitutions);
        this.lambdaEndpoint = lambdaEndpoint;
        this.waitOverridesMillis = Map.copyOf(waitOverridesMillis);
        this.logDirectory = logDirectory;
        this.processes = processes;
        Path library = projectRoot.resolve("node_modules/aws-local-stepfunctions/package.json");
        if (!Files.isRegularFile(library)) {
            throw new IllegalStateException("node_modules/aws-local-stepfunctions is missing: run `npm ci` in "
                + projectRoot.toAbsolutePath().normalize());
        }
    }

    @Override
    public Process launch(Execution execution) throws IOException {
        List<String> command = new ArrayList<>(List.of(node22(processes).toString(),
            projectRoot.resolve("test/rehearsal/run-execution.mjs").toString(),
            "--definition", definition.toString(),
            "--substitutions", JSON.writeValueAsString(substitutions),
            "--lambda-endpoint", lambdaEndpoint.get().toString(),
            "--execution-arn", execution.arn(),
            "--state-machine-arn", execution.stateMachineArn(),
            "--input", execution.input()));
        waitOverridesMillis.forEach((state, millis) -> {
            command.add("--wait-override");
            command.add(state + "=" + millis);
        });
        return processes.start(new ProcessBuilder(command)
            .directory(projectRoot.toFile())
            .redirectError(logDirectory.resolve("runner-" + execution.name() + ".stderr.log").toFile()));
    }

    /** The Node 22 binary (npx -y -p node@22), resolved once. */
    public static synchronized Path node22(ChildProcesses processes) {
        if (node22 != null) {
            return node22;
        }
        try {
            Process process = processes.start(new ProcessBuilder("npx", "-y", "-p", "node@22", "node", "-p",
                "process.execPath").redirectError(ProcessBuilder.Redirect.DISCARD));
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(180, TimeUnit.SECONDS) || process.exitValue() != 0 || out.isEmpty()) {
                throw new IllegalStateException("`npx -y -p node@22 node` failed (exit "
                    + (process.isAlive() ? "timeout" : process.exitValue()) + "): Node 22 is needed by"
                    + " aws-local-stepfunctions and comes from the npm registry; check that npm can reach it");
            }
            String[] lines = out.split("\n");
            node22 = Path.of(lines[lines.length - 1].trim());
            return node22;
        } catch (IOException e) {
            throw new IllegalStateException(NODE_HINT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while resolving Node 22", e);
        }
    }
}
