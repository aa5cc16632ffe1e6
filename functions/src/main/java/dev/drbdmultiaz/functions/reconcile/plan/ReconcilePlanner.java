package dev.drbdmultiaz.functions.reconcile.plan;

import dev.drbdmultiaz.functions.common.exceptions.AllReplicasInconsistentException;
import dev.drbdmultiaz.functions.common.exceptions.ClusterTooSmallException;
import dev.drbdmultiaz.functions.common.exceptions.ConvergenceTimeoutException;
import dev.drbdmultiaz.functions.common.exceptions.DataVolumeShrinkRefusedException;
import dev.drbdmultiaz.functions.common.exceptions.ObservationIncompleteException;
import dev.drbdmultiaz.functions.common.exceptions.ReconcileStuckException;
import dev.drbdmultiaz.functions.common.exceptions.ResyncTimeoutException;
import dev.drbdmultiaz.functions.common.exceptions.VolumeGrowthFailedException;
import dev.drbdmultiaz.functions.drbd.DrbdNodeSpec;
import dev.drbdmultiaz.functions.drbd.DrbdResFileRenderer;
import dev.drbdmultiaz.functions.drbd.DrbdResourceSpec;
import dev.drbdmultiaz.functions.drbd.RenderedConfig;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.Connections;
import dev.drbdmultiaz.functions.reconcile.state.DepartingMember;
import dev.drbdmultiaz.functions.reconcile.state.JoiningMembers;
import dev.drbdmultiaz.functions.reconcile.state.LifecyclePlan;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.functions.reconcile.state.PeerStatus;
import dev.drbdmultiaz.functions.reconcile.state.PlannedStep;
import dev.drbdmultiaz.functions.reconcile.state.ResourceStatus;
import dev.drbdmultiaz.functions.reconcile.state.RunCounters;
import dev.drbdmultiaz.functions.reconcile.volumes.VolumeGrowth;
import dev.drbdmultiaz.functions.reconcile.volumes.VolumeGrowthResult;
import dev.drbdmultiaz.model.ClusterTags;
import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.model.Step;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Decides the next step of a reconcile: a pure function of the cluster snapshot, what this
 * execution observed and did, and the desired settings. No SDK types, no clock, no I/O.
 *
 * <p>Every document's result carries the node's status after its work, so a step is followed by the
 * next without an observation, except where a step that changes peers (UpOrAdjust,
 * SkipInitialSync) ran on other members than the one planned on: their reports are stale and
 * ObserveNodes comes first.
 *
 * <p>Order (first unmet condition wins, docs/CONTRACTS.md): ObserveNodes → GrowDataVolumes (a data
 * volume smaller than drbd:dataVolumeGiB) → InstallDrbd → PrepareLvm → GrowBacking (LVM smaller than
 * its data volume) → ReleaseDepartingMembers → WriteConfig → CreateMetadata → ForgetDepartedPeers
 * (survivors up and UpToDate) → UpOrAdjust → WaitForConnections → SkipInitialSync →
 * ForgetDepartedPeers (the other survivors) → WaitForResync (joining members not UpToDate) →
 * ResizeDevice (every backing LV larger than the device) → WaitForResync (the added space) → Converged.
 * Each step targets every node that needs it at once.
 *
 * <p>Data safety: SkipInitialSync only on a brand-new cluster (I2); a departing member stays in
 * the configuration and is not forgotten until an active survivor is UpToDate (I3); its node-id
 * is released only after every survivor that knew it forgot it (I6); no survivor drops a departing
 * member from its config, or its connection, while the group still lists its instance (I9).
 *
 * <p>Unreachable members (their SSM agent offline; CheckAgentsOnline went on without them because
 * the others are a majority) get no command and are not observed; one the registry can name stays
 * in the config as a peer, and no departed node-id is released while one is unreachable (it may
 * still know the departed peer).
 */
public final class ReconcilePlanner {

    static final String UP_TO_DATE = "UpToDate";
    static final String INCONSISTENT = "Inconsistent";
    static final String PRIMARY = "Primary";

    private ReconcilePlanner() {
    }

    /** The next step, or a terminal exception when the cluster cannot converge on its own. */
    public static Decision decide(ClusterSnapshot cluster, RunProgress run, DesiredSettings desired) {
        return new Planning(cluster, run, desired).next();
    }

