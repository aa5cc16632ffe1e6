package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.model.ClusterTags;
import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.nodes.NodeFaults;
import dev.drbdmultiaz.rehearsal.nodes.NodeSnapshot;
import dev.drbdmultiaz.rehearsal.support.Net;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The survivor that holds the only UpToDate copy fails while both replacements resync from it: no
 * member holds the data any more. Nothing may pretend otherwise (no initial sync skipped, no
 * replacement UpToDate) and the last copy, the failed survivor's data volume, is kept.
 */
final class DoubleFailureDuringResync implements Scenario {

    /** The replacements resync this much slower, so the survivor fails in the middle of it. */
    private static final double SLOW_RESYNC = 30;

    @Override
    public String name() {
        return "double-failure-during-resync";
    }

    @Override
    public String expectation() {
        return "two members replaced at once, and while both replacements resync from the survivor, the survivor's"
            + " instance fails: the run fails and says no replica holds UpToDate data, naming the member whose data"
            + " volume may hold the last copy; no initial sync is skipped, no replacement becomes UpToDate, and that"
            + " data volume is kept";
    }

    @Override
    public void act(RehearsalRun run) {
        int nodes = run.nodes();
        List<String> ids = Steps.launchCluster(run, nodes,
            launch -> launch >= nodes ? NodeFaults.none().withSlowFactor(SLOW_RESYNC) : NodeFaults.none());
        Steps.writeData(run, ids.get(0), 50);
        run.phase("replace-two");
        run.role("survivor", ids.get(0));
        List<String> replacements = List.of(run.terminate(ids.get(1)), run.terminate(ids.get(2)));
        run.role("replacement0", replacements.get(0));
        run.role("replacement1", replacements.get(1));
        Net.await(Duration.ofMinutes(3), "the replacements did not start their resync from the survivor",
            () -> replacements.stream().allMatch(id -> syncingFromSurvivor(run, id)));
        run.phase("survivor-fails");
        // No capacity: the group could not replace a failed instance anyway; nothing can join.
        run.setCapacityAvailable(false);
        run.crash(ids.get(0));
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
    }

    private static boolean syncingFromSurvivor(RehearsalRun run, String instanceId) {
        NodeSnapshot node = run.snapshot(instanceId);
        return node.up() && "Inconsistent".equals(node.disk()) && node.peers().stream()
            .anyMatch(p -> "Connected".equals(p.connection()) && "UpToDate".equals(p.peerDisk()));
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        String survivor = run.roles().get("survivor");
        List<Execution> failed = run.reconcileExecutions().stream()
            .filter(e -> Execution.FAILED.equals(e.status())).toList();
        if (failed.stream().noneMatch(e -> e.error().endsWith("AllReplicasInconsistentException")
            && e.cause().contains(survivor))) {
            problems.add("no run failed with AllReplicasInconsistentException naming " + survivor
                + ", whose data volume may hold the last copy: " + failed.stream()
                    .map(e -> e.name() + " " + e.error() + ": " + e.cause()).toList());
        }
        List<String> replacements = List.of(run.roles().get("replacement0"), run.roles().get("replacement1"));
        run.commands().stream().filter(c -> NodeDocument.SKIP_INITIAL_SYNC.baseName().equals(c.documentFile()))
            .filter(c -> c.targets().stream().anyMatch(replacements::contains))
            .forEach(c -> problems.add("an initial sync was skipped on " + c.targets()
                + ": the replacements would claim data they never received"));
        for (String role : List.of("replacement0", "replacement1")) {
            String id = run.roles().get(role);
            if (run.isOnline(id) && "UpToDate".equals(run.snapshot(id).disk())) {
                problems.add(role + " " + id + " is UpToDate although its only sync source failed mid-resync");
            }
        }
        if (run.clusterVolumes().stream().noneMatch(v -> survivor.equals(v.tags().get(ClusterTags.INSTANCE_ID)))) {
            problems.add("the data volume of " + survivor + ", the last copy of the data, is gone");
        }
        if (run.lockHolder() != null) {
            problems.add("the cluster lock is still held by " + run.lockHolder());
        }
        return problems;
    }
}
