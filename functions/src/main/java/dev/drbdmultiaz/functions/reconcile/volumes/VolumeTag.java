package dev.drbdmultiaz.functions.reconcile.volumes;

import com.fasterxml.jackson.annotation.JsonProperty;

/** An EC2 tag, in the PascalCase of the EC2 API (DescribeVolumes' Tags, CreateTags' Tags). */
public record VolumeTag(@JsonProperty("Key") String key, @JsonProperty("Value") String value) {
}
