package dev.drbdmultiaz.rehearsal.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The rehearsal's Lambda service: every function of the template in its own runtime process
 * (a JVM for the Java functions, Node for the Provider framework's), each started on its first
 * invocation with exactly the environment Lambda gives that function, and the Lambda Invoke API
 * ({@code POST /2015-03-31/functions/<name>/invocations}) in front of them on 127.0.0.1.
 *
 * <p>What a function's process sees (Lambda developer guide, "Defined runtime environment
 * variables"; "SnapStart ... credentials"):
 * <ul>
 *   <li>its own environment variables from the template (durations rescaled by the {@link CompressedTime}
 *       for the rehearsal's compressed time);</li>
 *   <li>the variables Lambda sets: AWS_REGION, AWS_DEFAULT_REGION, AWS_LAMBDA_FUNCTION_NAME, _VERSION,
 *       _MEMORY_SIZE, AWS_LAMBDA_INITIALIZATION_TYPE, AWS_LAMBDA_LOG_GROUP_NAME, _LOG_STREAM_NAME,
 *       AWS_EXECUTION_ENV, _HANDLER, LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR, AWS_LAMBDA_RUNTIME_API,
 *       TZ, LANG, PATH;</li>
 *   <li>credentials of its role: for a SnapStart function ONLY the container endpoint
 *       (AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN), which checks the
 *       token and hands out expiring temporary credentials; for any other function the
 *       AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN variables;</li>
 *   <li>and, as the rehearsal's network, AWS_ENDPOINT_URL_&lt;SERVICE&gt; for the emulated services
 *       and AWS_ENDPOINT_URL on a closed port, so no call leaves the machine.</li>
 * </ul>
 * A function that runs longer than its Timeout is answered like Lambda answers it ("Task timed
 * out", no errorType: Step Functions reports Lambda.Unknown) and its process is discarded.
 */
public final class LambdaService implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChildProcesses processes;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final FunctionEnvironment environment;
    private final FunctionRuntimes runtimes;
    private final FunctionInvoker invoker;
    private final AsyncInvocations asyncInvocations;
    private final SnapStartVersions snapStartVersions;

    /**
     * @param routing AWS_ENDPOINT_URL_* variables every function gets
     * @param time rescales each function's own duration variables and the async retry delays
     * @param extraClasspath added to the Java functions' classpath (tests add probe handlers)
     * @param nodeRoutes host name to 127.0.0.1:port for HTTPS calls of the Node functions
     */
    public LambdaService(ChildProcesses processes, List<FunctionSpec> functions, Map<String, String> routing,
        CompressedTime time, CredentialAuthority authority, Path projectRoot,
        Path sandbox, List<Path> extraClasspath, Map<String, String> nodeRoutes) {
        this.processes = Objects.requireNonNull(processes, "processes");
        Objects.requireNonNull(time, "time");
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the Lambda service on 127.0.0.1", e);
        }
        ContainerCredentials containerCredentials = new ContainerCredentials(authority);
        environment = new FunctionEnvironment(time, routing, endpoint(), containerCredentials, authority);
        runtimes = new FunctionRuntimes(processes, environment, projectRoot, sandbox, extraClasspath, nodeRoutes);
        invoker = new FunctionInvoker(functions, runtimes);
        asyncInvocations = new AsyncInvocations(invoker, time, executor);
        snapStartVersions = new SnapStartVersions(invoker.specs(), runtimes, processes, executor);
        server.createContext(InvokeApi.INVOKE_PREFIX, new InvokeApi(authority, invoker, executor)::serve);
        server.createContext(ContainerCredentials.PATH, containerCredentials::serve);
        server.setExecutor(executor);
        server.start();
    }

    /** The Lambda API endpoint (AWS_ENDPOINT_URL_LAMBDA). */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The functions, by physical name. */
    public Map<String, FunctionSpec> functions() {
        return invoker.functions();
    }

    /**
     * CloudFormation updated the function (UpdateFunctionConfiguration, and the published version a
     * SnapStart function's alias then points at): invocations from now on run {@code spec}'s
     * environment in a new execution environment.
     */
    public void updateConfiguration(FunctionSpec spec) {
        invoker.update(spec);
    }

    /** How many times each function was invoked. */
    public Map<String, Integer> invocations() {
        return invoker.invocations();
    }

    /**
     * A fault for the rehearsal: the next invocation of the function (its physical name) fails as a
     * handler that throws at once does in Lambda's Java runtime, without running the handler:
     * X-Amz-Function-Error {@code Unhandled} and {@code {"errorMessage","errorType","stackTrace"}}
     * with errorType {@code java.lang.RuntimeException}, the Task's error name in Step Functions
     * ("Handle Lambda service exceptions": a function error fails the Task with its errorType). Each
     * call fails one more invocation.
     */
    public void failNextInvocation(String functionName) {
        invoker.failNext(functionName);
    }

    /** The environment a function's process gets (for checks of what a handler can read). */
    public Map<String, String> environmentOf(String functionName) {
        return environment.forInspection(invoker.function(functionName));
    }

    /**
     * Invokes a function synchronously, as an AWS service does (EventBridge, CloudFormation):
     * no caller credentials are checked here.
     *
     * @param functionNameOrArn name, ARN or qualified ARN
     * @return the result
     * @throws FunctionError when the function failed
     */
    public JsonNode invoke(String functionNameOrArn, JsonNode payload) {
        FunctionInvoker.Target target = invoker.target(functionNameOrArn, null);
        FunctionInvoker.Result result = invoker.invoke(target, bytes(payload));
        try {
            JsonNode body = result.body().length == 0 ? null : JSON.readTree(result.body());
            if (result.functionError() != null) {
                throw new FunctionError(target.spec().name(), body == null ? null : body.path("errorType").asText(null),
                    body == null ? "" : body.path("errorMessage").asText(""));
            }
            return body;
        } catch (IOException e) {
            throw new FunctionError(target.spec().name(), null, "returned a payload that is not JSON");
        }
    }

    /**
     * Invokes a function asynchronously (InvocationType Event), as CloudFormation invokes a custom
     * resource's ServiceToken: returns at once; a function error is retried twice, one and then two
     * minutes later (compressed), then the event is dropped ({@link AsyncInvocations}).
     *
     * @return completes with the last attempt's error, or {@code null} when an attempt succeeded
     */
    public CompletableFuture<FunctionError> invokeEvent(String functionNameOrArn,
        JsonNode payload) {
        return asyncInvocations.invoke(invoker.target(functionNameOrArn, null), bytes(payload));
    }

    private static byte[] bytes(JsonNode payload) {
        try {
            return JSON.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs the init phase of every SnapStart function now, in parallel, as Lambda does when a
     * version is published: their first invocations then find them initialized. Without it a
     * function starts on its first invocation, which then pays the whole init (slower than a
     * SnapStart restore: the harsher timing); the rehearsal publishes only where timing against
     * CloudFormation matters (the deploy trigger), to spare the machine the functions a scenario
     * never calls.
     */
    public void publishSnapStartVersions() {
        snapStartVersions.publish();
    }

    /**
     * Waits until {@link #publishSnapStartVersions} is done: CloudFormation creates a resource that
     * depends on a SnapStart version (the deploy trigger) only once the version is published.
     */
    public void awaitVersionsPublished(Duration timeout) {
        snapStartVersions.awaitPublished(timeout);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        runtimes.close();
        // The runtimes' class lists are complete now: later rehearsals in this JVM start from them.
        invoker.specs().stream().filter(FunctionSpec::java).map(FunctionSpec::code).distinct()
            .map(ClassDataSharing::forJar).filter(Objects::nonNull).forEach(s -> s.build(processes));
    }

    /** A function's error: its exception class and message, as Lambda reports them. */
    public static final class FunctionError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String errorType;

        FunctionError(String function, String errorType, String message) {
            super(function + " failed with " + errorType + ": " + message);
            this.errorType = errorType;
        }

        /** The exception class name, or {@code null} (a timeout or a crash: Lambda.Unknown). */
        public String errorType() {
            return errorType;
        }
    }
}
