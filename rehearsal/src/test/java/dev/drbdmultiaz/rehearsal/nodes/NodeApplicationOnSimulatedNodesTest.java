package dev.drbdmultiaz.rehearsal.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application on the simulated nodes, per 4 KiB block, as DRBD 9 takes it: auto-promote and
 * auto-demote, quorum (majority, on-no-quorum io-error) under partitions, protocol C, the device held
 * open against down/secondary/detach, resyncs that copy the blocks, create-md over metadata. The
 * clusters are brought up with the real documents (SsmNodes.bringUp).
 */
@Timeout(90)
class NodeApplicationOnSimulatedNodesTest {

    @TempDir
    Path dir;

    private SsmNodes nodes;
    private List<SimulatedNode> three;

    @BeforeEach
    void cluster() {
        nodes = new SsmNodes(dir);
        three = List.of(nodes.add(1, 0, NodeFaults.none()), nodes.add(2, 1, NodeFaults.none()),
            nodes.add(3, 2, NodeFaults.none()));
        nodes.bringUp(three);
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    private NodeFleet fleet() {
        return nodes.fleet;
    }

    private Map<String, NodeFleet.DeviceView> views() {
        return fleet().deviceViews().stream().collect(Collectors.toMap(NodeFleet.DeviceView::instanceId, v -> v));
    }

    private NodeFleet.DeviceView view(SimulatedNode n) {
        NodeFleet.DeviceView v = views().get(n.instanceId());
        assertTrue(v != null, "no view of " + n.instanceId());
        return v;
    }

    private Map<String, NodeFleet.DeviceView> waitViews(Predicate<Map<String, NodeFleet.DeviceView>> done, String what) {
        Map<String, NodeFleet.DeviceView> v = null;
        for (int i = 0; i < 400; i++) {
            v = views();
            if (done.test(v)) {
                return v;
            }
            SsmNodes.sleep(25);
        }
        throw new AssertionError(what + ": " + v);
    }

    private NodeFleet.ExecResult exec(SimulatedNode n, String... cmd) {
        return fleet().exec(n.instanceId(), cmd);
    }

    private NodeFleet.AppWrite acknowledged(SimulatedNode n, int first, int count) {
        NodeFleet.AppWrite w = fleet().appWrite(n.instanceId(), first, count);
        assertTrue(w.ok(), w.toString());
        assertEquals(count, w.acknowledged().size(), w.toString());
        assertEquals(w.attempted(), w.acknowledged());
        for (int b = first; b < first + count; b++) {
            assertTrue(w.acknowledged().containsKey(b), "block " + b + ": " + w);
        }
        return w;
    }

    @Test
    @DisplayName("A write with quorum on 3 connected nodes is acknowledged, auto-promotes the writer and every node holds the same blocks")
    void quorumWriteReplicates() {
        SimulatedNode a = three.get(0);
        NodeFleet.AppWrite w = acknowledged(a, 0, 8);
        assertEquals(List.of(1, 2), w.replicatedTo());
        assertEquals("Primary", w.role());
        assertEquals(8, w.acknowledged().values().stream().distinct().count(), "new content per block: " + w);
        Map<String, NodeFleet.DeviceView> v = views();
        for (SimulatedNode n : three) {
            NodeFleet.DeviceView dv = v.get(n.instanceId());
            assertEquals(w.acknowledged(), dv.blocks(), n.instanceId() + ": " + dv);
            assertTrue(dv.quorum(), dv.toString());
            assertEquals("UpToDate", dv.disk());
            assertEquals(n == a, dv.openByApplication(), dv.toString());
            assertEquals(n == a ? "Primary" : "Secondary", dv.role(), dv.toString());
        }
        NodeFleet.AppWrite over = acknowledged(a, 4, 8);  // the device stays open: no new promotion needed
        Map<Integer, String> expected = new java.util.TreeMap<>(w.acknowledged());
        expected.putAll(over.acknowledged());
        assertNotEquals(w.acknowledged().get(5), over.acknowledged().get(5), "a rewrite gives new content");
        for (NodeFleet.DeviceView dv : views().values()) {
            assertEquals(expected, dv.blocks(), dv.toString());
        }
    }

    @Test
    @DisplayName("Partition: the majority side writes, the isolated node cannot promote (no quorum); after the heal the resync makes its blocks equal")
    void partitionAndHeal() {
        SimulatedNode a = three.get(0);
        SimulatedNode b = three.get(1);
        SimulatedNode c = three.get(2);
        NodeFleet.AppWrite first = acknowledged(a, 0, 4);
        fleet().setLinkBlocked(a.instanceId(), c.instanceId(), true);
        fleet().setLinkBlocked(b.instanceId(), c.instanceId(), true);
        Map<String, NodeFleet.DeviceView> split = views();
        assertFalse(split.get(c.instanceId()).quorum(), split.toString());
        assertTrue(split.get(a.instanceId()).quorum(), split.toString());
        assertTrue(fleet().snapshot(c.instanceId()).peers().stream().noneMatch(p -> p.connection().equals("Connected")));

        NodeFleet.AppWrite majority = acknowledged(a, 2, 4);
        assertEquals(List.of(1), majority.replicatedTo(), majority.toString());

        NodeFleet.AppWrite isolated = fleet().appWrite(c.instanceId(), 10, 2);
        assertFalse(isolated.ok(), isolated.toString());
        assertTrue(isolated.error().contains("No quorum"), isolated.error());
        assertEquals(Map.of(), isolated.acknowledged());
        assertEquals(Map.of(), isolated.attempted(), "the open failed: nothing was written");
        NodeFleet.DeviceView cv = view(c);
        assertEquals("Secondary", cv.role());
        assertFalse(cv.openByApplication());
        assertEquals(first.acknowledged(), cv.blocks(), "the isolated node holds what it had before the partition");
        NodeFleet.ExecResult promote = exec(c, "drbdsetup", "primary", "r0");
        assertEquals(11, promote.exitCode(), promote.toString());
        assertTrue(promote.stderr().contains("r0: State change failed: (-25) No quorum"), promote.stderr());

        Map<Integer, String> expected = new java.util.TreeMap<>(first.acknowledged());
        expected.putAll(majority.acknowledged());
        assertEquals(expected, view(b).blocks());
        fleet().setLinkBlocked(a.instanceId(), c.instanceId(), false);
        fleet().setLinkBlocked(b.instanceId(), c.instanceId(), false);
        Map<String, NodeFleet.DeviceView> healed = waitViews(v -> v.values().stream()
            .allMatch(x -> "UpToDate".equals(x.disk()) && x.blocks().equals(expected)), "the isolated node resyncs");
        assertTrue(healed.get(c.instanceId()).quorum());
        assertEquals("bitmap", fleet().snapshot(c.instanceId()).data().lastResync());
    }

    @Test
    @DisplayName("A Primary cut off from both peers acknowledges nothing; its unacknowledged block is undone by the resync after the majority wrote")
    void minorityPrimaryAfterMajorityWrote() {
        minorityPrimary(true);
    }

    @Test
    @DisplayName("A Primary cut off from both peers, nobody else wrote: equal UUIDs, the node that lost quorum is the SyncTarget (RULE_LOST_QUORUM)")
    void minorityPrimaryAlone() {
        minorityPrimary(false);
    }

    private void minorityPrimary(boolean majorityWrites) {
        SimulatedNode a = three.get(0);
        SimulatedNode b = three.get(1);
        SimulatedNode c = three.get(2);
        NodeFleet.AppWrite first = acknowledged(a, 0, 4);
        fleet().setLinkBlocked(a.instanceId(), b.instanceId(), true);
        fleet().setLinkBlocked(a.instanceId(), c.instanceId(), true);
        NodeFleet.DeviceView cut = view(a);
        assertFalse(cut.quorum(), cut.toString());
        assertEquals("Primary", cut.role(), "a Primary stays Primary without quorum");

        NodeFleet.AppWrite lost = fleet().appWrite(a.instanceId(), 20, 1);
        assertFalse(lost.ok(), lost.toString());
        assertTrue(lost.error().contains("no quorum"), lost.error());
        assertEquals(Map.of(), lost.acknowledged());
        assertEquals(1, lost.attempted().size(), lost.toString());
        assertEquals(lost.attempted().get(20), view(a).blocks().get(20), "the harsher reading: it reached the local disk");
        assertFalse(view(b).blocks().containsKey(20));

        Map<Integer, String> expected = new java.util.TreeMap<>(first.acknowledged());
        if (majorityWrites) {
            NodeFleet.AppWrite w = acknowledged(b, 2, 2);
            assertEquals(List.of(2), w.replicatedTo());
            expected.putAll(w.acknowledged());
            fleet().appClose(b.instanceId());
        }
        fleet().setLinkBlocked(a.instanceId(), b.instanceId(), false);
        fleet().setLinkBlocked(a.instanceId(), c.instanceId(), false);
        NodeSnapshot refused = fleet().snapshot(a.instanceId());
        assertTrue(refused.kernelEvents().stream().anyMatch(e -> e.endsWith("I shall become SyncTarget, but I am primary!")),
            refused.kernelEvents().toString());
        assertTrue(refused.peers().stream().allMatch(p -> p.connection().equals("StandAlone")), refused.peers().toString());
        assertEquals(lost.attempted().get(20), view(a).blocks().get(20), "no resync onto a Primary");

        fleet().appClose(a.instanceId());
        NodeFleet.ExecResult connect = exec(a, "drbdadm", "connect", "r0");
        assertEquals(0, connect.exitCode(), connect.toString());
        waitViews(v -> v.values().stream().allMatch(x -> "UpToDate".equals(x.disk()) && x.blocks().equals(expected)
            && x.quorum()), "the node that lost quorum resyncs from the majority");
        assertEquals("bitmap", fleet().snapshot(a.instanceId()).data().lastResync());
    }

    @Test
    @DisplayName("A second node cannot auto-promote while a connected Primary holds the device; app-close demotes and lets it")
    void oneWriterAtATime() {
        SimulatedNode a = three.get(0);
        SimulatedNode b = three.get(1);
        NodeFleet.AppWrite w = acknowledged(a, 0, 2);
        NodeFleet.AppWrite refused = fleet().appWrite(b.instanceId(), 0, 2);
        assertFalse(refused.ok(), refused.toString());
        assertTrue(refused.error().contains("Multiple primaries not allowed by config (-1)"), refused.error());
        assertEquals(Map.of(), refused.attempted());
        assertEquals("Secondary", refused.role());
        views().values().forEach(v -> assertEquals(w.acknowledged(), v.blocks(), "the refused open wrote nothing: " + v));

        fleet().appClose(a.instanceId());
        NodeFleet.DeviceView av = view(a);
        assertEquals("Secondary", av.role(), "auto-demote on the last close");
        assertFalse(av.openByApplication());
        fleet().appClose(a.instanceId());  // not open any more: nothing happens
        assertEquals("Secondary", view(a).role());

        NodeFleet.AppWrite now = acknowledged(b, 0, 2);
        assertEquals("Primary", now.role());
        assertEquals(List.of(0, 2), now.replicatedTo());
        views().values().forEach(v -> assertEquals(now.acknowledged(), v.blocks(), v.toString()));
    }

    @Test
    @DisplayName("While the application holds the device open, drbdsetup down and secondary are refused as DRBD does; detach leaves a diskless Primary")
    void heldOpen() {
        SimulatedNode a = three.get(0);
        acknowledged(a, 0, 1);
        NodeFleet.ExecResult down = exec(a, "drbdsetup", "down", "r0");
        assertEquals(11, down.exitCode(), down.toString());
        assertTrue(down.stderr().startsWith("r0: State change failed: (-12) Device is held open by someone\n"
            + "additional info from kernel:\nfailed to demote\n/dev/drbd0 open_cnt:1, writable:1; list of openers follows\n"
            + "drbd0 opened by app (pid "), down.stderr());
        NodeFleet.ExecResult adm = exec(a, "drbdadm", "down", "r0");
        assertNotEquals(0, adm.exitCode(), adm.toString());
        assertTrue(adm.stderr().contains("Device is held open by someone"), adm.stderr());
        NodeFleet.ExecResult secondary = exec(a, "drbdsetup", "secondary", "r0");
        assertEquals(11, secondary.exitCode(), secondary.toString());
        assertTrue(secondary.stderr().startsWith("r0: State change failed: (-12) Device is held open by someone\n"),
            secondary.stderr());
        NodeFleet.DeviceView still = view(a);
        assertTrue(still.up() && still.openByApplication() && "Primary".equals(still.role()), still.toString());

        // with UpToDate peers connected the Primary may detach: it keeps writing through them
        NodeFleet.ExecResult detach = exec(a, "drbdsetup", "detach", "0");
        assertEquals(0, detach.exitCode(), detach.toString());
        assertEquals("Diskless", view(a).disk());
        NodeFleet.AppWrite diskless = acknowledged(a, 5, 1);
        assertEquals(List.of(1, 2), diskless.replicatedTo());
        assertTrue(view(three.get(1)).blocks().containsKey(5));

        fleet().appClose(a.instanceId());
        NodeFleet.ExecResult after = exec(a, "drbdsetup", "down", "r0");
        assertEquals(0, after.exitCode(), after.toString());
        assertFalse(view(a).up());
    }

    @Test
    @DisplayName("A Primary alone may not detach its only UpToDate disk: (-2) Need access to UpToDate data, exit 17")
    void detachRefusedWithoutUpToDatePeer() {
        SimulatedNode a = three.get(0);
        acknowledged(a, 0, 1);
        fleet().terminate(three.get(1).instanceId());
        fleet().terminate(three.get(2).instanceId());
        NodeFleet.AppWrite noQuorum = fleet().appWrite(a.instanceId(), 1, 1);
        assertFalse(noQuorum.ok(), "a Primary that lost quorum acknowledges nothing: " + noQuorum);
        assertTrue(noQuorum.error().contains("no quorum"), noQuorum.error());
        assertEquals(Map.of(), noQuorum.acknowledged());
        assertEquals(1, noQuorum.attempted().size(), "on-no-quorum io-error fails the write after it reached the local disk");
        assertEquals(List.of(), noQuorum.replicatedTo());
        NodeFleet.ExecResult detach = exec(a, "drbdsetup", "detach", "0");
        assertEquals(17, detach.exitCode(), detach.toString());
        assertTrue(detach.stderr().startsWith("0: State change failed: (-2) Need access to UpToDate data\n"
            + "additional info from kernel:\n/dev/drbd0 open_cnt:1, writable:1; list of openers follows\n"), detach.stderr());
        assertEquals("UpToDate", view(a).disk());
        assertEquals(1, views().size(), "terminated nodes have no view");
    }

    @Test
    @DisplayName("create-md --force over valid metadata is counted in createMdOverMetadataCount; without --force it is refused")
    void createMdOverMetadata() {
        SimulatedNode c = three.get(2);
        NodeSnapshot before = fleet().snapshot(c.instanceId());
        assertEquals(1, before.createMdCount());
        assertEquals(0, before.createMdOverMetadataCount());
        assertEquals(0, exec(c, "drbdadm", "down", "r0").exitCode());
        NodeFleet.ExecResult refused = exec(c, "drbdadm", "create-md", "--max-peers=7", "r0");
        assertNotEquals(0, refused.exitCode(), refused.toString());
        assertEquals(0, fleet().snapshot(c.instanceId()).createMdOverMetadataCount());
        NodeFleet.ExecResult forced = exec(c, "drbdadm", "create-md", "--force", "--max-peers=7", "r0");
        assertEquals(0, forced.exitCode(), forced.toString());
        NodeSnapshot after = fleet().snapshot(c.instanceId());
        assertEquals(2, after.createMdCount());
        assertEquals(1, after.createMdOverMetadataCount());
    }

    @Test
    @DisplayName("A full resync onto a fresh node copies every block of the source; the replaced node's old blocks do not come back")
    void fullResyncCopiesEveryBlock() {
        SimulatedNode a = three.get(0);
        acknowledged(a, 0, 16);
        NodeFleet.AppWrite rewrite = acknowledged(a, 3, 2);
        fleet().appClose(a.instanceId());
        Map<Integer, String> source = view(a).blocks();
        assertEquals(16, source.size());
        assertEquals(rewrite.acknowledged().get(3), source.get(3));

        fleet().terminate(three.get(2).instanceId());
        SimulatedNode fresh = nodes.add(4, 3, NodeFaults.none());
        List<SimulatedNode> survivors = List.of(a, three.get(1));
        List<SimulatedNode> members = List.of(a, three.get(1), fresh);
        nodes.ok("drbd-install", List.of(fresh), Map.of());
        nodes.ok("drbd-prepare-lvm", List.of(fresh), SsmNodes.lvm());
        nodes.ok("drbd-write-config", members, nodes.writeConfig(members));
        nodes.ok("drbd-create-md", List.of(fresh), SsmNodes.createMd());
        assertEquals(Map.of(), view(fresh).blocks(), "a fresh disk holds nothing");
        nodes.ok("drbd-up", survivors, SsmNodes.resource());
        nodes.ok("drbd-up", List.of(fresh), SsmNodes.resource());
        Map<String, NodeFleet.DeviceView> synced = waitViews(v -> "UpToDate".equals(v.get(fresh.instanceId()).disk()),
            "the fresh node resyncs");
        assertEquals(source, synced.get(fresh.instanceId()).blocks());
        assertEquals("full", fleet().snapshot(fresh.instanceId()).data().lastResync());
    }

    @Test
    @DisplayName("A SyncTarget whose source falls behind (becomes SyncTarget itself) resyncs from the peer that is UpToDate (chaos seed 2)")
    void resyncOutlivesItsSource() {
        SimulatedNode a = three.get(0);
        SimulatedNode b = three.get(1);
        acknowledged(a, 0, 8);
        fleet().appClose(a.instanceId());
        fleet().terminate(three.get(2).instanceId());
        // Slow: its full resync takes 12 s, long enough for its source to fall behind in the middle.
        SimulatedNode fresh = nodes.add(4, 3, NodeFaults.none().withSlowFactor(20));
        List<SimulatedNode> members = List.of(a, b, fresh);
        fleet().setLinkBlocked(fresh.instanceId(), b.instanceId(), true);
        nodes.ok("drbd-install", List.of(fresh), Map.of());
        nodes.ok("drbd-prepare-lvm", List.of(fresh), SsmNodes.lvm());
        nodes.ok("drbd-write-config", members, nodes.writeConfig(members));
        nodes.ok("drbd-create-md", List.of(fresh), SsmNodes.createMd());
        nodes.ok("drbd-up", List.of(a, b), SsmNodes.resource());
        nodes.ok("drbd-up", List.of(fresh), SsmNodes.resource());
        waitViews(v -> "Inconsistent".equals(v.get(fresh.instanceId()).disk()), "the fresh node resyncs from a");
        // b and fresh on one side, a on the other: b writes with quorum, a misses it.
        fleet().setLinkBlocked(a.instanceId(), b.instanceId(), true);
        fleet().setLinkBlocked(fresh.instanceId(), b.instanceId(), false);
        acknowledged(b, 4, 8);
        fleet().appClose(b.instanceId());
        // The partition heals: a becomes SyncTarget of b, so fresh's source is no longer UpToDate.
        fleet().setLinkBlocked(a.instanceId(), b.instanceId(), false);
        Map<String, NodeFleet.DeviceView> v = null;
        for (int i = 0; i < 200 && (v == null || !"UpToDate".equals(v.get(fresh.instanceId()).disk())); i++) {
            SsmNodes.sleep(250);
            v = views();
        }
        assertEquals("UpToDate", v.get(fresh.instanceId()).disk(), "the resync never completed: " + v + " "
            + fleet().snapshot(fresh.instanceId()).peers());
        assertEquals(v.get(b.instanceId()).blocks(), v.get(fresh.instanceId()).blocks());
        assertEquals(12, v.get(fresh.instanceId()).blocks().size());
    }

    @Test
    @DisplayName("A survivor that forgot both departed peers before the new ones joined has no quorum alone (chaos seed 103)")
    void survivorAloneHasNoQuorum() {
        SimulatedNode a = three.get(0);
        acknowledged(a, 0, 4);
        fleet().appClose(a.instanceId());
        fleet().terminate(three.get(1).instanceId());
        fleet().terminate(three.get(2).instanceId());
        List<SimulatedNode> members = List.of(a, nodes.add(4, 3, NodeFaults.none()), nodes.add(5, 4, NodeFaults.none()));
        nodes.ok("drbd-write-config", List.of(a), nodes.writeConfig(members));
        for (SimulatedNode gone : List.of(three.get(1), three.get(2))) {
            nodes.ok("drbd-forget-peer", List.of(a), Map.of("ResourceName", "r0",
                "PeerNodeId", Integer.toString(nodes.nodeId(gone))));
        }
        assertEquals(List.of(), fleet().snapshot(a.instanceId()).peers(), "a's running config knows no peer any more");
        NodeFleet.AppWrite alone = fleet().appWrite(a.instanceId(), 0, 2);
        assertFalse(alone.ok(), "a write acknowledged by a lone node is on one disk only: " + alone);
        assertFalse(view(a).quorum(), view(a).toString());
    }
}
