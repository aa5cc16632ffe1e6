package dev.drbdmultiaz.rehearsal.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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

/**
 * Online growth of the backing device on simulated nodes after the EBS data volume grew in place:
 * {@code drbd-status} reports {@code backingGrowable}, {@code drbd-grow-backing} grows PV, thin pool
 * and thin LV (the LV to the pool's data size), and once every member's backing LV grew,
 * {@code drbd-resize} grows the DRBD device (drbdsetup(8) resize: after the lower-level devices on
 * all nodes have been grown).
 */
@Timeout(180)
class BackingGrowthOnSimulatedNodesTest {

    private static final String POOL = "drbdpool/thinpool";
    private static final String LV = "drbdpool/r0";
    /**
     * 120 GiB: 30719 extents of 4 MiB after pe_start; the pool's data 95% of them (29183) less metadata
     * and spare, 29 extents each (64 bytes per 64 KiB chunk): what lvcreate gives a fresh 120 GiB VG.
     */
    private static final long POOL_KIB_ON_120_GIB = (30719L * 95 / 100 - 2 * 29) * 4096;

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
    @DisplayName("grow-backing grows PV, pool and LV after the data volume grew from 100 to 120 GiB, then has nothing to do")
    void growsTheBackingOnceAndThenNothing() {
        SimulatedNode node = nodes.add(1, 0, NodeFaults.none(), 100);
        nodes.ok("drbd-install", List.of(node), Map.of());
        nodes.ok("drbd-prepare-lvm", List.of(node), SsmNodes.lvm());
        assertEquals(false, status(node).path("backingGrowable").asBoolean(true), "freshly prepared");
        NodeSnapshot before = nodes.fleet.snapshot(node.instanceId());

        nodes.fleet.resizeDataVolume(node.instanceId(), 120);
        JsonNode grownDisk = status(node);
        assertEquals(120, grownDisk.path("dataVolumeGiB").asInt(), grownDisk.toString());
        assertTrue(grownDisk.path("backingGrowable").asBoolean(false), grownDisk.toString());

        Outcome grow = nodes.ok("drbd-grow-backing", List.of(node), SsmNodes.lvm()).get(node.instanceId());
        assertTrue(grow.changed(), grow.stdout());
        assertEquals("[\"pv\",\"thin-pool-metadata\",\"thin-pool\",\"thin-lv\"]",
            grow.result().path("grown").toString());
        assertEquals(false, grow.result().path("backingGrowable").asBoolean(true), grow.stdout());
        NodeSnapshot after = nodes.fleet.snapshot(node.instanceId());
        long pool = after.pools().get(POOL).dataKiB();
        assertTrue(pool > before.pools().get(POOL).dataKiB(), "pool " + pool);
        assertEquals(POOL_KIB_ON_120_GIB, pool);
        assertTrue(after.thinVolumes().get(LV).virtualKiB() > before.thinVolumes().get(LV).virtualKiB());
        assertEquals(pool, after.thinVolumes().get(LV).virtualKiB(), "the LV has the pool's data size");
        assertEquals(pool, grow.result().path("lvKiB").asLong());
        assertEquals(30719L * 4096, grow.result().path("pvKiB").asLong());
        String lvs = nodes.fleet.exec(node.instanceId(), "lvs", "--noheadings", "--nosuffix", "--units", "k", "-o",
            "lv_size", LV).stdout().strip();
        assertEquals(pool + ".00", lvs, "lvs on the node");

        assertEquals(false, status(node).path("backingGrowable").asBoolean(true));
        Outcome again = nodes.ok("drbd-grow-backing", List.of(node), SsmNodes.lvm()).get(node.instanceId());
        assertFalse(again.changed(), again.stdout());
        assertEquals("[]", again.result().path("grown").toString());
        assertEquals(pool, nodes.fleet.snapshot(node.instanceId()).pools().get(POOL).dataKiB());
    }