    /** {@link #decide} as the state's {@code $.plan}: the step's deployed document, its waits. */
    public static PlannedStep plan(ClusterSnapshot cluster, RunProgress run, DesiredSettings desired) {
        Decision decision = decide(cluster, run, desired);
        if (decision instanceof Decision.RunOnNodes onNodes) {
            Step step = onNodes.step();
            String document = desired.documents().name(step.document().orElseThrow());
            return PlannedStep.runOnNodes(step, onNodes.reason(), document, onNodes.targets(), onNodes.parameters(),
                desired.pollSeconds());
        }
        if (decision instanceof Decision.ReleaseDeparting release) {
            return PlannedStep.releaseDeparting(release.reason(), release.departing(), desired.pollSeconds());
        }
        if (decision instanceof Decision.GrowVolumes grow) {
            String status = desired.documents().name(NodeDocument.STATUS);
            return PlannedStep.growDataVolumes(grow.reason(), grow.volumes(), grow.waitSeconds(), status,
                grow.targets(), grow.parameters(), desired.pollSeconds());
        }
        if (decision instanceof Decision.WaitThenObserve wait) {
            String status = desired.documents().name(NodeDocument.STATUS);
            return PlannedStep.waitThenObserve(wait.step(), wait.reason(), wait.waitSeconds(), status, wait.targets(),
                wait.parameters(), desired.pollSeconds());
        }
        Decision.Converged converged = (Decision.Converged) decision;
        return PlannedStep.converged(converged.reason(), converged.lifecycle(), desired.pollSeconds());
    }

    /** One planning pass; holds the inputs so the step checks read as a list. */
    private static final class Planning {
        private final ClusterSnapshot cluster;
        private final RunProgress run;
        private final RunCounters counters;
        private final DesiredSettings desired;
        /** The members this run reaches: every command and observation goes to them. */
        private final List<Member> active;
        /** Members this run goes on without. */
        private final List<Member> unreachable;
        /** The unreachable members that stay in the config: named by the registry, not joining. */
        private final List<Member> unreachablePeers;

        Planning(ClusterSnapshot cluster, RunProgress run, DesiredSettings desired) {
            this.cluster = cluster;
            this.run = run;
            this.counters = run.counters();
            this.desired = desired;
            List<Member> reachable = cluster.members().stream()
                .filter(m -> !run.unreachable().contains(m.instanceId())).toList();
            List<Member> cut = cutOff(reachable);
            this.active = reachable.stream().filter(m -> !cut.contains(m)).toList();
            this.unreachable = cluster.members().stream()
                .filter(m -> run.unreachable().contains(m.instanceId()) || cut.contains(m)).toList();
            this.unreachablePeers = unreachable.stream().filter(m -> m.endpointKnown() && !m.launchPending()).toList();
        }

        /**
         * Once the connection wait is used up: in-service members DRBD-disconnected from every
         * peer, when the others are a majority of the members and all Connected to each other. The
         * run goes on without them as with an offline agent (and they are replaced in time); a
         * launch that never connected is not among them (the failure path ABANDONs it).
         */
        private List<Member> cutOff(List<Member> reachable) {
            if (counters.waitAttempts() < desired.connectWaitMaxAttempts()
                || !reachable.stream().allMatch(m -> run.status(m.instanceId()).isPresent())) {
                return List.of();
            }
            List<Member> isolated = Connections.isolated(reachable, run.observed());
            List<Member> rest = reachable.stream().filter(m -> !isolated.contains(m)).toList();
            boolean keepable = isolated.stream().allMatch(m -> !m.launchPending() && m.endpointKnown());
            if (isolated.isEmpty() || !keepable || rest.size() * 2 <= cluster.members().size()
                || !Connections.unconnected(rest, run.observed()).isEmpty()) {
                return List.of();
            }
            return isolated;
        }

