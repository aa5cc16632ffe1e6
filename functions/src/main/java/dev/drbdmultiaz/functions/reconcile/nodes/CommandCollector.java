package dev.drbdmultiaz.functions.reconcile.nodes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.reconcile.lifecycle.HeartbeatSchedule;
import dev.drbdmultiaz.functions.reconcile.plan.RunLedger;
import dev.drbdmultiaz.functions.reconcile.state.Collected;
import dev.drbdmultiaz.functions.reconcile.state.CommandFailure;
import dev.drbdmultiaz.functions.reconcile.state.CommandRound;
import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.functions.reconcile.state.RunCounters;
import dev.drbdmultiaz.model.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationRequest;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;

/**
 * Reads a node step's SSM command once and, when it finished everywhere, has {@link RunLedger}
 * fold the results into what the execution remembers: for the completion function (on the
 * command's event), the sender's own check, and the polling fallback (CollectCommandResults).
 *
 * <p>InvocationDoesNotExist (right after SendCommand), Pending, InProgress, Delayed and Cancelling
 * mean "not yet". Success means the script exited 0: its last non-empty stdout line is the JSON
 * result. Anything else, a result with {@code "ok":false}, or a command still pending after the
 * bound fails the step with the node, its exit code and the tail of its stderr.
 */
public final class CommandCollector {

    static final int STDERR_TAIL_CHARS = 800;
    private static final Set<String> NOT_YET = Set.of("Pending", "InProgress", "Delayed", "Cancelling");
    private static final StructuredLog LOG = StructuredLog.of(CommandCollector.class);

    private final SsmClient ssm;
    private final Duration maxWait;
    private final Clock clock;
    private final HeartbeatSchedule heartbeats;

    public CommandCollector(SsmClient ssm, Duration maxWait, Clock clock) {
        this(ssm, maxWait, clock, new HeartbeatSchedule(Duration.ofHours(1), clock));
    }

    public CommandCollector(SsmClient ssm, Duration maxWait, Clock clock, HeartbeatSchedule heartbeats) {
        this.ssm = Objects.requireNonNull(ssm, "ssm");
        this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.heartbeats = Objects.requireNonNull(heartbeats, "heartbeats");
    }

    /**
     * The polling fallback (CollectCommandResults, after the step's callback timed out): the
     * round of {@code state} collected once, with the heartbeat flag while it is still pending.
     */
    public Collected collect(ReconcileState state, CommandRound round) {
        Collected collected = collect(round);
        return Collected.PENDING.equals(collected.status()) ? collected.withHeartbeatDue(heartbeats.due(state))
            : collected;
    }

    /**
     * The polling fallback found no round recorded for {@code state}'s step: its send may still
     * run (the callback task's timeout counts from the task's start, the send included), so this
     * is Pending, until {@code maxWait} after the first such poll, then Failed.
     */
    public Collected notSentYet(ReconcileState state, String key) {
        Collected previous = state.collectedOrEmpty();
        String since = Collected.PENDING.equals(previous.status()) && previous.unsentSince() != null
            ? previous.unsentSince() : clock.instant().toString();
        Duration waited = waited(since);
        String step = state.plan() == null ? "the step" : state.plan().step();
        if (waited.compareTo(maxWait) > 0) {
            List<String> targets = state.plan() == null ? List.of() : state.plan().targets();
            CommandFailure failure = new CommandFailure(step, targets.isEmpty() ? "none" : targets.get(0), targets,
                "Pending", -1, "", String.format("SendNodeCommand recorded no command for %s (%s) within %d s: the"
                    + " send failed after its task had timed out", step, key, waited.toSeconds()));
            LOG.error("Gave up waiting for a node command to be sent", "executionArn", state.currentExecutionArn(),
                "step", step, "round", key);
            return new Collected(Collected.FAILED, previous.observed(), previous.run(), failure);
        }
        LOG.info("Found no node command recorded yet", "executionArn", state.currentExecutionArn(), "step", step,
            "round", key);
        return new Collected(Collected.PENDING, previous.observed(), previous.run(), null, heartbeats.due(state),
            Map.of(), since);
    }

    /**
     * Every target's invocation of {@code round}, read once: Pending while any has not ended, else
     * Failed with the first failing node, else Succeeded with the results folded by {@link RunLedger}.
     */
    public Collected collect(CommandRound round) {
        return read(round).withCommandIds(round.commandIds());
    }

