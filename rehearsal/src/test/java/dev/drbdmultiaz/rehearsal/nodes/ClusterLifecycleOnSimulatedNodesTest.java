package dev.drbdmultiaz.rehearsal.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.rehearsal.nodes.SsmNodes.Outcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real SSM documents, sent with the real AWS SDK through the SSM emulator, on three simulated
 * nodes: a cluster's life from nothing to a replaced node.
 *
 * <p>The timeout guards against a hang, it measures nothing: on CI's 2 cores beside the chaos
 * rehearsal, {@code replace} (twelve commands and a resync) once needed more than 60 s.
 */
@Timeout(180)
class ClusterLifecycleOnSimulatedNodesTest {

    @TempDir
    Path dir;

    private SsmNodes nodes;
    private List<SimulatedNode> three;

    @BeforeEach
    void fleet() {
        nodes = new SsmNodes(dir);
        three = List.of(nodes.add(1, 0, NodeFaults.none()), nodes.add(2, 1, NodeFaults.none()),
            nodes.add(3, 2, NodeFaults.none()));
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    @DisplayName("A fresh 3-node mesh comes up connected and Inconsistent everywhere, and one sync skip makes every disk UpToDate")
    void freshMesh() {
        Map<String, Outcome> before = nodes.ok("drbd-status", three, SsmNodes.status());
        for (SimulatedNode n : three) {
            JsonNode s = before.get(n.instanceId()).result();
            assertTrue(s.path("drbdVersion").isNull(), "DRBD is not installed yet: " + s);
            assertEquals(n.hostname(), s.path("hostname").asText());
            assertEquals(n.privateIp(), s.path("address").asText());
            assertEquals(n.dataVolumeId(), s.path("dataVolumeId").asText());
            assertFalse(s.path("up").asBoolean());
        }

        Map<String, Outcome> install = nodes.ok("drbd-install", three, Map.of());
        install.values().forEach(o -> assertTrue(o.result().path("drbdVersion").asText().startsWith("9."), o.stdout()));
        Map<String, Outcome> lvm = nodes.ok("drbd-prepare-lvm", three, SsmNodes.lvm());
        for (SimulatedNode n : three) {
            assertEquals(n.dataVolumeId(), lvm.get(n.instanceId()).result().path("dataVolumeId").asText());
            assertEquals("[\"pv\",\"vg\",\"thin-pool\",\"thin-lv\"]", lvm.get(n.instanceId()).result().path("created").toString());
        }
        nodes.ok("drbd-write-config", three, nodes.writeConfig(three))
            .values().forEach(o -> assertTrue(o.changed(), o.stdout()));
        nodes.ok("drbd-create-md", three, SsmNodes.createMd())
            .values().forEach(o -> assertEquals("absent", o.result().path("found").asText(), o.stdout()));
        nodes.ok("drbd-up", three, SsmNodes.resource())
            .values().forEach(o -> assertEquals("up", o.result().path("action").asText(), o.stdout()));

        Map<String, Outcome> connected = nodes.ok("drbd-status", three, SsmNodes.status());
        for (SimulatedNode n : three) {
            JsonNode s = connected.get(n.instanceId()).result();
            assertTrue(s.path("metadata").asBoolean(), s.toString());
            assertFalse(s.path("adjustNeeded").asBoolean(true), s.toString());
            JsonNode r = s.path("resource");
            assertEquals("Inconsistent", r.path("diskState").asText(), s.toString());
            assertEquals(2, r.path("peers").size(), s.toString());
            for (JsonNode p : r.path("peers")) {
                assertEquals("Connected", p.path("connection").asText(), s.toString());
                assertEquals("Inconsistent", p.path("peerDiskState").asText(), s.toString());
            }
        }

        Outcome skip = nodes.ok("drbd-skip-initial-sync", List.of(three.get(0)), SsmNodes.resource())
            .get(three.get(0).instanceId());
        assertTrue(skip.changed(), skip.stdout());
        Map<String, Outcome> after = nodes.ok("drbd-status", three, SsmNodes.status());
        String uuid = nodes.fleet.snapshot(three.get(0).instanceId()).currentUuid();
        for (SimulatedNode n : three) {
            JsonNode r = after.get(n.instanceId()).result().path("resource");
            assertEquals("UpToDate", r.path("diskState").asText(), r.toString());
            r.path("peers").forEach(p -> assertEquals("UpToDate", p.path("peerDiskState").asText(), r.toString()));
            NodeSnapshot snap = nodes.fleet.snapshot(n.instanceId());
            assertEquals(1, snap.createMdCount(), n.instanceId());
            assertEquals(uuid, snap.currentUuid(), "every node shares the new current UUID");
        }
        assertNotEquals("0000000000000004", uuid);
        assertEquals(1, three.stream().mapToInt(n -> nodes.fleet.snapshot(n.instanceId()).syncSkipCount()).sum());
    }

    @Test
    @DisplayName("Running every step a second time reports changed:false, calls no mutating command and never re-creates metadata")
    void secondPassIsNoOp() {
        nodes.bringUp(three);
        List<Integer> callsBefore = new ArrayList<>();
        three.forEach(n -> callsBefore.add(nodes.fleet.calls(n.instanceId()).size()));

        List<Outcome> second = new ArrayList<>();
        second.addAll(nodes.ok("drbd-install", three, Map.of()).values());
        second.addAll(nodes.ok("drbd-prepare-lvm", three, SsmNodes.lvm()).values());
        second.addAll(nodes.ok("drbd-write-config", three, nodes.writeConfig(three)).values());
        second.addAll(nodes.ok("drbd-create-md", three, SsmNodes.createMd()).values());
        second.addAll(nodes.ok("drbd-up", three, SsmNodes.resource()).values());
        second.addAll(nodes.ok("drbd-skip-initial-sync", List.of(three.get(0)), SsmNodes.resource()).values());
        second.forEach(o -> assertFalse(o.changed(), "changed on the second pass: " + o.stdout()));

        for (int i = 0; i < three.size(); i++) {
            List<String> calls = nodes.fleet.calls(three.get(i).instanceId());
            List<String> newCalls = calls.subList(callsBefore.get(i), calls.size());
            List<String> mutating = newCalls.stream().filter(ClusterLifecycleOnSimulatedNodesTest::mutating).toList();
            assertEquals(List.of(), mutating, "mutating calls on the second pass");
            assertEquals(1, nodes.fleet.snapshot(three.get(i).instanceId()).createMdCount());
        }
    }

    @Test
    @DisplayName("A rebooted node keeps its metadata: create-md finds it present, up brings the node back UpToDate, no create-md runs")
    void reboot() {
        nodes.bringUp(three);
        SimulatedNode node = three.get(1);
        long createMdCalls = nodes.fleet.snapshot(node.instanceId()).callCount("drbdadm create-md");
        nodes.fleet.reboot(node.instanceId());
        NodeSnapshot down = nodes.fleet.snapshot(node.instanceId());
        assertFalse(down.up());
        assertTrue(down.metadata());

        JsonNode status = nodes.ok("drbd-status", List.of(node), SsmNodes.status()).get(node.instanceId()).result();
        assertTrue(status.path("metadata").asBoolean(), status.toString());
        assertFalse(status.path("up").asBoolean(), status.toString());
        Outcome md = nodes.run("drbd-create-md", node, SsmNodes.createMd());
        assertEquals(0, md.exitCode(), md.stderr());
        assertEquals("present", md.result().path("found").asText());
        assertFalse(md.changed());
        Outcome up = nodes.run("drbd-up", node, SsmNodes.resource());
        assertEquals("up", up.result().path("action").asText(), up.stdout());

        JsonNode r = nodes.ok("drbd-status", three, SsmNodes.status()).get(node.instanceId()).result().path("resource");
        assertEquals("UpToDate", r.path("diskState").asText(), r.toString());
        r.path("peers").forEach(p -> assertEquals("Connected", p.path("connection").asText(), r.toString()));
        NodeSnapshot snap = nodes.fleet.snapshot(node.instanceId());
        assertEquals(1, snap.createMdCount());
        assertEquals(createMdCalls, snap.callCount("drbdadm create-md"), "create-md after the reboot: " + snap.calls());
        snap.peers().forEach(p -> assertEquals("Established", p.replication(), "no resync after a clean reboot"));
    }

    @Test
    @DisplayName("A replacement node gets metadata, resyncs in full from the survivors, the survivors forget the departed peer and sync skip is refused")
    void replace() {
        nodes.bringUp(three);
        SimulatedNode gone = three.get(2);
        nodes.fleet.terminate(gone.instanceId());
        // Slow: its full resync takes ~6 s, so a status poll sees it in progress even on a loaded machine.
        SimulatedNode fresh = nodes.add(4, 3, NodeFaults.none().withSlowFactor(10));
        List<SimulatedNode> survivors = List.of(three.get(0), three.get(1));
        List<SimulatedNode> members = List.of(three.get(0), three.get(1), fresh);

        nodes.ok("drbd-install", List.of(fresh), Map.of());
        nodes.ok("drbd-prepare-lvm", List.of(fresh), SsmNodes.lvm());
        nodes.ok("drbd-write-config", members, nodes.writeConfig(members))
            .values().forEach(o -> assertTrue(o.changed(), o.stdout()));
        Map<String, Outcome> md = nodes.ok("drbd-create-md", members, SsmNodes.createMd());
        assertTrue(md.get(fresh.instanceId()).changed());
        survivors.forEach(s -> assertFalse(md.get(s.instanceId()).changed(), md.get(s.instanceId()).stdout()));
        nodes.ok("drbd-status", survivors, SsmNodes.status())
            .values().forEach(o -> assertTrue(o.result().path("adjustNeeded").asBoolean(), o.stdout()));

        Map<String, Outcome> up = nodes.ok("drbd-up", members, SsmNodes.resource());
        assertEquals("up", up.get(fresh.instanceId()).result().path("action").asText());
        survivors.forEach(s -> assertEquals("adjust", up.get(s.instanceId()).result().path("action").asText()));

        boolean sawSync = false;
        JsonNode freshStatus = null;
        for (int i = 0; i < 200; i++) {
            freshStatus = nodes.ok("drbd-status", List.of(fresh), SsmNodes.status()).get(fresh.instanceId()).result();
            String disk = freshStatus.path("resource").path("diskState").asText();
            for (JsonNode p : freshStatus.path("resource").path("peers")) {
                double pct = p.path("syncPercent").asDouble(100);
                sawSync |= pct < 100.0;
            }
            if (disk.equals("UpToDate")) {
                break;
            }
            assertEquals("Inconsistent", disk, freshStatus.toString());
            SsmNodes.sleep(50);
        }
        assertEquals("UpToDate", freshStatus.path("resource").path("diskState").asText(), freshStatus.toString());
        assertTrue(sawSync, "the resync's progress was visible in at least one status");
        NodeSnapshot survivorSnap = nodes.fleet.snapshot(survivors.get(0).instanceId());
        assertEquals(survivorSnap.currentUuid(), nodes.fleet.snapshot(fresh.instanceId()).currentUuid());
        assertEquals(2, survivorSnap.peers().size(), survivorSnap.peers().toString());
        assertTrue(survivorSnap.peer(nodes.nodeId(gone)).isEmpty(), "adjust removed the departed peer");

        Map<String, Outcome> forget = nodes.ok("drbd-forget-peer", survivors, Map.of("ResourceName", "r0",
            "PeerNodeId", Integer.toString(nodes.nodeId(gone))));
        forget.values().forEach(o -> assertEquals("forgotten", o.result().path("forget").asText(), o.stdout()));
        nodes.ok("drbd-forget-peer", survivors, Map.of("ResourceName", "r0",
            "PeerNodeId", Integer.toString(nodes.nodeId(gone))))
            .values().forEach(o -> assertEquals("already-forgotten", o.result().path("forget").asText(), o.stdout()));

        Outcome skip = nodes.run("drbd-skip-initial-sync", fresh, SsmNodes.resource());
        assertEquals("Failed", skip.status());
        assertEquals(3, skip.exitCode(), skip.stdout());
        assertTrue(skip.result().path("error").asText().contains("local disk is UpToDate"), skip.stdout());

        assertEquals(1, nodes.fleet.snapshot(fresh.instanceId()).createMdCount());
        survivors.forEach(s -> assertEquals(1, nodes.fleet.snapshot(s.instanceId()).createMdCount()));
        members.forEach(m -> assertEquals(m == three.get(0) ? 1 : 0, nodes.fleet.snapshot(m.instanceId()).syncSkipCount()));
    }

    /** The commands that change a node (as the bats tests define them). */
    static boolean mutating(String call) {
        return call.matches("^(drbdadm (up|down|adjust|create-md|new-current-uuid|wipe-md|primary|secondary|attach"
            + "|detach|connect|disconnect|forget-peer|del-peer|invalidate)|drbdsetup (new-current-uuid|del-peer"
            + "|forget-peer|down|primary|secondary|attach|detach|connect|disconnect|new-|del-|invalidate|resize)"
            + "|drbdmeta .* (create-md|wipe-md|forget-peer|write-dev-uuid)|pvcreate|vgcreate|lvcreate|apt-get"
            + "|add-apt-repository|snap install|modprobe|systemctl (enable|restart|start|stop|disable)|mkfs|wipefs)( .*)?$");
    }
}