        Decision next() {
            if (active.isEmpty()) {
                return converged("The group has no live members; departing members are let go",
                    new LifecyclePlan(List.of(), terminatePending(cluster.departing()), cluster.departing()));
            }
            String stale = staleObservation();
            if (stale != null) {
                return observe(stale);
            }
            refuseShrink();
            Decision growVolumes = growDataVolumes();
            if (growVolumes != null) {
                return growVolumes;
            }

            List<DepartingMember> retained = retainedDeparting();
            RenderedConfig config = render(retained);

            // A kernel's in-tree DRBD 8.4 module is not DRBD 9: install the LINBIT packages there too.
            List<String> targets = targets(s -> s.drbdVersion() == null || !s.drbdVersion().startsWith("9."));
            if (!targets.isEmpty()) {
                return mutating(Step.InstallDrbd, targets, Map.of(),
                    "DRBD 9 is not installed on " + targets);
            }
            targets = targets(s -> !isTrue(s.lvmReady()) || s.metadata() == null);
            if (!targets.isEmpty()) {
                return mutating(Step.PrepareLvm, targets, params(
                    "VolumeGroup", desired.volumeGroup(),
                    "ThinPool", desired.thinPool(),
                    "LogicalVolume", desired.logicalVolume()),
                    "The LVM thin pool or volume is missing on " + targets);
            }
            // Online: LVM grows under a running DRBD resource, which sees the space only at its resize.
            targets = targets(s -> isTrue(s.backingGrowable()));
            if (!targets.isEmpty()) {
                return mutating(Step.GrowBacking, targets, params(
                    "VolumeGroup", desired.volumeGroup(),
                    "ThinPool", desired.thinPool(),
                    "LogicalVolume", desired.logicalVolume()),
                    "The data volume is larger than its LVM physical volume, thin pool or LV on " + targets);
            }
            // I9: a departing member still runs DRBD until its instance is gone. Once a survivor
            // dropped it, two of them would be a quorum of the config they still run and would
            // acknowledge writes that leave with them, and a lone Primary whose peers left gracefully
            // keeps quorum (drbd.conf(5), quorum). So they go first, and the survivors stay
            // connected to them until the group no longer lists them. Only while an active member is
            // UpToDate: a departing member may hold the only good copy (I3).
            List<DepartingMember> stillListed = upToDateMembers().isEmpty() ? List.of() : cluster.departing().stream()
                .filter(d -> d.instanceListed() && !retained.contains(d)).toList();
            if (!stillListed.isEmpty()) {
                List<String> ids = stillListed.stream().map(DepartingMember::instanceId).toList();
                return new Decision.ReleaseDeparting("Departing members " + ids + " are let go (an active member is"
                    + " UpToDate) but their instances still run: their terminate actions continue and the run waits"
                    + " until the group no longer lists them, before any survivor drops them", ids);
            }
            targets = targets(s -> !config.sha256().equals(s.configSha256()));
            if (!targets.isEmpty()) {
                return mutating(Step.WriteConfig, targets, params(
                    "ResourceName", desired.resourceName(),
                    "ConfigBase64", config.base64(),
                    "SecretId", desired.secretId()),
                    "The DRBD config differs from the rendering of the members (sha256 "
                        + config.sha256().substring(0, 12) + ") on " + targets);
            }
            targets = targets(s -> Boolean.FALSE.equals(s.metadata()));
            if (!targets.isEmpty()) {
                int maxPeers = membersMaxPeers().orElse(desired.maxPeers());
                return mutating(Step.CreateMetadata, targets, params(
                    "ResourceName", desired.resourceName(),
                    "MaxPeers", String.valueOf(maxPeers)),
                    "The backing volume holds no DRBD metadata on " + targets + " (max-peers " + maxPeers + ")");
            }
            // Before UpOrAdjust adds new peers: a survivor's bitmap slots of departed peers are
            // freed first, or two replacements at once can find no free slot (175).
            Decision forget = forgetDeparted(retained, m -> isTrue(status(m).up())
                && UP_TO_DATE.equals(status(m).diskState()));
            if (forget != null) {
                return forget;
            }
            targets = targets(s -> !isTrue(s.up()) || isTrue(s.adjustNeeded()));
            if (!targets.isEmpty()) {
                return mutating(Step.UpOrAdjust, targets, params("ResourceName", desired.resourceName()),
                    "The resource is down or differs from its config on " + targets);
            }

            List<String> unconnected = unconnectedPairs();
            if (!unconnected.isEmpty()) {
                return waitOrFail("Connections are not established: " + String.join(", ", unconnected));
            }
            if (active.stream().allMatch(m -> INCONSISTENT.equals(status(m).diskState()))) {
                if (!unreachable.isEmpty()) {
                    return waitOrFail("Every reachable replica is Inconsistent and " + ids(unreachable)
                        + " cannot be reached: whether this is a brand-new cluster cannot be told");
                }
                return syncDecision();
            }
            if (upToDateMembers().isEmpty()) {
                return waitOrFail("No replica is UpToDate yet (disk states: " + diskStates() + ")");
            }

            forget = forgetDeparted(retained, m -> true);
            if (forget != null) {
                return forget;
            }
            // A joining member is in service only once it holds the data: its launch action waits
            // (heartbeated) until its resync made its disk UpToDate.
            List<Member> joining = JoiningMembers.notUpToDate(active, run.observed());
            if (!joining.isEmpty()) {
                return waitForResync(joining, "Joining members are not UpToDate yet, their launch actions wait");
            }
            // The space a resize added is resynchronized to the peers: this run waits for it, so that
            // it ends (and a deploy answers) with every copy UpToDate.
            List<Member> growing = active.stream().filter(m -> !UP_TO_DATE.equals(status(m).diskState())).toList();
            if (!growing.isEmpty() && counters.lastMutating() != null
                && Step.ResizeDevice.name().equals(counters.lastMutating().step())) {
                return waitForResync(growing, "Members resync the space the resize added");
            }
            Decision grow = resizeDecision();
            if (grow != null) {
                return grow;
            }

            // A retained member stays in the config and keeps its terminate action waiting
            // (heartbeated by every run) until a run lets it go (I3).
            List<DepartingMember> letGo = cluster.departing().stream()
                .filter(d -> !retained.contains(d)).toList();
            // An unreachable member may still hold a departed peer's bitmap slot: no node-id is
            // freed for reuse until it is reachable again or gone itself (I6).
            List<DepartingMember> released = unreachable.isEmpty() ? letGo : List.of();
            int configured = active.size() + unreachablePeers.size() + retained.size();
            boolean evictionSafe = upToDateMembers().size() * 2 > configured;
            String held = unreachablePeers.isEmpty() || evictionSafe ? null : String.format(
                "%s stays unreachable, but only %d of the %d members in the config are UpToDate and reachable:"
                    + " replacing it would leave fewer than a majority of UpToDate members",
                ids(unreachablePeers), upToDateMembers().size(), configured);
            return converged(
                "Every reachable member runs the desired DRBD config, every pair of them is Connected and "
                    + upToDateMembers().size() + " of " + active.size() + " replicas are UpToDate"
                    + (retained.isEmpty() ? "" : "; kept in the config while the group is below "
                        + DrbdResourceSpec.MIN_NODES + " members: " + retained.stream()
                            .map(DepartingMember::instanceId).toList())
                    + (unreachable.isEmpty() ? "" : "; unreachable (SSM agent offline, or DRBD disconnected from"
                        + " every peer), kept in the config, no command sent: " + ids(unreachable)),
                new LifecyclePlan(
                    active.stream().filter(Member::launchPending).map(Member::instanceId).toList(),
                    // The members let go left through ReleaseDepartingMembers: no terminate action waits.
                    List.of(),
                    released,
                    unreachable.stream().filter(Member::launchPending).map(Member::instanceId).toList(),
                    ids(unreachable),
                    evictionSafe ? ids(unreachablePeers) : List.of(),
                    held,
                    primaries()));
        }

