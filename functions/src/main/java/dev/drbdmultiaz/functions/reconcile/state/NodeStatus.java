package dev.drbdmultiaz.functions.reconcile.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What one node last reported: the status every document's result line carries (docs/CONTRACTS.md,
 * "Status result"), taken after the document's work, and what that step did there.
 *
 * @param ok the document's verdict
 * @param hostname the node's {@code uname -n}
 * @param address the node's private IPv4 address
 * @param drbdVersion DRBD kernel module version, {@code null} when DRBD is not installed
 * @param dataVolumeId EBS volume id of the data disk
 * @param lvmReady the thin pool and LV exist
 * @param configSha256 sha256 of the config the node received, before secret substitution
 * @param metadata DRBD metadata on the backing LV; {@code null} when the LV is absent
 * @param up the resource is up
 * @param adjustNeeded {@code drbdadm -d adjust} would issue commands
 * @param resource the resource state, {@code null} when not up
 * @param step the step whose document reported it (set by the collector, for the operator)
 * @param changed whether that document changed the node
 * @param action what drbd-up did ({@code up}, {@code adjust}, {@code none}), else {@code null}
 * @param error the document's error, {@code null} when it succeeded
 * @param dataVolumeGiB the data volume's size in whole GiB, {@code null} unless the node has exactly
 *     one data volume
 * @param maxPeers the bitmap slots drbd-create-md gave the local metadata ({@code --max-peers}), {@code null}
 *     when the node recorded none
 * @param backingGrowable drbd-grow-backing would grow the physical volume, thin pool or LV (the data
 *     volume is larger than they are); {@code null} when the node reported nothing about it
 */
public record NodeStatus(
    Boolean ok,
    String hostname,
    String address,
    String drbdVersion,
    String dataVolumeId,
    Boolean lvmReady,
    String configSha256,
    Boolean metadata,
    Boolean up,
    Boolean adjustNeeded,
    ResourceStatus resource,
    String step,
    Boolean changed,
    String action,
    String error,
    Integer dataVolumeGiB,
    Integer maxPeers,
    Boolean backingGrowable) {

    /** The status fields every document's result line carries (null-valued ones included). */
    public static final List<String> FIELDS = List.of("hostname", "address", "drbdVersion", "dataVolumeId",
        "dataVolumeGiB", "lvmReady", "configSha256", "metadata", "maxPeers", "up", "adjustNeeded", "resource");

    /** Whether {@code result} carries the whole status (a document older than that contract does not). */
    public static boolean reportedIn(JsonNode result) {
        return result != null && FIELDS.stream().allMatch(result::has);
    }

    /** A status without what drbd-grow-backing would do. */
    public NodeStatus(Boolean ok, String hostname, String address, String drbdVersion, String dataVolumeId,
        Boolean lvmReady, String configSha256, Boolean metadata, Boolean up, Boolean adjustNeeded,
        ResourceStatus resource, String step, Boolean changed, String action, String error, Integer dataVolumeGiB,
        Integer maxPeers) {
        this(ok, hostname, address, drbdVersion, dataVolumeId, lvmReady, configSha256, metadata, up, adjustNeeded,
            resource, step, changed, action, error, dataVolumeGiB, maxPeers, null);
    }

    /** A status without its metadata's bitmap slots. */
    public NodeStatus(Boolean ok, String hostname, String address, String drbdVersion, String dataVolumeId,
        Boolean lvmReady, String configSha256, Boolean metadata, Boolean up, Boolean adjustNeeded,
        ResourceStatus resource, String step, Boolean changed, String action, String error, Integer dataVolumeGiB) {
        this(ok, hostname, address, drbdVersion, dataVolumeId, lvmReady, configSha256, metadata, up, adjustNeeded,
            resource, step, changed, action, error, dataVolumeGiB, null);
    }

    /** A status without its data volume's size. */
    public NodeStatus(Boolean ok, String hostname, String address, String drbdVersion, String dataVolumeId,
        Boolean lvmReady, String configSha256, Boolean metadata, Boolean up, Boolean adjustNeeded,
        ResourceStatus resource, String step, Boolean changed, String action, String error) {
        this(ok, hostname, address, drbdVersion, dataVolumeId, lvmReady, configSha256, metadata, up, adjustNeeded,
            resource, step, changed, action, error, null);
    }

    /** A status without a step's outcome. */
    public NodeStatus(Boolean ok, String hostname, String address, String drbdVersion, String dataVolumeId,
        Boolean lvmReady, String configSha256, Boolean metadata, Boolean up, Boolean adjustNeeded,
        ResourceStatus resource) {
        this(ok, hostname, address, drbdVersion, dataVolumeId, lvmReady, configSha256, metadata, up, adjustNeeded,
            resource, null, null, null, null);
    }

    /** The local disk state, or {@code null} when the resource is not up. */
    public String diskState() {
        return resource == null ? null : resource.diskState();
    }

    /** The same report, labelled with the step that produced it. */
    public NodeStatus reportedBy(String stepName) {
        return new NodeStatus(ok, hostname, address, drbdVersion, dataVolumeId, lvmReady, configSha256, metadata, up,
            adjustNeeded, resource, stepName, changed, action, error, dataVolumeGiB, maxPeers, backingGrowable);
    }
}
