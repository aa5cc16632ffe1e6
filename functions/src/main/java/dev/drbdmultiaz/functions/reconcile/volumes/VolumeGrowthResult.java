package dev.drbdmultiaz.functions.reconcile.volumes;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.drbdmultiaz.functions.reconcile.state.ErrorInfo;

/**
 * What ModifyDataVolume made of one {@link VolumeGrowth}: an item of {@code $.volumeGrowth}.
 * Either ModifyVolume's answer (its ResultSelector keeps the volume, the target size and the
 * modification state) or the item as it was with the error EC2 answered ({@code error}).
 *
 * @param volumeId the volume
 * @param size the target size in GiB
 * @param modificationState modifying | optimizing | completed | failed, {@code null} when refused
 * @param error what EC2 refused, {@code null} when it accepted
 */
public record VolumeGrowthResult(
    @JsonProperty("VolumeId") String volumeId,
    @JsonProperty("Size") Integer size,
    @JsonProperty("ModificationState") String modificationState,
    @JsonProperty("error") ErrorInfo error) {

    /** The modification state of one that failed (VolumeModification, modificationState). */
    public static final String FAILED = "failed";

    /** Whether EC2 accepted the modification and has not reported it failed. */
    public boolean accepted() {
        return error == null && modificationState != null && !FAILED.equals(modificationState);
    }
}
