package dev.drbdmultiaz.functions.reconcile.report;

import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.Collected;
import dev.drbdmultiaz.functions.reconcile.state.DepartingMember;
import dev.drbdmultiaz.functions.reconcile.state.LifecyclePlan;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.functions.reconcile.state.PeerStatus;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.functions.reconcile.state.Trigger;
import dev.drbdmultiaz.functions.reconcile.volumes.DataVolumes;
import dev.drbdmultiaz.model.Step;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** ReportClusterStatus: builds the cluster status from the state document. Pure. */
public final class ClusterReporter {

    /** The condition that says whether a rolling update is under way and what it waits for. */
    public static final String LAUNCH_TEMPLATE_CURRENT = "LaunchTemplateCurrent";

    private ClusterReporter() {
    }

    public static ClusterReport report(ReconcileState state, Instant now) {
        ClusterSnapshot cluster = state.cluster();
        if (cluster == null) {
            throw new InvalidStateDocumentException("ReportClusterStatus needs $.cluster, but the state has none");
        }
        Collected collected = state.collectedOrEmpty();
        List<ClusterReport.NodeReport> nodes = new ArrayList<>();
        for (Member member : cluster.members()) {
            NodeStatus status = collected.observed().get(member.instanceId());
            List<ClusterReport.ConnectionReport> connections = new ArrayList<>();
            Double syncPercent = null;
            String role = null;
            String disk = null;
            if (status != null && status.resource() != null) {
                role = status.resource().role();
                disk = status.resource().diskState();
                for (PeerStatus peer : status.resource().peers()) {
                    connections.add(new ClusterReport.ConnectionReport(peer.name(), peer.nodeId(), peer.connection(),
                        peer.peerDiskState(), peer.syncPercent()));
                    if (peer.syncPercent() != null) {
                        syncPercent = syncPercent == null ? peer.syncPercent() : Math.min(syncPercent, peer.syncPercent());
                    }
                }
            }
            nodes.add(new ClusterReport.NodeReport(member.instanceId(), member.availabilityZone(), member.nodeId(),
                status != null && status.hostname() != null ? status.hostname() : member.hostname(),
                status != null && status.address() != null ? status.address() : member.address(),
                role, disk, syncPercent, connections));
        }
        Set<String> released = state.plan() == null || state.plan().lifecycle() == null ? Set.of()
            : state.plan().lifecycle().release().stream().map(DepartingMember::instanceId).collect(Collectors.toSet());
        List<ClusterReport.DepartedReport> departed = cluster.departing().stream()
            .map(d -> new ClusterReport.DepartedReport(d.instanceId(), d.nodeId(), released.contains(d.instanceId())))
            .toList();
        return new ClusterReport(cluster.groupName(),
            state.trigger() == null ? new Trigger("manual", null) : state.trigger(),
            now.toString(), collected.run().rounds(), collected.run().mutatingRounds(), nodes, departed,
            state.volumes(), conditions(state, nodes, departed));
    }

    private static List<ClusterReport.Condition> conditions(ReconcileState state, List<ClusterReport.NodeReport> nodes,
        List<ClusterReport.DepartedReport> departed) {
        List<ClusterReport.Condition> conditions = new ArrayList<>();
        boolean converged = state.plan() != null && Step.Converged.name().equals(state.plan().step());
        conditions.add(new ClusterReport.Condition("Converged", converged ? "True" : "False",
            converged ? "AllStepsDone" : "NotConverged",
            state.plan() == null ? "No step was planned" : state.plan().reason()));
        List<String> notUpToDate = nodes.stream().filter(n -> !"UpToDate".equals(n.disk()))
            .map(n -> n.instanceId() + " " + (n.disk() == null ? "down" : n.disk())
                + (n.syncPercent() == null ? "" : String.format(" %.1f%%", n.syncPercent())))
            .toList();
        conditions.add(new ClusterReport.Condition("Synced", notUpToDate.isEmpty() ? "True" : "False",
            notUpToDate.isEmpty() ? "AllUpToDate" : "Resyncing",
            notUpToDate.isEmpty() ? "Every replica is UpToDate" : "Not UpToDate yet: " + String.join(", ", notUpToDate)));
        LifecyclePlan lifecycle = state.plan() == null ? null : state.plan().lifecycle();
        List<String> unreachable = lifecycle == null ? List.of() : lifecycle.unreachable();
        String held = lifecycle == null ? null : lifecycle.evictionHeld();
        conditions.add(new ClusterReport.Condition("Reachable", unreachable.isEmpty() ? "True" : "False",
            unreachable.isEmpty() ? "AllAgentsOnline" : held == null ? "AgentsOffline" : "EvictionHeld",
            unreachable.isEmpty() ? "Every member's SSM agent answers"
                : "Unreachable (SSM agent offline; kept in the config, no command sent): " + unreachable
                    + (held == null ? "; replaced once unreachable for drbd:evictAfterMinutes" : "; " + held)));
        List<String> kept = departed.stream().filter(d -> !d.released()).map(ClusterReport.DepartedReport::instanceId)
            .toList();
        conditions.add(new ClusterReport.Condition("DepartedForgotten", kept.isEmpty() ? "True" : "False",
            kept.isEmpty() ? "NoneLeft" : "KeptForSafety",
            kept.isEmpty() ? "No departed member holds a node-id"
                : "Departed members still hold their node-ids: " + kept));
        conditions.add(dataVolumesCleared(state));
        conditions.add(launchTemplateCurrent(state.cluster(), nodes));
        return conditions;
    }

