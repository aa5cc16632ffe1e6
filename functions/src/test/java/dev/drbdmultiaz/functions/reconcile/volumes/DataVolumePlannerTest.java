package dev.drbdmultiaz.functions.reconcile.volumes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.functions.reconcile.state.DepartingMember;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.functions.reconcile.state.ResourceStatus;
import dev.drbdmultiaz.model.ClusterTags;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DataVolumePlanner")
class DataVolumePlannerTest {

    private static final String DATA = "/dev/sdf";
    private final DataVolumePlanner planner = new DataVolumePlanner(DATA);
    private final List<Member> members = List.of(
        new Member("i-a", "us-east-1a", "InService", 0, "ip-a", "10.0.1.1", null),
        new Member("i-b", "us-east-1b", "InService", 1, "ip-b", "10.0.2.2", null),
        new Member("i-n", "us-east-1c", "InService", 3, "ip-n", "10.0.3.3", null));

    @Test
    @DisplayName("tags each member's attached data volume with its instance id and node-id, once")
    void tagsAttachedDataVolumes() {
        DataVolumes plan = planner.plan(new DataVolumePlanner.Input(List.of(
            attached("vol-a", "i-a", DATA), attached("vol-root", "i-a", "/dev/sda1"),
            attached("vol-b", "i-b", DATA, tag(ClusterTags.INSTANCE_ID, "i-b"), tag(ClusterTags.NODE_ID, "1")),
            attached("vol-n", "i-n", DATA, tag(ClusterTags.INSTANCE_ID, "i-gone"), tag(ClusterTags.NODE_ID, "2"))),
            members, List.of(), Set.of(), allUpToDate()));

        assertEquals(List.of(
            new DataVolumes.Tagging(List.of("vol-a"), List.of(tag(ClusterTags.INSTANCE_ID, "i-a"), tag(ClusterTags.NODE_ID, "0"))),
            new DataVolumes.Tagging(List.of("vol-n"), List.of(tag(ClusterTags.INSTANCE_ID, "i-n"), tag(ClusterTags.NODE_ID, "3")))),
            plan.tag());
        assertTrue(plan.delete().isEmpty() && plan.kept().isEmpty(), plan.toString());
        assertEquals(4, plan.scanned());
    }

    @Test
    @DisplayName("deletes a detached volume once its owner left the registry and every member is UpToDate")
    void deletesForgottenOwnersVolume() {
        DepartingMember gone = new DepartingMember("i-gone", 2, "ip-gone", "10.0.9.9", null);
        DataVolumes plan = planner.plan(new DataVolumePlanner.Input(List.of(
            detached("vol-gone", tag(ClusterTags.INSTANCE_ID, "i-gone"), tag(ClusterTags.NODE_ID, "2")),
            detached("vol-older", tag(ClusterTags.INSTANCE_ID, "i-older"), tag(ClusterTags.NODE_ID, "2"))),
            members, List.of(gone), Set.of("i-gone"), allUpToDate()));

        assertEquals(List.of(new DataVolumes.Deletion("vol-gone", "i-gone"), new DataVolumes.Deletion("vol-older", "i-older")),
            plan.delete());
        assertTrue(plan.kept().isEmpty(), plan.kept().toString());
    }

    @Test
    @DisplayName("keeps a detached volume whose owner is still in the registry (not forgotten by the survivors)")
    void keepsVolumeOfRegisteredOwner() {
        DepartingMember gone = new DepartingMember("i-gone", 2, "ip-gone", "10.0.9.9", null);
        DataVolumes plan = planner.plan(new DataVolumePlanner.Input(List.of(
            detached("vol-gone", tag(ClusterTags.INSTANCE_ID, "i-gone"), tag(ClusterTags.NODE_ID, "2"))),
            members, List.of(gone), Set.of(), allUpToDate()));

        assertTrue(plan.delete().isEmpty(), plan.delete().toString());
        assertEquals(List.of("vol-gone"), plan.kept().stream().map(DataVolumes.Kept::volumeId).toList());
        assertEquals(2, plan.kept().get(0).nodeId());
        assertTrue(plan.kept().get(0).reason().contains("still in the registry"), plan.kept().get(0).reason());
    }

    @Test
    @DisplayName("keeps every detached volume while a member is not UpToDate: it may hold the last good copy")
    void keepsWhileAMemberIsNotUpToDate() {
        Map<String, NodeStatus> observed = Map.of("i-a", status("UpToDate"), "i-b", status("Inconsistent"));
        DataVolumes plan = planner.plan(new DataVolumePlanner.Input(List.of(
            detached("vol-gone", tag(ClusterTags.INSTANCE_ID, "i-gone"), tag(ClusterTags.NODE_ID, "2"))),
            members, List.of(), Set.of(), observed));

        assertTrue(plan.delete().isEmpty(), plan.delete().toString());
        assertEquals(1, plan.kept().size());
        assertTrue(plan.kept().get(0).reason().contains("i-b, i-n"), plan.kept().get(0).reason());
    }

    @Test
    @DisplayName("keeps the volume of the last departed member when the group has no member left (no member holds the data)")
    void keepsLastCopyOfAnEmptyGroup() {
        DepartingMember last = new DepartingMember("i-last", 0, "ip-last", "10.0.9.1", null);
        DataVolumes plan = planner.plan(new DataVolumePlanner.Input(List.of(
            detached("vol-last", tag(ClusterTags.INSTANCE_ID, "i-last"), tag(ClusterTags.NODE_ID, "0"))),
            List.of(), List.of(last), Set.of("i-last"), Map.of()));

        assertTrue(plan.delete().isEmpty(), plan.delete().toString());
        assertEquals(List.of("vol-last"), plan.kept().stream().map(DataVolumes.Kept::volumeId).toList());
    }

    @Test
    @DisplayName("keeps a detached volume no run recorded an owner for, and leaves volumes in transition alone")
    void keepsUnownedVolume() {
        ScannedVolume detaching = new ScannedVolume("vol-detaching", "in-use",
            List.of(new ScannedVolume.Attachment("i-gone", DATA, "detaching")), List.of());
        DataVolumes plan = planner.plan(new DataVolumePlanner.Input(List.of(detached("vol-anon"), detaching),
            members, List.of(), Set.of(), allUpToDate()));

        assertTrue(plan.delete().isEmpty() && plan.tag().isEmpty(), plan.toString());
        assertEquals(List.of(new DataVolumes.Kept("vol-anon", null, null, plan.kept().get(0).reason())), plan.kept());
        assertTrue(plan.kept().get(0).reason().startsWith("no run recorded"), plan.kept().get(0).reason());
    }

    private Map<String, NodeStatus> allUpToDate() {
        return Map.of("i-a", status("UpToDate"), "i-b", status("UpToDate"), "i-n", status("UpToDate"));
    }

    private static NodeStatus status(String disk) {
        return new NodeStatus(true, "ip", "10.0.0.1", "9.2.12", "vol", true, "h", true, true, false,
            new ResourceStatus("Secondary", disk, List.of()));
    }

    private static VolumeTag tag(String key, String value) {
        return new VolumeTag(key, value);
    }

    private static ScannedVolume attached(String volumeId, String instanceId, String device, VolumeTag... tags) {
        return new ScannedVolume(volumeId, "in-use", List.of(new ScannedVolume.Attachment(instanceId, device, "attached")),
            List.of(tags));
    }

    private static ScannedVolume detached(String volumeId, VolumeTag... tags) {
        return new ScannedVolume(volumeId, ScannedVolume.AVAILABLE, List.of(), List.of(tags));
    }
}
