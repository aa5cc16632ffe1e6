package dev.drbdmultiaz.rehearsal.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import dev.drbdmultiaz.rehearsal.support.Net;
import dev.drbdmultiaz.rehearsal.support.NodeBinaries;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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

    static final String INVOKE_PREFIX = "/2015-03-31/functions/";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Container credentials live short here (harsher than Lambda's hours): a client must refresh them. */
    static final Duration CONTAINER_CREDENTIAL_LIFETIME = Duration.ofMinutes(2);
    /** Access-key variables are fixed for an execution environment's life. */
    static final Duration ENVIRONMENT_CREDENTIAL_LIFETIME = Duration.ofHours(6);

    private final ChildProcesses processes;
    private final Map<String, FunctionSpec> byName = new LinkedHashMap<>();
    private final Map<String, String> routing;
    private final CompressedTime time;
    private final CredentialAuthority authority;
    private final Path sandbox;
    private final List<Path> extraClasspath;
    private final Map<String, String> nodeRoutes;
    private final Path projectRoot;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Map<String, Object> startLocks = new ConcurrentHashMap<>();
    private final Map<String, String> containerTokens = new ConcurrentHashMap<>();
    private final Map<String, Integer> invocations = new ConcurrentHashMap<>();
    private volatile CompletableFuture<Void> published = CompletableFuture.completedFuture(null);

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
        functions.forEach(f -> byName.put(f.name(), f));
        this.routing = Map.copyOf(routing);
        this.time = Objects.requireNonNull(time, "time");
        this.authority = authority;
        this.projectRoot = projectRoot;
        this.sandbox = sandbox;
        this.extraClasspath = List.copyOf(extraClasspath);
        this.nodeRoutes = Map.copyOf(nodeRoutes);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the Lambda service on 127.0.0.1", e);
        }
        server.createContext(INVOKE_PREFIX, this::serveApi);
        server.createContext("/container-credentials/", this::serveCredentials);
        server.setExecutor(executor);
        server.start();
    }

    /** The Lambda API endpoint (AWS_ENDPOINT_URL_LAMBDA). */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The functions, by physical name. */
    public Map<String, FunctionSpec> functions() {
        return Map.copyOf(byName);
    }

    /** How many times each function was invoked. */
    public Map<String, Integer> invocations() {
        return new TreeMap<>(invocations);
    }

    /** The environment a function's process gets (for checks of what a handler can read). */
    public Map<String, String> environmentOf(String functionName) {
        FunctionSpec spec = function(functionName);
        return environment(spec, spec.snapStart() ? containerToken(spec.name()) : null, null);
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
        Target target = target(functionNameOrArn, null);
        Result result = invoke(target, bytes(payload));
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
     * minutes later (compressed), as Lambda does ("How Lambda handles errors and
     * retries with asynchronous invocation"); then the event is dropped.
     *
     * @return completes with the last attempt's error, or {@code null} when an attempt succeeded
     */
    public CompletableFuture<FunctionError> invokeEvent(String functionNameOrArn,
        JsonNode payload) {
        Target target = target(functionNameOrArn, null);
        byte[] body = bytes(payload);
        CompletableFuture<FunctionError> outcome = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                FunctionError last = null;
                for (int attempt = 0; attempt <= ASYNC_RETRY_DELAYS.size(); attempt++) {
                    if (attempt > 0) {
                        Net.sleep(time.scaled(ASYNC_RETRY_DELAYS.get(attempt - 1)).toMillis());
                    }
                    Result result = invoke(target, body);
                    if (result.functionError() == null) {
                        outcome.complete(null);
                        return;
                    }
                    last = new FunctionError(target.spec().name(), null,
                        new String(result.body(), StandardCharsets.UTF_8));
                }
                outcome.complete(last);
            } catch (RuntimeException e) {
                outcome.completeExceptionally(e);
            }
        });
        return outcome;
    }

    /** Lambda's waits before the second and third attempt of an asynchronous invocation. */
    static final List<Duration> ASYNC_RETRY_DELAYS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(2));

    private static byte[] bytes(JsonNode payload) {
        try {
            return JSON.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private FunctionSpec function(String name) {
        FunctionSpec spec = byName.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("No function " + name + "; known: " + byName.keySet());
        }
        return spec;
    }

    /** A function and the qualifier it was invoked with. */
    private record Target(FunctionSpec spec, String invokedArn) {
    }

    private Target target(String functionName, String qualifierParameter) {
        String name = functionName;
        String qualifier = qualifierParameter;
        if (name.startsWith("arn:")) {
            String[] parts = name.split(":");
            name = parts.length > 6 ? parts[6] : "";
            qualifier = parts.length > 7 ? parts[7] : qualifier;
        } else if (name.contains(":")) {
            qualifier = name.substring(name.indexOf(':') + 1);
            name = name.substring(0, name.indexOf(':'));
        }
        FunctionSpec spec = byName.get(name);
        if (spec == null) {
            throw new ApiError(404, "ResourceNotFoundException", "Function not found: " + functionName);
        }
        if (qualifier != null && !qualifier.equals("$LATEST") && !qualifier.equals("1") && !qualifier.equals("live")) {
            throw new ApiError(404, "ResourceNotFoundException", "Function not found: " + spec.arn() + ":" + qualifier);
        }
        return new Target(spec, spec.arn() + (qualifier == null ? "" : ":" + qualifier));
    }

    private record Result(byte[] body, String functionError) {
    }

    private Result invoke(Target target, byte[] payload) {
        FunctionSpec spec = target.spec();
        invocations.merge(spec.name(), 1, Integer::sum);
        Running process = running(spec);
        try {
            HttpResponse<byte[]> response = Net.HTTP.send(HttpRequest.newBuilder(process.endpoint().resolve("/invoke"))
                    .timeout(Duration.ofSeconds(spec.timeoutSeconds()))
                    .header("X-Invoked-Function-Arn", target.invokedArn())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
            return new Result(response.body(), response.headers().firstValue("X-Amz-Function-Error").orElse(null));
        } catch (HttpTimeoutException e) {
            discard(spec.name(), process);
            return new Result(("{\"errorMessage\":\"" + java.time.Instant.now() + " " + UUID.randomUUID()
                + " Task timed out after " + spec.timeoutSeconds() + ".00 seconds\"}").getBytes(StandardCharsets.UTF_8),
                "Unhandled");
        } catch (IOException e) {
            discard(spec.name(), process);
            throw new ApiError(500, "ServiceException", "The runtime of " + spec.name() + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(500, "ServiceException", "Interrupted");
        }
    }

    /** A started runtime process. */
    private record Running(Process process, URI endpoint) {
    }

    private Running running(FunctionSpec spec) {
        Running existing = running.get(spec.name());
        if (existing != null && existing.process().isAlive()) {
            return existing;
        }
        synchronized (startLocks.computeIfAbsent(spec.name(), n -> new Object())) {
            existing = running.get(spec.name());
            if (existing != null && existing.process().isAlive()) {
                return existing;
            }
            Running started = start(spec);
            running.put(spec.name(), started);
            return started;
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
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        byName.values().stream().filter(FunctionSpec::snapStart)
            .forEach(spec -> starts.add(CompletableFuture.runAsync(() -> {
                try {
                    running(spec);
                } catch (RuntimeException e) {
                    // the first invocation starts it again and reports why it failed
                }
            }, executor)));
        // The Node runtimes' binaries too: Lambda has its runtimes ready before any function runs.
        byName.values().stream().filter(spec -> spec.runtime().startsWith("nodejs")).map(FunctionSpec::runtime)
            .distinct().forEach(runtime -> starts.add(CompletableFuture.runAsync(() ->
                NodeBinaries.node(Integer.parseInt(runtime.replaceAll("[^0-9]", "")), processes), executor)));
        published = CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new));
    }

    /**
     * Waits until {@link #publishSnapStartVersions} is done: CloudFormation creates a resource that
     * depends on a SnapStart version (the deploy trigger) only once the version is published.
     */
    public void awaitVersionsPublished(Duration timeout) {
        try {
            published.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("The SnapStart versions were not published within " + timeout);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("Publishing the SnapStart versions failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    private void discard(String name, Running process) {
        running.remove(name, process);
        process.process().descendants().forEach(ProcessHandle::destroyForcibly);
        process.process().destroyForcibly();
    }

    private Running start(FunctionSpec spec) {
        Path dir = sandbox.resolve("lambda").resolve(spec.name());
        Path portFile = dir.resolve("port");
        Path log = dir.resolve("runtime.log");
        List<String> command = new ArrayList<>();
        if (spec.java()) {
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx" + spec.memoryMiB() + "m"));
            ClassDataSharing sharing = ClassDataSharing.forJar(spec.code());
            if (sharing != null) {
                command.addAll(sharing.options());
            }
            command.addAll(List.of("-cp", classpath(spec), LambdaHostMain.class.getName(), "--port-file", portFile.toString(),
                "--handler", spec.handler(), "--timeout-seconds", Integer.toString(spec.timeoutSeconds())));
        } else if (spec.runtime().startsWith("nodejs")) {
            int major = Integer.parseInt(spec.runtime().replaceAll("[^0-9]", ""));
            command.addAll(List.of(NodeBinaries.node(major, processes).toString(),
                projectRoot.resolve("rehearsal/runtime/lambda-node-runtime.mjs").toString(),
                "--port-file", portFile.toString(), "--code", spec.code().toString(), "--handler", spec.handler(),
                "--timeout-seconds", Integer.toString(spec.timeoutSeconds())));
            nodeRoutes.forEach((host, target) -> {
                command.add("--route");
                command.add(host + "=" + target);
            });
        } else {
            throw new ApiError(500, "InvalidRuntimeException", "The rehearsal runs no " + spec.runtime() + " functions");
        }
        Map<String, String> env = spec.snapStart() ? environment(spec, containerToken(spec.name()), null)
            : environment(spec, null, authority.issue(spec.name(), ENVIRONMENT_CREDENTIAL_LIFETIME));
        if (!spec.java()) {
            env.put("NODE_PATH", projectRoot.resolve("node_modules").toString());
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process;
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(portFile);
            process = processes.start(builder);
        } catch (IOException e) {
            throw new ApiError(500, "ServiceException", "Could not start the runtime of " + spec.name() + ": " + e);
        }
        Net.await(Duration.ofSeconds(90), "The runtime of " + spec.name() + " did not start (see " + log + ")", () -> {
            if (!process.isAlive()) {
                throw new ApiError(500, "ServiceException", "The runtime of " + spec.name() + " exited with code "
                    + process.exitValue() + " during init; see " + log);
            }
            return Files.isRegularFile(portFile);
        });
        try {
            return new Running(process, URI.create("http://127.0.0.1:" + Files.readString(portFile).trim()));
        } catch (IOException e) {
            throw new ApiError(500, "ServiceException", "Could not read the port of " + spec.name());
        }
    }

    /** The code asset, plus this module's classes for LambdaHostMain itself. */
    private String classpath(FunctionSpec spec) {
        List<String> entries = new ArrayList<>(List.of(spec.code().toString(), ownClasses()));
        extraClasspath.forEach(p -> entries.add(p.toString()));
        return String.join(File.pathSeparator, entries);
    }

    private static String ownClasses() {
        try {
            return Path.of(LambdaService.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private String containerToken(String functionName) {
        return containerTokens.computeIfAbsent(functionName, n -> UUID.randomUUID().toString());
    }

    private Map<String, String> environment(FunctionSpec spec, String containerToken,
        CredentialAuthority.Issued accessKeys) {
        Map<String, String> env = new TreeMap<>(time.environment(spec.environment()));
        String region = routing.get("AWS_REGION");
        env.put("AWS_REGION", region);
        env.put("AWS_DEFAULT_REGION", region);
        env.put("AWS_LAMBDA_FUNCTION_NAME", spec.name());
        env.put("AWS_LAMBDA_FUNCTION_VERSION", spec.snapStart() ? "1" : "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(spec.memoryMiB()));
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", spec.snapStart() ? "snap-start" : "on-demand");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", spec.logGroup());
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", LocalDate.now(ZoneOffset.UTC).toString().replace('-', '/')
            + "/[" + env.get("AWS_LAMBDA_FUNCTION_VERSION") + "]" + UUID.randomUUID().toString().replace("-", ""));
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + spec.runtime());
        env.put("_HANDLER", spec.handler());
        env.put("LAMBDA_TASK_ROOT", "/var/task");
        env.put("LAMBDA_RUNTIME_DIR", "/var/runtime");
        env.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001");
        env.put("TZ", ":UTC");
        env.put("LANG", "en_US.UTF-8");
        env.put("PATH", "/usr/local/bin:/usr/bin/:/bin:/opt/bin");
        if (containerToken != null) {
            env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint() + "/container-credentials/" + spec.name());
            env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", containerToken);
        }
        if (accessKeys != null) {
            env.put("AWS_ACCESS_KEY_ID", accessKeys.accessKeyId());
            env.put("AWS_SECRET_ACCESS_KEY", accessKeys.secretAccessKey());
            env.put("AWS_SESSION_TOKEN", accessKeys.sessionToken());
        }
        routing.forEach((k, v) -> {
            if (k.startsWith("AWS_ENDPOINT_URL")) {
                env.put(k, v);
            }
        });
        env.put("AWS_ENDPOINT_URL_LAMBDA", endpoint().toString());
        return env;
    }

    // ------------------------------------------------------------------------------------------
    // HTTP

    private void serveCredentials(HttpExchange exchange) throws IOException {
        try (exchange) {
            String function = exchange.getRequestURI().getPath().substring("/container-credentials/".length());
            String expected = containerTokens.get(function);
            String presented = exchange.getRequestHeaders().getFirst("Authorization");
            if (expected == null || !expected.equals(presented)) {
                send(exchange, 403, "{\"message\":\"invalid authorization token\"}".getBytes(StandardCharsets.UTF_8),
                    null);
                return;
            }
            CredentialAuthority.Issued issued = authority.issue(function, CONTAINER_CREDENTIAL_LIFETIME);
            ObjectNode body = JSON.createObjectNode();
            body.put("AccessKeyId", issued.accessKeyId());
            body.put("SecretAccessKey", issued.secretAccessKey());
            body.put("Token", issued.sessionToken());
            body.put("Expiration", issued.expiration().toString());
            send(exchange, 200, JSON.writeValueAsBytes(body), null);
        }
    }

    private void serveApi(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                Optional<CredentialAuthority.Rejection> rejected = authority.check(exchange.getRequestHeaders());
                if (rejected.isPresent()) {
                    throw new ApiError(403, rejected.get().code() + "Exception", rejected.get().message());
                }
                String rest = exchange.getRequestURI().getRawPath().substring(INVOKE_PREFIX.length());
                Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
                if ("POST".equals(exchange.getRequestMethod()) && rest.endsWith("/invocations")) {
                    String name = URLDecoder.decode(rest.substring(0, rest.length() - "/invocations".length()),
                        StandardCharsets.UTF_8);
                    Target target = target(name, query.get("Qualifier"));
                    byte[] payload = exchange.getRequestBody().readAllBytes();
                    if ("Event".equals(exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type"))) {
                        executor.execute(() -> invoke(target, payload));
                        send(exchange, 202, new byte[0], null);
                        return;
                    }
                    Result result = invoke(target, payload);
                    exchange.getResponseHeaders().set("X-Amz-Executed-Version", "1");
                    send(exchange, 200, result.body(), result.functionError());
                    return;
                }
                if ("GET".equals(exchange.getRequestMethod())) {
                    String name = URLDecoder.decode(rest.replaceFirst("/configuration$", ""), StandardCharsets.UTF_8);
                    FunctionSpec spec = target(name, query.get("Qualifier")).spec();
                    ObjectNode configuration = JSON.createObjectNode();
                    configuration.put("FunctionName", spec.name());
                    configuration.put("FunctionArn", spec.arn());
                    configuration.put("Runtime", spec.runtime());
                    configuration.put("State", "Active");
                    configuration.put("LastUpdateStatus", "Successful");
                    ObjectNode body = JSON.createObjectNode();
                    body.set("Configuration", configuration);
                    send(exchange, 200, JSON.writeValueAsBytes(rest.endsWith("/configuration") ? configuration : body),
                        null);
                    return;
                }
                throw new ApiError(400, "InvalidRequestContentException", "The rehearsal's Lambda answers Invoke and"
                    + " GetFunction only, not " + exchange.getRequestMethod() + " " + exchange.getRequestURI());
            } catch (ApiError e) {
                ObjectNode body = JSON.createObjectNode();
                body.put("Type", e.status >= 500 ? "Service" : "User");
                body.put("message", e.getMessage());
                exchange.getResponseHeaders().set("x-amzn-ErrorType", e.code);
                send(exchange, e.status, JSON.writeValueAsBytes(body), null);
            }
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    private static void send(HttpExchange exchange, int status, byte[] body, String functionError) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        if (functionError != null) {
            exchange.getResponseHeaders().set("X-Amz-Function-Error", functionError);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        running.values().forEach(r -> r.process().destroy());
        for (Running r : running.values()) {
            try {
                r.process().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // The runtimes' class lists are complete now: later rehearsals in this JVM start from them.
        byName.values().stream().filter(FunctionSpec::java).map(FunctionSpec::code).distinct()
            .map(ClassDataSharing::forJar).filter(java.util.Objects::nonNull).forEach(s -> s.build(processes));
    }

    /** An error of the Lambda API itself (not of a function). */
    static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        ApiError(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
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
