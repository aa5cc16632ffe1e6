package dev.drbdmultiaz.functions.reconcile.state;

/**
 * The status document's result for one node (docs/CONTRACTS.md, "Status result").
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
    ResourceStatus resource) {

    /** The local disk state, or {@code null} when the resource is not up. */
    public String diskState() {
        return resource == null ? null : resource.diskState();
    }
}
