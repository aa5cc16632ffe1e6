package dev.drbdmultiaz.rehearsal.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated data path: thin-pool capacity as lvm2 computes and reports it, application writes
 * through DRBD (protocol C, quorum, auto-promote), resync allocation on thin LVs and the content
 * the nodes end up with. LVM is set up with direct commands (explicit sizes); DRBD with the real
 * documents.
 */
@Timeout(90)
class NodeDataOnSimulatedNodesTest {

    private static final long GIB_KIB = 1024L * 1024;
    private static final String VG = "drbdpool";

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

    private NodeFleet.ExecResult exec(SimulatedNode n, String... cmd) {
        return nodes.fleet.exec(n.instanceId(), cmd);
    }

    private NodeFleet.ExecResult ok(SimulatedNode n, String... cmd) {
        NodeFleet.ExecResult r = exec(n, cmd);
        assertEquals(0, r.exitCode(), String.join(" ", cmd) + "\nstdout:" + r.stdout() + "\nstderr:" + r.stderr());
        return r;
    }

    /** PV, VG, a thin pool of poolSize and thin LV r0 of lvSize (lvcreate size arguments). */
    private void lvm(SimulatedNode n, String poolSize, String lvSize) {
        ok(n, "pvcreate", "/dev/nvme1n1");
        ok(n, "vgcreate", VG, "/dev/nvme1n1");
        ok(n, "lvcreate", "--type", "thin-pool", "--size", poolSize, "--name", "thinpool", VG);
        ok(n, "lvcreate", "--type", "thin", "--virtualsize", lvSize, "--thinpool", "thinpool", "--name", "r0", VG);
    }

