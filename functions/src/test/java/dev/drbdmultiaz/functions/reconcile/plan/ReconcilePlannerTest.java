package dev.drbdmultiaz.functions.reconcile.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.functions.common.exceptions.AllReplicasInconsistentException;
import dev.drbdmultiaz.functions.common.exceptions.ClusterTooSmallException;
import dev.drbdmultiaz.functions.common.exceptions.ConvergenceTimeoutException;
import dev.drbdmultiaz.functions.common.exceptions.ObservationIncompleteException;
import dev.drbdmultiaz.functions.common.exceptions.ReconcileStuckException;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.DepartingMember;
import dev.drbdmultiaz.functions.reconcile.state.LifecyclePlan;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.functions.reconcile.state.PlannedStep;
import dev.drbdmultiaz.functions.reconcile.state.RunCounters;
import dev.drbdmultiaz.functions.reconcile.volumes.VolumeGrowth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("ReconcilePlanner")
class ReconcilePlannerTest {

    /**
     * Every document reports its node's status, so no observation follows a step: drbd-up reports once
     * its peers are Connected, and the sync-skip goes to every node (one acts, the others report once
     * UpToDate).
     */
    private static final List<String> FRESH_CLUSTER_STEPS = List.of(
        "ObserveNodes", "InstallDrbd", "PrepareLvm", "WriteConfig", "CreateMetadata", "UpOrAdjust", "SkipInitialSync",
        "Converged");

