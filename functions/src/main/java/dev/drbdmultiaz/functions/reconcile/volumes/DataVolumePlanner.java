package dev.drbdmultiaz.functions.reconcile.volumes;

import dev.drbdmultiaz.functions.reconcile.state.DepartingMember;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.model.ClusterTags;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what happens to the cluster's data volumes (issue 15:
 * "no copy is destroyed while it may be needed"). A data volume outlives its instance
 * (DeleteOnTermination is off); the run
 * <ul>
 *   <li>tags each member's attached data volume with the member's instance id and node-id, because
 *       a detached volume no longer says whose it was;</li>
 *   <li>deletes a detached volume only when its owner has left the registry (the survivors wrote a
 *       config without it and forgot it) and every member, of at least one, is observed UpToDate:
 *       then no copy is lost with it;</li>
 *   <li>keeps every other detached volume, with the reason, for the report and the DataVolumesKept
 *       alarm: its owner is still in the registry, a member is not UpToDate (the volume may hold
 *       the last good copy), or no owner was ever recorded.</li>
 * </ul>
 */
public final class DataVolumePlanner {

    private static final String UP_TO_DATE = "UpToDate";

    private final String dataDevice;

    /** @param dataDevice the device name of the data volume in the launch template (/dev/sdf) */
    public DataVolumePlanner(String dataDevice) {
        this.dataDevice = Objects.requireNonNull(dataDevice, "dataDevice");
    }

    /**
     * What one run sees.
     *
     * @param volumes every volume with the cluster tag
     * @param members the live members
     * @param departing registry members no longer live
     * @param released instance ids this run released from the registry
     * @param observed the members' last observations
     */
    public record Input(List<ScannedVolume> volumes, List<Member> members, List<DepartingMember> departing,
        Collection<String> released, Map<String, NodeStatus> observed) {

        public Input {
            volumes = volumes == null ? List.of() : volumes;
            members = members == null ? List.of() : members;
            departing = departing == null ? List.of() : departing;
            released = released == null ? Set.of() : released;
            observed = observed == null ? Map.of() : observed;
        }
    }

    public DataVolumes plan(Input input) {
        return plan(input, false);
    }

    /**
     * The tags to put (after each lifecycle heartbeat and at the end of a converged round) and, at
     * the end of a converged round, what to delete and keep.
     *
     * @param truncated whether the scan was one page of more: the plan then covers only that page
     */
    public DataVolumes plan(Input input, boolean truncated) {
        Map<String, Integer> registered = new HashMap<>();
        input.members().forEach(m -> registered.put(m.instanceId(), m.nodeId()));
        input.departing().stream().filter(d -> !input.released().contains(d.instanceId()))
            .forEach(d -> registered.put(d.instanceId(), d.nodeId()));
        List<String> notUpToDate = input.members().stream().map(Member::instanceId)
            .filter(id -> input.observed().get(id) == null || !UP_TO_DATE.equals(input.observed().get(id).diskState()))
            .toList();

        List<DataVolumes.Tagging> tag = new ArrayList<>();
        List<DataVolumes.Deletion> delete = new ArrayList<>();
        List<DataVolumes.Kept> kept = new ArrayList<>();
        for (ScannedVolume volume : input.volumes()) {
            Optional<String> attachedTo = volume.attachedAt(dataDevice);
            if (attachedTo.isPresent()) {
                ownerTags(volume, attachedTo.get(), registered).ifPresent(tag::add);
            } else if (ScannedVolume.AVAILABLE.equals(volume.state()) && volume.attachments().isEmpty()) {
                decideDetached(volume, registered, notUpToDate, input.members().isEmpty(), delete, kept);
            }
        }
        return new DataVolumes(input.volumes().size(), truncated, tag, delete, kept);
    }

    private static Optional<DataVolumes.Tagging> ownerTags(ScannedVolume volume, String instanceId,
        Map<String, Integer> registered) {
        Integer nodeId = registered.get(instanceId);
        if (nodeId == null) {
            return Optional.empty();
        }
        boolean current = volume.tag(ClusterTags.INSTANCE_ID).filter(instanceId::equals).isPresent()
            && volume.tag(ClusterTags.NODE_ID).filter(Integer.toString(nodeId)::equals).isPresent();
        return current ? Optional.empty() : Optional.of(new DataVolumes.Tagging(List.of(volume.volumeId()), List.of(
            new VolumeTag(ClusterTags.INSTANCE_ID, instanceId), new VolumeTag(ClusterTags.NODE_ID, Integer.toString(nodeId)))));
    }

    private static void decideDetached(ScannedVolume volume, Map<String, Integer> registered, List<String> notUpToDate,
        boolean noMembers, List<DataVolumes.Deletion> delete, List<DataVolumes.Kept> kept) {
        Optional<String> owner = volume.tag(ClusterTags.INSTANCE_ID);
        Integer nodeId = volume.tag(ClusterTags.NODE_ID).flatMap(DataVolumePlanner::parseNodeId).orElse(null);
        if (owner.isEmpty()) {
            kept.add(new DataVolumes.Kept(volume.volumeId(), null, null, "no run recorded whose data volume it is"
                + " (it was detached before a converged run tagged it), so it may hold the only copy of data"));
        } else if (registered.containsKey(owner.get())) {
            kept.add(new DataVolumes.Kept(volume.volumeId(), owner.get(), nodeId, owner.get()
                + " is still in the registry: the survivors have not forgotten it"));
        } else if (!notUpToDate.isEmpty()) {
            kept.add(new DataVolumes.Kept(volume.volumeId(), owner.get(), nodeId, "not every member is UpToDate ("
                + String.join(", ", notUpToDate) + "): it may hold data no member has"));
        } else if (noMembers) {
            // "Every member is UpToDate" holds for no member at all: a run that let the last departing
            // members go from an empty group must not take their copies with them.
            kept.add(new DataVolumes.Kept(volume.volumeId(), owner.get(), nodeId, "the group has no member that"
                + " holds the data: it may hold the last copy"));
        } else {
            delete.add(new DataVolumes.Deletion(volume.volumeId(), owner.get()));
        }
    }

    private static Optional<Integer> parseNodeId(String value) {
        try {
            return Optional.of(Integer.parseInt(value));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
