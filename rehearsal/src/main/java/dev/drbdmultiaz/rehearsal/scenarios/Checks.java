package dev.drbdmultiaz.rehearsal.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.model.ClusterTags;
import dev.drbdmultiaz.model.DataVolume;
import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.nodes.NodeFleet;
import dev.drbdmultiaz.rehearsal.nodes.NodeSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Checks several scenarios share; each returns what did not end as designed (empty: fine). */
final class Checks {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DATA_DEVICE = DataVolume.DEVICE_NAME;

    private Checks() {
    }

    /**
     * CloudFormation's requests to the deploy trigger, as "RequestType status" in order, are
     * {@code expected}; {@code why} is what the scenario knows about its deploys (their answers).
     */
    static List<String> deployRequests(RehearsalRun run, List<String> expected, String why) {
        List<String> shape = run.report().deploys().stream().map(d -> d.requestType() + " " + d.status()).toList();
        return shape.equals(expected) ? List.of() : List.of("CloudFormation's requests should be "
            + String.join(", ", expected) + "; got " + String.join(", ", shape) + "; " + why);
    }

    /**
     * Every execution succeeded (but the one a failure scenario expects), no action pending or
     * timed out, the lock free, every disk UpToDate and every peer Connected.
     */
    static List<String> converged(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        boolean failureExpected = run.roles().keySet().stream().anyMatch(r -> r.startsWith("faulty"));
        run.reconcileExecutions().stream().filter(e -> !Execution.SUCCEEDED.equals(e.status()) && !failureExpected)
            .forEach(e -> problems.add("execution " + e.name() + " " + e.status() + ": " + e.error() + ": " + e.cause()));
        problems.addAll(convergedCluster(run));
        return problems;
    }

    /** No action pending or timed out, the lock free, every disk UpToDate and every peer Connected. */
    static List<String> convergedCluster(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        run.pendingLifecycleActions().forEach(i -> problems.add("lifecycle action of " + i.instanceId()
            + " still pending (" + i.state().api() + ")"));
        Set<String> faulty = run.roles().entrySet().stream().filter(e -> e.getKey().startsWith("faulty"))
            .map(Map.Entry::getValue).collect(Collectors.toSet());
        run.completions().stream().filter(c -> LifecycleModel.ABANDON.equals(c.result())
                && !faulty.contains(c.instanceId()))
            .forEach(c -> problems.add(c.transition() + " action of " + c.instanceId() + " ABANDONed"));
        new java.util.TreeMap<>(run.diskAtLaunchContinue()).forEach((instanceId, disk) -> {
            if (!"UpToDate".equals(disk)) {
                problems.add("the launch of " + instanceId + " was CONTINUEd while its disk was " + disk
                    + ": the group put it in service before it held the data");
            }
        });
        run.completions().stream().filter(c -> c.cause() != LifecycleModel.Cause.COMPLETED)
            .forEach(c -> problems.add(c.transition() + " action of " + c.instanceId() + " ended by "
                + c.cause() + " (" + c.result() + "): nobody completed it in time (I4)"));
        if (run.lockHolder() != null) {
            problems.add("the cluster lock is still held by " + run.lockHolder());
        }
        if (!run.awaitInSync(Steps.SYNC_TIMEOUT)) {
            run.instances().stream().filter(run::isOnline).map(run::snapshot)
                .forEach(s -> problems.add(s.instanceId() + " is " + s.disk() + " with peers " + s.peers()));
        }
        problems.addAll(run.asyncFailures());
        problems.addAll(dataVolumes(run));
        return problems;
    }

