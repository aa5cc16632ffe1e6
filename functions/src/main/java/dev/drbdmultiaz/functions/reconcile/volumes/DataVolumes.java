package dev.drbdmultiaz.functions.reconcile.volumes;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Result of PlanDataVolumes ({@code $.volumes}): what the run does with the cluster's data volumes.
 * TagDataVolumes and DeleteDataVolumes (Step Functions' EC2 integrations) iterate over
 * {@link #tag} and {@link #delete}; {@link #kept} is reported and alarmed.
 *
 * @param scanned how many volumes carry the cluster tag (in the page scanned)
 * @param truncated whether more volumes carry it than one DescribeVolumes page holds: the rest wait for a later run
 * @param tag attached data volumes of members whose owner tags are missing or stale
 * @param delete detached data volumes no member needs any more
 * @param kept detached data volumes the run may not delete, with the reason
 */
public record DataVolumes(int scanned, boolean truncated, List<Tagging> tag, List<Deletion> delete, List<Kept> kept) {

    public DataVolumes {
        tag = tag == null ? List.of() : List.copyOf(tag);
        delete = delete == null ? List.of() : List.copyOf(delete);
        kept = kept == null ? List.of() : List.copyOf(kept);
    }

    /**
     * One CreateTags call: its Parameters are this record as it is (PascalCase).
     *
     * @param resources the one volume
     * @param tags the owner tags
     */
    public record Tagging(@JsonProperty("Resources") List<String> resources, @JsonProperty("Tags") List<VolumeTag> tags) {
    }

    /**
     * One DeleteVolume call: its Parameters are this record as it is (PascalCase).
     *
     * @param volumeId the volume
     * @param instanceId the departed member it belonged to (for the reader of the execution)
     */
    public record Deletion(@JsonProperty("VolumeId") String volumeId, @JsonProperty("InstanceId") String instanceId) {
    }

    /**
     * A detached data volume the run keeps.
     *
     * @param volumeId the volume
     * @param instanceId the member it belonged to, or {@code null} when no owner was ever recorded
     * @param nodeId that member's node-id, or {@code null}
     * @param reason why it is kept
     */
    public record Kept(String volumeId, String instanceId, Integer nodeId, String reason) {
    }
}
