package dev.drbdmultiaz.rehearsal.asl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.rehearsal.RehearsalOptions;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.aws.StepFunctionsFront;
import dev.drbdmultiaz.rehearsal.lambda.FunctionSpec;
import dev.drbdmultiaz.rehearsal.lambda.LambdaService;
import dev.drbdmultiaz.rehearsal.lambda.SleepEchoHandler;
import dev.drbdmultiaz.rehearsal.stack.DeployedStack;
import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * Test fixture: one state machine run by the real ASL runner (run-execution.mjs) against the
 * rehearsal's Lambda service, whose one function {@code echo} is a {@link SleepEchoHandler}, and
 * the Step Functions front with an SDK client for it.
 */
final class AslFixture implements AutoCloseable {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String MACHINE = "arn:aws:states:us-east-1:" + DeployedStack.ACCOUNT + ":stateMachine:faults";
    static final String FUNCTION = "echo";
    private static final ObjectMapper JSON = new ObjectMapper();

    final ChildProcesses processes = new ChildProcesses();
    final CredentialAuthority authority;
    final LambdaService lambda;
    final StepFunctionsFront sfn;
    final SfnClient client;

    /** @param definition the ASL definition; {@code ${EchoFunction}} is the function's ARN */
    AslFixture(Path sandbox, String definition) throws IOException {
        this(sandbox, definition, CompressedTime.REAL);
    }

    /** @param time the runner's compressed time (Wait states, Task timeouts and heartbeats) */
    AslFixture(Path sandbox, String definition, CompressedTime time) throws IOException {
        this(sandbox, definition, time, new CredentialAuthority(), Map.of());
    }

    /**
     * @param authority who issues the credentials (the fronts of the SDK integrations' services ask it too)
     * @param endpoints AWS_ENDPOINT_URL_<SERVICE> variables of the state machine's process (its SDK integrations)
     */
    AslFixture(Path sandbox, String definition, CompressedTime time, CredentialAuthority authority,
        Map<String, String> endpoints) throws IOException {
        this.authority = authority;
        FunctionSpec echo = new FunctionSpec("Echo", FUNCTION,
            "arn:aws:lambda:us-east-1:" + DeployedStack.ACCOUNT + ":function:" + FUNCTION, "java21",
            SleepEchoHandler.class.getName() + "::handleRequest", 256, 30, true, Map.of(), "/aws/lambda/echo",
            RehearsalOptions.defaultFunctionsJar(ROOT));
        lambda = new LambdaService(processes, List.of(echo), Map.of("AWS_REGION", "us-east-1",
            "AWS_ENDPOINT_URL", "http://127.0.0.1:9"), CompressedTime.REAL, authority, ROOT, sandbox,
            List.of(testClasses()), Map.of());
        Path file = Files.writeString(sandbox.resolve("definition.asl.json"), definition);
        Path logs = Files.createDirectories(sandbox.resolve("executions"));
        sfn = StepFunctionsFront.start(authority);
        sfn.register(MACHINE, new AslRunner(ROOT, file, Map.of("EchoFunction", echo.arn()), lambda.endpoint(),
            () -> withEndpoints(role("states.amazonaws.com"), endpoints), Map.of(), time, 0, Map.of(), logs, processes));
        CredentialAuthority.Issued issued = authority.issue("test");
        client = SfnClient.builder().endpointOverride(sfn.endpoint()).region(Region.US_EAST_1)
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                issued.accessKeyId(), issued.secretAccessKey(), issued.sessionToken()))).build();
    }

    private static Map<String, String> withEndpoints(Map<String, String> role, Map<String, String> endpoints) {
        Map<String, String> environment = new java.util.TreeMap<>(role);
        environment.putAll(endpoints);
        return environment;
    }

    private Map<String, String> role(String principal) {
        CredentialAuthority.Issued issued = authority.issue(principal);
        return Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", issued.accessKeyId(),
            "AWS_SECRET_ACCESS_KEY", issued.secretAccessKey(), "AWS_SESSION_TOKEN", issued.sessionToken());
    }

    private static Path testClasses() {
        try {
            return Path.of(SleepEchoHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Retry policy the product gives every Task (state-machines/task-retry.json). */
    static String taskRetry() throws IOException {
        return JSON.writeValueAsString(JSON.readTree(ROOT.resolve("state-machines/task-retry.json").toFile())
            .path("Retry"));
    }

    Execution start(String name) {
        return start(name, "{}");
    }

    Execution start(String name, String input) {
        return sfn.startExecution(MACHINE, name, input);
    }

    /** How many times the function ran (or was answered for). */
    int invocations() {
        return lambda.invocations().getOrDefault(FUNCTION, 0);
    }

    /** Waits until one of the execution's events matches. */
    static JsonNode awaitEvent(Execution execution, Duration timeout, Predicate<JsonNode> match) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode event : execution.events()) {
                if (match.test(event)) {
                    return event;
                }
            }
            sleep(20);
        }
        throw new AssertionError("No matching event in " + timeout.toSeconds() + " s: " + execution.events());
    }

    static Predicate<JsonNode> entered(String state) {
        return e -> "StateEntered".equals(e.path("type").asText()) && state.equals(e.path("state").asText());
    }

    static void sleep(long millis) {
        dev.drbdmultiaz.rehearsal.support.Net.sleep(millis);
    }

    @Override
    public void close() {
        client.close();
        sfn.close();
        lambda.close();
        processes.close();
    }
}