    /** The real renderer's config, without its disk section when {@code rsDiscard} is false. */
    private Map<String, String> config(List<SimulatedNode> members, boolean rsDiscard) {
        String text = new String(Base64.getDecoder().decode(nodes.config(members)), StandardCharsets.UTF_8);
        if (!rsDiscard) {
            text = text.replaceAll("(?m)^\\s*rs-discard-granularity[^\\n]*\\n", "");
        } else if (!text.contains("rs-discard-granularity")) {
            text = text.replaceFirst("(?m)^(resource [^\\n]*\\{\\n)", "$1    disk {\n        rs-discard-granularity 65536;\n    }\n");
        }
        return Map.of("ResourceName", "r0", "SecretId", SsmNodes.SECRET_ARN, "ConfigBase64",
            Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
    }

    private List<SimulatedNode> cluster(String poolSize, String lvSize, boolean rsDiscard) {
        List<SimulatedNode> three = List.of(nodes.add(1, 0, NodeFaults.none()), nodes.add(2, 1, NodeFaults.none()),
            nodes.add(3, 2, NodeFaults.none()));
        nodes.ok("drbd-install", three, Map.of());
        three.forEach(n -> lvm(n, poolSize, lvSize));
        nodes.ok("drbd-write-config", three, config(three, rsDiscard));
        nodes.ok("drbd-create-md", three, SsmNodes.createMd());
        nodes.ok("drbd-up", three, SsmNodes.resource());
        nodes.ok("drbd-skip-initial-sync", List.of(three.get(0)), SsmNodes.resource());
        three.forEach(n -> assertEquals("UpToDate", nodes.fleet.snapshot(n.instanceId()).disk()));
        return three;
    }

    private NodeSnapshot waitUpToDate(SimulatedNode n) {
        NodeSnapshot s = null;
        for (int i = 0; i < 400; i++) {
            s = nodes.fleet.snapshot(n.instanceId());
            if ("UpToDate".equals(s.disk())) {
                return s;
            }
            SsmNodes.sleep(25);
        }
        throw new AssertionError("not UpToDate: " + s);
    }

    private static NodeSnapshot.ThinVolume r0(NodeSnapshot s) {
        return s.thinVolumes().get(VG + "/r0");
    }

    private static long roundUp(long v, long unit) {
        return (v + unit - 1) / unit * unit;
    }

    /** md_size_kib of nodesim for max-peers 7: what create-md maps at the end of the LV. */
    private static long mdKiB(long lvKiB) {
        long bitmap = ((lvKiB + 32767) / 32768) * 7;
        return 4 + 32 + ((bitmap + 3) / 4) * 4;
    }

    @Test
    @DisplayName("lvcreate prints lvm2's overprovisioning warnings exactly, none when the thin LV fits; lvs/vgs report bytes")
    void thinPoolCapacityAndReports() {
        SimulatedNode n = nodes.add(1, 0, NodeFaults.none());
        nodes.ok("drbd-install", List.of(n), Map.of());
        ok(n, "pvcreate", "/dev/nvme1n1");
        ok(n, "vgcreate", VG, "/dev/nvme1n1");
        NodeFleet.ExecResult pool = ok(n, "lvcreate", "--type", "thin-pool", "--size", "10G", "--name", "thinpool", VG);
        assertTrue(pool.stdout().contains("  Thin pool volume with chunk size 64.00 KiB can address at most 15.81 TiB of data."),
            pool.stdout());
        NodeFleet.ExecResult fits = ok(n, "lvcreate", "--type", "thin", "--virtualsize", "10737418240b", "--thinpool",
            "thinpool", "--name", "r0", VG);
        assertEquals("", fits.stderr(), "a thin LV of the pool's size is not overprovisioning");
        assertFalse(fits.stdout().contains("WARNING"), fits.stdout());

        NodeFleet.ExecResult over = ok(n, "lvcreate", "--type", "thin", "--virtualsize", "1g", "--thinpool", "thinpool",
            "--name", "extra", VG);
        assertEquals("  WARNING: Sum of all thin volume sizes (11.00 GiB) exceeds the size of thin pool drbdpool/thinpool"
            + " (10.00 GiB).\n", over.stderr());
        assertTrue(over.stdout().startsWith("  WARNING: You have not turned on protection against thin pools running out"
            + " of space.\n  WARNING: Set activation/thin_pool_autoextend_threshold below 100 to trigger automatic"
            + " extension of thin pools before they get full.\n"), over.stdout());

        NodeFleet.ExecResult whole = ok(n, "lvcreate", "--type", "thin", "--virtualsize", "90G", "--thinpool", "thinpool",
            "--name", "big", VG);
        assertEquals("  WARNING: Sum of all thin volume sizes (101.00 GiB) exceeds the size of thin pool drbdpool/thinpool"
            + " and the size of whole volume group (<100.00 GiB).\n", whole.stderr());

        assertEquals("  10737418240\n", ok(n, "lvs", "--noheadings", "--nosuffix", "--units", "b", "-o", "lv_size",
            VG + "/thinpool").stdout());
        // 100 GiB disk: 25599 extents of 4 MiB; pool 2560 + _tmeta 3 + lvol0_pmspare 3 (10 MiB estimate, rounded up)
        assertEquals("  107369988096 96607404032 4194304\n", ok(n, "vgs", "--noheadings", "--nosuffix", "--units", "b",
            "-o", "vg_size,vg_free,vg_extent_size", VG).stdout());
        assertEquals("  10.00g,0.00,thinpool\n", ok(n, "lvs", "--noheadings", "--units", "g", "--separator", ",", "-o",
            "lv_size,data_percent,lv_name", VG + "/thinpool").stdout());
        NodeFleet.ExecResult bad = exec(n, "lvcreate", "--type", "thin", "--virtualsize", "1000b", "--thinpool",
            "thinpool", "--name", "odd", VG);
        assertEquals(3, bad.exitCode());
        assertTrue(bad.stderr().contains("Size is not a multiple of 512. Try using 512 or 1024."), bad.stderr());
        NodeFleet.ExecResult round = ok(n, "lvcreate", "--type", "thin", "--virtualsize", "1m", "--thinpool", "thinpool",
            "--name", "small", VG);
        assertTrue(round.stdout().contains("  Rounding up size to full physical extent 4.00 MiB"), round.stdout());
        NodeSnapshot s = nodes.fleet.snapshot(n.instanceId());
        assertEquals(10 * GIB_KIB, s.pools().get(VG + "/thinpool").dataKiB());
        assertEquals(12 * 1024, s.pools().get(VG + "/thinpool").metadataKiB());
        assertEquals(4096, s.thinVolumes().get(VG + "/small").virtualKiB());
    }

    @Test
    @DisplayName("The thin pool as drbd-prepare-lvm creates it (95%FREE): data reduced by twice the metadata, lvs prints its bytes")
    void percentFreePool() {
        SimulatedNode n = nodes.add(1, 0, NodeFaults.none());
        nodes.ok("drbd-install", List.of(n), Map.of());
        ok(n, "pvcreate", "/dev/nvme1n1");
        ok(n, "vgcreate", VG, "/dev/nvme1n1");
        ok(n, "lvcreate", "--type", "thin-pool", "--extents", "95%FREE", "--name", "thinpool", VG);
        // 95% of 25599 free extents = 24319; metadata 24319 * 4 KiB -> 24 extents; data 24319 - 2 * 24
        assertEquals("  " + 24271L * 4 * 1024 * 1024 + "\n", ok(n, "lvs", "--noheadings", "--nosuffix", "--units", "b",
            "-o", "lv_size", VG + "/thinpool").stdout());
    }

    @Test
    @DisplayName("A write replicates to every Connected UpToDate peer with one checksum and maps its chunks on each thin LV")
    void writeReplicates() {
        List<SimulatedNode> three = cluster("20G", "10G", true);
        NodeFleet.WriteResult w = nodes.fleet.write(three.get(0).instanceId(), 10);
        assertTrue(w.ok(), w.toString());
        assertEquals(List.of(1, 2), w.replicatedTo());
        for (SimulatedNode n : three) {
            NodeSnapshot s = nodes.fleet.snapshot(n.instanceId());
            assertEquals(w.checksum(), s.data().checksum(), n.instanceId());
            assertEquals(w.writtenKiB(), s.data().writtenKiB());
            assertEquals(s.data().sizeKiB() / 10 / 4 * 4, s.data().writtenKiB());
            long lv = 10 * GIB_KIB;
            assertEquals(roundUp(w.writtenKiB(), 64) + roundUp(mdKiB(lv), 64), r0(s).allocatedKiB(), s.thinVolumes().toString());
            assertEquals(r0(s).allocatedKiB(), s.pools().get(VG + "/thinpool").usedKiB());
        }
        assertEquals(nodes.fleet.snapshot(three.get(1).instanceId()).currentUuid(),
            nodes.fleet.snapshot(three.get(0).instanceId()).currentUuid(), "no new data generation: nobody missed it");
    }

    @Test
    @DisplayName("A write that overfills the writer's thin pool fails, dm-thin runs out of data space and DRBD detaches the disk")
    void poolFull() {
        List<SimulatedNode> three = cluster("1G", "2G", true);
        NodeFleet.WriteResult w = nodes.fleet.write(three.get(0).instanceId(), 60);
        assertFalse(w.ok(), w.toString());
        assertTrue(w.error().contains("out of data space"), w.error());
        NodeSnapshot s = nodes.fleet.snapshot(three.get(0).instanceId());
        assertEquals("Diskless", s.disk());
        assertTrue(s.pools().get(VG + "/thinpool").outOfDataSpace());
        assertEquals(GIB_KIB, s.pools().get(VG + "/thinpool").usedKiB());
        assertTrue(s.kernelEvents().contains("device-mapper: thin: 253:2: switching pool to out-of-data-space (error IO) mode"),
            s.kernelEvents().toString());
        assertTrue(s.kernelEvents().stream().anyMatch(e -> e.endsWith("Local IO failed in drbd_request_endio. Detaching...")),
            s.kernelEvents().toString());
        assertTrue(ok(three.get(0), "lvs", "--noheadings", "-o", "lv_attr", VG + "/thinpool").stdout().contains("twi-aotzD-"));
        NodeFleet.WriteResult again = nodes.fleet.write(three.get(0).instanceId(), 1);
        assertFalse(again.ok(), "a Diskless node cannot write: " + again);
    }

    @Test
    @DisplayName("A write while a peer is disconnected: new data generation, bitmap resync on reconnect, equal checksums")
    void disconnectedPeerBitmapResync() {
        List<SimulatedNode> three = cluster("20G", "10G", true);
        SimulatedNode away = three.get(2);
        ok(away, "drbdadm", "disconnect", "r0");
        String before = nodes.fleet.snapshot(three.get(0).instanceId()).currentUuid();
        NodeFleet.WriteResult w = nodes.fleet.write(three.get(0).instanceId(), 20);
        assertTrue(w.ok(), w.toString());
        assertEquals(List.of(1), w.replicatedTo());
        NodeSnapshot writer = nodes.fleet.snapshot(three.get(0).instanceId());
        assertFalse(before.equals(writer.currentUuid()), "the Primary that lost a peer starts a new data generation");
        assertEquals(writer.currentUuid(), nodes.fleet.snapshot(three.get(1).instanceId()).currentUuid());
        NodeSnapshot stale = nodes.fleet.snapshot(away.instanceId());
        assertEquals(null, stale.data().checksum());
        assertEquals(before, stale.currentUuid());
        // a second write in the same disconnection starts no further generation
        NodeFleet.WriteResult w2 = nodes.fleet.write(three.get(0).instanceId(), 20);
        assertTrue(w2.ok(), w2.toString());
        assertEquals(writer.currentUuid(), nodes.fleet.snapshot(three.get(0).instanceId()).currentUuid());

        ok(away, "drbdadm", "connect", "r0");
        NodeSnapshot synced = waitUpToDate(away);
        assertEquals("bitmap", synced.data().lastResync(), synced.data().toString());
        assertEquals(w2.checksum(), synced.data().checksum());
        assertEquals(w2.writtenKiB(), synced.data().writtenKiB());
        assertEquals(roundUp(w2.writtenKiB(), 64) + roundUp(mdKiB(10 * GIB_KIB), 64), r0(synced).allocatedKiB(),
            "a bitmap resync maps only what the source wrote");
        assertEquals(writer.currentUuid(), synced.currentUuid());
    }

    @Test
    @DisplayName("A full resync onto a fresh node maps the whole thin LV without rs-discard-granularity")
    void fullResyncAllocatesEverything() {
        fullResync(false);
    }

    @Test
    @DisplayName("A full resync onto a fresh node maps only the written part with rs-discard-granularity on both sides")
    void fullResyncWithDiscards() {
        fullResync(true);
    }

    private void fullResync(boolean rsDiscard) {
        List<SimulatedNode> three = cluster("20G", "10G", rsDiscard);
        NodeFleet.WriteResult w = nodes.fleet.write(three.get(0).instanceId(), 25);
        assertTrue(w.ok(), w.toString());
        SimulatedNode gone = three.get(2);
        nodes.fleet.terminate(gone.instanceId());
        SimulatedNode fresh = nodes.add(4, 3, NodeFaults.none());
        List<SimulatedNode> survivors = List.of(three.get(0), three.get(1));
        List<SimulatedNode> members = List.of(three.get(0), three.get(1), fresh);
        nodes.ok("drbd-install", List.of(fresh), Map.of());
        lvm(fresh, "20G", "10G");
        nodes.ok("drbd-write-config", members, config(members, rsDiscard));
        nodes.ok("drbd-create-md", members, SsmNodes.createMd());
        NodeSnapshot before = nodes.fleet.snapshot(fresh.instanceId());
        assertEquals(roundUp(mdKiB(10 * GIB_KIB), 64), r0(before).allocatedKiB(), "create-md maps the metadata area");
        assertNotNull(before.data());
        assertEquals(null, before.data().checksum());
        nodes.ok("drbd-up", survivors, SsmNodes.resource());  // survivors first: their disk options are set
        nodes.ok("drbd-up", List.of(fresh), SsmNodes.resource());
        NodeSnapshot synced = waitUpToDate(fresh);
        assertEquals("full", synced.data().lastResync());
        assertEquals(w.checksum(), synced.data().checksum(), "the target holds the source's data");
        assertEquals(nodes.fleet.snapshot(three.get(0).instanceId()).data().checksum(), synced.data().checksum());
        long expected = rsDiscard ? roundUp(w.writtenKiB(), 64) + roundUp(mdKiB(10 * GIB_KIB), 64) : 10 * GIB_KIB;
        assertEquals(expected, r0(synced).allocatedKiB(), synced.thinVolumes().toString());
    }
}
