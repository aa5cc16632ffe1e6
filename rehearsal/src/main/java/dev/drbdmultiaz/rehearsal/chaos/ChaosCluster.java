package dev.drbdmultiaz.rehearsal.chaos;

import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.nodes.NodeFleet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster as the chaos driver sees it: the members (instances the group keeps, launch order),
 * their devices at one instant, and what "converged" means at the end of a run.
 */
final class ChaosCluster {

    private final RehearsalRun run;

    ChaosCluster(RehearsalRun run) {
        this.run = run;
    }

    RehearsalRun run() {
        return run;
    }

    /** Instances in Pending:Wait or InService that still run, in launch order. */
    List<String> members() {
        return run.lifecycleStates().stream()
            .filter(i -> i.state() == LifecycleModel.State.PENDING_WAIT || i.state() == LifecycleModel.State.IN_SERVICE)
            .map(LifecycleModel.Instance::instanceId).filter(run::isOnline).toList();
    }

    /** The member at {@code position} (modulo the members now), if there is any member. */
    Optional<String> member(int position) {
        List<String> members = members();
        return members.isEmpty() ? Optional.empty() : Optional.of(members.get(Math.floorMod(position, members.size())));
    }

    /** A member other than {@code not}, chosen by {@code position}, if there is one. */
    Optional<String> otherMember(String not, int position) {
        List<String> others = new ArrayList<>(members());
        others.remove(not);
        return others.isEmpty() ? Optional.empty() : Optional.of(others.get(Math.floorMod(position, others.size())));
    }

    /**
     * Whether there is a member besides {@code except} and every one of them has an UpToDate disk
     * (so terminating those in {@code except} loses no data).
     */
    boolean othersUpToDate(Set<String> except) {
        List<NodeFleet.DeviceView> others = memberDevices().stream().filter(v -> !except.contains(v.instanceId()))
            .toList();
        return !others.isEmpty() && others.stream().allMatch(v -> "UpToDate".equals(v.disk()));
    }

    /**
     * What keeps the cluster from being converged now (empty when it is): {@code nodes} members,
     * each UpToDate with every peer Connected and UpToDate, no execution RUNNING, the lock free, no
     * lifecycle action pending.
     */
    List<String> notConverged(int nodes) {
        List<String> why = new ArrayList<>();
        List<String> members = members();
        if (members.size() != nodes) {
            why.add(members.size() + " members, the group wants " + nodes);
        }
        run.reconcileExecutions().stream().filter(e -> "RUNNING".equals(e.status()))
            .forEach(e -> why.add("execution " + e.name() + " RUNNING"));
        if (run.lockHolder() != null) {
            why.add("the lock is held by " + run.lockHolder());
        }
        run.pendingLifecycleActions().forEach(i -> why.add(i.instanceId() + " waits in " + i.state().api()));
        for (String member : members) {
            var s = run.snapshot(member);
            boolean peersOk = s.peers().size() == nodes - 1 && s.peers().stream()
                .allMatch(p -> "Connected".equals(p.connection()) && "UpToDate".equals(p.peerDisk()));
            if (!"UpToDate".equals(s.disk()) || !peersOk) {
                why.add(member + " is " + s.disk() + " with peers " + s.peers().stream()
                    .map(p -> p.nodeId() + ":" + p.connection() + "/" + p.peerDisk()).toList());
            }
        }
        return why;
    }

    /** Waits until {@link #notConverged} is empty or {@code bound} passed; returns the last reasons. */
    List<String> awaitConverged(int nodes, Duration bound) {
        Instant deadline = Instant.now().plus(bound);
        List<String> why = notConverged(nodes);
        while (!why.isEmpty() && Instant.now().isBefore(deadline)) {
            dev.drbdmultiaz.rehearsal.support.Net.sleep(500);
            why = notConverged(nodes);
        }
        return why;
    }

    /** The devices of the members now. */
    List<NodeFleet.DeviceView> memberDevices() {
        List<String> members = members();
        return run.deviceViews().stream().filter(v -> members.contains(v.instanceId())).toList();
    }
}