        /**
         * The members a status shows DRBD Primary: scale-in protection follows them, so the group
         * never picks the node the application uses when it scales in. An unreachable member keeps
         * the protection it has: its role is unknown (it may still be Primary).
         */
        private List<String> primaries() {
            return cluster.members().stream().filter(m -> {
                if (unreachable.contains(m)) {
                    return cluster.scaleInProtected().contains(m.instanceId());
                }
                NodeStatus status = run.observed().get(m.instanceId());
                return active.contains(m) && status != null && status.resource() != null
                    && PRIMARY.equals(status.resource().role());
            }).map(Member::instanceId).toList();
        }

        private static List<String> ids(List<Member> members) {
            return members.stream().map(Member::instanceId).toList();
        }

        /**
         * ForgetDepartedPeers on the {@code eligible} survivors that still know a departed member
         * the config let go of, or {@code null}. A survivor is a member whose metadata predates this
         * run (a new member never knew the departed one); the document re-checks I3 on the node.
         */
        private Decision forgetDeparted(List<DepartingMember> retained, Predicate<Member> eligible) {
            for (DepartingMember departed : cluster.departing()) {
                if (retained.contains(departed)) {
                    continue;
                }
                Set<String> done = new HashSet<>(counters.forgottenBy(departed.nodeId()));
                List<String> survivors = active.stream()
                    .filter(m -> !counters.metadataCreated().contains(m.instanceId()) && !done.contains(m.instanceId()))
                    .filter(eligible)
                    .map(Member::instanceId)
                    .toList();
                if (!survivors.isEmpty()) {
                    return mutating(Step.ForgetDepartedPeers, survivors, params(
                        "ResourceName", desired.resourceName(),
                        "PeerNodeId", String.valueOf(departed.nodeId())),
                        "Departed member " + departed.instanceId() + " (node-id " + departed.nodeId()
                            + ") is still known to " + survivors);
                }
            }
            return null;
        }

