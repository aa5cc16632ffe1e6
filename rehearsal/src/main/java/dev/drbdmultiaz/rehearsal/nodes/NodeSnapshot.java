package dev.drbdmultiaz.rehearsal.nodes;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * What a simulated node holds right now (read under the fleet lock; a read counts as an
 * observation of a running resync, like a {@code drbdsetup status}).
 *
 * @param instanceId the node
 * @param hostname its {@code uname -n}
 * @param terminated whether the instance is gone
 * @param installed Debian packages and versions
 * @param moduleVersion version of the loaded drbd kernel module, or {@code null}
 * @param lvm physical volumes, volume groups and logical volumes ({@code vg/lv})
 * @param metadataDevices devices holding DRBD metadata (e.g. {@code /dev/drbdpool/r0})
 * @param currentUuid current generation UUID of the first metadata (hex), or {@code null}
 * @param up whether the resource is up in the (simulated) kernel
 * @param resource the resource reported (r0 if up, else the first one up), or {@code null}
 * @param role Primary/Secondary, {@code null} when not up
 * @param disk local disk state (Inconsistent, UpToDate, ...), {@code null} when not up
 * @param peers the resource's connections
 * @param createMdCount how many times drbdmeta created metadata on this node
 * @param syncSkipCount how many times this node ran {@code new-current-uuid --clear-bitmap}
 * @param createMdOverMetadataCount how many times {@code create-md --force} replaced a valid DRBD
 *     metadata record on this node (its data generation and bitmaps lost; counted in {@code createMdCount} too)
 * @param calls commands the document scripts called on this node (not those drbdadm made)
 * @param data what the DRBD backing device holds (of the resource's disk, else the first metadata),
 *     {@code null} without metadata
 * @param pools thin pools by {@code vg/pool}: data size, mapped chunks, out-of-data-space flag
 * @param thinVolumes thin LVs by {@code vg/lv}: virtual size and mapped (allocated) KiB
 * @param kernelEvents kernel log lines of this node (dm-thin out of data space, DRBD detaches),
 *     oldest first
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeSnapshot(String instanceId, String hostname, boolean terminated, Map<String, String> installed,
    String moduleVersion, Lvm lvm, List<String> metadataDevices, String currentUuid, boolean up, String resource,
    String role, String disk, List<Peer> peers, int createMdCount, int syncSkipCount, int createMdOverMetadataCount,
    List<String> calls,
    Data data, Map<String, Pool> pools, Map<String, ThinVolume> thinVolumes, List<String> kernelEvents) {

    /**
     * The content of a DRBD backing device as DRBD sees it.
     *
     * @param checksum identifies what was written (equal on two nodes = same data); {@code null}
     *     when nothing was ever written
     * @param writtenKiB how much of the device, from offset 0, holds written data
     * @param sizeKiB size of the DRBD device: the size its peers agreed on (at most the capacity)
     * @param capacityKiB what the backing device holds after DRBD's internal metadata
     * @param lastResync how the last completed resync onto this device ran: {@code full},
     *     {@code bitmap}, or {@code null} when it never was a sync target
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Data(String checksum, long writtenKiB, long sizeKiB, long capacityKiB, String lastResync) {
    }

    /**
     * A thin pool.
     *
     * @param dataKiB size of its data LV
     * @param usedKiB data chunks mapped by its thin LVs
     * @param metadataKiB size of its metadata LV (_tmeta)
     * @param chunkKiB its chunk size
     * @param outOfDataSpace whether dm-thin switched it to out-of-data-space (writes needing new chunks fail)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Pool(long dataKiB, long usedKiB, long metadataKiB, long chunkKiB, boolean outOfDataSpace) {
    }

    /**
     * A thin logical volume.
     *
     * @param pool its pool ({@code vg/pool})
     * @param virtualKiB its (virtual) size
     * @param allocatedKiB chunks of its pool it has mapped
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ThinVolume(String pool, long virtualKiB, long allocatedKiB) {
    }

    /** LVM objects of the node. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Lvm(List<String> physicalVolumes, List<String> volumeGroups, List<String> logicalVolumes) {
    }

    /**
     * One connection of the resource.
     *
     * @param nodeId the peer's node-id
     * @param name the peer's host name (from the config)
     * @param connection Connected, Connecting, StandAlone
     * @param replication Established, SyncSource, SyncTarget, PausedSyncS/T, Off
     * @param peerDisk the peer's disk state as this node sees it (DUnknown when not connected)
     * @param syncPercent percent in sync
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Peer(int nodeId, String name, String connection, String replication, String peerDisk,
        double syncPercent) {
    }

    /** Whether DRBD metadata exists on this node. */
    public boolean metadata() {
        return !metadataDevices.isEmpty();
    }

    /** The peer with this node-id, if the resource has a connection to it. */
    public java.util.Optional<Peer> peer(int nodeId) {
        return peers.stream().filter(p -> p.nodeId() == nodeId).findFirst();
    }

    /** Calls whose command line starts with {@code prefix} (e.g. "drbdadm create-md"). */
    public long callCount(String prefix) {
        return calls.stream().filter(c -> c.equals(prefix) || c.startsWith(prefix + " ")).count();
    }
}