    /**
     * Whether every member runs the group's launch template version; if not, a rolling update (the
     * group's instance refresh) is replacing them, and an outdated Primary is what it waits for: it
     * stays protected from scale-in while Primary, and only the operator may demote it.
     */
    private static ClusterReport.Condition launchTemplateCurrent(ClusterSnapshot cluster,
        List<ClusterReport.NodeReport> nodes) {
        String version = cluster.launchTemplateVersion();
        if (cluster.outdated().isEmpty()) {
            return new ClusterReport.Condition(LAUNCH_TEMPLATE_CURRENT, "True", "AllCurrent",
                version == null ? "The group names no launch template version"
                    : "Every member runs launch template version " + version);
        }
        List<String> primaries = nodes.stream()
            .filter(n -> cluster.outdated().contains(n.instanceId()) && "Primary".equals(n.role()))
            .map(n -> n.instanceId() + " (node-id " + n.nodeId() + ")").toList();
        if (!primaries.isEmpty() && primaries.size() == cluster.outdated().size()) {
            return new ClusterReport.Condition(LAUNCH_TEMPLATE_CURRENT, "False", "DemotePrimary",
                "The rolling update waits for " + String.join(", ", primaries) + ", the last member not on launch"
                    + " template version " + version + ": DRBD Primary, so protected from scale-in and never replaced"
                    + " while Primary. Stop the application there, demote it (drbdadm secondary all), then send the"
                    + " re-adjust event; the instance refresh fails if the protection stays for an hour");
        }
        return new ClusterReport.Condition(LAUNCH_TEMPLATE_CURRENT, "False", "RollingUpdate",
            "Members not on launch template version " + version + ": " + cluster.outdated()
                + "; the group's instance refresh replaces them one at a time"
                + (primaries.isEmpty() ? "" : ", the Primary " + String.join(", ", primaries) + " last, once demoted"));
    }

    private static ClusterReport.Condition dataVolumesCleared(ReconcileState state) {
        DataVolumes volumes = state.volumes();
        if (volumes == null) {
            String why = state.dataVolumeError() == null ? "the run did not reach DescribeDataVolumes"
                : "a data-volume task failed: " + state.dataVolumeError().error() + ": " + state.dataVolumeError().cause();
            return new ClusterReport.Condition("DataVolumesCleared", "Unknown", "NotScanned",
                "The data volumes were not scanned: " + why);
        }
        if (volumes.truncated()) {
            return new ClusterReport.Condition("DataVolumesCleared", "Unknown", "ScanTruncated",
                "More volumes carry the cluster tag than one DescribeVolumes page (500) holds; planned the first "
                    + volumes.scanned() + ", kept " + volumes.kept().size());
        }
        if (volumes.kept().isEmpty()) {
            return new ClusterReport.Condition("DataVolumesCleared", "True", "NoneKept",
                "No detached data volume is kept" + (volumes.delete().isEmpty() ? ""
                    : "; deleted " + volumes.delete().stream().map(DataVolumes.Deletion::volumeId).toList()));
        }
        return new ClusterReport.Condition("DataVolumesCleared", "False", "KeptForSafety",
            "Detached data volumes kept: " + volumes.kept().stream()
                .map(k -> k.volumeId() + " (" + (k.instanceId() == null ? "owner unknown" : k.instanceId()) + ": "
                    + k.reason() + ")").toList());
    }
}