        /**
         * Refuses, before anything changes, a desired data volume smaller than the smallest one that
         * holds the cluster's data (a member whose metadata predates this run): DRBD cannot shrink a
         * resource below its size, and a member launched with the smaller volume could not join; and
         * a joining member whose volume is smaller than that, whatever the setting says. The setting
         * is compared only while no member joins or departs: during a rolling update the running
         * execution may still call the functions of the previous deploy (an execution keeps the
         * definition and function versions it started with), whose setting is the old size, while
         * the members already have the new one.
         */
        private void refuseShrink() {
            List<Member> holders = holders().filter(m -> status(m).dataVolumeGiB() != null).toList();
            int smallest = holders.stream().mapToInt(m -> status(m).dataVolumeGiB()).min().orElse(0);
            boolean membershipChanging = !cluster.departing().isEmpty()
                || active.stream().anyMatch(Member::launchPending);
            if (!membershipChanging && desired.dataVolumeGiB() < smallest) {
                throw new DataVolumeShrinkRefusedException(String.format(Locale.ROOT, "drbd:dataVolumeGiB asks"
                    + " for %d GiB data volumes, but the members' hold %d GiB (%s): a DRBD resource cannot shrink"
                    + " below its size, and a member launched with the smaller volume could not join. Nothing was"
                    + " changed; set drbd:dataVolumeGiB to %d or more and deploy again",
                    desired.dataVolumeGiB(), smallest, holders.stream()
                        .map(m -> m.instanceId() + " " + status(m).dataVolumeGiB() + " GiB")
                        .collect(Collectors.joining(", ")), smallest));
            }
            // The launch template may be newer than this function's setting (a rolling update of a
            // smaller drbd:dataVolumeGiB: CloudFormation need not update the functions first).
            for (Member joining : active) {
                Integer gib = status(joining).dataVolumeGiB();
                // A smaller one that drbd:dataVolumeGiB covers is grown (GrowDataVolumes) before it joins.
                if (!holders.contains(joining) && gib != null && gib < smallest && desired.dataVolumeGiB() < smallest) {
                    throw new DataVolumeShrinkRefusedException(String.format(Locale.ROOT, "%s joins with a %d GiB"
                        + " data volume, but the members' hold %d GiB (%s): it could not hold the data (was"
                        + " drbd:dataVolumeGiB lowered?). Nothing was changed; set drbd:dataVolumeGiB to %d or more"
                        + " and deploy again", joining.instanceId(), gib, smallest, holders.stream()
                            .map(m -> m.instanceId() + " " + status(m).dataVolumeGiB() + " GiB")
                            .collect(Collectors.joining(", ")), smallest));
                }
            }
        }

        /**
         * GrowDataVolumes while a reached member's data volume is smaller than drbd:dataVolumeGiB, or
         * {@code null}: EBS grows a volume in place (ModifyVolume), and Linux sees the larger disk once
         * the modification is optimizing ("Monitor the progress of Amazon EBS volume modifications").
         * Each volume is asked for once per execution (EC2 refuses a second modification while one is
         * in progress, and limits how often a volume may be modified); the run observes until every
         * node sees the new size, within the connection wait's bound. A refusal ends the run: nothing
         * else was changed, and what EC2 answered is in the message. Before anything else, so that a
         * member launched with a smaller volume (the group's launch template version predates the
         * setting, as a size change starts no instance refresh) has its full size before it is prepared.
         */
        private Decision growDataVolumes() {
            List<Member> small = active.stream().filter(m -> status(m).dataVolumeId() != null
                && status(m).dataVolumeGiB() != null && status(m).dataVolumeGiB() < desired.dataVolumeGiB()).toList();
            if (small.isEmpty()) {
                return null;
            }
            Set<String> smallVolumes = small.stream().map(m -> status(m).dataVolumeId()).collect(Collectors.toSet());
            for (VolumeGrowthResult result : run.volumeGrowth()) {
                if (!result.accepted() && smallVolumes.contains(result.volumeId())) {
                    throw new VolumeGrowthFailedException(String.format(Locale.ROOT, "EC2 did not grow data volume %s"
                        + " to %s GiB (drbd:dataVolumeGiB): %s. Nothing else was changed; once the volume can be"
                        + " modified again (see its modification state in the EC2 console, and EBS's limit on"
                        + " modifications per volume), start a re-adjust or deploy again", result.volumeId(),
                        result.size(), result.error() == null ? "its modification state is "
                            + result.modificationState() : result.error().error() + ": " + result.error().cause()));
                }
            }
            String sizes = small.stream().map(m -> m.instanceId() + " " + status(m).dataVolumeId() + " "
                + status(m).dataVolumeGiB() + " GiB").collect(Collectors.joining(", "));
            if (counters.volumeGrowthRounds() >= desired.connectWaitMaxAttempts()) {
                throw new VolumeGrowthFailedException(String.format(Locale.ROOT, "The nodes still see data volumes"
                    + " smaller than drbd:dataVolumeGiB = %d GiB after %d observations: %s. EC2 accepted growing"
                    + " them; read their modification state in the EC2 console (a size change takes effect once it"
                    + " is optimizing) and 'lsblk' on the nodes, then start a re-adjust",
                    desired.dataVolumeGiB(), counters.volumeGrowthRounds(), sizes));
            }
            Set<String> asked = new HashSet<>(counters.volumesRequested());
            run.volumeGrowth().stream().filter(VolumeGrowthResult::accepted).map(VolumeGrowthResult::volumeId)
                .forEach(asked::add);
            List<VolumeGrowth> growNow = small.stream().map(m -> status(m).dataVolumeId()).filter(v -> !asked.contains(v))
                .distinct().map(v -> new VolumeGrowth(v, desired.dataVolumeGiB())).toList();
            return new Decision.GrowVolumes(String.format(Locale.ROOT, "Data volumes are smaller than"
                    + " drbd:dataVolumeGiB = %d GiB: %s; %s", desired.dataVolumeGiB(), sizes, growNow.isEmpty()
                    ? "EC2 is growing them, waiting until the nodes see the new size"
                    : "EC2 grows " + growNow.stream().map(VolumeGrowth::volumeId).toList() + " in place (ModifyVolume)"),
                growNow, desired.connectBackoffSeconds(counters.volumeGrowthRounds()), ids(active), statusParameters());
        }

