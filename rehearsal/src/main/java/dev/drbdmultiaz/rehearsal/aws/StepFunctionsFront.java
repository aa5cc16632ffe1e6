package dev.drbdmultiaz.rehearsal.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.drbdmultiaz.rehearsal.support.AwsAnswers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * The Step Functions endpoint the handlers use (AWS_ENDPOINT_URL_SFN): AWS JSON 1.0 on 127.0.0.1
 * with {@code AWSStepFunctions.StartExecution} and {@code DescribeExecution} for the state
 * machines of the stack (the reconcile workflow, the Provider framework's waiter),
 * {@code ListExecutions}, {@code GetExecutionHistory}, and the callback pattern's
 * {@code SendTaskSuccess}, {@code SendTaskFailure} and {@code SendTaskHeartbeat} on the tokens the
 * runners issue ({@link CallbackTokens}). Every
 * StartExecution starts its own ASL runner process (executions run concurrently, as in AWS; the
 * cluster lock is what serializes them); the runner's event lines update the execution's status,
 * output, error and cause, and go to the listeners as they arrive.
 *
 * <p>As the API reference says of StartExecution on a STANDARD workflow: the same name and input
 * as a RUNNING execution succeeds with that execution's ARN (idempotent); the same name with a
 * different input, or the name of a closed execution, is ExecutionAlreadyExists. Requests must be
 * signed with credentials the {@link CredentialAuthority} issued. {@link #stop} stops an execution
 * as StopExecution does.
 */
public final class StepFunctionsFront implements AutoCloseable {

    /** Starts the runner process of an execution; its stdout carries one JSON event per line. */
    @FunctionalInterface
    public interface RunnerLauncher {
        Process launch(Execution execution) throws IOException;
    }

    /** Sees every event line of every execution as it arrives, and each execution's start and end. */
    public interface Listener {
        default void started(Execution execution) {
        }

        default void event(Execution execution, JsonNode event) {
        }

        default void finished(Execution execution) {
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,80}");

    private final Map<String, RunnerLauncher> machines = new LinkedHashMap<>();
    private final CredentialAuthority authority;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Map<String, Execution> executions = new LinkedHashMap<>();
    /** The runner process of each running execution. */
    private final Map<String, Process> runners = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final CallbackTokens tokens = new CallbackTokens();

    private StepFunctionsFront(CredentialAuthority authority) throws IOException {
        this.authority = authority;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::serve);
        server.setExecutor(executor);
        server.start();
    }

    public static StepFunctionsFront start(CredentialAuthority authority) {
        try {
            return new StepFunctionsFront(authority);
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the Step Functions front on 127.0.0.1", e);
        }
    }

    /** Deploys a state machine: its executions run with {@code launcher}. */
    public synchronized StepFunctionsFront register(String stateMachineArn, RunnerLauncher launcher) {
        machines.put(stateMachineArn, launcher);
        return this;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Every execution started so far, in start order. */
    public List<Execution> executions() {
        synchronized (executions) {
            return new ArrayList<>(executions.values());
        }
    }

    /** Executions still running. */
    public List<Execution> running() {
        return executions().stream().filter(e -> Execution.RUNNING.equals(e.status())).toList();
    }

    /** StartExecution, as the API does it; also used by the driver for a manual start. */
    public Execution startExecution(String machineArn, String name, String input) {
        RunnerLauncher launcher;
        synchronized (this) {
            launcher = machines.get(machineArn);
        }
        if (launcher == null) {
            throw new ApiError("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + machineArn + "'");
        }
        String executionName = name == null || name.isBlank() ? UUID.randomUUID().toString() : name;
        if (!NAME.matcher(executionName).matches()) {
            throw new ApiError("InvalidName", "Invalid Name: '" + executionName + "'");
        }
        String inputText = input == null ? "{}" : input;
        try {
            JSON.readTree(inputText);
        } catch (IOException e) {
            throw new ApiError("InvalidExecutionInput", "Invalid JSON input: " + e.getMessage());
        }
        String arn = machineArn.replace(":stateMachine:", ":execution:") + ":" + executionName;
        Execution execution;
        synchronized (executions) {
            Execution existing = executions.get(arn);
            if (existing != null) {
                if (Execution.RUNNING.equals(existing.status()) && sameJson(existing.input(), inputText)) {
                    return existing;
                }
                throw new ApiError("ExecutionAlreadyExists", "Execution Already Exists: '" + arn + "'");
            }
            execution = new Execution(arn, executionName, machineArn, inputText);
            executions.put(arn, execution);
        }
        listeners.forEach(l -> l.started(execution));
        Process process;
        try {
            process = launcher.launch(execution);
        } catch (IOException | RuntimeException e) {
            finish(execution, Execution.FAILED, null, "States.Runtime", "The ASL runner did not start: " + e);
            return execution;
        }
        runners.put(arn, process);
        if (!Execution.RUNNING.equals(execution.status())) {
            destroy(runners.remove(arn)); // stopped while its runner started
        }
        executor.execute(() -> follow(execution, process));
        return execution;
    }

    /**
     * StopExecution (API reference; ExecutionStatus ABORTED): the execution ends ABORTED at once,
     * with an ExecutionAborted event last in its history, and its runner process is killed, so no
     * further state runs and no Catch either (a Lambda invocation under way finishes on its own
     * and its result is dropped). Returns whether it was still running.
     */
    public boolean stop(String executionArn) {
        Execution execution = describe(executionArn);
        ObjectNode aborted = JSON.createObjectNode().put("type", "ExecutionAborted")
            .put("timestamp", System.currentTimeMillis());
        if (!finish(execution, Execution.ABORTED, null, null, null, aborted)) {
            return false;
        }
        destroy(runners.remove(executionArn));
        return true;
    }

    private static void destroy(Process process) {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static boolean sameJson(String a, String b) {
        try {
            return JSON.readTree(a).equals(JSON.readTree(b));
        } catch (IOException e) {
            return a.equals(b);
        }
    }

    /** Executions of one state machine, in start order. */
    public List<Execution> executions(String stateMachineArn) {
        return executions().stream().filter(e -> e.stateMachineArn().equals(stateMachineArn)).toList();
    }

    private void follow(Execution execution, Process process) {
        String finalStatus = null;
        String output = null;
        String error = null;
        String cause = null;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                JsonNode event;
                try {
                    event = JSON.readTree(line);
                } catch (IOException notJson) {
                    continue;
                }
                if (!execution.record(event)) {
                    continue; // stopped: what the runner still printed is not the execution's
                }
                tokens.follow(execution, process.getOutputStream(), event);
                switch (event.path("type").asText()) {
                    case "ExecutionSucceeded" -> {
                        finalStatus = Execution.SUCCEEDED;
                        output = JSON.writeValueAsString(event.path("output"));
                    }
                    case "ExecutionFailed" -> {
                        finalStatus = Execution.FAILED;
                        error = event.path("error").asText(null);
                        cause = event.path("cause").asText(null);
                    }
                    case "ExecutionTimeout" -> finalStatus = Execution.TIMED_OUT;
                    case "ExecutionAborted" -> finalStatus = Execution.ABORTED;
                    default -> { }
                }
                for (Listener listener : listeners) {
                    listener.event(execution, event);
                }
            }
            int exit = process.waitFor();
            if (finalStatus == null) {
                finalStatus = Execution.FAILED;
                error = "States.Runtime";
                cause = "The ASL runner ended with exit code " + exit + " before the execution ended";
            }
        } catch (IOException e) {
            finalStatus = Execution.FAILED;
            error = "States.Runtime";
            cause = "Lost the ASL runner's output: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finalStatus = Execution.ABORTED;
        }
        runners.remove(execution.arn(), process);
        finish(execution, finalStatus, output, error, cause);
    }

    private void finish(Execution execution, String status, String output, String error, String cause) {
        finish(execution, status, output, error, cause, null);
    }

    private boolean finish(Execution execution, String status, String output, String error, String cause,
        JsonNode lastEvent) {
        if (!execution.finish(status, output, error, cause, lastEvent)) {
            return false;
        }
        listeners.forEach(l -> l.finished(execution));
        return true;
    }

    public Execution describe(String arn) {
        synchronized (executions) {
            Execution execution = executions.get(arn);
            if (execution == null) {
                if (arn == null || !arn.startsWith("arn:")) {
                    throw new ApiError("InvalidArn", "Invalid Arn: '" + arn + "'");
                }
                throw new ApiError("ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'");
            }
            return execution;
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            ObjectNode response = JSON.createObjectNode();
            try {
                var rejected = authority.check(exchange.getRequestHeaders());
                if (rejected.isPresent()) {
                    throw new ApiError(rejected.get().code() + "Exception", rejected.get().message());
                }
                switch (target == null ? "" : target) {
                    case "AWSStepFunctions.StartExecution" -> {
                        Execution execution = startExecution(request.path("stateMachineArn").asText(null),
                            request.path("name").asText(null), request.path("input").asText(null));
                        response.put("executionArn", execution.arn());
                        response.put("startDate", epochSeconds(execution.startDate()));
                    }
                    case "AWSStepFunctions.DescribeExecution" -> describeInto(
                        describe(request.path("executionArn").asText(null)), response);
                    case "AWSStepFunctions.GetExecutionHistory" -> historyInto(
                        describe(request.path("executionArn").asText(null)), request, response);
                    case "AWSStepFunctions.ListExecutions" -> listInto(request, response);
                    case "AWSStepFunctions.SendTaskSuccess" -> tokens.sendTaskSuccess(request);
                    case "AWSStepFunctions.SendTaskFailure" -> tokens.sendTaskFailure(request);
                    case "AWSStepFunctions.SendTaskHeartbeat" -> tokens.sendTaskHeartbeat(request);
                    default -> throw new ApiError("UnknownOperationException", "The rehearsal's Step Functions answers"
                        + " StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory, SendTaskSuccess,"
                        + " SendTaskFailure and SendTaskHeartbeat only, not " + target);
                }
            } catch (ApiError e) {
                ObjectNode body = JSON.createObjectNode();
                body.put("__type", e.type);
                body.put("message", e.getMessage());
                send(exchange, 400, body, e.type);
                return;
            }
            send(exchange, 200, response, null);
        }
    }

    private static void describeInto(Execution execution, ObjectNode response) {
        response.put("executionArn", execution.arn());
        response.put("stateMachineArn", execution.stateMachineArn());
        response.put("name", execution.name());
        response.put("status", execution.status());
        response.put("startDate", epochSeconds(execution.startDate()));
        if (execution.stopDate() != null) {
            response.put("stopDate", epochSeconds(execution.stopDate()));
        }
        response.put("input", execution.input());
        if (execution.output() != null) {
            response.put("output", execution.output());
        }
        if (execution.error() != null) {
            response.put("error", execution.error());
        }
        if (execution.cause() != null) {
            response.put("cause", execution.cause());
        }
    }

    /**
     * ListExecutions (API reference): the state machine's executions, "sorted by time, with the
     * most recent execution first", those of {@code statusFilter} only when given; maxResults 0 to
     * 1000 ("The default is 100 ... A value of 0 uses the default"), nextToken to page on.
     */
    private void listInto(JsonNode request, ObjectNode response) {
        String machineArn = request.path("stateMachineArn").asText(null);
        synchronized (this) {
            if (!machines.containsKey(machineArn)) {
                throw new ApiError("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + machineArn + "'");
            }
        }
        int maxResults = request.path("maxResults").asInt(0);
        if (maxResults < 0 || maxResults > 1000) {
            throw new ApiError("ValidationException", "1 validation error detected: Value '" + maxResults
                + "' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000");
        }
        String status = request.path("statusFilter").asText(null);
        List<Execution> listed = new ArrayList<>(executions(machineArn).stream()
            .filter(e -> status == null || status.equals(e.status())).toList());
        java.util.Collections.reverse(listed);
        int from = page(request);
        int to = Math.min(listed.size(), from + (maxResults == 0 ? 100 : maxResults));
        var items = response.putArray("executions");
        for (Execution execution : listed.subList(Math.min(from, to), to)) {
            ObjectNode item = items.addObject().put("executionArn", execution.arn())
                .put("stateMachineArn", execution.stateMachineArn()).put("name", execution.name())
                .put("status", execution.status()).put("startDate", epochSeconds(execution.startDate()));
            if (execution.stopDate() != null) {
                item.put("stopDate", epochSeconds(execution.stopDate()));
            }
        }
        if (to < listed.size()) {
            response.put("nextToken", Integer.toString(to));
        }
    }

    private static int page(JsonNode request) {
        try {
            return request.hasNonNull("nextToken") ? Integer.parseInt(request.path("nextToken").asText()) : 0;
        } catch (NumberFormatException e) {
            throw new ApiError("InvalidToken", "Invalid Token: '" + request.path("nextToken").asText() + "'");
        }
    }

    /**
     * GetExecutionHistory (API reference): the runner's event lines as history events with ids
     * from 1, {@code <StateType>StateEntered} / {@code StateExited} with the state's name (and
     * output, a JSON string), ExecutionStarted / Succeeded / Failed, TaskFailed; a callback task's
     * TaskScheduled (resource, parameters, timeoutInSeconds, heartbeatInSeconds), TaskSubmitted,
     * TaskSucceeded, TaskFailed and TaskTimedOut (error, cause); maxResults 1 to
     * 1000 (default 100), reverseOrder, and nextToken to page on; ExecutionAborted last for a stopped one.
     */
    private static void historyInto(Execution execution, JsonNode request, ObjectNode response) {
        int maxResults = request.path("maxResults").asInt(100);
        if (maxResults < 0 || maxResults > 1000) {
            throw new ApiError("ValidationException", "1 validation error detected: Value '" + maxResults
                + "' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000");
        }
        List<ObjectNode> events = new ArrayList<>();
        for (JsonNode line : execution.events()) {
            ObjectNode event = historyEvent(line, events.size() + 1L);
            if (event != null) {
                events.add(event);
            }
        }
        if (request.path("reverseOrder").asBoolean(false)) {
            java.util.Collections.reverse(events);
        }
        int from = page(request);
        int to = Math.min(events.size(), from + (maxResults == 0 ? 100 : maxResults));
        var page = response.putArray("events");
        events.subList(Math.min(from, to), to).forEach(page::add);
        if (to < events.size()) {
            response.put("nextToken", Integer.toString(to));
        }
    }

    private static ObjectNode historyEvent(JsonNode line, long id) {
        String type = line.path("type").asText();
        String stateType = line.path("stateType").asText("");
        ObjectNode event = JSON.createObjectNode();
        event.put("timestamp", line.path("timestamp").asLong(0) / 1000.0);
        event.put("id", id);
        event.put("previousEventId", id - 1);
        try {
            switch (type) {
                case "ExecutionStarted" -> event.put("type", type).putObject("executionStartedEventDetails")
                    .put("input", JSON.writeValueAsString(line.path("input")));
                case "ExecutionSucceeded" -> event.put("type", type).putObject("executionSucceededEventDetails")
                    .put("output", JSON.writeValueAsString(line.path("output")));
                case "ExecutionFailed" -> event.put("type", type).putObject("executionFailedEventDetails")
                    .put("error", line.path("error").asText("")).put("cause", line.path("cause").asText(""));
                case "ExecutionAborted" -> event.put("type", type).putObject("executionAbortedEventDetails");
                case "StateEntered" -> event.put("type", stateType + "StateEntered")
                    .putObject("stateEnteredEventDetails").put("name", line.path("state").asText());
                case "StateExited" -> event.put("type", stateType + "StateExited").putObject("stateExitedEventDetails")
                    .put("name", line.path("state").asText()).put("output", JSON.writeValueAsString(line.path("output")));
                case "TaskScheduled" -> {
                    ObjectNode details = event.put("type", type).putObject("taskScheduledEventDetails")
                        .put("resourceType", line.path("resourceType").asText()).put("resource",
                            line.path("resource").asText()).put("region", "us-east-1")
                        .put("parameters", JSON.writeValueAsString(line.path("parameters")));
                    if (line.hasNonNull("timeoutInSeconds")) {
                        details.put("timeoutInSeconds", line.path("timeoutInSeconds").asLong());
                    }
                    if (line.hasNonNull("heartbeatInSeconds")) {
                        details.put("heartbeatInSeconds", line.path("heartbeatInSeconds").asLong());
                    }
                }
                case "TaskSubmitted" -> event.put("type", type).putObject("taskSubmittedEventDetails")
                    .put("resourceType", line.path("resourceType").asText()).put("resource", line.path("resource").asText());
                case "TaskSucceeded" -> event.put("type", type).putObject("taskSucceededEventDetails")
                    .put("resourceType", line.path("resourceType").asText()).put("resource", line.path("resource").asText())
                    .put("output", JSON.writeValueAsString(line.path("output")));
                case "TaskFailed", "TaskTimedOut" -> event.put("type", type)
                    .putObject("TaskFailed".equals(type) ? "taskFailedEventDetails" : "taskTimedOutEventDetails")
                    .put("resourceType", line.path("resourceType").asText()).put("resource", line.path("resource").asText())
                    .put("error", line.path("error").asText("")).put("cause", line.path("cause").asText(""));
                case "StateFailed" -> {
                    if (!"Task".equals(stateType) || line.path("taskEvents").asBoolean(false)) {
                        return null; // a callback task's own TaskFailed / TaskTimedOut line said it
                    }
                    event.put("type", "TaskFailed").putObject("taskFailedEventDetails").put("resourceType", "lambda")
                        .put("resource", "invoke").put("error", line.path("error").asText(""))
                        .put("cause", line.path("cause").asText(""));
                }
                default -> {
                    return null;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return event;
    }

    private static double epochSeconds(java.time.Instant instant) {
        return instant.toEpochMilli() / 1000.0;
    }

    private static void send(HttpExchange exchange, int status, ObjectNode body, String errorType) throws IOException {
        AwsAnswers.send(exchange, status, "application/x-amz-json-1.0", JSON.writeValueAsBytes(body),
            AwsAnswers.errorType(errorType));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** An API error answered as {"__type","message"} with HTTP 400. */
    public static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String type;

        ApiError(String type, String message) {
            super(message);
            this.type = type;
        }

        public String type() {
            return type;
        }
    }
}
