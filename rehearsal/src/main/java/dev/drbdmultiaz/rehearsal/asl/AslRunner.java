package dev.drbdmultiaz.rehearsal.asl;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.aws.StepFunctionsFront;
import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import dev.drbdmultiaz.rehearsal.support.NodeBinaries;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Starts {@code rehearsal/runtime/run-execution.mjs} (aws-local-stepfunctions) for one execution of
 * one state machine: its definition as deployed, the {@code ${...}} substitutions, the Lambda
 * API's endpoint, the credentials of the state machine's role (issued per execution), and the
 * rehearsal's compressed time: Wait states scaled (or fixed), Retry intervals overridden. Node 22 comes from the npm
 * registry ({@code npx -y -p node@22}); the library refuses older Node.
 */
public final class AslRunner implements StepFunctionsFront.RunnerLauncher {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path projectRoot;
    private final Path definition;
    private final Map<String, String> substitutions;
    private final URI lambdaEndpoint;
    private final Supplier<Map<String, String>> roleEnvironment;
    private final Map<String, Long> waitOverridesMillis;
    private final Map<String, Long> retryOverridesMillis;
    private final double waitScale;
    private final Path logDirectory;
    private final ChildProcesses processes;

    /**
     * @param roleEnvironment AWS_REGION and the role credentials variables, asked for at each launch
     * @param waitOverridesMillis Wait states that wait a fixed time instead
     * @param time compresses every other Wait state's seconds ({@link CompressedTime#waitStateScale})
     * @param awsPollSeconds the AWS POLL_SECONDS the machine's handlers compute their waits from, or 0
     *     when its Wait states wait fixed seconds
     */
    public AslRunner(Path projectRoot, Path definition, Map<String, String> substitutions, URI lambdaEndpoint,
        Supplier<Map<String, String>> roleEnvironment, Map<String, Long> waitOverridesMillis, CompressedTime time,
        long awsPollSeconds, Map<String, Long> retryOverridesMillis, Path logDirectory, ChildProcesses processes) {
        this.projectRoot = projectRoot;
        this.definition = definition;
        this.substitutions = Map.copyOf(substitutions);
        this.lambdaEndpoint = lambdaEndpoint;
        this.roleEnvironment = roleEnvironment;
        this.waitOverridesMillis = Map.copyOf(waitOverridesMillis);
        this.retryOverridesMillis = Map.copyOf(retryOverridesMillis);
        this.waitScale = time.waitStateScale(awsPollSeconds);
        this.logDirectory = logDirectory;
        this.processes = processes;
        Path library = projectRoot.resolve("node_modules/aws-local-stepfunctions/package.json");
        if (!Files.isRegularFile(library)) {
            throw new IllegalStateException("node_modules/aws-local-stepfunctions is missing: run `npm ci` in "
                + projectRoot.toAbsolutePath().normalize());
        }
    }

    /**
     * {@code REHEARSAL_ASL_ENGINE=moto} runs every execution with the prototype second engine,
     * moto's ASL interpreter ({@code rehearsal/runtime/run-execution-moto.py}, same protocol);
     * anything else with aws-local-stepfunctions.
     */
    static final String ENGINE_VARIABLE = "REHEARSAL_ASL_ENGINE";

    @Override
    public Process launch(Execution execution) throws IOException {
        List<String> engine = "moto".equals(System.getenv(ENGINE_VARIABLE))
            ? List.of("python3", projectRoot.resolve("rehearsal/runtime/run-execution-moto.py").toString())
            : List.of(NodeBinaries.node(22, processes).toString(),
                projectRoot.resolve("rehearsal/runtime/run-execution.mjs").toString());
        List<String> command = new ArrayList<>(engine);
        command.addAll(List.of(
            "--definition", definition.toString(),
            "--substitutions", JSON.writeValueAsString(substitutions),
            "--lambda-endpoint", lambdaEndpoint.toString(),
            "--execution-arn", execution.arn(),
            "--state-machine-arn", execution.stateMachineArn(),
            "--input", execution.input(),
            "--wait-scale", Double.toString(waitScale)));
        waitOverridesMillis.forEach((state, millis) -> {
            command.add("--wait-override");
            command.add(state + "=" + millis);
        });
        retryOverridesMillis.forEach((state, millis) -> {
            command.add("--retry-override");
            command.add(state + "=" + millis);
        });
        ProcessBuilder builder = new ProcessBuilder(command)
            .directory(projectRoot.toFile())
            .redirectError(logDirectory.resolve("runner-" + execution.name() + ".stderr.log").toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("AWS_"));
        builder.environment().putAll(roleEnvironment.get());
        return processes.start(builder);
    }
}