        /** Why the members' last reports are too old to plan on, or {@code null}. */
        private String staleObservation() {
            List<String> unobserved = active.stream().map(Member::instanceId)
                .filter(id -> run.status(id).isEmpty()).toList();
            if (!unobserved.isEmpty()) {
                return "No observation yet of " + unobserved;
            }
            if (counters.observedSnapshot() != cluster.snapshot()) {
                return "The membership was described again since the last observation";
            }
            // Every document reports its node's status after its work. A step that changes peers also
            // changes what the members it did not run on report: theirs are stale until observed (I1-I3
            // and the brand-new test read every member's status as it stands after the last step).
            List<String> stale = active.stream().map(Member::instanceId)
                .filter(counters.staleStatus()::contains).toList();
            if (!stale.isEmpty()) {
                String last = counters.lastMutating() == null ? "A step" : counters.lastMutating().step();
                return last + " on other members may have changed what " + stale + " report";
            }
            return null;
        }

        /**
         * Departing members that stay in the config: all of them while no active member is
         * UpToDate (one may hold the only good copy, I3), and enough to keep 3 nodes for quorum
         * while the group is below 3 live members. Only members with a known hostname and address
         * (not reused by a live member) can stay.
         */
        private List<DepartingMember> retainedDeparting() {
            Set<String> taken = new HashSet<>();
            for (Member member : active) {
                NodeStatus status = status(member);
                taken.add(status.hostname());
                taken.add(status.address());
            }
            for (Member member : unreachablePeers) {
                taken.add(member.hostname());
                taken.add(member.address());
            }
            List<DepartingMember> candidates = cluster.departing().stream()
                .filter(d -> d.hostname() != null && d.address() != null)
                .filter(d -> !taken.contains(d.hostname()) && !taken.contains(d.address()))
                .toList();
            if (upToDateMembers().isEmpty()) {
                return candidates;
            }
            List<DepartingMember> retained = new ArrayList<>();
            for (DepartingMember candidate : candidates) {
                if (active.size() + unreachablePeers.size() + retained.size() >= DrbdResourceSpec.MIN_NODES) {
                    break;
                }
                retained.add(candidate);
            }
            return retained;
        }

        private RenderedConfig render(List<DepartingMember> retained) {
            List<DrbdNodeSpec> nodes = new ArrayList<>();
            for (Member member : active) {
                NodeStatus status = status(member);
                try {
                    nodes.add(new DrbdNodeSpec(status.hostname(), status.address(), member.nodeId()));
                } catch (IllegalArgumentException e) {
                    throw new ObservationIncompleteException("The status result of " + member.instanceId()
                        + " cannot name the node in the DRBD config: " + e.getMessage()
                        + "; check the drbd-status document's output in the execution history");
                }
            }
            for (Member peer : unreachablePeers) {
                nodes.add(new DrbdNodeSpec(peer.hostname(), peer.address(), peer.nodeId()));
            }
            for (DepartingMember departed : retained) {
                nodes.add(new DrbdNodeSpec(departed.hostname(), departed.address(), departed.nodeId()));
            }
            if (nodes.size() < DrbdResourceSpec.MIN_NODES) {
                throw new ClusterTooSmallException(String.format(
                    "The group has %d live members %s and no departed member that can stay in the"
                        + " config; DRBD quorum majority needs at least %d nodes: set the Auto Scaling"
                        + " group's desired capacity to %d or more",
                    active.size(), cluster.memberIds(), DrbdResourceSpec.MIN_NODES, DrbdResourceSpec.MIN_NODES));
            }
            try {
                return DrbdResFileRenderer.render(new DrbdResourceSpec(desired.resourceName(), desired.port(),
                    desired.minor(), desired.backingDisk(), nodes, desired.verifyAlg(), desired.cramHmacAlg()));
            } catch (IllegalArgumentException e) {
                throw new ObservationIncompleteException(
                    "The members cannot form a DRBD config: " + e.getMessage());
            }
        }

        /** Every pair of active members that does not see the other as Connected. */
        private List<String> unconnectedPairs() {
            return Connections.unconnected(active, run.observed()).stream().map(Connections.Pair::toString).toList();
        }

