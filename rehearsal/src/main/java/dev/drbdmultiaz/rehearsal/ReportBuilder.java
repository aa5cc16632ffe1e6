package dev.drbdmultiaz.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.nodes.CommandRecord;
import dev.drbdmultiaz.rehearsal.nodes.NodeFleet;
import dev.drbdmultiaz.rehearsal.nodes.NodeSnapshot;
import dev.drbdmultiaz.rehearsal.nodes.SimulatedNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the {@link RehearsalReport} of a run so far: what every execution did (read from its
 * history events), what every phase cost, the lifecycle actions, the deploys, and the final
 * cluster table.
 */
final class ReportBuilder {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATUS_DOCUMENT = NodeDocument.STATUS.baseName();
    /** The state that sends a node step's command: one round each time it is entered. */
    static final String NODE_STEP_STATE = "RunNodeStep";

    /** Where a phase starts: the counts of what happened before it. */
    record PhaseMark(String name, int executions, int commands, int completions, int heartbeats) {
    }

    private final EmulatedAccount account;
    private final Instant started;

    ReportBuilder(EmulatedAccount account, Instant started) {
        this.account = account;
        this.started = started;
    }

    /** The mark of a phase that starts now. */
    PhaseMark mark(String name, List<Execution> executions) {
        LifecycleModel lifecycle = account.lifecycle();
        return new PhaseMark(name, executions.size(), account.ssm().commands().size(), lifecycle.completions().size(),
            lifecycle.heartbeats());
    }

    RehearsalReport build(String scenario, String result, String expectation, String failure, boolean keepSandbox,
        List<Execution> executions, List<PhaseMark> marks, String lockHolder, List<RehearsalReport.Deploy> deploys) {
        LifecycleModel lifecycle = account.lifecycle();
        List<CommandRecord> commands = account.ssm().commands();
        List<LifecycleModel.Completion> completions = lifecycle.completions();
        List<RehearsalReport.ExecutionReport> executionReports = executions.stream().map(this::executionReport).toList();
        List<RehearsalReport.Phase> phaseReports = new ArrayList<>();
        for (int i = 0; i < marks.size(); i++) {
            PhaseMark mark = marks.get(i);
            PhaseMark next = i + 1 < marks.size() ? marks.get(i + 1) : null;
            List<Execution> inPhase = executions.subList(mark.executions(), next == null ? executions.size() : next.executions());
            List<CommandRecord> phaseCommands = commands.subList(mark.commands(), next == null ? commands.size() : next.commands());
            List<LifecycleModel.Completion> phaseCompletions = completions.subList(mark.completions(),
                next == null ? completions.size() : next.completions());
            int heartbeats = (next == null ? lifecycle.heartbeats() : next.heartbeats()) - mark.heartbeats();
            phaseReports.add(new RehearsalReport.Phase(mark.name(), inPhase.stream().map(Execution::name).toList(),
                inPhase.stream().mapToInt(Execution::stateTransitions).sum(), phaseCommands.size(),
                invocations(phaseCommands, false), invocations(phaseCommands, true),
                lifecycleReport(phaseCompletions, heartbeats, List.of()), nodeSideSeconds(phaseCommands),
                overheadSeconds(inPhase, phaseCommands)));
        }
        Instant end = executions.stream().map(Execution::stopDate).filter(Objects::nonNull)
            .max(Instant::compareTo).orElse(Instant.now());
        return new RehearsalReport(scenario, account.options().nodes(), result, expectation, failure, executionReports,
            executions.stream().mapToInt(Execution::stateTransitions).sum(), invocations(commands, false),
            invocations(commands, true), commands.size(),
            lifecycleReport(completions, lifecycle.heartbeats(),
                lifecycle.pendingActions().stream().map(LifecycleModel.Instance::instanceId).toList()),
            lockHolder, phaseReports, clusterTable(executions), deploys,
            Duration.between(started, end).toMillis() / 1000.0, nodeSideSeconds(commands),
            overheadSeconds(executions, commands), largestStateBytes(executions),
            keepSandbox ? account.sandbox().toString() : null);
    }

