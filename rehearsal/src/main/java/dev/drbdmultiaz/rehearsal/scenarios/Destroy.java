package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.model.ClusterTags;
import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.aws.CustomResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code cdk destroy} of a stack with drbd:removalPolicy destroy. The group goes first and its
 * instances shut down after it, so the removal starts while their data volumes are still attached.
 * An operator has one of the cluster's volumes attached to a host of their own: the first deletion
 * fails naming it and deletes nothing; once it is detached, deleting again removes every cluster
 * volume and nothing else.
 */
final class Destroy implements Scenario {

    @Override
    public String name() {
        return "destroy";
    }

    @Override
    public String expectation() {
        return "cdk destroy with drbd:removalPolicy destroy: the group goes first, its instances shut down after it;"
            + " while an operator's host has a volume of the cluster attached, the removal deletes nothing and the"
            + " deletion fails naming that volume; once it is detached, deleting the stack again deletes every data"
            + " volume of the cluster, and no volume without the cluster's tag";
    }

    @Override
    public Map<String, Object> settings() {
        return Map.of("drbd:removalPolicy", "destroy");
    }

    @Override
    public double minimumTimeScale() {
        return Steps.DEPLOY_MINIMUM_TIME_SCALE;
    }

    @Override
    public void act(RehearsalRun run) {
        List<String> ids = Steps.deployCluster(run);
        Steps.writeData(run, ids.get(0), 20);

        run.phase("operator-volumes");
        Map.Entry<String, String> host = run.runStrayInstance();
        String clusterId = run.stack().clusterId();
        String attached = run.createVolume(host.getValue(), Map.of(ClusterTags.CLUSTER, clusterId));
        run.attachVolume(attached, host.getKey());
        run.role("operator-host", host.getKey());
        run.note("operator-attached", attached);
        run.note("foreign", run.createVolume(host.getValue(), Map.of(ClusterTags.CLUSTER, "another-cluster")));
        run.note("untagged", run.createVolume(host.getValue(), Map.of("team", "storage")));

        run.phase("destroy");
        run.deleteDeployResource();
        run.deleteGroup();
        run.note("attached-at-removal", Long.toString(run.clusterVolumes().stream()
            .filter(v -> v.attachedTo() != null && !v.attachedTo().equals(host.getKey())).count()));
        run.deleteRemovalResource();
        run.note("after-failed-removal", String.join(",", run.clusterVolumes().stream()
            .filter(v -> v.tags().containsKey(ClusterTags.NODE_ID)).map(RehearsalRun.ClusterVolume::volumeId).toList()));

        run.phase("destroy-again");
        run.detachVolume(attached, host.getKey());
        run.deleteRemovalResource();
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        List<CustomResources.Outcome> removals = run.removalOutcomes();
        List<String> shape = removals.stream().map(o -> o.requestType() + " " + o.status()).toList();
        if (!shape.equals(List.of("Create SUCCESS", "Delete FAILED", "Delete SUCCESS"))) {
            problems.add("the removal resource should answer Create SUCCESS, Delete FAILED (a volume attached to the"
                + " operator's host), Delete SUCCESS; got " + shape);
            return problems;
        }
        String attached = run.notes().get("operator-attached");
        String reason = removals.get(1).reason();
        if (!reason.contains("DataVolumesStillAttached") || !reason.contains(attached)) {
            problems.add("the failed deletion should say DataVolumesStillAttached and name " + attached + ": " + reason);
        }
        if ("0".equals(run.notes().get("attached-at-removal"))) {
            problems.add("every member volume was detached already when the removal started: the order in which EC2"
                + " detaches them after the group is gone was not exercised");
        }
        List<String> keptAfterFailure = List.of(run.notes().get("after-failed-removal").split(",")).stream()
            .filter(id -> !id.isEmpty()).toList();
        if (keptAfterFailure.size() < run.nodes()) {
            problems.add("the failed removal deleted member data volumes while " + attached + " was attached; left: "
                + keptAfterFailure);
        }
        if (!run.clusterVolumes().isEmpty()) {
            problems.add("volumes of the cluster are left after the stack deletion: " + run.clusterVolumes());
        }
        for (String kept : List.of("foreign", "untagged")) {
            if (!run.volumeExists(run.notes().get(kept))) {
                problems.add("the " + kept + " volume " + run.notes().get(kept) + " was deleted: it is not the cluster's");
            }
        }
        return problems;
    }
}