        private Decision syncDecision() {
            List<String> notNew = active.stream().map(Member::instanceId)
                .filter(id -> !counters.metadataCreated().contains(id)).toList();
            if (!notNew.isEmpty()) {
                List<String> departed = cluster.departing().stream().map(DepartingMember::instanceId).toList();
                throw new AllReplicasInconsistentException(String.format(
                    "Every replica of resource %s is Inconsistent, but the DRBD metadata of %s was not"
                        + " created by this reconcile, so this is not a brand-new cluster and the initial"
                        + " sync is not skipped (it could hide lost data).%s Find the node whose disk holds"
                        + " the good data and run 'drbdadm primary --force %s' there (or, if the volume"
                        + " was never used, 'drbdadm new-current-uuid --clear-bitmap %s' on one node), then"
                        + " start a reconcile again",
                    desired.resourceName(), notNew, departed.isEmpty() ? "" : " The departing members " + departed
                        + " may hold the last UpToDate copy: their data volumes are kept (tag "
                        + ClusterTags.INSTANCE_ID + "; README, 'Kept data volumes').",
                    desired.resourceName(), desired.resourceName()));
            }
            // One node skips (I2); the others run the same document only to report once their disk
            // is UpToDate, so no observation has to follow.
            Member first = active.get(0);
            return mutating(Step.SkipInitialSync, ids(active),
                params("ResourceName", desired.resourceName(), "ActingNodeId", String.valueOf(first.nodeId())),
                "Brand-new cluster: every disk is Inconsistent, every pair is Connected and this"
                    + " reconcile created the metadata of every member; " + first.instanceId() + " (node-id "
                    + first.nodeId() + ") skips the initial sync, the others report");
        }

        /**
         * The bitmap slots of the members whose metadata predates this run (the smallest, if they
         * differ), or empty when none reported them. A joining member gets as many, whatever MAX_PEERS
         * says now (it follows drbd:nodeCount): internal metadata grows with the slots, so a member with
         * more would hold less than the device's size on a volume of the same size, and DRBD refuses a
         * peer whose disk is too small. The cluster cannot use more slots than its members have anyway.
         */
        private Optional<Integer> membersMaxPeers() {
            return holders().map(m -> status(m).maxPeers()).filter(Objects::nonNull).min(Integer::compare);
        }

        /** The reached members whose metadata predates this run: they hold the cluster's data. */
        private Stream<Member> holders() {
            return active.stream()
                .filter(m -> isTrue(status(m).metadata()) && !counters.metadataCreated().contains(m.instanceId()));
        }

        /**
         * ResizeDevice once every member's backing LV holds more than the DRBD device (after a rolling
         * update to larger data volumes), or {@code null}. Only while every member of the config is
         * reached, UpToDate and Connected (checked before) and none is leaving: DRBD limits a resize to
         * what an unconnected peer had, and refuses one during a resync. On the Primary if there is
         * one, so that it is the resync's source; the node re-checks.
         */
        private Decision resizeDecision() {
            if (!unreachable.isEmpty() || !cluster.departing().isEmpty() || upToDateMembers().size() != active.size()) {
                return null;
            }
            List<ResourceStatus> resources = active.stream().map(m -> status(m).resource()).toList();
            if (resources.stream().anyMatch(r -> r == null || r.sizeKiB() == null || r.backingKiB() == null)) {
                return null;
            }
            long device = resources.stream().mapToLong(ResourceStatus::sizeKiB).min().orElseThrow();
            long backing = resources.stream().mapToLong(ResourceStatus::backingKiB).min().orElseThrow();
            // The most slots any member's metadata has (MAX_PEERS may be fewer after a scale-in).
            int slots = active.stream().map(m -> status(m).maxPeers()).filter(Objects::nonNull)
                .reduce(desired.maxPeers(), Math::max);
            long grown = backing - 2 * metadataBoundKiB(backing, slots);
            if (device >= grown) {
                return null;
            }
            List<String> primaries = primaries();
            String target = primaries.isEmpty() ? active.stream().min(Comparator.comparingInt(Member::nodeId))
                .orElseThrow().instanceId() : primaries.get(0);
            return mutating(Step.ResizeDevice, List.of(target), params(
                "ResourceName", desired.resourceName(),
                "BelowKiB", String.valueOf(grown)),
                String.format(Locale.ROOT, "The DRBD device holds %d KiB, but every member's backing volume holds at"
                    + " least %d KiB (a larger drbd:dataVolumeGiB): %s grows it", device, backing, target));
        }

        /**
         * A bound on DRBD's internal metadata at the end of a backing device of {@code backingKiB}: one
         * bitmap per peer slot (a bit per 4 KiB: backingKiB / 32768 KiB each), the 32 KiB activity log,
         * the 4 KiB superblock, and 1 MiB for alignment.
         */
        static long metadataBoundKiB(long backingKiB, int maxPeers) {
            return (long) maxPeers * (backingKiB / 32768 + 4) + 36 + 1024;
        }

