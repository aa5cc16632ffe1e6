package dev.drbdmultiaz.functions.reconcile.volumes;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One data volume GrowDataVolumes asks EC2 to grow: an item of {@code $.plan.volumes}, in the
 * PascalCase of ModifyVolume's parameters, which the ModifyDataVolume task passes as they are.
 *
 * @param volumeId vol-…, as the node reported its data disk
 * @param size the target size in GiB (drbd:dataVolumeGiB)
 */
public record VolumeGrowth(@JsonProperty("VolumeId") String volumeId, @JsonProperty("Size") int size) {

    public VolumeGrowth {
        Objects.requireNonNull(volumeId, "volumeId");
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1 GiB, got " + size + " for " + volumeId);
        }
    }
}
