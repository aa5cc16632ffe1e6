package dev.drbdmultiaz.rehearsal.aws;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drbdmultiaz.rehearsal.aws.StepFunctionsFront.ApiError;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The task tokens the executions' runners issued, and SendTaskSuccess / SendTaskFailure /
 * SendTaskHeartbeat on them (API reference; field limits from botocore's
 * data/stepfunctions/2016-11-23/service-2.json: taskToken 1 to 2048 characters, output at most
 * 262144 and "Length constraints apply to the payload size, and are expressed as bytes in UTF-8
 * encoding", error at most 256, cause at most 32768). A token the runners never issued is
 * InvalidToken ("The provided token is not valid"); one whose attempt closed (succeeded, failed,
 * timed out, retried, or its execution ended) is TaskTimedOut ("The task token has either expired or
 * the task associated with the token has already been closed"). A valid callback goes to the runner
 * as one line on its stdin (the protocol in run-execution.mjs's header).
 */
final class CallbackTokens {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TOKEN = 2048;
    private static final int MAX_OUTPUT_BYTES = 262_144;
    private static final int MAX_ERROR = 256;
    private static final int MAX_CAUSE = 32_768;
    private static final long LINE_LAG_MILLIS = 2000;

    /** One issued token: whose runner to tell, and whether its attempt still waits. */
    private static final class Issued {
        final Execution execution;
        final OutputStream runner;
        volatile boolean open = true;

        Issued(Execution execution, OutputStream runner) {
            this.execution = execution;
            this.runner = runner;
        }
    }

    private final Map<String, Issued> tokens = new ConcurrentHashMap<>();

    /** Follows a runner's event line: a TaskScheduled with a token issues it, a closing line closes it. */
    void follow(Execution execution, OutputStream runner, JsonNode event) {
        String token = event.path("token").asText(null);
        if (token == null) {
            return;
        }
        switch (event.path("type").asText()) {
            case "TaskScheduled" -> tokens.put(token, new Issued(execution, runner));
            case "TaskSucceeded", "TaskFailed", "TaskTimedOut" -> {
                Issued issued = tokens.get(token);
                if (issued != null) {
                    issued.open = false;
                }
            }
            default -> { }
        }
    }

    void sendTaskSuccess(JsonNode request) {
        String token = token(request);
        String output = request.path("output").isTextual() ? request.path("output").asText() : null;
        if (output == null) {
            throw validation("output", "Member must not be null");
        }
        if (output.getBytes(StandardCharsets.UTF_8).length > MAX_OUTPUT_BYTES) {
            throw new ApiError("InvalidOutput", "The provided JSON output data is not valid: it is over "
                + MAX_OUTPUT_BYTES + " bytes");
        }
        JsonNode parsed;
        try {
            parsed = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(output);
        } catch (IOException e) {
            throw new ApiError("InvalidOutput", "The provided JSON output data is not valid: " + e.getMessage());
        }
        if (parsed == null || parsed.isMissingNode()) {
            throw new ApiError("InvalidOutput", "The provided JSON output data is not valid: it is empty");
        }
        ObjectNode line = JSON.createObjectNode().put("token", token).put("action", "success");
        line.set("output", parsed);
        deliver(token, line);
    }

    void sendTaskFailure(JsonNode request) {
        String token = token(request);
        ObjectNode line = JSON.createObjectNode().put("token", token).put("action", "failure");
        String error = optional(request, "error", MAX_ERROR);
        String cause = optional(request, "cause", MAX_CAUSE);
        if (error != null) {
            line.put("error", error);
        }
        if (cause != null) {
            line.put("cause", cause);
        }
        deliver(token, line);
    }

    void sendTaskHeartbeat(JsonNode request) {
        String token = token(request);
        deliver(token, JSON.createObjectNode().put("token", token).put("action", "heartbeat"));
    }

    private void deliver(String token, ObjectNode line) {
        Issued issued = awaitIssued(token);
        if (issued == null) {
            throw new ApiError("InvalidToken", "Invalid Token: 'The provided token is not valid'");
        }
        if (!issued.open || !Execution.RUNNING.equals(issued.execution.status())) {
            throw new ApiError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'");
        }
        try {
            synchronized (issued.runner) {
                issued.runner.write((JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
                issued.runner.flush();
            }
        } catch (IOException e) {
            // The runner is gone: its execution is ending, and with it the task.
            throw new ApiError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'");
        }
    }

    /**
     * The token's entry, waiting up to {@link #LINE_LAG_MILLIS} for it: the runner prints the
     * TaskScheduled line before it invokes the function, but a fast function's callback can still
     * beat this front's reading of that line.
     */
    private Issued awaitIssued(String token) {
        long deadline = System.nanoTime() + LINE_LAG_MILLIS * 1_000_000L;
        Issued issued = tokens.get(token);
        while (issued == null && System.nanoTime() < deadline) {
            dev.drbdmultiaz.rehearsal.support.Net.sleep(10);
            issued = tokens.get(token);
        }
        return issued;
    }

    private static String token(JsonNode request) {
        JsonNode token = request.get("taskToken");
        if (token == null || !token.isTextual()) {
            throw validation("taskToken", "Member must not be null");
        }
        String text = token.asText();
        if (text.isEmpty() || text.length() > MAX_TOKEN) {
            throw validation("taskToken", "Member must have length between 1 and " + MAX_TOKEN);
        }
        return text;
    }

    private static String optional(JsonNode request, String field, int max) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.asText().length() > max) {
            throw validation(field, "Member must have length less than or equal to " + max);
        }
        return value.asText();
    }

    private static ApiError validation(String field, String constraint) {
        return new ApiError("ValidationException", "1 validation error detected: Value at '" + field
            + "' failed to satisfy constraint: " + constraint);
    }
}