        private Decision waitForResync(List<Member> joining, String what) {
            String progress = joining.stream().map(m -> m.instanceId() + " " + status(m).diskState()
                    + syncProgress(status(m)).map(p -> String.format(Locale.ROOT, " %.1f%% in sync", p)).orElse(""))
                .collect(Collectors.joining(", "));
            long waited = desired.resyncWaitedSeconds(counters.resyncWaits());
            long bound = desired.maxResyncHours() * 3600L;
            if (waited >= bound) {
                throw new ResyncTimeoutException(String.format(Locale.ROOT, "The joining members are still not"
                    + " UpToDate after %d min of waiting for their resync (drbd:maxResyncHours = %d): %s. Their launches are"
                    + " abandoned and the group replaces them; a resync this slow points at the replication"
                    + " network (read 'drbdadm status %s' on the nodes) or at a bound too small for the volume",
                    waited / 60, desired.maxResyncHours(), progress, desired.resourceName()));
            }
            return new Decision.WaitThenObserve(Step.WaitForResync, what + ": " + progress + " (waited " + waited / 60 + " of "
                + desired.maxResyncHours() * 60 + " min)", desired.resyncBackoffSeconds(counters.resyncWaits()),
                ids(active), statusParameters());
        }

        /** The progress of a SyncTarget: the highest percent-in-sync towards a peer below 100, if any. */
        private static Optional<Double> syncProgress(NodeStatus status) {
            return status.resource() == null ? Optional.empty() : status.resource().peers().stream()
                .map(PeerStatus::syncPercent).filter(p -> p != null && p < 100.0)
                .max(Double::compare);
        }

        private Decision waitOrFail(String reason) {
            if (counters.waitAttempts() >= desired.connectWaitMaxAttempts()) {
                throw new ConvergenceTimeoutException(reason + " after " + counters.waitAttempts()
                    + " observations; check that the security group lets the DRBD port through between"
                    + " the nodes and read 'drbdadm status " + desired.resourceName() + "' on them");
            }
            return new Decision.WaitThenObserve(Step.WaitForConnections, reason,
                desired.connectBackoffSeconds(counters.waitAttempts()),
                ids(active), statusParameters());
        }

        private Decision observe(String reason) {
            return new Decision.RunOnNodes(Step.ObserveNodes, reason, ids(active), statusParameters());
        }

        private Map<String, String> statusParameters() {
            return params("ResourceName", desired.resourceName(),
                "VolumeGroup", desired.volumeGroup(),
                "LogicalVolume", desired.logicalVolume());
        }

        private Decision mutating(Step step, List<String> targets, Map<String, String> parameters,
            String reason) {
            if (counters.mutatingRounds() >= desired.maxMutatingRounds()) {
                throw new ReconcileStuckException(String.format(
                    "The reconcile ran %d mutating steps without converging (next would be %s: %s)",
                    counters.mutatingRounds(), step, reason));
            }
            RunCounters.StepRecord last = counters.lastMutating();
            if (step != Step.ForgetDepartedPeers && last != null && last.step().equals(step.name())
                && last.snapshot() == cluster.snapshot() && last.targets().containsAll(targets)) {
                throw new ReconcileStuckException(String.format(
                    "%s succeeded on %s, but the nodes still need it: %s. Read the step's output in the"
                        + " execution history", step, targets, reason));
            }
            // Every document reports the node status, which reads the resource, VG and LV.
            Map<String, String> withStatus = new LinkedHashMap<>(parameters);
            statusParameters().forEach(withStatus::putIfAbsent);
            return new Decision.RunOnNodes(step, reason, targets, withStatus);
        }

        private Decision converged(String reason, LifecyclePlan lifecycle) {
            return new Decision.Converged(reason, lifecycle);
        }

        private List<String> targets(Predicate<NodeStatus> needs) {
            return active.stream().filter(m -> needs.test(status(m))).map(Member::instanceId).toList();
        }

        private List<String> upToDateMembers() {
            return active.stream().filter(m -> UP_TO_DATE.equals(status(m).diskState()))
                .map(Member::instanceId).toList();
        }

        private String diskStates() {
            return active.stream().map(m -> m.instanceId() + "=" + status(m).diskState())
                .collect(Collectors.joining(", "));
        }

        private NodeStatus status(Member member) {
            return run.status(member.instanceId()).orElseThrow(() -> new IllegalStateException(
                "No observation of " + member.instanceId() + " after the staleness check"));
        }

        private static List<String> terminatePending(List<DepartingMember> departing) {
            return departing.stream().filter(DepartingMember::terminatePending)
                .map(DepartingMember::instanceId).toList();
        }

        private static boolean isTrue(Boolean value) {
            return Boolean.TRUE.equals(value);
        }

        /** Parameters by name, in the order given. */
        private static Map<String, String> params(String... keyValues) {
            Map<String, String> map = new LinkedHashMap<>();
            for (int i = 0; i < keyValues.length; i += 2) {
                map.put(keyValues[i], keyValues[i + 1]);
            }
            return map;
        }
    }
}