    private Collected read(CommandRound round) {
        if (round.commandIds().isEmpty()) {
            throw new InvalidStateDocumentException("The command round " + round.key() + " has no command ids");
        }
        Step step = step(round.step());
        Collected previous = round.before();

        Map<String, JsonNode> results = new TreeMap<>();
        List<String> pending = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        for (Map.Entry<String, String> target : round.commandIds().entrySet()) {
            String instanceId = target.getKey();
            GetCommandInvocationResponse invocation;
            try {
                invocation = ssm.getCommandInvocation(GetCommandInvocationRequest.builder()
                    .commandId(target.getValue()).instanceId(instanceId).build());
            } catch (InvocationDoesNotExistException notYet) {
                pending.add(instanceId);
                continue;
            }
            String status = invocation.statusAsString();
            if (NOT_YET.contains(status)) {
                pending.add(instanceId);
            } else if ("Success".equals(status)) {
                JsonNode result = lastJsonLine(invocation.standardOutputContent());
                if (result == null) {
                    failures.add(new Failure(instanceId, status, invocation.responseCode(), invocation,
                        "its last stdout line is not a JSON object"));
                } else if (result.path("ok").isBoolean() && !result.path("ok").asBoolean()) {
                    results.put(instanceId, result);
                    failures.add(new Failure(instanceId, status, invocation.responseCode(), invocation,
                        "its result says ok:false"));
                } else {
                    results.put(instanceId, result);
                }
            } else {
                // A document that exits non-zero still prints its result line, the error and the status.
                JsonNode result = lastJsonLine(invocation.standardOutputContent());
                if (result != null) {
                    results.put(instanceId, result);
                }
                String details = invocation.statusDetails();
                failures.add(new Failure(instanceId, status, invocation.responseCode(), invocation,
                    "the command ended " + status + (details == null || details.equals(status) ? "" : " (" + details + ")")));
            }
        }

        RunCounters run = previous.run();
        if (!failures.isEmpty()) {
            Failure first = failures.get(0);
            CommandFailure failure = new CommandFailure(step.name(), first.instanceId(),
                failures.stream().map(Failure::instanceId).toList(), first.status(), first.exitCode(),
                tail(first.invocation().standardErrorContent()),
                String.format("%s failed on %s: %s (exit code %d)", step, first.instanceId(), first.message(),
                    first.exitCode()));
            LOG.error("Failed node command", "executionArn", round.executionArn(), "step", step.name(),
                "instanceId", first.instanceId(), "instanceIds", failure.instanceIds(), "exitCode",
                first.exitCode(), "status", first.status());
            return new Collected(Collected.FAILED, withReports(previous.observed(), step, results), run, failure);
        }
        if (!pending.isEmpty()) {
            Duration waited = waited(round.sentAt());
            if (waited.compareTo(maxWait) > 0) {
                CommandFailure failure = new CommandFailure(step.name(), pending.get(0), pending, "Pending", -1, "",
                    String.format("%s is still pending on %s after %d s (bound %d s): the node may be"
                        + " unreachable or its SSM agent stopped", step, pending, waited.toSeconds(),
                        maxWait.toSeconds()));
                LOG.error("Gave up waiting for node command", "executionArn", round.executionArn(),
                    "step", step.name(), "instanceIds", pending);
                return new Collected(Collected.FAILED, withReports(previous.observed(), step, results), run, failure);
            }
            LOG.info("Found node command pending", "executionArn", round.executionArn(),
                "step", step.name(), "instanceIds", pending);
            return new Collected(Collected.PENDING, previous.observed(), run, null);
        }

        RunLedger.Memory memory = RunLedger.after(new RunLedger.Memory(previous.observed(), run),
            new RunLedger.Finished(step, List.copyOf(round.commandIds().keySet()), results, round.snapshot(),
                round.peerNodeId()),
            CommandCollector::toStatus);
        RunCounters counters = memory.counters();
        LOG.info("Collected node command results", "executionArn", round.executionArn(),
            "step", step.name(), "instanceIds", List.copyOf(results.keySet()), "rounds", counters.rounds());
        return new Collected(Collected.SUCCEEDED, memory.observed(), counters, null);
    }

    private static Step step(String name) {
        try {
            return Step.valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidStateDocumentException("$.command.step must be a node step name, got " + name);
        }
    }

    /** The last non-empty line of {@code stdout} as a JSON object, or {@code null}. */
    static JsonNode lastJsonLine(String stdout) {
        if (stdout == null) {
            return null;
        }
        String[] lines = stdout.split("\\R");
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].trim();
            if (line.isEmpty()) {
                continue;
            }
            try {
                JsonNode node = Json.readTree(line);
                return node != null && node.isObject() ? node : null;
            } catch (JsonProcessingException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * {@code observed} with the reports of a step that did not succeed everywhere: each node that
     * printed the whole status (its error included) is shown as it reported, the others as before.
     */
    private static Map<String, NodeStatus> withReports(Map<String, NodeStatus> observed, Step step,
        Map<String, JsonNode> results) {
        Map<String, NodeStatus> reports = new TreeMap<>(observed);
        results.forEach((instanceId, result) -> {
            if (NodeStatus.reportedIn(result)) {
                try {
                    reports.put(instanceId, toStatus(instanceId, result).reportedBy(step.name()));
                } catch (InvalidStateDocumentException unreadable) {
                    LOG.warn("Kept the last report of a node whose result does not match the status contract",
                        "instanceId", instanceId, "step", step.name());
                }
            }
        });
        return reports;
    }

    private static NodeStatus toStatus(String instanceId, JsonNode result) {
        try {
            return Json.mapper().treeToValue(result, NodeStatus.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidStateDocumentException("The status result of " + instanceId
                + " does not match the status contract: " + e.getMessage(), e);
        }
    }

    private Duration waited(String sentAt) {
        try {
            return Duration.between(Instant.parse(sentAt), clock.instant());
        } catch (DateTimeParseException | NullPointerException e) {
            throw new InvalidStateDocumentException("$.command.sentAt must be an ISO-8601 instant, got " + sentAt);
        }
    }

    static String tail(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= STDERR_TAIL_CHARS ? text : text.substring(text.length() - STDERR_TAIL_CHARS);
    }

    private record Failure(String instanceId, String status, Integer responseCode,
        GetCommandInvocationResponse invocation, String message) {

        int exitCode() {
            return responseCode == null ? -1 : responseCode;
        }
    }
}
