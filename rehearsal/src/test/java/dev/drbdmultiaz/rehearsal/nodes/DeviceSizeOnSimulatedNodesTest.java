package dev.drbdmultiaz.rehearsal.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * The DRBD device's size on simulated nodes, as DRBD sets it: the peers agree on the smallest
 * backing device at connect, and {@code drbd-resize} grows the device only to what every backing
 * device allows (drbdsetup(8) resize), so a larger volume on one member adds nothing.
 */
@Timeout(180)
class DeviceSizeOnSimulatedNodesTest {

    @TempDir
    Path dir;

    private SsmNodes nodes;
    private List<SimulatedNode> three;

    @BeforeEach
    void fleet() {
        nodes = new SsmNodes(dir);
        three = List.of(nodes.add(1, 0, NodeFaults.none(), 100), nodes.add(2, 1, NodeFaults.none(), 100),
            nodes.add(3, 2, NodeFaults.none(), 120));
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    @DisplayName("a member with a larger volume gets the size its peers agreed on, and drbd-resize cannot grow it alone")
    void largerMemberGetsTheAgreedSize() {
        nodes.bringUp(three);
        Map<String, Outcome> status = nodes.ok("drbd-status", three, SsmNodes.status());
        JsonNode small = status.get(three.get(0).instanceId()).result().path("resource");
        JsonNode large = status.get(three.get(2).instanceId()).result().path("resource");
        long device = small.path("sizeKiB").asLong();
        assertTrue(device > 0 && device < small.path("backingKiB").asLong(), small.toString());
        assertEquals(device, large.path("sizeKiB").asLong(), "the larger member's device: " + large);
        assertTrue(large.path("backingKiB").asLong() > small.path("backingKiB").asLong(), large.toString());

        Outcome resize = nodes.run("drbd-resize", three.get(0), Map.of("ResourceName", "r0",
            "BelowKiB", Long.toString(large.path("backingKiB").asLong() - 1024 * 1024)));
        assertEquals(3, resize.exitCode(), resize.stdout() + resize.stderr());
        assertTrue(resize.result().path("error").asText().contains("left r0 at " + device + " KiB"), resize.stdout());
        assertEquals(device, resize.result().path("resource").path("sizeKiB").asLong());
    }
}