    /**
     * After the last converged run (issue 15, "no copy is destroyed while it may be needed"): every
     * member's data volume carries its owner tags, and every detached data volume is either gone or
     * listed as kept in that run's report (with a reason); none is left behind unaccounted for.
     */
    static List<String> dataVolumes(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        // The report of the run that ended last (a run coalesced into another ends without one).
        JsonNode report = run.reconcileExecutions().stream()
            .filter(e -> Execution.SUCCEEDED.equals(e.status()) && e.output() != null && e.stopDate() != null)
            .sorted(java.util.Comparator.comparing(Execution::stopDate))
            .map(e -> readJson(e.output())).filter(r -> r.has("conditions"))
            .reduce((first, second) -> second).orElse(null);
        if (report == null) {
            problems.add("no reconcile succeeded with a report, so no run looked at the data volumes");
            return problems;
        }
        Map<String, Integer> nodeIds = new java.util.TreeMap<>();
        report.path("nodes").forEach(n -> nodeIds.put(n.path("instanceId").asText(), n.path("nodeId").asInt()));
        Set<String> kept = new java.util.TreeSet<>();
        report.path("dataVolumes").path("kept").forEach(k -> kept.add(k.path("volumeId").asText()));
        if (report.path("dataVolumes").isMissingNode()) {
            problems.add("the last report has no dataVolumes: " + conditionMessage(report, "DataVolumesCleared"));
        }
        for (RehearsalRun.ClusterVolume volume : run.clusterVolumes()) {
            if (volume.attachedTo() != null && DATA_DEVICE.equals(volume.device()) && nodeIds.containsKey(volume.attachedTo())) {
                String owner = volume.tags().get(ClusterTags.INSTANCE_ID);
                String nodeId = volume.tags().get(ClusterTags.NODE_ID);
                if (!volume.attachedTo().equals(owner) || !String.valueOf(nodeIds.get(volume.attachedTo())).equals(nodeId)) {
                    problems.add("data volume " + volume.volumeId() + " of member " + volume.attachedTo() + " (node-id "
                        + nodeIds.get(volume.attachedTo()) + ") carries owner tags " + owner + "/" + nodeId);
                }
            } else if ("available".equals(volume.state()) && !kept.contains(volume.volumeId())) {
                problems.add("detached data volume " + volume.volumeId() + " of " + volume.tags().get(ClusterTags.INSTANCE_ID)
                    + " is neither deleted nor reported as kept");
            }
        }
        return problems;
    }

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("an execution output is no JSON: " + text, e);
        }
    }

    private static String conditionMessage(JsonNode report, String type) {
        for (JsonNode condition : report.path("conditions")) {
            if (type.equals(condition.path("type").asText())) {
                return condition.path("message").asText();
            }
        }
        return "no condition " + type;
    }

    /** Every node of {@code roles} holds, UpToDate, exactly what the application wrote. */
    static List<String> dataIntact(RehearsalRun run, List<String> roles) {
        List<String> problems = new ArrayList<>();
        String written = run.notes().get("written");
        if (written == null) {
            problems.add("no write was acknowledged, so nothing can be compared");
            return problems;
        }
        for (String role : roles) {
            NodeSnapshot node = run.snapshot(run.roles().get(role));
            String held = node.data() == null ? null : node.data().checksum();
            if (!written.equals(held) || !"UpToDate".equals(node.disk())) {
                problems.add(role + " " + node.instanceId() + " holds checksum " + held + " (" + node.disk()
                    + "), the application wrote " + written);
            }
        }
        return problems;
    }

    /** The instance of {@code role} still runs: its terminate action was not completed. */
    static List<String> replacedGone(RehearsalRun run, String role) {
        String replaced = run.roles().get(role);
        List<String> problems = new ArrayList<>();
        if (run.isOnline(replaced)) {
            problems.add("the " + role + " instance still runs: its terminate action was not completed");
        }
        // Forgotten by every survivor and every member UpToDate: its data volume is of no more use.
        run.clusterVolumes().stream().filter(v -> replaced.equals(v.tags().get(ClusterTags.INSTANCE_ID)))
            .forEach(v -> problems.add("the data volume " + v.volumeId() + " of the " + role + " instance " + replaced
                + " is still there (" + v.state() + ") after the cluster converged without it"));
        return problems;
    }

    /**
     * Exactly one execution failed, in {@code step}, naming the faulty node, whose launch alone was
     * ABANDONed; the group replaced it and the cluster converged without it (a follow-up run took
     * over what the failed run handed on).
     */
    static List<String> failedThenReplaced(RehearsalRun run, String step) {
        List<String> problems = new ArrayList<>();
        String faulty = run.roles().get("faulty");
        List<Execution> failed = run.reconcileExecutions().stream()
            .filter(e -> Execution.FAILED.equals(e.status())).toList();
        if (failed.size() != 1) {
            problems.add(failed.size() + " executions failed, expected exactly the one holding the lock");
        } else if (failed.get(0).cause() == null || !failed.get(0).cause().contains(faulty)
            || !failed.get(0).cause().contains(step)) {
            problems.add("the failed execution's cause does not name " + step + " and " + faulty + ": "
                + failed.get(0).cause());
        }
        List<LifecycleModel.Completion> abandoned = run.completions().stream()
            .filter(c -> LifecycleModel.ABANDON.equals(c.result())).toList();
        if (abandoned.size() != 1 || !abandoned.get(0).instanceId().equals(faulty)) {
            problems.add("expected only " + faulty + "'s launch ABANDONed, got " + abandoned);
        }
        if (run.isOnline(faulty)) {
            problems.add("the abandoned instance " + faulty + " still runs: its terminate action was not completed");
        }
        List<Execution> all = run.reconcileExecutions();
        if (failed.size() == 1 && all.stream().noneMatch(e -> e.startDate().isAfter(failed.get(0).startDate())
            && Execution.SUCCEEDED.equals(e.status()) && e.name().startsWith("followup-"))) {
            problems.add("no follow-up run succeeded after the failure");
        }
        problems.addAll(converged(run));
        return problems;
    }

    /**
     * Every block the application got acknowledged (note {@code acknowledged}: block=content pairs), with
     * that content, is on every member; {@code expected} blocks were acknowledged.
     */
    static List<String> acknowledgedOnEveryMember(RehearsalRun run, int expected) {
        List<String> problems = new ArrayList<>();
        Map<Integer, String> acknowledged = new TreeMap<>();
        for (String pair : run.notes().get("acknowledged").split(",")) {
            if (!pair.isEmpty()) {
                acknowledged.put(Integer.parseInt(pair.substring(0, pair.indexOf('='))), pair.substring(pair.indexOf('=') + 1));
            }
        }
        if (acknowledged.size() != expected) {
            problems.add("the application got " + acknowledged.size() + " of its " + expected + " block writes acknowledged");
        }
        List<String> members = run.members();
        for (NodeFleet.DeviceView view : run.deviceViews()) {
            if (!members.contains(view.instanceId())) {
                continue;
            }
            long missing = acknowledged.entrySet().stream()
                .filter(e -> !e.getValue().equals(view.blocks().get(e.getKey()))).count();
            if (missing > 0) {
                problems.add(view.instanceId() + " (" + view.disk() + ") lacks " + missing + " of the "
                    + acknowledged.size() + " acknowledged blocks");
            }
        }
        return problems;
    }

    /** After {@link Steps#writeAndProtectPrimary}: the write made {@code primary} Primary and only it is protected. */
    static List<String> primaryProtected(RehearsalRun run, String primary) {
        List<String> problems = new ArrayList<>();
        if (!run.notes().get("first-write").startsWith("true Primary")) {
            problems.add("the application's first write on " + primary + " should make it Primary: "
                + run.notes().get("first-write"));
        }
        if (!primary.equals(run.notes().get("protected-before"))) {
            problems.add("after a run, exactly the Primary " + primary + " should be protected from scale-in; protected: "
                + run.notes().get("protected-before"));
        }
        return problems;
    }
}