    /** The largest execution input or state output of {@code executions}, in UTF-8 bytes. */
    private static int largestStateBytes(List<Execution> executions) {
        int largest = 0;
        for (Execution execution : executions) {
            for (JsonNode event : execution.events()) {
                JsonNode document = event.has("output") ? event.get("output") : event.get("input");
                if (document != null && !document.isNull()) {
                    String text = document.isTextual() ? document.asText() : document.toString();
                    largest = Math.max(largest, text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
                }
            }
        }
        return largest;
    }

    /**
     * Node-side time of {@code commands}: per command, the longest script run time among its
     * targets (what the workflow must wait for at least), summed.
     */
    private static double nodeSideSeconds(List<CommandRecord> commands) {
        long millis = commands.stream()
            .mapToLong(c -> c.results().values().stream().mapToLong(r -> r.duration().toMillis()).max().orElse(0))
            .sum();
        return millis / 1000.0;
    }

    /**
     * Orchestration overhead: the wall times of the SUCCEEDED {@code executions}, summed, minus the
     * node-side time of {@code commands} (see {@link RehearsalReport}).
     */
    private static double overheadSeconds(List<Execution> executions, List<CommandRecord> commands) {
        long wallMillis = executions.stream().filter(e -> "SUCCEEDED".equals(e.status()))
            .mapToLong(e -> e.duration().toMillis()).sum();
        return (wallMillis - Math.round(nodeSideSeconds(commands) * 1000)) / 1000.0;
    }

    private static int invocations(List<CommandRecord> commands, boolean mutatingOnly) {
        return commands.stream().filter(c -> !mutatingOnly || c.mutating()).mapToInt(c -> c.targets().size()).sum();
    }

    private static RehearsalReport.Lifecycle lifecycleReport(List<LifecycleModel.Completion> completions,
        int heartbeats, List<String> pending) {
        return new RehearsalReport.Lifecycle(
            (int) completions.stream().filter(c -> LifecycleModel.CONTINUE.equals(c.result())).count(),
            (int) completions.stream().filter(c -> LifecycleModel.ABANDON.equals(c.result())).count(),
            heartbeats, pending,
            completions.stream().map(c -> new RehearsalReport.Action(c.instanceId(), c.transition(), c.result())).toList());
    }

    private RehearsalReport.ExecutionReport executionReport(Execution execution) {
        int rounds = 0;
        int invocations = 0;
        int mutating = 0;
        int describes = 0;
        boolean acquired = false;
        JsonNode lastPlan = null;
        for (JsonNode event : execution.events()) {
            String state = event.path("state").asText();
            if ("StateEntered".equals(event.path("type").asText()) && NODE_STEP_STATE.equals(state)
                && lastPlan != null) {
                // One SendCommand per node step (DRBD's 32 nodes stay under SendCommand's 50 targets).
                int targets = lastPlan.path("targets").size();
                rounds++;
                invocations += targets;
                if (!STATUS_DOCUMENT.equals(account.documentFile(lastPlan.path("documentName").asText()))) {
                    mutating += targets;
                }
                continue;
            }
            if (!"StateExited".equals(event.path("type").asText())) {
                continue;
            }
            JsonNode output = event.path("output");
            switch (state) {
                case "AcquireClusterLock" -> acquired = output.path("lock").path("acquired").asBoolean();
                case "DescribeCluster" -> describes++;
                case "PlanNextStep" -> lastPlan = output.path("plan");
                default -> { }
            }
        }
        return new RehearsalReport.ExecutionReport(execution.name(), execution.status(), execution.error(),
            execution.cause(), acquired, execution.stateTransitions(), rounds, invocations, mutating, describes,
            Duration.between(started, execution.startDate()).toMillis() / 1000.0,
            execution.duration().toMillis() / 1000.0);
    }

    /**
     * The final cluster table: from the last successful execution's report (what an operator
     * reads), for every node the fleet still runs; a node the report does not list (a failed run)
     * shows what the node itself holds.
     */
    private List<RehearsalReport.ClusterRow> clusterTable(List<Execution> inStartOrder) {
        Map<String, JsonNode> reported = new LinkedHashMap<>();
        List<Execution> executions = new ArrayList<>(inStartOrder);
        Collections.reverse(executions);
        for (Execution execution : executions) {
            if (Execution.SUCCEEDED.equals(execution.status()) && execution.output() != null) {
                try {
                    JsonNode report = JSON.readTree(execution.output());
                    if (report.has("nodes")) {
                        report.path("nodes").forEach(n -> reported.put(n.path("instanceId").asText(), n));
                        break;
                    }
                } catch (IOException ignored) {
                    // not a report: keep looking
                }
            }
        }
        NodeFleet fleet = account.fleet();
        List<RehearsalReport.ClusterRow> rows = new ArrayList<>();
        for (SimulatedNode node : fleet.nodes()) {
            if (!fleet.isOnline(node.instanceId())) {
                continue;
            }
            NodeSnapshot snapshot = fleet.snapshot(node.instanceId());
            JsonNode row = reported.get(node.instanceId());
            List<String> peers = new ArrayList<>();
            snapshot.peers().forEach(p -> peers.add(p.name() + ":" + p.connection() + "/" + p.peerDisk()
                + (p.syncPercent() < 100 ? String.format(Locale.ROOT, " %.0f%%", p.syncPercent()) : "")));
            rows.add(new RehearsalReport.ClusterRow(node.instanceId(), node.hostname(),
                account.lifecycle().find(node.instanceId()).map(LifecycleModel.Instance::availabilityZone)
                    .orElse(node.availabilityZone()),
                row == null ? null : row.path("nodeId").asInt(), snapshot.role(), snapshot.disk(), peers));
        }
        return rows;
    }
}
