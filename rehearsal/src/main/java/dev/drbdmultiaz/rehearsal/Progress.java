package dev.drbdmultiaz.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.model.Step;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.aws.StepFunctionsFront;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints what happens as it happens: per execution, each Task's outcome in one line (lock,
 * members, the planned step, each node's result of each command), waits, retries, caught errors
 * and the end; per lifecycle action its completion. {@code verbose} adds every state entered.
 */
public final class Progress implements StepFunctionsFront.Listener {

    /** The Provider framework waiter's Task: it polls isComplete by retrying. */
    private static final String WAITER_POLL = "framework-isComplete-task";

    private final PrintStream out;
    private final Instant start = Instant.now();
    private final boolean verbose;

    public Progress(PrintStream out, boolean verbose) {
        this.out = out;
        this.verbose = verbose;
    }

    /** A driver message. */
    public void note(String message) {
        line("rehearsal", message);
    }

    public void lifecycle(LifecycleModel.Completion completion) {
        line("lifecycle", completion.transition() + " action of " + completion.instanceId() + " completed: "
            + completion.result());
    }

    @Override
    public void started(Execution execution) {
        line(label(execution), "started (input " + execution.input() + ")");
    }

    @Override
    public void finished(Execution execution) {
        String how = Execution.SUCCEEDED.equals(execution.status()) || execution.error() == null ? execution.status()
            : execution.status() + ": " + execution.error() + ": " + shortCause(execution.cause());
        line(label(execution), how + String.format(Locale.ROOT, " in %.1f s, %d state transitions",
            execution.duration().toMillis() / 1000.0, execution.stateTransitions()));
    }

    @Override
    public void event(Execution execution, JsonNode event) {
        String type = event.path("type").asText();
        String state = event.path("state").asText();
        if (!verbose && state.equals(WAITER_POLL) && (type.equals("StateRetried") || type.equals("StateFailed"))) {
            return; // the Provider's waiter "fails" each isComplete poll until the reconcile ends
        }
        switch (type) {
            case "StateEntered" -> {
                if (verbose) {
                    line(label(execution), "→ " + state);
                } else if ("Wait".equals(event.path("stateType").asText()) && !"WaitForCommand".equals(state)) {
                    line(label(execution), state);
                }
            }
            case "StateExited" -> {
                if ("Task".equals(event.path("stateType").asText())) {
                    taskDone(execution, state, event.path("output"));
                }
            }
            case "StateRetried" -> line(label(execution), state + " retried (attempt "
                + event.path("attempt").asText() + ")");
            case "StateFailed" -> {
                if (ReportBuilder.NODE_STEP_STATE.equals(state) && "States.Timeout".equals(event.path("error").asText())) {
                    line(label(execution), state + ": no completion event in time, collecting by polling");
                } else if (!"Fail".equals(event.path("stateType").asText())) {
                    line(label(execution), state + " failed: " + event.path("error").asText() + ": "
                        + shortCause(event.path("cause").asText()));
                }
            }
            case "StateCaught" -> {
                if (!ReportBuilder.NODE_STEP_STATE.equals(state) || !"States.Timeout".equals(event.path("error").asText())) {
                    line(label(execution), state + " error caught: taking the failure path");
                }
            }
            default -> { }
        }
    }

