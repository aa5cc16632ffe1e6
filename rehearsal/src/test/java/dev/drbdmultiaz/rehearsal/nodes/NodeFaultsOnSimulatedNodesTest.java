package dev.drbdmultiaz.rehearsal.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.rehearsal.nodes.SsmNodes.Outcome;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Node faults seen through the real documents: each one refused or failed with its reason. */
@Timeout(60)
class NodeFaultsOnSimulatedNodesTest {

    @TempDir
    Path dir;

    private SsmNodes nodes;

    @BeforeEach
    void fleet() {
        nodes = new SsmNodes(dir);
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    @DisplayName("A data disk carrying an ext4 filesystem makes prepare-lvm refuse with exit 3 and create nothing")
    void foreignFilesystem() {
        SimulatedNode node = nodes.add(1, 0, NodeFaults.none().withForeignFilesystem("ext4"));
        nodes.ok("drbd-install", List.of(node), Map.of());
        Outcome lvm = nodes.run("drbd-prepare-lvm", node, SsmNodes.lvm());
        assertEquals("Failed", lvm.status());
        assertEquals(3, lvm.exitCode(), lvm.stdout());
        assertTrue(lvm.result().path("error").asText().contains("TYPE=ext4"), lvm.stdout());
        assertTrue(lvm.stderr().contains("Refused"), lvm.stderr());
        NodeSnapshot snap = nodes.fleet.snapshot(node.instanceId());
        assertEquals(List.of(), snap.lvm().physicalVolumes());
        assertEquals(List.of(), snap.lvm().volumeGroups());
        assertEquals(List.of(), snap.lvm().logicalVolumes());
        assertTrue(snap.calls().stream().noneMatch(c -> c.matches("^(pvcreate|vgcreate|lvcreate|wipefs|mkfs).*")),
            snap.calls().toString());
    }

    @Test
    @DisplayName("create-md re-checks the device on the node: an LV carrying ext4 is refused with exit 3 and drbdadm create-md never runs (I1)")
    void createMdRefusesForeignSignature() {
        List<SimulatedNode> three = List.of(nodes.add(1, 0, NodeFaults.none()), nodes.add(2, 1, NodeFaults.none()),
            nodes.add(3, 2, NodeFaults.none()));
        SimulatedNode node = three.get(0);
        nodes.ok("drbd-install", List.of(node), Map.of());
        nodes.ok("drbd-prepare-lvm", List.of(node), SsmNodes.lvm());
        nodes.ok("drbd-write-config", List.of(node), nodes.writeConfig(three));
        assertEquals(0, nodes.fleet.exec(node.instanceId(), "mkfs.ext4", "/dev/drbdpool/r0").exitCode());

        Outcome md = nodes.run("drbd-create-md", node, SsmNodes.createMd());
        assertEquals(3, md.exitCode(), md.stdout() + md.stderr());
        assertEquals("foreign", md.result().path("found").asText(), md.stdout());
        assertTrue(md.result().path("error").asText().contains("TYPE=ext4"), md.stdout());
        NodeSnapshot snap = nodes.fleet.snapshot(node.instanceId());
        assertEquals(0, snap.callCount("drbdadm create-md"), snap.calls().toString());
        assertFalse(snap.metadata());
        assertEquals(0, snap.createMdCount());
    }

    @Test
    @DisplayName("A failing package installation ends the invocation Failed with the script's exit code and apt's error on stderr")
    void installFailure() {
        SimulatedNode bad = nodes.add(1, 0, NodeFaults.none().withInstallFailure());
        SimulatedNode good = nodes.add(2, 1, NodeFaults.none());
        Map<String, Outcome> install = nodes.run("drbd-install", List.of(bad, good), Map.of());
        Outcome failed = install.get(bad.instanceId());
        assertEquals("Failed", failed.status());
        assertEquals(4, failed.exitCode(), failed.stdout());
        assertFalse(failed.result().path("ok").asBoolean(true));
        assertTrue(failed.stderr().contains("503  Service Unavailable"), failed.stderr());
        assertTrue(failed.stderr().contains("Package installation failed"), failed.stderr());
        assertEquals("Success", install.get(good.instanceId()).status(), "the other node is untouched by the fault");
        NodeSnapshot snap = nodes.fleet.snapshot(bad.instanceId());
        assertNull(snap.moduleVersion());
        assertFalse(snap.installed().containsKey("drbd-utils"));

        CommandRecord record = nodes.ssm.commands().get(nodes.ssm.commands().size() - 1);
        assertEquals("drbd-install", record.documentFile());
        assertTrue(record.mutating());
        assertEquals(4, record.results().get(bad.instanceId()).exitCode());
        assertEquals(0, record.results().get(good.instanceId()).exitCode());
    }

    @Test
    @DisplayName("Before DRBD is installed, documents that need it stop with exit 5 (node not ready)")
    void notInstalled() {
        SimulatedNode node = nodes.add(1, 0, NodeFaults.none());
        Outcome md = nodes.run("drbd-create-md", node, SsmNodes.createMd());
        assertEquals(5, md.exitCode(), md.stdout());
        Outcome write = nodes.run("drbd-write-config", node, nodes.writeConfig(List.of(node,
            nodes.add(2, 1, NodeFaults.none()), nodes.add(3, 2, NodeFaults.none()))));
        assertEquals(5, write.exitCode(), write.stdout());
    }

    @Test
    @DisplayName("A config that names the node under another host name is rejected by the real drbdadm parse check (exit 2)")
    void parseCheckRejectsForeignHost() {
        SimulatedNode a = nodes.add(1, 0, NodeFaults.none());
        SimulatedNode b = nodes.add(2, 1, NodeFaults.none());
        SimulatedNode c = nodes.add(3, 2, NodeFaults.none());
        SimulatedNode stranger = nodes.add(4, 3, NodeFaults.none());
        nodes.ok("drbd-install", List.of(stranger), Map.of());
        Outcome write = nodes.run("drbd-write-config", stranger, nodes.writeConfig(List.of(a, b, c)));
        assertEquals(2, write.exitCode(), write.stdout() + write.stderr());
        assertTrue(write.stderr().contains("not defined in your config (for this host)")
            || write.stderr().contains("drbdadm rejected"), write.stderr());
        assertFalse(nodes.fleet.snapshot(stranger.instanceId()).calls().isEmpty());
    }
}