    @Test
    @DisplayName("a member grown from 100 to 120 GiB holds no more than one prepared on a new 120 GiB volume, and its"
        + " pool's metadata grew with its data (a replacement must hold the DRBD device: 'The peer's disk size is too"
        + " small')")
    void grownHoldsNoMoreThanFresh() {
        SimulatedNode grown = nodes.add(1, 0, NodeFaults.none(), 100);
        SimulatedNode fresh = nodes.add(2, 1, NodeFaults.none(), 120);
        nodes.ok("drbd-install", List.of(grown, fresh), Map.of());
        nodes.ok("drbd-prepare-lvm", List.of(grown, fresh), SsmNodes.lvm());
        long metadataBefore = metadataKiB(grown);
        nodes.fleet.resizeDataVolume(grown.instanceId(), 120);

        nodes.ok("drbd-grow-backing", List.of(grown), SsmNodes.lvm());

        NodeSnapshot grownLvm = nodes.fleet.snapshot(grown.instanceId());
        NodeSnapshot freshLvm = nodes.fleet.snapshot(fresh.instanceId());
        assertEquals(freshLvm.pools().get(POOL).dataKiB(), grownLvm.pools().get(POOL).dataKiB(), "pool data");
        assertEquals(freshLvm.thinVolumes().get(LV).virtualKiB(), grownLvm.thinVolumes().get(LV).virtualKiB(), "LV");
        assertEquals(metadataKiB(fresh), metadataKiB(grown), "pool metadata, as lvcreate sizes it for 120 GiB");
        assertTrue(metadataKiB(grown) > metadataBefore, metadataBefore + " KiB before");
    }

    private long metadataKiB(SimulatedNode node) {
        return Long.parseLong(nodes.fleet.exec(node.instanceId(), "lvs", "--noheadings", "--nosuffix", "--units", "b",
            "-o", "lv_metadata_size", POOL).stdout().strip()) / 1024;
    }

    @Test
    @DisplayName("fails to shrink a data volume, and lvextend refuses a size not larger than the LV's")
    void failsToShrink() {
        SimulatedNode node = nodes.add(1, 0, NodeFaults.none(), 100);
        nodes.ok("drbd-install", List.of(node), Map.of());
        nodes.ok("drbd-prepare-lvm", List.of(node), SsmNodes.lvm());
        IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> nodes.fleet.resizeDataVolume(node.instanceId(), 90));
        assertTrue(refused.getMessage().contains("cannot shrink"), refused.getMessage());
        NodeFleet.ExecResult lvextend = nodes.fleet.exec(node.instanceId(), "lvextend", "--size", "50g", LV);
        assertEquals(5, lvextend.exitCode(), lvextend.stdout() + lvextend.stderr());
        assertTrue(lvextend.stderr().contains("not larger than existing size"), lvextend.stderr());
    }

    @Test
    @DisplayName("after every member's volume grew and grow-backing ran, drbd-resize grows the DRBD device")
    void resizeGrowsTheDeviceOnceEveryBackingGrew() {
        List<SimulatedNode> three = List.of(nodes.add(1, 0, NodeFaults.none(), 100),
            nodes.add(2, 1, NodeFaults.none(), 100), nodes.add(3, 2, NodeFaults.none(), 100));
        nodes.bringUp(three);
        JsonNode first = status(three.get(0)).path("resource");
        long device = first.path("sizeKiB").asLong();
        long backing = first.path("backingKiB").asLong();
        assertTrue(device > 0 && device < backing, first.toString());

        for (SimulatedNode n : three) {
            nodes.fleet.resizeDataVolume(n.instanceId(), 120);
        }
        Map<String, Outcome> observed = nodes.ok("drbd-status", three, SsmNodes.status());
        observed.forEach((id, o) -> {
            assertTrue(o.result().path("backingGrowable").asBoolean(false), id + ": " + o.stdout());
            assertEquals(backing, o.result().path("resource").path("backingKiB").asLong(), "not grown yet on " + id);
        });

        Map<String, Outcome> grown = nodes.ok("drbd-grow-backing", three, SsmNodes.lvm());
        grown.forEach((id, o) -> {
            assertTrue(o.changed(), id + ": " + o.stdout());
            assertEquals(POOL_KIB_ON_120_GIB, o.result().path("resource").path("backingKiB").asLong(), id);
            assertEquals(device, o.result().path("resource").path("sizeKiB").asLong(), "the device waits for resize");
        });

        long below = POOL_KIB_ON_120_GIB - 1024 * 1024;
        Outcome resize = nodes.run("drbd-resize", three.get(0), Map.of("ResourceName", "r0",
            "BelowKiB", Long.toString(below)));
        assertEquals(0, resize.exitCode(), resize.stdout() + resize.stderr());
        assertTrue(resize.changed(), resize.stdout());
        long after = resize.result().path("sizeAfterKiB").asLong();
        assertTrue(after >= below && after < POOL_KIB_ON_120_GIB && after > device, resize.stdout());
        nodes.ok("drbd-status", three, SsmNodes.status()).forEach((id, o) ->
            assertEquals(after, o.result().path("resource").path("sizeKiB").asLong(), "device size on " + id));
    }

    private JsonNode status(SimulatedNode node) {
        return nodes.ok("drbd-status", List.of(node), SsmNodes.status()).get(node.instanceId()).result();
    }
}