    private void taskDone(Execution execution, String state, JsonNode output) {
        String label = label(execution);
        switch (state) {
            case "AcquireClusterLock" -> {
                JsonNode lock = output.path("lock");
                line(label, state + ": " + (lock.path("acquired").asBoolean()
                    ? "acquired (generation " + lock.path("generation").asText() + ")"
                    : "held by " + label(lock.path("holderExecutionArn").asText()) + ", coalesced into it"));
            }
            case "DescribeCluster" -> {
                JsonNode cluster = output.path("cluster");
                List<String> members = new ArrayList<>();
                cluster.path("members").forEach(m -> members.add(m.path("instanceId").asText() + " (node-id "
                    + m.path("nodeId").asText() + ", " + m.path("availabilityZone").asText() + ", "
                    + m.path("lifecycleState").asText() + ")"));
                List<String> departing = new ArrayList<>();
                cluster.path("departing").forEach(m -> departing.add(m.path("instanceId").asText() + " (node-id "
                    + m.path("nodeId").asText() + ")"));
                line(label, state + ": members " + String.join(", ", members)
                    + (departing.isEmpty() ? "" : "; departing " + String.join(", ", departing)));
            }
            case "CheckAgentsOnline" -> {
                JsonNode agents = output.path("agents");
                line(label, state + ": " + (agents.path("allOnline").asBoolean() ? "every SSM agent online"
                    : agents.path("proceed").asBoolean() ? "going on without unreachable " + agents.path("unreachable")
                    : "offline " + agents.path("offline") + " (attempt " + agents.path("attempt").asText() + ")"));
            }
            case "PlanNextStep" -> {
                JsonNode plan = output.path("plan");
                int targets = plan.path("targets").size();
                line(label, state + ": " + plan.path("step").asText() + (targets == 0 ? "" : " on " + targets
                    + (targets == 1 ? " node" : " nodes")) + " (" + plan.path("reason").asText() + ")");
            }
            case "RunNodeStep", "CollectCommandResults" -> commandResults(label, output);
            case "AbandonPendingLaunches" -> {
                JsonNode result = output.path("abandon");
                line(label, state + ": abandoned " + result.path("abandoned") + ", handed over "
                    + result.path("handedOver"));
            }
            case "StartFollowUpReconcile" -> line(label, state + ": " + output.path("followUp").path("executionName")
                .asText() + " after " + output.path("followUp").path("backoffSeconds").asInt() + " s");
            case "CompleteLifecycleActions" -> {
                JsonNode result = output.path("lifecycle");
                if (!result.isMissingNode()) {
                    line(label, state + ": continued " + result.path("continued") + ", released "
                        + result.path("released") + (result.path("skipped").isEmpty() ? ""
                            : ", no action " + result.path("skipped")));
                } else {
                    line(label, state + " done");
                }
            }
            case "AwaitDeparture" -> {
                JsonNode departure = output.path("departure");
                line(label, state + ": " + (departure.path("departed").asBoolean() ? "departing members gone"
                    : "still listed " + departure.path("remaining") + (departure.path("continued").isEmpty() ? ""
                        : ", continued " + departure.path("continued"))
                        + " (attempt " + departure.path("attempt").asText() + ")"));
            }
            case "ScanDataVolumes", "DescribeDataVolumes" -> line(label, state + ": " + output.path("dataVolumeScan").path("Volumes").size()
                + " volumes with the cluster tag");
            case "PlanDataVolumes" -> {
                JsonNode volumes = output.path("volumes");
                line(label, state + ": tag " + volumes.path("tag").findValuesAsText("Resources").size()
                    + ", delete " + volumes.path("delete").findValuesAsText("VolumeId") + ", kept "
                    + volumes.path("kept").findValuesAsText("volumeId")
                    + (volumes.path("kept").isEmpty() ? "" : " (" + volumes.path("kept").findValuesAsText("reason") + ")"));
            }
            case "PlanVolumeTags" -> line(label, state + ": tag " + output.path("volumeTags").path("tag")
                .findValuesAsText("Resources").size() + " member volumes");
            case "TagDataVolume", "DeleteDataVolume", "TagMemberVolume" -> { }
            case "ReleaseClusterLock" -> line(label, state + ": " + (output.path("release").path("rerun").asBoolean()
                ? "kept: a trigger was coalesced, reconciling again" : "released"));
            case "ReleaseClusterLockAfterFailure" -> line(label, state + ": released"
                + (output.path("release").path("followUp").asBoolean() ? ", a follow-up run is needed" : ""));
            case "RecordLifecycleHeartbeats", "HeartbeatWhileWaitingForAgents", "HeartbeatWhilePolling",
                "HeartbeatWhileWaitingForDeparture" ->
                line(label, state + ": heartbeat for " + output.path("heartbeat").path("instanceIds"));
            default -> line(label, state + " done");
        }
    }

    private void commandResults(String label, JsonNode output) {
        JsonNode collected = output.path("collected");
        String status = collected.path("status").asText();
        if ("Pending".equals(status)) {
            return;
        }
        String step = output.path("plan").path("step").asText();
        JsonNode failure = collected.path("failure");
        List<String> targets = new ArrayList<>();
        output.path("plan").path("targets").forEach(id -> targets.add(id.asText()));
        if (Step.ObserveNodes.name().equals(step) && "Succeeded".equals(status)) {
            List<String> states = new ArrayList<>();
            targets.forEach(id -> states.add(id + " " + observed(collected.path("observed").path(id))));
            line(label, step + " → " + String.join(", ", states));
            return;
        }
        for (String id : targets) {
            JsonNode result = collected.path("observed").path(id);
            String text;
            if (!failure.isMissingNode() && !failure.isNull() && failure.path("instanceIds").toString().contains(id)) {
                text = "FAILED" + (failure.path("instanceId").asText().equals(id)
                    ? " (exit " + failure.path("exitCode").asText() + "): " + shortCause(failure.path("stderrTail").asText())
                    : "");
            } else if (result.isMissingNode()) {
                text = "no result yet";
            } else {
                text = (result.path("ok").asBoolean(true) ? "ok" : "not ok")
                    + (result.path("changed").asBoolean(false) ? " (changed)" : " (unchanged)");
            }
            line(label, step + " → " + id + " " + text);
        }
    }

    /** A node's status result in a few words: its disk state, or how far it is from one. */
    private static String observed(JsonNode status) {
        if (status.isMissingNode()) {
            return "no result";
        }
        if (status.path("drbdVersion").isNull() || status.path("drbdVersion").isMissingNode()) {
            return "no DRBD";
        }
        if (!status.path("lvmReady").asBoolean(false)) {
            return "no LVM";
        }
        JsonNode resource = status.path("resource");
        if (resource.isMissingNode() || resource.isNull()) {
            return status.path("metadata").asBoolean(false) ? "down" : "no metadata";
        }
        long connected = 0;
        for (JsonNode peer : resource.path("peers")) {
            if ("Connected".equals(peer.path("connection").asText())) {
                connected++;
            }
        }
        return resource.path("diskState").asText() + " " + connected + "/" + resource.path("peers").size() + " connected";
    }

    private static String shortCause(String cause) {
        if (cause == null) {
            return "";
        }
        String text = cause.strip().replace('\n', ' ');
        return text.length() > 320 ? text.substring(0, 120) + " … " + text.substring(text.length() - 200) : text;
    }

    /** The execution name without its time and event id: launch-i-0abc…, readjust-1a2b3c4d, … */
    static String label(Execution execution) {
        return label(execution.name());
    }

    static String label(String nameOrArn) {
        String name = nameOrArn.substring(nameOrArn.lastIndexOf(':') + 1);
        return name.replaceFirst("-\\d{8}T\\d{6}Z", "");
    }

    private synchronized void line(String who, String message) {
        double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
        out.printf(Locale.ROOT, "%6.1fs [%s] %s%n", seconds, who, message);
        out.flush();
    }
}
