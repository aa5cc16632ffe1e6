package dev.drbdmultiaz.functions.reconcile.report;

import dev.drbdmultiaz.functions.reconcile.state.Trigger;
import dev.drbdmultiaz.functions.reconcile.volumes.DataVolumes;
import java.util.List;

/**
 * The execution's output: the cluster status an operator reads ({@code $.report}).
 *
 * @param groupName the Auto Scaling group
 * @param trigger what started the execution
 * @param reportedAt ISO-8601 instant
 * @param rounds node commands run
 * @param mutatingRounds mutating node commands run
 * @param nodes one entry per live member, by node-id
 * @param departed members that left, by node-id, and whether they were released
 * @param dataVolumes what the run did with the data volumes (PlanDataVolumes), {@code null} when it did not scan them
 * @param conditions named conditions (Converged, Synced, Reachable, DepartedForgotten, DataVolumesCleared,
 *     LaunchTemplateCurrent)
 */
public record ClusterReport(
    String groupName,
    Trigger trigger,
    String reportedAt,
    int rounds,
    int mutatingRounds,
    List<NodeReport> nodes,
    List<DepartedReport> departed,
    DataVolumes dataVolumes,
    List<Condition> conditions) {

    /**
     * One live member.
     *
     * @param instanceId EC2 instance id
     * @param availabilityZone its AZ
     * @param nodeId DRBD node-id
     * @param hostname its {@code uname -n}
     * @param address its private address
     * @param role Primary / Secondary, {@code null} when down
     * @param disk local disk state
     * @param syncPercent lowest sync progress towards any peer, 100 when in sync
     * @param connections one per peer
     */
    public record NodeReport(String instanceId, String availabilityZone, int nodeId, String hostname, String address,
        String role, String disk, Double syncPercent, List<ConnectionReport> connections) {
    }

    /**
     * One connection as a node sees it.
     *
     * @param peer peer name (hostname)
     * @param peerNodeId peer node-id
     * @param state connection state
     * @param peerDisk the peer's disk state
     * @param syncPercent resync progress
     */
    public record ConnectionReport(String peer, Integer peerNodeId, String state, String peerDisk, Double syncPercent) {
    }

    /**
     * A member that left.
     *
     * @param instanceId EC2 instance id
     * @param nodeId its former node-id
     * @param released whether its node-id was released in this execution
     */
    public record DepartedReport(String instanceId, int nodeId, boolean released) {
    }

    /**
     * A named condition, Kubernetes style.
     *
     * @param type e.g. Converged
     * @param status {@code True} or {@code False}
     * @param reason one CamelCase word
     * @param message a sentence
     */
    public record Condition(String type, String status, String reason, String message) {
    }
}
