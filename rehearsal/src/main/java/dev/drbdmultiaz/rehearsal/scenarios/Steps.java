package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.nodes.NodeFaults;
import dev.drbdmultiaz.rehearsal.nodes.NodeFleet;
import dev.drbdmultiaz.rehearsal.support.Net;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Steps several scenarios take, written against the {@link RehearsalRun} facade. */
final class Steps {

    /** How long a scenario waits for the executions it caused. */
    static final Duration EXECUTION_TIMEOUT = Duration.ofMinutes(5);
    /** How long a scenario waits for a resync after the executions ended. */
    static final Duration SYNC_TIMEOUT = Duration.ofSeconds(90);

    /**
     * The smallest time scale of a scenario that deploys: below it even a healthy reconcile outlasts
     * the compressed deploy (CloudFormation's hour, while a reconcile takes a minute of real time here).
     */
    static final double DEPLOY_MINIMUM_TIME_SCALE = 0.05;

    private Steps() {
    }

    /**
     * {@code cdk deploy} of a new stack: the group launches the cluster's instances (named node0..),
     * then CloudFormation creates the deploy trigger and waits for its answer; waits for every execution.
     */
    static List<String> deployCluster(RehearsalRun run) {
        run.phase("deploy");
        List<String> ids = run.launchGroup(run.nodes(), null);
        nameNodes(run, ids);
        run.createDeployResource();
        run.awaitExecutions(EXECUTION_TIMEOUT);
        return ids;
    }

    /**
     * The group launches {@code nodes} instances; each launch action's EventBridge event reaches
     * TriggerReconcile as the instance enters Pending:Wait (sent by the rehearsal's Auto Scaling).
     * Names them node0.. (and "faulty" for one with faults); waits for every execution (and, without
     * faults, for the resync).
     */
    static List<String> launchCluster(RehearsalRun run, int nodes, IntFunction<NodeFaults> faults) {
        run.phase("launch");
        List<String> ids = run.launchGroup(nodes, faults);
        nameNodes(run, ids);
        if (faults != null) {
            for (int i = 0; i < ids.size(); i++) {
                if (!NodeFaults.none().equals(faults.apply(i))) {
                    run.role("faulty", ids.get(i));
                }
            }
        }
        run.awaitExecutions(EXECUTION_TIMEOUT);
        if (faults == null) {
            run.awaitInSync(SYNC_TIMEOUT);
        }
        return ids;
    }

    /** Names the instances node0, node1, .. in launch order. */
    static void nameNodes(RehearsalRun run, List<String> ids) {
        for (int i = 0; i < ids.size(); i++) {
            run.role("node" + i, ids.get(i));
        }
    }

    /** Waits until the group launched an instance after {@code replaced} left it; returns its id. */
    static String awaitReplacementOf(RehearsalRun run, String replaced) {
        Set<String> before = run.lifecycleStates().stream().map(LifecycleModel.Instance::instanceId)
            .collect(Collectors.toSet());
        Supplier<Optional<String>> added = () -> run.lifecycleStates().stream()
            .map(LifecycleModel.Instance::instanceId).filter(id -> !before.contains(id)).findFirst();
        Net.await(EXECUTION_TIMEOUT, "the group launched no replacement of " + replaced, () -> added.get().isPresent());
        return added.get().orElseThrow();
    }

    /** Sleeps {@code aws} of AWS time, compressed. */
    static void sleep(RehearsalRun run, Duration aws) {
        Net.sleep(run.time().scaled(aws).toMillis());
    }

    /**
     * The application on {@code instanceId} writes the first {@code percent} of the device; the
     * checksum it wrote is noted ("written"), a failed write as "write-failed".
     */
    static void writeData(RehearsalRun run, String instanceId, double percent) {
        run.phase("write");
        NodeFleet.WriteResult written = run.write(instanceId, percent);
        if (written.ok()) {
            run.note("written", written.checksum());
            run.log(String.format("the application on %s wrote %.0f%% of the device (%d KiB, checksum %s),"
                + " replicated to node-ids %s", instanceId, percent, written.writtenKiB(), written.checksum(),
                written.replicatedTo()));
        } else {
            run.note("write-failed", written.error());
            run.log("the application's write on " + instanceId + " failed: " + written.error());
        }
    }

    /**
     * The application on {@code instanceId} writes {@code count} blocks from {@code first}: note
     * {@code <note>} says whether it worked, the role and the error; the blocks it got acknowledged are
     * added to note {@code acknowledged} (block=content pairs, read by
     * {@link Checks#acknowledgedOnEveryMember}).
     */
    static NodeFleet.AppWrite appWrite(RehearsalRun run, String note, String instanceId, int first, int count) {
        NodeFleet.AppWrite write = run.appWrite(instanceId, first, count);
        run.note(note, write.ok() + " " + write.role() + " " + write.error());
        String blocks = String.join(",", new java.util.TreeMap<>(write.acknowledged()).entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue()).toList());
        String before = run.notes().get("acknowledged");
        run.note("acknowledged", before == null || before.isEmpty() ? blocks : before + "," + blocks);
        return write;
    }

    /** The application's first write makes {@code primary} Primary; a re-adjust run then protects it (note {@code protected-before}). */
    static void writeAndProtectPrimary(RehearsalRun run, String primary, int blocks) {
        appWrite(run, "first-write", primary, 0, blocks);
        run.publishReadjust();
        run.awaitExecutions(EXECUTION_TIMEOUT);
        run.note("protected-before", String.join(",", run.scaleInProtected()));
    }
}
