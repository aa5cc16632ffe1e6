package dev.drbdmultiaz.functions.reconcile.state;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Result of DescribeCluster ({@code $.cluster}): the desired members with their stable node-ids
 * and the departing ones.
 *
 * @param groupName the Auto Scaling group
 * @param snapshot counts DescribeCluster calls in this execution (1, 2 after a rerun, …), so the
 *     planner knows an observation predates the current membership
 * @param members live members (not Terminating), sorted by node-id
 * @param departing registry members no longer live, sorted by node-id
 * @param describedAt ISO-8601 instant of the description ({@code null} in documents written before it)
 * @param scaleInProtected the live members the group may not pick when it scales in (instance ids, sorted)
 * @param launchTemplateVersion the launch template version the group launches ({@code null} when unknown)
 * @param outdated the live members launched from another version, which a rolling update (the group's
 *     instance refresh) replaces (instance ids, sorted)
 */
public record ClusterSnapshot(String groupName, int snapshot, List<Member> members, List<DepartingMember> departing,
    String describedAt, List<String> scaleInProtected, String launchTemplateVersion, List<String> outdated) {

    public ClusterSnapshot {
        members = members == null ? List.of()
            : members.stream().sorted(Comparator.comparingInt(Member::nodeId)).toList();
        departing = departing == null ? List.of()
            : departing.stream().sorted(Comparator.comparingInt(DepartingMember::nodeId)).toList();
        scaleInProtected = scaleInProtected == null ? List.of() : scaleInProtected.stream().sorted().toList();
        outdated = outdated == null ? List.of() : outdated.stream().sorted().toList();
    }

    public ClusterSnapshot(String groupName, int snapshot, List<Member> members, List<DepartingMember> departing,
        String describedAt, List<String> scaleInProtected) {
        this(groupName, snapshot, members, departing, describedAt, scaleInProtected, null, List.of());
    }

    public ClusterSnapshot(String groupName, int snapshot, List<Member> members, List<DepartingMember> departing,
        String describedAt) {
        this(groupName, snapshot, members, departing, describedAt, List.of(), null, List.of());
    }

    public ClusterSnapshot(String groupName, int snapshot, List<Member> members, List<DepartingMember> departing) {
        this(groupName, snapshot, members, departing, null, List.of(), null, List.of());
    }

    /** Whether a launch or terminate lifecycle action of a member or departing member waits. */
    public boolean actionPending() {
        return members.stream().anyMatch(Member::launchPending)
            || departing.stream().anyMatch(DepartingMember::terminatePending);
    }

    /** The member with {@code instanceId}, if any. */
    public Optional<Member> member(String instanceId) {
        return members.stream().filter(m -> Objects.equals(m.instanceId(), instanceId)).findFirst();
    }

    /** Every instance id of a live member. */
    public List<String> memberIds() {
        return members.stream().map(Member::instanceId).toList();
    }
}