    @Test
    @DisplayName("drives a fresh three-node cluster through every step in order, ending with one sync-skip")
    void freshCluster() {
        SimulatedCluster sim = new SimulatedCluster();
        IntStream.range(0, 3).forEach(sim::fresh);

        assertEquals(FRESH_CLUSTER_STEPS, sim.runToConvergence());

        PlannedStep skip = step(sim, "SkipInitialSync");
        assertEquals("0", skip.parameter("ActingNodeId"), "sync-skip acts on one node, the lowest node-id");
        assertEquals(1, sim.syncSkips, "exactly one node cleared the bitmap (I2)");
        for (PlannedStep plan : sim.plans) {
            if (!plan.step().equals("Converged")) {
                assertEquals(3, plan.targets().size(), plan.step() + " goes to every node in one command");
            }
        }
        assertTrue(sim.nodes.values().stream().allMatch(n -> n.disk.equals("UpToDate")));
    }

    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = {5, 9})
    @DisplayName("gives 5 and 9 nodes the same step sequence as 3")
    void largerClusters(int size) {
        SimulatedCluster sim = new SimulatedCluster();
        sim.settings = SimulatedCluster.settings(20, size + 2);
        IntStream.range(0, size).forEach(sim::fresh);

        assertEquals(FRESH_CLUSTER_STEPS, sim.runToConvergence());
        assertEquals(size, step(sim, "WriteConfig").targets().size());
    }

    @Test
    @DisplayName("the converged plan protects the Primary member, and only it, from scale-in")
    void protectsThePrimaryFromScaleIn() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> nodes = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(nodes);
        nodes.get(1).role = "Primary";

        sim.runToConvergence();

        PlannedStep converged = sim.plans.get(sim.plans.size() - 1);
        assertEquals(List.of(nodes.get(1).instanceId), converged.lifecycle().protectFromScaleIn());
    }

    @Test
    @DisplayName("an unreachable member keeps its scale-in protection (its role is unknown); a reachable Secondary loses it")
    void unreachableMemberKeepsItsProtection() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> nodes = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(nodes);
        sim.scaleInProtected = List.of(nodes.get(0).instanceId, nodes.get(2).instanceId);
        sim.unreachable = java.util.Set.of(nodes.get(2).instanceId);

        sim.runToConvergence();

        PlannedStep converged = sim.plans.get(sim.plans.size() - 1);
        assertEquals("Converged", converged.step());
        assertEquals(List.of(nodes.get(2).instanceId), converged.lifecycle().protectFromScaleIn());
    }

    @Test
    @DisplayName("passes the config as base64 with the secret's ARN, never a secret value")
    void writeConfigParameters() {
        SimulatedCluster sim = new SimulatedCluster();
        IntStream.range(0, 3).forEach(sim::fresh);
        sim.runToConvergence();

        PlannedStep write = step(sim, "WriteConfig");
        assertEquals("doc-write-config", write.documentName());
        assertEquals(Map.of("ResourceName", "r0",
                "ConfigBase64", sim.render(List.copyOf(sim.nodes.values())).base64(),
                "SecretId", SimulatedCluster.SECRET_ARN,
                "VolumeGroup", "drbdpool", "LogicalVolume", "r0"),
            write.parameters(), "the status the document reports reads the resource, VG and LV");
        for (PlannedStep plan : sim.plans) {
            if (!plan.step().equals("Converged")) {
                assertEquals(List.of("r0", "drbdpool", "r0"), List.of(plan.parameter("ResourceName"),
                    plan.parameter("VolumeGroup"), plan.parameter("LogicalVolume")), plan.step());
            }
        }
        String config = new String(java.util.Base64.getDecoder().decode(write.parameter("ConfigBase64")),
            java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(config.contains("shared-secret \"@DRBD_SHARED_SECRET@\";"));
    }

    @Test
    @DisplayName("brings a rebooted cluster up without creating metadata or skipping the sync")
    void reboot() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> nodes = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, false)).toList();
        sim.configured(nodes);

        assertEquals(List.of("ObserveNodes", "UpOrAdjust", "Converged"), sim.runToConvergence(),
            "every member was brought up, each reports the others Connected");
    }

    @Test
    @DisplayName("waits for connections with backoff before converging")
    void waitsForConnections() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> nodes = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, false)).toList();
        sim.configured(nodes);
        sim.connectAfterObservations = 4;

        List<String> steps = sim.runToConvergence();

        assertEquals(List.of("ObserveNodes", "UpOrAdjust", "ObserveNodes", "WaitForConnections",
            "WaitForConnections", "WaitForConnections", "Converged"), steps,
            "drbd-up's wait ran out with its peers unconnected (settled false): its report is stale");
        List<Integer> waits = sim.plans.stream().filter(p -> p.step().equals("WaitForConnections"))
            .map(PlannedStep::waitSeconds).toList();
        assertEquals(List.of(5, 10, 20), waits);
        assertEquals("doc-status", step(sim, "WaitForConnections").documentName());
    }

    @Test
    @DisplayName("fails with ConvergenceTimeoutException when connections never come up")
    void failsWhenConnectionsNeverComeUp() {
        SimulatedCluster sim = new SimulatedCluster();
        sim.settings = SimulatedCluster.settings(3);
        List<SimulatedCluster.Node> nodes = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, false)).toList();
        sim.configured(nodes);
        sim.connectAfterObservations = 1000;

        ConvergenceTimeoutException e = assertThrows(ConvergenceTimeoutException.class, sim::runToConvergence);
        assertTrue(e.getMessage().contains("after 3 observations"), e.getMessage());
        assertTrue(e.getMessage().contains("Connecting"), e.getMessage());
    }

    @Test
    @DisplayName("joins a replacement node with a full resync: create-md only on it, forget only after a survivor is UpToDate")
    void replacedNode() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> old = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(old);
        sim.depart(old.get(2), DepartingMember.TERMINATE);
        SimulatedCluster.Node replacement = sim.fresh(3);
        replacement.launchPending = true;

        List<String> steps = sim.runToConvergence();

        assertEquals(List.of("ObserveNodes", "InstallDrbd", "PrepareLvm", "ReleaseDepartingMembers", "ObserveNodes",
            "WriteConfig", "CreateMetadata", "ForgetDepartedPeers", "UpOrAdjust", "WaitForResync", "WaitForResync",
            "Converged"), steps, "the membership is described again after the release: observed again; the launch"
                + " waits for the resync");
        assertEquals("UpToDate", replacement.disk, "its launch is CONTINUEd only once it holds the data");
        assertEquals(List.of(old.get(2).instanceId), step(sim, "ReleaseDepartingMembers").targets());
        assertEquals(List.of(old.get(2).instanceId), sim.terminated,
            "its terminate action continues, and its instance is gone, before any survivor drops it (I9)");
        assertFalse(steps.contains("SkipInitialSync"), "a replaced node gets a full resync");
        assertEquals(List.of(replacement.instanceId), step(sim, "CreateMetadata").targets());
        assertEquals(List.of(old.get(0).instanceId, old.get(1).instanceId), step(sim, "ForgetDepartedPeers").targets());
        assertEquals("2", step(sim, "ForgetDepartedPeers").parameters().get("PeerNodeId"));
        assertEquals(3, step(sim, "UpOrAdjust").targets().size(), "survivors adjust, the new node comes up");
        assertTrue(sim.plans.stream().noneMatch(PlannedStep::heartbeat),
            "the planner has no clock: PlanNextStep's HeartbeatSchedule sets the heartbeat flag");

        LifecyclePlan lifecycle = sim.plans.get(sim.plans.size() - 1).lifecycle();
        assertEquals(List.of(replacement.instanceId), lifecycle.continueLaunches());
        assertEquals(List.of(), lifecycle.continueTerminates(), "continued by ReleaseDepartingMembers");
        assertEquals(List.of(old.get(2).instanceId),
            lifecycle.release().stream().map(DepartingMember::instanceId).toList());
    }

    @Test
    @DisplayName("keeps a joining member's launch waiting while it resyncs, reporting the progress, with a growing wait")
    void joiningMemberWaitsForItsResync() {
        SimulatedCluster sim = new SimulatedCluster();
        SimulatedCluster.Node replacement = replacingOne(sim);
        sim.resyncObservations = 4;

        sim.runToConvergence();

        List<PlannedStep> waits = sim.plans.stream().filter(p -> p.step().equals("WaitForResync")).toList();
        assertEquals(4, waits.size());
        assertEquals(List.of(15, 30, 60, 120), waits.stream().map(PlannedStep::waitSeconds).toList(),
            "a backoff for resyncs that take minutes to hours");
        assertTrue(waits.get(0).reason().contains(replacement.instanceId + " Inconsistent"), waits.get(0).reason());
        assertTrue(waits.get(2).reason().contains("50.0% in sync"), waits.get(2).reason());
        assertEquals(3, waits.get(0).targets().size(), "every member is observed (the source too)");
        assertEquals(List.of(replacement.instanceId),
            sim.plans.get(sim.plans.size() - 1).lifecycle().continueLaunches());
    }

    private static DesiredSettings withDataVolumeGiB(int gib) {
        DesiredSettings base = SimulatedCluster.settings(20);
        return new DesiredSettings(base.resourceName(), base.port(), base.minor(), base.volumeGroup(),
            base.thinPool(), base.logicalVolume(), base.maxPeers(), base.secretId(), base.verifyAlg(),
            base.cramHmacAlg(), base.documents(), 20, 40, 1.0, 24, gib);
    }

    @Test
    @DisplayName("refuses a smaller drbd:dataVolumeGiB than the members' data volumes before it changes anything,"
        + " naming both sizes")
    void refusesShrink() {
        SimulatedCluster sim = new SimulatedCluster();
        sim.settings = withDataVolumeGiB(50);
        sim.configured(IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList());

        var e = assertThrows(dev.drbdmultiaz.functions.common.exceptions.DataVolumeShrinkRefusedException.class,
            sim::runToConvergence);

        assertTrue(e.getMessage().contains("asks for 50 GiB") && e.getMessage().contains("hold 100 GiB"),
            e.getMessage());
        assertTrue(e.getMessage().contains("Nothing was changed"), e.getMessage());
        assertEquals(List.of("ObserveNodes"), sim.plans.stream().map(PlannedStep::step).toList(),
            "only the read-only observation ran");
    }

    @Test
    @DisplayName("does not take the previous deploy's smaller setting for a shrink while members join or leave"
        + " (a rolling update to larger volumes, run by the functions the execution started with)")
    void staleSettingDuringGrowthIsNoShrink() {
        SimulatedCluster sim = new SimulatedCluster();
        sim.settings = withDataVolumeGiB(100);
        SimulatedCluster.Node replacement = replacingOne(sim);
        sim.nodes.values().stream().filter(n -> n != replacement).forEach(n -> n.dataVolumeGiB = 120);
        replacement.dataVolumeGiB = 120;

        assertEquals("Converged", sim.runToConvergence().get(sim.plans.size() - 1));
    }

    @Test
    @DisplayName("grows a joining member's smaller data volume to the setting before it is prepared (the group's"
        + " launch template version predates a size change, which starts no instance refresh)")
    void growsSmallerJoiningMemberFirst() {
        SimulatedCluster sim = new SimulatedCluster();
        sim.settings = withDataVolumeGiB(120);
        SimulatedCluster.Node replacement = replacingOne(sim);
        sim.nodes.values().stream().filter(n -> n != replacement).forEach(n -> n.dataVolumeGiB = 120);
        replacement.dataVolumeGiB = 100;

        List<String> steps = sim.runToConvergence();

        assertEquals(Map.of(SimulatedCluster.volumeId(replacement), 1), sim.modifyRequests, "asked once, for it only");
        assertTrue(steps.indexOf("GrowDataVolumes") < steps.indexOf("PrepareLvm"), "grown before it is prepared: " + steps);
        assertEquals(120, replacement.dataVolumeGiB);
        assertEquals("Converged", steps.get(steps.size() - 1));
    }

    @Test
    @DisplayName("refuses a joining member with a smaller data volume than the members' while the setting is smaller"
        + " too (a rolling update that lowered it), before anything changes")
    void refusesSmallerJoiningMember() {
        SimulatedCluster sim = new SimulatedCluster();
        sim.settings = withDataVolumeGiB(50);
        SimulatedCluster.Node replacement = replacingOne(sim);
        replacement.dataVolumeGiB = 50;

        var e = assertThrows(dev.drbdmultiaz.functions.common.exceptions.DataVolumeShrinkRefusedException.class,
            sim::runToConvergence);

        assertTrue(e.getMessage().contains(" joins with a 50 GiB data volume, but the members' hold 100 GiB"),
            e.getMessage());
        assertEquals(List.of("ObserveNodes"), sim.plans.stream().map(PlannedStep::step).toList(),
            "only the read-only observation ran");
    }

    @Test
    @DisplayName("accepts the same or a larger drbd:dataVolumeGiB, and a brand-new cluster of any size")
    void acceptsSameOrLargerVolumes() {
        for (int gib : List.of(100, 200)) {
            SimulatedCluster sim = new SimulatedCluster();
            sim.settings = withDataVolumeGiB(gib);
            replacingOne(sim).dataVolumeGiB = gib;
            assertEquals("Converged", sim.runToConvergence().get(sim.plans.size() - 1), gib + " GiB");
        }
        SimulatedCluster fresh = new SimulatedCluster();
        fresh.settings = withDataVolumeGiB(20);
        IntStream.range(0, 3).forEach(i -> fresh.fresh(i).dataVolumeGiB = 20);
        assertEquals("Converged", fresh.runToConvergence().get(fresh.plans.size() - 1),
            "metadata created by this run holds no data yet");
    }

    @Test
    @DisplayName("grows every member's data volume in place (each asked for once), then LVM, then the DRBD device"
        + " once, and waits for the added space's resync")
    void growsDataVolumesInPlace() {
        SimulatedCluster sim = new SimulatedCluster();
        sim.settings = withDataVolumeGiB(120);
        List<SimulatedCluster.Node> members = grownMembers(sim, LV_100_GIB_KIB, LV_100_GIB_KIB, LV_100_GIB_KIB);
        long before = members.get(0).sizeKiB;
        sim.volumeGrowthObservations = 2;

        List<String> steps = sim.runToConvergence();

        assertEquals(members.stream().collect(Collectors.toMap(SimulatedCluster::volumeId, m -> 1)), sim.modifyRequests,
            "every volume asked for once, though the nodes saw the old size for two observations");
        PlannedStep first = step(sim, "GrowDataVolumes");
        assertEquals(members.stream().map(m -> new VolumeGrowth(SimulatedCluster.volumeId(m), 120)).toList(),
            first.volumes());
        assertTrue(first.reason().contains("drbd:dataVolumeGiB = 120 GiB"), first.reason());
        List<String> order = steps.stream().distinct().toList();
        assertTrue(order.indexOf("GrowDataVolumes") < order.indexOf("GrowBacking")
            && order.indexOf("GrowBacking") < order.indexOf("ResizeDevice"), String.valueOf(steps));
        assertEquals(1, sim.resizes, String.valueOf(steps));
        assertEquals(3, step(sim, "GrowBacking").targets().size(), "every member's LVM grows in one round");
        assertEquals("Converged", steps.get(steps.size() - 1));
        members.forEach(m -> {
            assertEquals(120, m.dataVolumeGiB, m.instanceId);
            assertTrue(m.sizeKiB > before, m.instanceId + " " + m.sizeKiB);
            assertEquals("UpToDate", m.disk, m.instanceId);
        });
    }

    @Test
    @DisplayName("ends the run with EC2's refusal of a volume modification, naming the volume, before anything else")
    void volumeModificationRefusedEndsTheRun() {
        SimulatedCluster sim = new SimulatedCluster();
        sim.settings = withDataVolumeGiB(120);
        List<SimulatedCluster.Node> members = grownMembers(sim, LV_100_GIB_KIB, LV_100_GIB_KIB, LV_100_GIB_KIB);
        sim.ec2Refusal = "You've reached the maximum modification rate per volume limit. (Service: Ec2, Status Code:"
            + " 400, Error Code: VolumeModificationRateExceeded)";

        var e = assertThrows(dev.drbdmultiaz.functions.common.exceptions.VolumeGrowthFailedException.class,
            sim::runToConvergence);

        assertTrue(e.getMessage().contains("EC2 did not grow data volume " + SimulatedCluster.volumeId(members.get(0)))
            && e.getMessage().contains("VolumeModificationRateExceeded") && e.getMessage().contains("Nothing else"),
            e.getMessage());
        assertEquals(List.of("ObserveNodes", "GrowDataVolumes"), sim.plans.stream().map(PlannedStep::step).toList());
    }

    @Test
    @DisplayName("gives up when the nodes do not see the larger volumes within the bound")
    void volumeGrowthIsBounded() {
        SimulatedCluster sim = new SimulatedCluster();
        sim.settings = withDataVolumeGiB(120);
        grownMembers(sim, LV_100_GIB_KIB, LV_100_GIB_KIB, LV_100_GIB_KIB);
        sim.volumeGrowthObservations = 1000;

        var e = assertThrows(dev.drbdmultiaz.functions.common.exceptions.VolumeGrowthFailedException.class,
            sim::runToConvergence);

        assertTrue(e.getMessage().contains("after 20 observations"), e.getMessage());
        assertEquals(3, sim.modifyRequests.size());
        assertTrue(sim.modifyRequests.values().stream().allMatch(n -> n == 1), String.valueOf(sim.modifyRequests));
    }

    /** 100 GiB and 200 GiB data volumes: the LV holds 95 % of the volume, the device that less the metadata. */
    private static final long LV_100_GIB_KIB = 95L * 1024 * 1024;
    private static final long LV_200_GIB_KIB = 190L * 1024 * 1024;

    /** Three UpToDate members with a device of a 100 GiB volume and backing LVs of {@code backingKiB}. */
    private static List<SimulatedCluster.Node> grownMembers(SimulatedCluster sim, long... backingKiB) {
        List<SimulatedCluster.Node> members = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(members);
        for (int i = 0; i < 3; i++) {
            members.get(i).sizeKiB = LV_100_GIB_KIB - 2L * (LV_100_GIB_KIB / 32768) - 36;
            members.get(i).backingKiB = backingKiB[i];
        }
        return members;
    }

    @Test
    @DisplayName("grows the DRBD device once every member's backing LV is larger, on one member, and waits for the"
        + " resync of the added space before it converges")
    void resizesOnceEveryBackingDeviceGrew() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> members = grownMembers(sim, LV_200_GIB_KIB, LV_200_GIB_KIB, LV_200_GIB_KIB);
        long before = members.get(0).sizeKiB;

        List<String> steps = sim.runToConvergence();

        assertEquals(1, sim.resizes, String.valueOf(steps));
        PlannedStep resize = step(sim, "ResizeDevice");
        assertEquals(List.of(members.get(0).instanceId), resize.targets(), "the lowest node-id without a Primary");
        long below = Long.parseLong(resize.parameter("BelowKiB"));
        assertTrue(below > before && below <= LV_200_GIB_KIB, String.valueOf(below));
        assertTrue(steps.indexOf("WaitForResync") > steps.indexOf("ResizeDevice"), "waits for the added space: " + steps);
        assertEquals("Converged", steps.get(steps.size() - 1));
        members.forEach(m -> {
            assertEquals("UpToDate", m.disk, m.instanceId);
            assertTrue(m.sizeKiB >= below, m.instanceId + " " + m.sizeKiB);
        });
    }

    @Test
    @DisplayName("resizes on the Primary, the source of the added space's resync")
    void resizesOnThePrimary() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> members = grownMembers(sim, LV_200_GIB_KIB, LV_200_GIB_KIB, LV_200_GIB_KIB);
        members.get(2).role = "Primary";

        sim.runToConvergence();

        assertEquals(List.of(members.get(2).instanceId), step(sim, "ResizeDevice").targets());
    }

    @Test
    @DisplayName("does not resize while a backing LV is not larger, a member is unreachable or not UpToDate, or"
        + " a member departs; nor a device that already fills its backing LV")
    void noResizeUnlessEveryCopyCanGrow() {
        SimulatedCluster oneSmall = new SimulatedCluster();
        grownMembers(oneSmall, LV_200_GIB_KIB, LV_100_GIB_KIB, LV_200_GIB_KIB);
        assertFalse(oneSmall.runToConvergence().contains("ResizeDevice"), "one backing LV still 95 GiB");

        SimulatedCluster same = new SimulatedCluster();
        grownMembers(same, LV_100_GIB_KIB, LV_100_GIB_KIB, LV_100_GIB_KIB);
        assertFalse(same.runToConvergence().contains("ResizeDevice"), "the device fills its LVs already");

        SimulatedCluster away = new SimulatedCluster();
        List<SimulatedCluster.Node> awayMembers = grownMembers(away, LV_200_GIB_KIB, LV_200_GIB_KIB, LV_200_GIB_KIB);
        away.unreachable = java.util.Set.of(awayMembers.get(1).instanceId);
        assertFalse(away.runToConvergence().contains("ResizeDevice"), "an unreachable member");

        SimulatedCluster syncing = new SimulatedCluster();
        grownMembers(syncing, LV_200_GIB_KIB, LV_200_GIB_KIB, LV_200_GIB_KIB).get(1).disk = "Outdated";
        List<String> steps = syncing.runToConvergence();
        assertFalse(steps.contains("ResizeDevice"), "a member not UpToDate: " + steps);
        assertEquals(0, syncing.resizes);
    }

    /** Three UpToDate members, the last of them departing, and its replacement launching: the replacement. */
    private static SimulatedCluster.Node replacingOne(SimulatedCluster sim) {
        List<SimulatedCluster.Node> old = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(old);
        sim.depart(old.get(2), DepartingMember.TERMINATE);
        SimulatedCluster.Node replacement = sim.fresh(3);
        replacement.launchPending = true;
        return replacement;
    }

    @Test
    @DisplayName("gives up on a resync that outlasts drbd:maxResyncHours with ResyncTimeoutException naming the member")
    void resyncBound() {
        SimulatedCluster sim = new SimulatedCluster();
        DesiredSettings base = SimulatedCluster.settings(20);
        sim.settings = new DesiredSettings(base.resourceName(), base.port(), base.minor(), base.volumeGroup(),
            base.thinPool(), base.logicalVolume(), base.maxPeers(), base.secretId(), base.verifyAlg(),
            base.cramHmacAlg(), base.documents(), 20, 40, 1.0, 1, 100);
        SimulatedCluster.Node replacement = replacingOne(sim);
        sim.resyncObservations = 1000;

        var e = assertThrows(dev.drbdmultiaz.functions.common.exceptions.ResyncTimeoutException.class,
            sim::runToConvergence);

        assertTrue(e.getMessage().contains(replacement.instanceId) && e.getMessage().contains("maxResyncHours = 1"),
            e.getMessage());
        long waited = sim.plans.stream().filter(p -> p.step().equals("WaitForResync"))
            .mapToLong(PlannedStep::waitSeconds).sum();
        assertTrue(waited >= 3600 && waited < 3600 + 600, "waited " + waited + " s for a one-hour bound");
        assertFalse(sim.plans.stream().anyMatch(p -> p.step().equals("Converged")), "its launch is never CONTINUEd");
    }

    @Test
    @DisplayName("two of three replaced at once: the survivor frees the departed peers' bitmap slots before it adds the"
        + " new peers")
    void twoReplacedAtOnce() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> old = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(old);
        sim.depart(old.get(1), DepartingMember.TERMINATE);
        sim.depart(old.get(2), DepartingMember.TERMINATE);
        SimulatedCluster.Node first = sim.fresh(3);
        SimulatedCluster.Node second = sim.fresh(4);
        first.launchPending = second.launchPending = true;

        List<String> steps = sim.runToConvergence();

        assertTrue(steps.indexOf("ForgetDepartedPeers") < steps.indexOf("UpOrAdjust"), steps.toString());
        List<String> forgotten = sim.plans.stream().filter(p -> p.step().equals("ForgetDepartedPeers"))
            .map(p -> p.parameter("PeerNodeId")).toList();
        assertEquals(List.of("1", "2"), forgotten, "both departed peers, one round each");
        sim.plans.stream().filter(p -> p.step().equals("ForgetDepartedPeers"))
            .forEach(p -> assertEquals(List.of(old.get(0).instanceId), p.targets(), "only the survivor knew them"));
        assertEquals(List.of(first.instanceId, second.instanceId),
            sim.plans.get(sim.plans.size() - 1).lifecycle().continueLaunches());
        assertEquals(String.valueOf(old.get(0).maxPeers), step(sim, "CreateMetadata").parameter("MaxPeers"),
            "the survivor's bitmap slots, not MAX_PEERS (" + SimulatedCluster.settings(20).maxPeers() + "): more would"
                + " leave the new members less than the device's size");
        assertTrue(old.get(0).maxPeers != SimulatedCluster.settings(20).maxPeers(), "the test tells the two apart");
    }

    @Test
    @DisplayName("an unreachable member gets no command, stays in the config as a peer, and may be evicted: two of"
        + " three UpToDate remain")
    void unreachableMemberStaysPeer() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> nodes = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(nodes);
        sim.unreachable = java.util.Set.of(nodes.get(2).instanceId);

        assertEquals(List.of("ObserveNodes", "Converged"), sim.runToConvergence(), "the config still names it");
        assertEquals(List.of(nodes.get(0).instanceId, nodes.get(1).instanceId), sim.plans.get(0).targets());
        LifecyclePlan lifecycle = sim.plans.get(1).lifecycle();
        assertEquals(List.of(nodes.get(2).instanceId), lifecycle.unreachable());
        assertEquals(List.of(nodes.get(2).instanceId), lifecycle.evictable());
        assertEquals(null, lifecycle.evictionHeld());
        assertTrue(sim.plans.get(1).reason().contains("unreachable"), sim.plans.get(1).reason());
    }

    @Test
    @DisplayName("a member DRBD-disconnected from every peer: after the connection bound the others converge without it,"
        + " and it may be evicted")
    void isolatedMemberAfterTheBound() {
        SimulatedCluster sim = new SimulatedCluster();
        sim.settings = SimulatedCluster.settings(3);
        List<SimulatedCluster.Node> nodes = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(nodes);
        nodes.get(2).isolated = true;

        List<String> steps = sim.runToConvergence();

        assertEquals(List.of("ObserveNodes", "WaitForConnections", "WaitForConnections", "WaitForConnections",
            "Converged"), steps, "the whole bound is waited first");
        LifecyclePlan lifecycle = sim.plans.get(sim.plans.size() - 1).lifecycle();
        assertEquals(List.of(nodes.get(2).instanceId), lifecycle.unreachable());
        assertEquals(List.of(nodes.get(2).instanceId), lifecycle.evictable());
    }

    @Test
    @DisplayName("two of three cut off from each other is no majority: the connection bound still fails the run")
    void noMajorityStillTimesOut() {
        SimulatedCluster sim = new SimulatedCluster();
        sim.settings = SimulatedCluster.settings(3);
        List<SimulatedCluster.Node> nodes = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(nodes);
        nodes.get(1).isolated = true;
        nodes.get(2).isolated = true;

        assertThrows(ConvergenceTimeoutException.class, sim::runToConvergence);
    }

    @Test
    @DisplayName("holds back the eviction of an unreachable member while fewer than a majority would stay UpToDate")
    void evictionHeldWithoutUpToDateMajority() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> nodes = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(nodes);
        nodes.get(1).disk = "Inconsistent";
        sim.unreachable = java.util.Set.of(nodes.get(2).instanceId);

        sim.runToConvergence();

        LifecyclePlan lifecycle = sim.plans.get(sim.plans.size() - 1).lifecycle();
        assertEquals(List.of(), lifecycle.evictable());
        assertTrue(lifecycle.evictionHeld().contains("only 1 of the 3"), lifecycle.evictionHeld());
    }

    @Test
    @DisplayName("a replacement joins while another member is unreachable; the departed node-id is kept until every"
        + " survivor forgot it")
    void replacementJoinsWhileAMemberIsUnreachable() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> old = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(old);
        sim.depart(old.get(2), DepartingMember.TERMINATE);
        SimulatedCluster.Node replacement = sim.fresh(3);
        replacement.launchPending = true;
        sim.unreachable = java.util.Set.of(old.get(1).instanceId);

        sim.runToConvergence();

        assertEquals(List.of(old.get(0).instanceId), step(sim, "ForgetDepartedPeers").targets());
        String config = new String(java.util.Base64.getDecoder().decode(step(sim, "WriteConfig").parameter("ConfigBase64")),
            java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(config.contains("node-id 1;") && !config.contains("node-id 2;") && config.contains("node-id 3;"),
            "the unreachable member stays a peer, the departed one goes: " + config);
        LifecyclePlan lifecycle = sim.plans.get(sim.plans.size() - 1).lifecycle();
        assertEquals(List.of(replacement.instanceId), lifecycle.continueLaunches());
        assertEquals(List.of(old.get(2).instanceId), sim.terminated, "let go before the survivor forgot it (I9)");
        assertEquals(List.of(), lifecycle.continueTerminates(), "its instance is gone by Converged");
        assertEquals(List.of(), lifecycle.release(), "the unreachable member may still hold node-id 2's bitmap slot (I6)");
    }

    @Test
    @DisplayName("abandons the launch of a new member whose agent never answered: it cannot be named in the config")
    void abandonsUnreachableLaunch() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> old = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(old);
        sim.depart(old.get(2), DepartingMember.TERMINATE);
        SimulatedCluster.Node silent = sim.fresh(3);
        silent.launchPending = true;
        silent.everObserved = false;
        SimulatedCluster.Node extra = sim.existing(4, true);
        sim.configured(List.of(old.get(0), old.get(1), extra));
        sim.unreachable = java.util.Set.of(silent.instanceId);

        sim.runToConvergence();

        LifecyclePlan lifecycle = sim.plans.get(sim.plans.size() - 1).lifecycle();
        assertEquals(List.of(silent.instanceId), lifecycle.abandonLaunches());
        assertEquals(List.of(), lifecycle.continueLaunches());
        assertEquals(List.of(), lifecycle.evictable(), "a member that never joined is abandoned, not evicted");
    }

    @Test
    @DisplayName("removes and forgets a departed node when four of five remain")
    void departedFromFive() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> old = IntStream.range(0, 5).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(old);
        sim.depart(old.get(4), null);

        assertEquals(List.of("ObserveNodes", "WriteConfig", "ForgetDepartedPeers", "Converged"), sim.runToConvergence(), "forget-peer also deletes the peer's connection: nothing left to adjust");
        assertEquals(4, step(sim, "ForgetDepartedPeers").targets().size());
        assertEquals(1, sim.plans.get(sim.plans.size() - 1).lifecycle().release().size());
    }

    @Test
    @DisplayName("lets no departing member go while no active member is UpToDate, also one the config cannot name (I3)")
    void noReleaseWithoutAnUpToDateMember() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> old = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(old);
        old.forEach(n -> n.disk = "Outdated");
        sim.departing.add(new DepartingMember("i-00000000000000009", 9, null, null, DepartingMember.TERMINATE));

        assertThrows(ConvergenceTimeoutException.class, sim::runToConvergence);
        assertTrue(sim.plans.stream().noneMatch(p -> p.step().equals("ReleaseDepartingMembers")),
            "its copy may be the only UpToDate one: " + sim.plans.stream().map(PlannedStep::step).toList());
        assertEquals(List.of(), sim.terminated);
    }

    @Test
    @DisplayName("keeps a departed node in the config of a three-node cluster until a replacement comes, and its instance waiting")
    void departedFromThree() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> old = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(old);
        sim.depart(old.get(1), DepartingMember.TERMINATE);

        assertEquals(List.of("ObserveNodes", "Converged"), sim.runToConvergence());
        LifecyclePlan lifecycle = sim.plans.get(1).lifecycle();
        assertEquals(List.of(), lifecycle.continueTerminates(),
            "a member kept in the config keeps its terminate action waiting: its copy stays (I3, I8)");
        assertEquals(List.of(), lifecycle.release(), "its node-id stays until the survivors forget it");
    }

    @Test
    @DisplayName("keeps departing members in the config while no survivor is UpToDate (I3)")
    void keepsDepartingWithoutUpToDateSurvivor() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> old = IntStream.range(0, 5).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(old);
        old.forEach(n -> n.disk = "Outdated");
        sim.depart(old.get(4), DepartingMember.TERMINATE);
        sim.settings = SimulatedCluster.settings(2);

        assertThrows(ConvergenceTimeoutException.class, sim::runToConvergence);
        assertTrue(sim.plans.stream().noneMatch(p -> p.step().equals("WriteConfig")
            || p.step().equals("ForgetDepartedPeers")), "the departed peer stays configured and known");
    }

    @Test
    @DisplayName("plans Converged right after ObserveNodes on a converged cluster (no-op)")
    void noOp() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> nodes = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(nodes);

        assertEquals(List.of("ObserveNodes", "Converged"), sim.runToConvergence());
        assertEquals(0, sim.collected.run().mutatingRounds());
        assertFalse(sim.plans.get(0).mutating());
    }

    @Test
    @DisplayName("targets only the nodes a failed earlier run left behind (partial failure)")
    void partialFailure() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> nodes = IntStream.range(0, 3).mapToObj(sim::fresh).toList();
        nodes.get(0).drbdVersion = "9.2.12";
        nodes.get(1).drbdVersion = "9.2.12";
        nodes.get(0).lvmReady = true;
        nodes.get(0).metadata = false;

        List<String> steps = sim.runToConvergence();

        assertEquals(List.of(nodes.get(2).instanceId), step(sim, "InstallDrbd").targets());
        assertEquals(List.of(nodes.get(1).instanceId, nodes.get(2).instanceId), step(sim, "PrepareLvm").targets());
        assertEquals("Converged", steps.get(steps.size() - 1));
    }

    @Test
    @DisplayName("installs DRBD 9 where the node only reports the kernel's in-tree DRBD 8.4 module")
    void inTreeDrbd84IsNotInstalled() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> nodes = IntStream.range(0, 3).mapToObj(sim::fresh).toList();
        nodes.get(0).drbdVersion = "9.2.12";
        nodes.get(1).drbdVersion = "9.2.12";
        nodes.get(2).drbdVersion = "8.4.11";

        sim.runToConvergence();

        assertEquals(List.of(nodes.get(2).instanceId), step(sim, "InstallDrbd").targets());
    }

    @Test
    @DisplayName("fails with AllReplicasInconsistentException when every disk is Inconsistent but the metadata is old")
    void failsOnInconsistentClusterThatIsNotNew() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> nodes = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(nodes);
        nodes.forEach(n -> n.disk = "Inconsistent");

        AllReplicasInconsistentException e = assertThrows(AllReplicasInconsistentException.class,
            sim::runToConvergence);
        assertTrue(e.getMessage().contains("drbdadm primary --force r0"), e.getMessage());
        assertTrue(sim.plans.stream().noneMatch(p -> p.step().equals("SkipInitialSync")));
    }

    @Test
    @DisplayName("fails with ReconcileStuckException when a step succeeds without effect")
    void failsWhenStepHasNoEffect() {
        SimulatedCluster sim = new SimulatedCluster();
        IntStream.range(0, 3).forEach(sim::fresh);
        sim.installHasNoEffect = true;

        ReconcileStuckException e = assertThrows(ReconcileStuckException.class, sim::runToConvergence);
        assertTrue(e.getMessage().startsWith("InstallDrbd succeeded on"), e.getMessage());
    }

    @Test
    @DisplayName("observes again when the membership was described again (rerun)")
    void observesAfterRerun() {
        SimulatedCluster sim = new SimulatedCluster();
        List<SimulatedCluster.Node> nodes = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
        sim.configured(nodes);
        sim.runToConvergence();
        ClusterSnapshot first = sim.snapshot();
        ClusterSnapshot rerun = new ClusterSnapshot(first.groupName(), 2, first.members(), first.departing());

        PlannedStep plan = ReconcilePlanner.plan(rerun,
            new RunProgress(sim.collected.observed(), sim.collected.run()), sim.settings);

        assertEquals("ObserveNodes", plan.step());
    }

    @Test
    @DisplayName("fails with ClusterTooSmallException for two members and nobody to keep")
    void failsBelowQuorumSize() {
        SimulatedCluster sim = new SimulatedCluster();
        IntStream.range(0, 2).forEach(sim::fresh);

        assertThrows(ClusterTooSmallException.class, sim::runToConvergence);
    }

    @Test
    @DisplayName("fails with ObservationIncompleteException when a status result has no hostname")
    void failsWithoutHostname() {
        ClusterSnapshot cluster = new ClusterSnapshot("g", 1, List.of(
            new Member("i-1", "a", "InService", 0, null, null, null),
            new Member("i-2", "b", "InService", 1, null, null, null),
            new Member("i-3", "c", "InService", 2, null, null, null)), List.of());
        NodeStatus good = new NodeStatus(true, "ip-10-0-1-1", "10.0.1.1", null, null, false, null, null, false,
            false, null);
        Map<String, NodeStatus> observed = Map.of("i-1", good,
            "i-2", new NodeStatus(true, "ip-10-0-1-2", "10.0.1.2", null, null, false, null, null, false, false, null),
            "i-3", new NodeStatus(true, null, "10.0.1.3", null, null, false, null, null, false, false, null));
        RunCounters counters = new RunCounters(1, 0, 0, List.of(), Map.of(), 1, List.of(), null);

        ObservationIncompleteException e = assertThrows(ObservationIncompleteException.class,
            () -> ReconcilePlanner.plan(cluster, new RunProgress(observed, counters), SimulatedCluster.settings(5)));
        assertTrue(e.getMessage().contains("i-3"), e.getMessage());
    }

    @Test
    @DisplayName("lets every terminate action go when the group has no live members left")
    void emptyGroup() {
        DepartingMember gone = new DepartingMember("i-9", 4, "h", "10.0.0.9", DepartingMember.TERMINATE);
        PlannedStep plan = ReconcilePlanner.plan(new ClusterSnapshot("g", 1, List.of(), List.of(gone)),
            RunProgress.initial(), SimulatedCluster.settings(5));

        assertEquals("Converged", plan.step());
        assertEquals(List.of("i-9"), plan.lifecycle().continueTerminates());
    }

    @Test
    @DisplayName("scales every wait with the time scale, never below one second")
    void scaledWaits() {
        DesiredSettings base = SimulatedCluster.settings(5);
        DesiredSettings fast = new DesiredSettings(base.resourceName(), base.port(), base.minor(), base.volumeGroup(),
            base.thinPool(), base.logicalVolume(), base.maxPeers(), base.secretId(),
            base.verifyAlg(), base.cramHmacAlg(), base.documents(), 5, 40, 0.1, 24, 100);

        List<Integer> waits = new ArrayList<>();
        for (int attempt = 0; attempt < 6; attempt++) {
            waits.add(fast.connectBackoffSeconds(attempt));
        }
        assertEquals(List.of(1, 1, 2, 3, 3, 3), waits);
        assertEquals(1, fast.pollSeconds());
        assertEquals(List.of(5, 10, 20, 30, 30), IntStream.range(0, 5).mapToObj(base::connectBackoffSeconds).toList());
    }

    /**
     * The plan {@code sim} would make next if {@code staleId}'s status were stale, as after an UpOrAdjust
     * on the other members: its report predates a step that changed what it reports.
     */
    private static PlannedStep planWithStale(SimulatedCluster sim, String staleId) {
        RunCounters run = sim.collected.run();
        List<String> others = sim.nodes.keySet().stream().filter(id -> !id.equals(staleId)).toList();
        RunCounters stale = new RunCounters(run.rounds(), run.mutatingRounds(), run.waitAttempts(), run.metadataCreated(),
            run.forgotten(), run.observedSnapshot(), List.of(staleId),
            new RunCounters.StepRecord("UpOrAdjust", others, sim.cluster.snapshot()));
        return ReconcilePlanner.plan(sim.cluster, new RunProgress(sim.collected.observed(), stale, sim.unreachable),
            sim.settings);
    }

    @Test
    @DisplayName("I1: plans no create-md on a status that is stale, even one that shows no metadata")
    void staleStatusNeverLeadsToCreateMetadata() {
        SimulatedCluster sim = new SimulatedCluster();
        IntStream.range(0, 3).forEach(sim::fresh);
        assertEquals("CreateMetadata", sim.runUntil("CreateMetadata").get(4));

        String stale = sim.nodes.keySet().iterator().next();
        PlannedStep plan = planWithStale(sim, stale);

        assertEquals("ObserveNodes", plan.step(), plan.reason());
        assertTrue(plan.reason().contains(stale), plan.reason());
    }

    @Test
    @DisplayName("I2 and the brand-new test: no sync-skip while one member's status is stale")
    void staleStatusNeverLeadsToSkipInitialSync() {
        SimulatedCluster sim = new SimulatedCluster();
        IntStream.range(0, 3).forEach(sim::fresh);
        List<String> steps = sim.runUntil("SkipInitialSync");
        assertEquals("SkipInitialSync", steps.get(steps.size() - 1));

        for (String stale : sim.nodes.keySet()) {
            assertEquals("ObserveNodes", planWithStale(sim, stale).step(), stale);
        }
    }

    @Test
    @DisplayName("I3: no forget-peer and no release of a departing member while a survivor's status is stale")
    void staleStatusNeverLeadsToForgetOrRelease() {
        for (String until : List.of("ReleaseDepartingMembers", "ForgetDepartedPeers")) {
            SimulatedCluster sim = new SimulatedCluster();
            List<SimulatedCluster.Node> old = IntStream.range(0, 3).mapToObj(i -> sim.existing(i, true)).toList();
            sim.configured(old);
            sim.depart(old.get(2), DepartingMember.TERMINATE);
            sim.fresh(3).launchPending = true;
            List<String> steps = sim.runUntil(until);
            assertEquals(until, steps.get(steps.size() - 1));

            PlannedStep plan = planWithStale(sim, old.get(0).instanceId);

            assertEquals("ObserveNodes", plan.step(), until + ": " + plan.reason());
        }
    }

    private static PlannedStep step(SimulatedCluster sim, String name) {
        return sim.plans.stream().filter(p -> p.step().equals(name)).findFirst()
            .orElseThrow(() -> new AssertionError("No " + name + " in " + sim.plans.stream().map(PlannedStep::step).toList()));
    }
}
