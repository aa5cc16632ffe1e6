package dev.drbdmultiaz.functions.reconcile.volumes;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One volume as DescribeDataVolumes returns it: the EC2 DescribeVolumes answer through Step
 * Functions' AWS SDK integration, whose fields are PascalCase (developer guide, "AWS SDK service
 * integrations"). Only the fields the planner reads.
 *
 * @param volumeId vol-…
 * @param state creating | available | in-use | deleting | deleted | error
 * @param attachments where it is attached (empty once detached)
 * @param tags its tags
 */
public record ScannedVolume(
    @JsonProperty("VolumeId") String volumeId,
    @JsonProperty("State") String state,
    @JsonProperty("Attachments") List<Attachment> attachments,
    @JsonProperty("Tags") List<VolumeTag> tags) {

    /** The EC2 state of a volume attached to no instance. */
    public static final String AVAILABLE = "available";

    public ScannedVolume {
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    /** The value of tag {@code key}, if the volume has it. */
    public Optional<String> tag(String key) {
        return tags.stream().filter(t -> Objects.equals(t.key(), key)).map(VolumeTag::value).findFirst();
    }

    /** The instance it is attached to at {@code device}, if any. */
    public Optional<String> attachedAt(String device) {
        return attachments.stream().filter(a -> Objects.equals(a.device(), device)).map(Attachment::instanceId)
            .filter(Objects::nonNull).findFirst();
    }

    /**
     * One attachment of a volume.
     *
     * @param instanceId the instance
     * @param device the device name in the block device mapping (/dev/sdf)
     * @param state attaching | attached | detaching | detached | busy
     */
    public record Attachment(
        @JsonProperty("InstanceId") String instanceId,
        @JsonProperty("Device") String device,
        @JsonProperty("State") String state) {
    }
}
