package dev.drbdmultiaz.rehearsal.nodes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * AWS Systems Manager Run Command for the simulated nodes of a {@link NodeFleet}: an HTTP server
 * on 127.0.0.1 speaking the AWS JSON 1.1 protocol ({@code X-Amz-Target: AmazonSSM.<Op>}) for
 * SendCommand, GetCommandInvocation and DescribeInstanceInformation, so the real handlers and
 * the AWS SDK work against it unchanged (endpoint override).
 *
 * <p>Like SSM it validates the parameters at SendCommand (unknown name, more than one value, a
 * value that misses the allowedPattern: InvalidParameters, nothing runs), renders the script once
 * per command ({@code node rehearsal/runtime/ssm-doc.mjs render}), runs {@code bash script} on every
 * target at once in the node's environment with the document step's timeoutSeconds, keeps the
 * first 24,000 characters of stdout and 8,000 of stderr, and answers InvocationDoesNotExist for an
 * invocation polled right after SendCommand (see {@link #setInvocationVisibilityDelay}).
 *
 * <p>Invocation statuses follow GetCommandInvocation's Status/StatusDetails (AWS SSM API reference;
 * "Understanding command statuses", docs.aws.amazon.com/systems-manager/latest/userguide/monitor-commands.html),
 * harsher where the documentation leaves room: a command for a running instance whose agent is
 * offline ({@link NodeFleet#setAgentOnline}) is accepted and waits Delayed until the agent is back
 * or the delivery timeout (SendCommand's TimeoutSeconds, times the fleet's time scale) ends it
 * TimedOut / Delivery Timed Out without running; a node terminated before delivery ends Failed /
 * Undeliverable; one terminated while running stays InProgress for a moment, then Cancelling, then
 * Failed / Terminated; a finished script's result is reported only while the agent is online.
 * docs/CONTRACTS.md ("SSM emulator semantics") lists them.
 */
public final class SsmEmulator implements AutoCloseable {

    static final int STDOUT_LIMIT = 24_000;
    static final int STDERR_LIMIT = 8_000;
    static final int MAX_INSTANCE_IDS = 50;
    private static final String ACCOUNT = "123456789012";
    private static final String AGENT_VERSION = "3.3.1142.0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TIMEOUT = Pattern.compile("(?m)^\\s+timeoutSeconds:\\s*\"?(\\d+)\"?\\s*$");
    private static final Pattern STEP_NAME = Pattern.compile(
        "(?m)^\\s*-\\s*action:\\s*aws:runShellScript\\s*\\n\\s+name:\\s*([A-Za-z0-9_.-]+)");
    /** Rehearsal durations derived from AWS time never go below this (a poll must be able to see them). */
    private static final Duration MIN_SCALED = Duration.ofMillis(100);
    /** AWS time until the service gives up on the invocation of an instance that vanished mid-run. */
    private static final Duration LOST_RESULT_DELAY = Duration.ofSeconds(2);
    private static final long DELIVERY_POLL_MILLIS = 20;
    /** The terminal values of CommandInvocationStatus; Pending, InProgress, Delayed, Cancelling are not. */
    private static final Set<String> TERMINAL = Set.of("Success", "Failed", "TimedOut", "Cancelled");

    private final NodeFleet fleet;
    private final Map<String, Path> documents;
    private final HttpServer server;
    private final ExecutorService http;
    private final ExecutorService runners;
    private final Map<String, Command> commands = new ConcurrentHashMap<>();
    private final List<String> order = new ArrayList<>();
    private final String nodeExecutable;
    private volatile Duration visibilityDelay = Duration.ofMillis(300);
    private final List<BiConsumer<CommandRecord, String>> listeners = new CopyOnWriteArrayList<>();
    private Random deliveryRetries;
    private double deliveryRetryProbability;
    private Duration deliveryRetryDelay = Duration.ZERO;

    private final CredentialAuthority authority;
    private volatile Set<String> logGroups = Set.of();
    private final Map<String, java.util.Queue<InjectedFailure>> injectedFailures = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> logStreams = new TreeMap<>();

    /**
     * Starts the emulator on 127.0.0.1 at a free port.
     *
     * @param fleet the nodes commands run on
     * @param documentsByName document name (as SendCommand names it) to the YAML file
     * @param authority whose issued credentials a request must be signed with, as SSM refuses others
     */
    public SsmEmulator(NodeFleet fleet, Map<String, Path> documentsByName, CredentialAuthority authority) {
        this.fleet = Objects.requireNonNull(fleet, "fleet");
        this.authority = Objects.requireNonNull(authority, "authority");
        this.documents = Map.copyOf(documentsByName);
        this.documents.forEach((name, path) -> {
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("Document " + name + " has no file at " + path);
            }
        });
        this.nodeExecutable = System.getProperty("rehearsal.node", "node");
        this.runners = Executors.newCachedThreadPool(daemon("ssm-run"));
        this.http = Executors.newFixedThreadPool(8, daemon("ssm-http"));
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the SSM emulator", e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(http);
        server.start();
        fleet.addListener(this::nodeEvent);
    }

    /** Every {@code *.yaml} of a directory by its base name (how the rehearsal deploys them). */
    public static Map<String, Path> documentsIn(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            Map<String, Path> docs = new TreeMap<>();
            files.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                .forEach(p -> docs.put(p.getFileName().toString().replaceFirst("\\.yaml$", ""), p.toAbsolutePath()));
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list documents in " + directory, e);
        }
    }

    /** http://127.0.0.1:port */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * How long after SendCommand an invocation stays unknown to GetCommandInvocation (real SSM
     * answers InvocationDoesNotExist for a moment). Default 300 ms.
     */
    public void setInvocationVisibilityDelay(Duration delay) {
        this.visibilityDelay = Objects.requireNonNull(delay, "delay");
    }

    /**
     * Makes some invocations report Delayed before they start even though the agent is online, as
     * when SSM's first delivery attempt fails and it tries again (StatusDetails Delayed: "The
     * system will try to send the command again"). Each invocation, drawn in SendCommand order
     * from a {@link Random} seeded with {@code seed}, is delayed with {@code probability} for
     * {@code delay} (AWS time, times the fleet's time scale), which counts against its delivery
     * timeout. Default off; probability 0 turns it off again.
     */
    public synchronized void setDeliveryDelays(long seed, double probability, Duration delay) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("probability must be in [0, 1], got " + probability);
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        this.deliveryRetries = new Random(seed);
        this.deliveryRetryProbability = probability;
        this.deliveryRetryDelay = delay;
    }

    /**
     * Calls {@code listener} with the command's record and the instance id each time an invocation
     * reaches a final status (on a runner thread; keep it short). For live progress output.
     */
    public void addInvocationListener(BiConsumer<CommandRecord, String> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Every command accepted so far, in order. */
    public List<CommandRecord> commands() {
        List<String> ids;
        synchronized (order) {
            ids = List.copyOf(order);
        }
        return ids.stream().map(id -> commands.get(id).record()).toList();
    }

    /** Waits until every accepted command has finished on every target; false on timeout. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (commands.values().stream().anyMatch(c -> !c.record().finished())) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Override
    public void close() {
        server.stop(0);
        commands.values().forEach(c -> c.invocations.values().forEach(i -> i.kill("emulator stopped")));
        runners.shutdownNow();
        http.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------
    // HTTP / AWS JSON 1.1

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            JsonNode body;
            try {
                byte[] bytes = exchange.getRequestBody().readAllBytes();
                body = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
            } catch (IOException e) {
                send(exchange, 400, error("SerializationException", "The request body is not JSON"), "SerializationException");
                return;
            }
            var rejected = authority.check(exchange.getRequestHeaders());
            if (rejected.isPresent()) {
                String code = rejected.get().code() + "Exception";
                send(exchange, 400, error(code, rejected.get().message()), code);
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod()) || target == null || !target.startsWith("AmazonSSM.")) {
                send(exchange, 400, error("UnknownOperationException", "Expected POST with X-Amz-Target AmazonSSM.<Op>"),
                    "UnknownOperationException");
                return;
            }
            try {
                JsonNode result = switch (target.substring("AmazonSSM.".length())) {
                    case "SendCommand" -> sendCommand(body);
                    case "GetCommandInvocation" -> getCommandInvocation(body);
                    case "DescribeInstanceInformation" -> describeInstanceInformation(body);
                    case "ListCommandInvocations" -> listCommandInvocations(body);
                    default -> throw new SsmError("UnknownOperationException",
                        "The SSM emulator does not implement " + target);
                };
                send(exchange, 200, result, null);
            } catch (SsmError e) {
                send(exchange, 400, error(e.code, e.getMessage()), e.code);
            } catch (RuntimeException e) {
                send(exchange, 500, error("InternalServerError", String.valueOf(e)), "InternalServerError");
            }
        } finally {
            exchange.close();
        }
    }

    private static void send(HttpExchange exchange, int status, JsonNode body, String errorType) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        if (errorType != null) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", errorType);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static ObjectNode error(String code, String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("__type", code);
        node.put("message", message);
        return node;
    }

    /** An error answer of the SSM API. */
    private static final class SsmError extends RuntimeException {
        private final String code;

        SsmError(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Operations

    private JsonNode sendCommand(JsonNode body) {
        String documentName = text(body, "DocumentName");
        if (documentName == null || documentName.isEmpty()) {
            throw new SsmError("ValidationException", "1 validation error detected: Value null at 'documentName'"
                + " failed to satisfy constraint: Member must not be null");
        }
        Path document = documents.get(documentName);
        if (document == null) {
            throw new SsmError("InvalidDocument", "Document with name " + documentName + " does not exist.");
        }
        if (body.has("Targets") && body.get("Targets").size() > 0) {
            throw new SsmError("InvalidParameters", "The SSM emulator accepts InstanceIds, not Targets");
        }
        List<String> targets = new ArrayList<>();
        body.path("InstanceIds").forEach(n -> targets.add(n.asText()));
        if (targets.isEmpty()) {
            throw new SsmError("InvalidParameters", "Specify InstanceIds (the emulator does not resolve Targets)");
        }
        if (targets.size() > MAX_INSTANCE_IDS) {
            throw new SsmError("ValidationException", "1 validation error detected: Value at 'instanceIds' failed"
                + " to satisfy constraint: Member must have length less than or equal to " + MAX_INSTANCE_IDS);
        }
        if (new LinkedHashSet<>(targets).size() != targets.size()) {
            throw new SsmError("DuplicateInstanceId", "Instance Id is duplicated in the list: " + targets);
        }
        List<String> invalid = targets.stream().filter(id -> !fleet.isOnline(id)).toList();
        if (!invalid.isEmpty()) {
            throw new SsmError("InvalidInstanceId", "Instances " + invalid + " not in a valid state for account "
                + ACCOUNT);
        }
        int timeoutSeconds = body.path("TimeoutSeconds").asInt(3600);
        if (body.has("TimeoutSeconds") && (timeoutSeconds < 30 || timeoutSeconds > 2_592_000)) {
            throw new SsmError("ValidationException", "1 validation error detected: Value '" + timeoutSeconds
                + "' at 'timeoutSeconds' failed to satisfy constraint: Member must have value between 30 and 2592000");
        }
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        List<String> assignments = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : body.path("Parameters").properties()) {
            List<String> values = new ArrayList<>();
            field.getValue().forEach(v -> values.add(v.asText()));
            if (values.size() != 1) {
                throw new SsmError("InvalidParameters", "Parameter \"" + field.getKey() + "\" is of type String and"
                    + " takes exactly one value, got " + values.size());
            }
            parameters.put(field.getKey(), List.copyOf(values));
            assignments.add(field.getKey() + "=" + values.get(0));
        }
        String documentText;
        try {
            documentText = Files.readString(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String commandId = UUID.randomUUID().toString();
        Path dir = fleet.sandboxRoot().resolve("ssm").resolve(commandId);
        Path script = dir.resolve("script.sh");
        render(document, script, assignments);
        JsonNode cloudWatch = body.path("CloudWatchOutputConfig");
        String logGroup = cloudWatch.path("CloudWatchOutputEnabled").asBoolean(false)
            ? cloudWatch.path("CloudWatchLogGroupName").asText("aws/ssm/" + documentName) : null;
        Command command = new Command(commandId, documentName, document, text(body, "Comment"), targets,
            parameters, Instant.now(), timeoutSeconds, executionTimeout(documentText), stepName(documentText), dir,
            logGroup);
        commands.put(commandId, command);
        synchronized (order) {
            order.add(commandId);
        }
        for (String instanceId : targets) {
            Invocation invocation = command.invocations.get(instanceId);
            invocation.retryUntil = deliveryRetryUntil(command.requestedAt);
            runners.submit(() -> run(command, invocation, script));
        }
        ObjectNode result = JSON.createObjectNode();
        result.set("Command", commandJson(command));
        return result;
    }

    private void render(Path document, Path script, List<String> assignments) {
        List<String> cmd = new ArrayList<>(List.of(nodeExecutable,
            fleet.projectRoot().resolve("rehearsal/runtime/ssm-doc.mjs").toString(), "render", document.toString(),
            script.toString()));
        cmd.addAll(assignments);
        try {
            Files.createDirectories(script.getParent());
            Path err = script.resolveSibling("render.err");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("ssm-doc.mjs render did not finish in 60 s");
            }
            String message = Files.readString(err).strip().replaceFirst("^ssm-doc: ", "");
            if (p.exitValue() == 2) {
                throw new SsmError("InvalidParameters", message);
            }
            if (p.exitValue() != 0) {
                throw new SsmError("InvalidDocument", message);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not render " + document, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while rendering " + document, e);
        }
    }

    private JsonNode getCommandInvocation(JsonNode body) {
        String commandId = text(body, "CommandId");
        String instanceId = text(body, "InstanceId");
        if (commandId == null || instanceId == null) {
            throw new SsmError("ValidationException", "CommandId and InstanceId are required");
        }
        Command command = commands.get(commandId);
        Invocation invocation = command == null ? null : command.invocations.get(instanceId);
        if (invocation == null || Instant.now().isBefore(command.requestedAt.plus(visibilityDelay))) {
            throw new SsmError("InvocationDoesNotExist", "An error occurred (InvocationDoesNotExist) when calling"
                + " the GetCommandInvocation operation");
        }
        String plugin = text(body, "PluginName");
        if (plugin != null && !plugin.equals(command.stepName)) {
            throw new SsmError("InvalidPluginName", "Plugin " + plugin + " is not in document " + command.documentName);
        }
        synchronized (invocation) {
            ObjectNode r = JSON.createObjectNode();
            r.put("CommandId", commandId);
            r.put("InstanceId", instanceId);
            r.put("Comment", command.comment == null ? "" : command.comment);
            r.put("DocumentName", command.documentName);
            r.put("DocumentVersion", "$DEFAULT");
            r.put("PluginName", command.stepName);
            r.put("ResponseCode", invocation.exitCode);
            r.put("ExecutionStartDateTime", invocation.startedAt == null ? "" : iso(invocation.startedAt));
            r.put("ExecutionElapsedTime", invocation.startedAt == null ? "" : invocation.elapsed().toString());
            r.put("ExecutionEndDateTime", invocation.endedAt == null ? "" : iso(invocation.endedAt));
            r.put("Status", invocation.status);
            r.put("StatusDetails", invocation.statusDetails);
            r.put("StandardOutputContent", invocation.finished() ? invocation.stdout : "");
            r.put("StandardOutputUrl", "");
            r.put("StandardErrorContent", invocation.finished() ? invocation.stderr : "");
            r.put("StandardErrorUrl", "");
            ObjectNode cw = r.putObject("CloudWatchOutputConfig");
            cw.put("CloudWatchLogGroupName", command.logGroup == null ? "" : command.logGroup);
            cw.put("CloudWatchOutputEnabled", command.logGroup != null);
            return r;
        }
    }

    private JsonNode listCommandInvocations(JsonNode body) {
        String commandId = text(body, "CommandId");
        ObjectNode result = JSON.createObjectNode();
        ArrayNode list = result.putArray("CommandInvocations");
        commands.values().stream().filter(c -> commandId == null || c.commandId.equals(commandId))
            .sorted(Comparator.comparing(c -> c.requestedAt))
            .forEach(c -> c.invocations.values().forEach(i -> {
                synchronized (i) {
                    ObjectNode n = list.addObject();
                    n.put("CommandId", c.commandId);
                    n.put("InstanceId", i.instanceId);
                    n.put("DocumentName", c.documentName);
                    n.put("Comment", c.comment == null ? "" : c.comment);
                    n.put("RequestedDateTime", c.requestedAt.toEpochMilli() / 1000.0);
                    n.put("Status", i.status);
                    n.put("StatusDetails", i.statusDetails);
                }
            }));
        return result;
    }

    private JsonNode describeInstanceInformation(JsonNode body) {
        Set<String> wanted = null;
        Set<String> pingStatuses = null;
        for (JsonNode f : body.path("Filters")) {
            Set<String> values = new LinkedHashSet<>();
            f.path("Values").forEach(v -> values.add(v.asText()));
            switch (f.path("Key").asText()) {
                case "InstanceIds" -> wanted = values;
                case "PingStatus" -> pingStatuses = values;
                default -> { }
            }
        }
        for (JsonNode f : body.path("InstanceInformationFilterList")) {
            Set<String> values = new LinkedHashSet<>();
            f.path("valueSet").forEach(v -> values.add(v.asText()));
            switch (f.path("key").asText()) {
                case "InstanceIds" -> wanted = values;
                case "PingStatus" -> pingStatuses = values;
                default -> { }
            }
        }
        int max = body.path("MaxResults").asInt(50);
        int start = body.hasNonNull("NextToken") ? Integer.parseInt(body.get("NextToken").asText()) : 0;
        List<SimulatedNode> matching = new ArrayList<>();
        Map<String, String> pings = new LinkedHashMap<>();
        for (SimulatedNode node : fleet.nodes()) {
            // PingStatus is the agent's connection: ConnectionLost for a stopped agent of a running
            // instance as for a terminated one.
            String ping = fleet.isAgentOnline(node.instanceId()) ? "Online" : "ConnectionLost";
            if ((wanted == null || wanted.contains(node.instanceId()))
                && (pingStatuses == null || pingStatuses.contains(ping))) {
                matching.add(node);
                pings.put(node.instanceId(), ping);
            }
        }
        ObjectNode result = JSON.createObjectNode();
        ArrayNode list = result.putArray("InstanceInformationList");
        double now = Instant.now().toEpochMilli() / 1000.0;
        for (SimulatedNode node : matching.subList(Math.min(start, matching.size()),
            Math.min(start + max, matching.size()))) {
            ObjectNode n = list.addObject();
            n.put("InstanceId", node.instanceId());
            n.put("PingStatus", pings.get(node.instanceId()));
            n.put("LastPingDateTime", now);
            n.put("AgentVersion", AGENT_VERSION);
            n.put("IsLatestVersion", true);
            n.put("PlatformType", "Linux");
            n.put("PlatformName", "Ubuntu");
            n.put("PlatformVersion", "24.04");
            n.put("ResourceType", "EC2Instance");
            n.put("IPAddress", node.privateIp());
            n.put("ComputerName", node.computerName());
            n.put("AssociationStatus", "Success");
            n.put("SourceId", node.instanceId());
            n.put("SourceType", "AWS::EC2::Instance");
        }
        if (start + max < matching.size()) {
            result.put("NextToken", Integer.toString(start + max));
        }
        return result;
    }

    private ObjectNode commandJson(Command c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("CommandId", c.commandId);
        n.put("DocumentName", c.documentName);
        n.put("DocumentVersion", "$DEFAULT");
        n.put("Comment", c.comment == null ? "" : c.comment);
        n.put("ExpiresAfter", c.requestedAt.plusSeconds(c.deliveryTimeoutSeconds).toEpochMilli() / 1000.0);
        ObjectNode params = n.putObject("Parameters");
        c.parameters.forEach((k, v) -> {
            ArrayNode a = params.putArray(k);
            v.forEach(a::add);
        });
        ArrayNode ids = n.putArray("InstanceIds");
        c.targets.forEach(ids::add);
        n.putArray("Targets");
        n.put("RequestedDateTime", c.requestedAt.toEpochMilli() / 1000.0);
        n.put("Status", "Pending");
        n.put("StatusDetails", "Pending");
        n.put("MaxConcurrency", "50");
        n.put("MaxErrors", "0");
        n.put("TargetCount", c.targets.size());
        n.put("CompletedCount", 0);
        n.put("ErrorCount", 0);
        n.put("DeliveryTimedOutCount", 0);
        n.put("TimeoutSeconds", c.deliveryTimeoutSeconds);
        return n;
    }

    // ------------------------------------------------------------------------------------------
    // CloudWatch Logs output

    /**
     * The log groups that exist in the account: the agent writes command output only there. The
     * node role may not create groups (it writes only into the stack's own), so output sent to a
     * group that does not exist is lost, as the agent's would be.
     */
    public void setLogGroups(Set<String> groups) {
        this.logGroups = Set.copyOf(groups);
    }

    /**
     * The full output the agent published to CloudWatch Logs, by stream
     * ({@code <command-id>/<instance-id>/<plugin>/stdout|stderr}), for one group.
     */
    public Map<String, String> logStreams(String group) {
        synchronized (logStreams) {
            return Map.copyOf(logStreams.getOrDefault(group, Map.of()));
        }
    }

    /** The agent sends the whole output (not the API's 24,000/8,000-character cut) to the command's group. */
    private void publishOutput(Command command, String instanceId) {
        if (command.logGroup == null || !logGroups.contains(command.logGroup)) {
            return;
        }
        String prefix = command.commandId + "/" + instanceId + "/" + command.stepName + "/";
        synchronized (logStreams) {
            Map<String, String> streams = logStreams.computeIfAbsent(command.logGroup, g -> new TreeMap<>());
            streams.put(prefix + "stdout", whole(command.dir.resolve(instanceId + ".stdout")));
            streams.put(prefix + "stderr", whole(command.dir.resolve(instanceId + ".stderr")));
        }
    }

    private static String whole(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    // ------------------------------------------------------------------------------------------
    // Running scripts on nodes

    private void run(Command command, Invocation invocation, Path script) {
        try {
            Process process = deliver(command, invocation, script);
            if (process == null) {
                return;
            }
            boolean done = process.waitFor(command.executionTimeoutSeconds, TimeUnit.SECONDS);
            if (!done) {
                destroyTree(process);
            }
            process.waitFor(10, TimeUnit.SECONDS);
            String stdout = head(command.dir.resolve(invocation.instanceId + ".stdout"), STDOUT_LIMIT);
            String stderr = head(command.dir.resolve(invocation.instanceId + ".stderr"), STDERR_LIMIT);
            publishOutput(command, invocation.instanceId);
            // The agent reports the result when it is connected: one cut off keeps it InProgress.
            while (!fleet.isAgentOnline(invocation.instanceId) && fleet.isOnline(invocation.instanceId)) {
                Thread.sleep(DELIVERY_POLL_MILLIS);
            }
            synchronized (invocation) {
                // A terminated instance's result never arrives: nodeEvent reports it lost.
                if (invocation.finished() || invocation.lost || !fleet.isOnline(invocation.instanceId)) {
                    return;
                }
                if (!done) {
                    invocation.finish("TimedOut", "Execution Timed Out", -1, stdout, stderr);
                } else {
                    int code = process.exitValue();
                    invocation.finish(code == 0 ? "Success" : "Failed", code == 0 ? "Success" : "Failed", code,
                        stdout, stderr);
                }
            }
            notifyFinished(command, invocation.instanceId);
        } catch (InterruptedException e) {
            if (invocation.process != null) {
                destroyTree(invocation.process);
            }
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until the invocation can be delivered and starts its script; null when it ended without
     * running. StatusDetails Delayed: "the target wasn't available ... The system will try to send
     * the command again"; SendCommand's TimeoutSeconds: "If this time is reached and the command
     * hasn't already started running, it won't run" (StatusDetails Delivery Timed Out, Status TimedOut).
     */
    private Process deliver(Command command, Invocation invocation, Path script) throws InterruptedException {
        while (true) {
            synchronized (invocation) {
                if (invocation.finished()) {
                    return null;
                }
                Instant now = Instant.now();
                if (!now.isBefore(command.deliveryDeadline)) {
                    invocation.finish("TimedOut", "Delivery Timed Out", -1, "", "");
                    break;
                }
                boolean retrying = invocation.retryUntil != null && now.isBefore(invocation.retryUntil);
                if (!retrying && fleet.isAgentOnline(invocation.instanceId)) {
                    Process process = start(command, invocation, script);
                    if (process != null) {
                        return process;
                    }
                    break;
                }
                invocation.status = "Delayed";
                invocation.statusDetails = "Delayed";
            }
            Thread.sleep(DELIVERY_POLL_MILLIS);
        }
        notifyFinished(command, invocation.instanceId);
        return null;
    }

    /**
     * A fault for the rehearsal: the next invocation of the document (file base name, e.g.
     * {@code drbd-up}) on the instance fails with {@code exitCode} and {@code stderr} instead of
     * running its script, as a node command that fails for a passing reason does.
     */
    public void failNext(String instanceId, String documentFile, int exitCode, String stderr) {
        injectedFailures.computeIfAbsent(instanceId + "/" + documentFile, k -> new java.util.concurrent.ConcurrentLinkedQueue<>())
            .add(new InjectedFailure(exitCode, stderr));
    }

    private record InjectedFailure(int exitCode, String stderr) {
    }

    /** Starts the script (the caller holds the invocation's lock); null when bash could not start. */
    private Process start(Command command, Invocation invocation, Path script) {
        Path workDir = fleet.node(invocation.instanceId).orElseThrow().directory().resolve("root");
        String file = command.document.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        var injected = injectedFailures.getOrDefault(invocation.instanceId + "/" + file,
            new java.util.concurrent.ConcurrentLinkedQueue<>()).poll();
        List<String> argv = injected == null ? List.of("/bin/bash", script.toString())
            : List.of("/bin/bash", "-c", "printf '%s\\n' \"$1\" >&2; exit \"$2\"", "injected", injected.stderr(),
                Integer.toString(injected.exitCode()));
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(command.dir.resolve(invocation.instanceId + ".stdout").toFile())
                .redirectError(command.dir.resolve(invocation.instanceId + ".stderr").toFile());
            pb.environment().clear();
            pb.environment().putAll(fleet.environment(invocation.instanceId));
            invocation.process = pb.start();
        } catch (IOException e) {
            invocation.finish("Failed", "Failed", -1, "", "Could not start bash: " + e.getMessage());
            return null;
        }
        invocation.startedAt = Instant.now();
        invocation.status = "InProgress";
        invocation.statusDetails = "In Progress";
        return invocation.process;
    }

    private void nodeEvent(String instanceId, NodeFleet.NodeEvent event) {
        for (Command c : commands.values()) {
            Invocation i = c.invocations.get(instanceId);
            if (i == null) {
                continue;
            }
            if (event == NodeFleet.NodeEvent.TERMINATED) {
                terminated(c, i);
            } else if (i.started() && i.kill("instance rebooted while the command ran")) {
                // No documentation describes an external reboot mid-run: kept as a plain failure.
                notifyFinished(c, instanceId);
            }
        }
    }

    private void terminated(Command command, Invocation invocation) {
        synchronized (invocation) {
            if (invocation.finished() || invocation.lost) {
                return;
            }
            if (invocation.started()) {
                invocation.lost = true;
                if (invocation.process != null) {
                    destroyTree(invocation.process);
                }
                runners.submit(() -> reportLost(command, invocation));
                return;
            }
            // StatusDetails Undeliverable: "The node might not exist or might not be responding".
            invocation.finish("Failed", "Undeliverable", -1, "", "");
        }
        notifyFinished(command, invocation.instanceId);
    }

    /**
     * The service learns late that the instance is gone: InProgress for a moment, then Cancelling
     * (a CommandInvocationStatus), then Failed with StatusDetails Terminated (terminal).
     */
    private void reportLost(Command command, Invocation invocation) {
        Duration delay = scaled(LOST_RESULT_DELAY);
        try {
            Thread.sleep(delay.toMillis());
            synchronized (invocation) {
                if (invocation.finished()) {
                    return;
                }
                invocation.status = "Cancelling";
                invocation.statusDetails = "Cancelling";
            }
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (invocation) {
            if (invocation.finished()) {
                return;
            }
            invocation.finish("Failed", "Terminated", -1, "", "nodesim: instance terminated while the command ran\n");
        }
        notifyFinished(command, invocation.instanceId);
    }

    /** When a delivery retry drawn for a new invocation ends, or null (see {@link #setDeliveryDelays}). */
    private synchronized Instant deliveryRetryUntil(Instant requestedAt) {
        if (deliveryRetries == null || deliveryRetryProbability == 0
            || deliveryRetries.nextDouble() >= deliveryRetryProbability) {
            return null;
        }
        return requestedAt.plus(scaled(deliveryRetryDelay, Duration.ZERO));
    }

    /** An AWS duration in rehearsal time (the fleet's time scale), at least 100 ms. */
    private Duration scaled(Duration aws) {
        return scaled(aws, MIN_SCALED);
    }

    private Duration scaled(Duration aws, Duration floor) {
        Duration d = Duration.ofNanos(Math.round(aws.toNanos() * fleet.timeScale()));
        return d.compareTo(floor) < 0 ? floor : d;
    }

    private void notifyFinished(Command command, String instanceId) {
        if (listeners.isEmpty()) {
            return;
        }
        CommandRecord record = command.record();
        for (BiConsumer<CommandRecord, String> l : listeners) {
            try {
                l.accept(record, instanceId);
            } catch (RuntimeException e) {
                // a listener's failure must not stop the command
            }
        }
    }

    private static void destroyTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static String head(Path file, int limit) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.length() <= limit ? text : text.substring(0, limit);
        } catch (IOException e) {
            return "";
        }
    }

    private static int executionTimeout(String documentText) {
        Matcher m = TIMEOUT.matcher(documentText);
        return m.find() ? Integer.parseInt(m.group(1)) : 3600;
    }

    private static String stepName(String documentText) {
        Matcher m = STEP_NAME.matcher(documentText);
        return m.find() ? m.group(1) : "aws:runShellScript";
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static String iso(Instant t) {
        return t.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** One accepted command. */
    private final class Command {
        final String commandId;
        final String documentName;
        final Path document;
        final String comment;
        final List<String> targets;
        final Map<String, List<String>> parameters;
        final Instant requestedAt;
        final int deliveryTimeoutSeconds;
        /** requestedAt plus the delivery timeout in rehearsal time. */
        final Instant deliveryDeadline;
        final int executionTimeoutSeconds;
        final String stepName;
        final Path dir;
        /** CloudWatchOutputConfig's group, or null when output goes only to the API. */
        final String logGroup;
        final Map<String, Invocation> invocations = new LinkedHashMap<>();

        Command(String commandId, String documentName, Path document, String comment, List<String> targets,
            Map<String, List<String>> parameters, Instant requestedAt, int deliveryTimeoutSeconds,
            int executionTimeoutSeconds, String stepName, Path dir, String logGroup) {
            this.commandId = commandId;
            this.documentName = documentName;
            this.document = document;
            this.comment = comment;
            this.targets = List.copyOf(targets);
            this.parameters = parameters;
            this.requestedAt = requestedAt;
            this.deliveryTimeoutSeconds = deliveryTimeoutSeconds;
            this.deliveryDeadline = requestedAt.plus(scaled(Duration.ofSeconds(deliveryTimeoutSeconds)));
            this.executionTimeoutSeconds = executionTimeoutSeconds;
            this.stepName = stepName;
            this.dir = dir;
            this.logGroup = logGroup;
            targets.forEach(id -> invocations.put(id, new Invocation(id)));
        }

        CommandRecord record() {
            Map<String, CommandRecord.NodeResult> results = new LinkedHashMap<>();
            invocations.forEach((id, i) -> {
                synchronized (i) {
                    results.put(id, new CommandRecord.NodeResult(recordStatus(i.status), i.exitCode, i.elapsed(),
                        i.stdout.contains(NodeFleet.SHARED_SECRET) || i.stderr.contains(NodeFleet.SHARED_SECRET)));
                }
            });
            String file = document.getFileName().toString().replaceFirst("\\.ya?ml$", "");
            return new CommandRecord(commandId, documentName, file, comment, targets, parameters,
                NodeDocument.ofBaseName(file).map(NodeDocument::mutating).orElse(true), requestedAt, results);
        }
    }

    /**
     * The status as {@link CommandRecord.NodeResult} holds it: it knows Pending and InProgress as the
     * only non-final statuses, so Delayed (not delivered yet) reads Pending and Cancelling InProgress.
     */
    private static String recordStatus(String status) {
        return switch (status) {
            case "Delayed" -> "Pending";
            case "Cancelling" -> "InProgress";
            default -> status;
        };
    }

    /** One command on one node. */
    private static final class Invocation {
        final String instanceId;
        String status = "Pending";
        String statusDetails = "Pending";
        int exitCode = -1;
        Instant startedAt;
        Instant endedAt;
        String stdout = "";
        String stderr = "";
        Process process;
        /** End of a delivery retry drawn at SendCommand (see setDeliveryDelays), or null. */
        Instant retryUntil;
        /** The instance was terminated after the script started: its result never arrives. */
        boolean lost;

        Invocation(String instanceId) {
            this.instanceId = instanceId;
        }

        boolean finished() {
            return TERMINAL.contains(status);
        }

        boolean started() {
            return startedAt != null;
        }

        Duration elapsed() {
            if (startedAt == null) {
                return Duration.ZERO;
            }
            return Duration.between(startedAt, endedAt == null ? Instant.now() : endedAt);
        }

        void finish(String newStatus, String details, int code, String out, String err) {
            status = newStatus;
            statusDetails = details;
            exitCode = code;
            stdout = out;
            stderr = err;
            endedAt = Instant.now();
        }

        /** Stops the invocation as Failed; false when it had already finished. */
        synchronized boolean kill(String why) {
            if (finished()) {
                return false;
            }
            if (process != null) {
                destroyTree(process);
            }
            finish("Failed", "Failed", -1, "", "nodesim: " + why + "\n");
            return true;
        }
    }
}
