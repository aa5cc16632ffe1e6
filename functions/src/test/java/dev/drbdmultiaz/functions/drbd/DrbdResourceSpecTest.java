package dev.drbdmultiaz.functions.drbd;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("DrbdResourceSpec")
class DrbdResourceSpecTest {

    private static final DrbdNodeSpec A = new DrbdNodeSpec("ip-10-0-1-5", "10.0.1.5", 0);
    private static final DrbdNodeSpec B = new DrbdNodeSpec("ip-10-0-2-5", "10.0.2.5", 1);
    private static final DrbdNodeSpec C = new DrbdNodeSpec("ip-10-0-3-5", "10.0.3.5", 2);

    @Test
    @DisplayName("keeps the nodes sorted by node-id, so specs from shuffled members are equal")
    void sortsNodesByNodeId() {
        DrbdResourceSpec spec = spec(C, A, B);
        assertEquals(List.of(A, B, C), spec.nodes());
        assertEquals(spec(A, B, C), spec);
    }

    @Test
    @DisplayName("takes an immutable copy of the node list")
    void copiesNodes() {
        List<DrbdNodeSpec> nodes = new ArrayList<>(List.of(A, B, C));
        DrbdResourceSpec spec = spec(nodes.toArray(DrbdNodeSpec[]::new));
        nodes.clear();
        assertEquals(3, spec.nodes().size());
        assertThrows(UnsupportedOperationException.class, () -> spec.nodes().add(A));
    }

    @Test
    @DisplayName("defaults verify-alg to crc32c and cram-hmac-alg to sha256")
    void defaultsAlgorithms() {
        DrbdResourceSpec spec = spec(A, B, C);
        assertEquals("crc32c", spec.verifyAlg());
        assertEquals("sha256", spec.cramHmacAlg());
        assertEquals("/dev/drbd0", spec.devicePath());
    }

    @Test
    @DisplayName("quorum is more than half of the desired nodes, whatever a node's running config knows")
    void quorumIsAMajorityOfTheDesiredNodes() {
        assertEquals(2, spec(A, B, C).quorumVotes());
        assertEquals(3, spec(A, B, C, new DrbdNodeSpec("ip-10-0-1-6", "10.0.1.6", 3)).quorumVotes());
    }

    @Test
    @DisplayName("accepts an even number of nodes, as during a replacement")
    void acceptsEvenNodeCount() {
        assertDoesNotThrow(() -> spec(A, B, C, new DrbdNodeSpec("ip-10-0-1-6", "10.0.1.6", 3)));
    }

    @Test
    @DisplayName("fails with fewer than three nodes")
    void failsWithTwoNodes() {
        assertMessage("nodes must hold at least 3 nodes for quorum majority, got 2", () -> spec(A, B));
        assertMessage("nodes must hold at least 3 nodes for quorum majority, got 0",
            () -> new DrbdResourceSpec("r0", 7789, 0, "/dev/drbdpool/r0", null));
    }

    @Test
    @DisplayName("fails when a node is null")
    void failsWithNullNode() {
        assertThrows(IllegalArgumentException.class, () -> spec(A, B, C, null));
    }

    @Test
    @DisplayName("fails when two nodes share a node-id")
    void failsOnDuplicateNodeId() {
        DrbdNodeSpec clash = new DrbdNodeSpec("ip-10-0-3-9", "10.0.3.9", 1);
        assertMessageContains("unique nodeId", () -> spec(A, B, clash));
        assertMessageContains("share '1'", () -> spec(A, B, clash));
    }

    @Test
    @DisplayName("fails when two nodes share an address")
    void failsOnDuplicateAddress() {
        DrbdNodeSpec clash = new DrbdNodeSpec("ip-10-0-3-9", "10.0.2.5", 2);
        assertMessageContains("unique address", () -> spec(A, B, clash));
        assertMessageContains("share '10.0.2.5'", () -> spec(A, B, clash));
    }

    @Test
    @DisplayName("fails when two nodes share a hostname, also when they differ only in case")
    void failsOnDuplicateHostname() {
        assertMessageContains("unique hostname",
            () -> spec(A, B, new DrbdNodeSpec("ip-10-0-2-5", "10.0.3.5", 2)));
        assertMessageContains("unique hostname",
            () -> spec(A, B, new DrbdNodeSpec("IP-10-0-2-5", "10.0.3.5", 2)));
    }

    @ParameterizedTest(name = "fails for resource name \"{0}\"")
    @DisplayName("fails for a resource name outside ^[a-z][a-z0-9_-]{0,30}$ or 'all'")
    @NullAndEmptySource
    @ValueSource(strings = {"R0", "0r", "-r0", "_r0", "r 0", "r0;", "r\"0", "r{0}", "r.0",
        "r23456789012345678901234567890123", "all"})
    void failsForBadResourceName(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new DrbdResourceSpec(name, 7789, 0, "/dev/drbdpool/r0", List.of(A, B, C)));
        assertTrue(e.getMessage().startsWith("resourceName must match"), e.getMessage());
    }

    @ParameterizedTest(name = "accepts resource name \"{0}\"")
    @DisplayName("accepts resource names of 1 to 31 characters")
    @ValueSource(strings = {"r", "r0", "data_01", "my-res", "r234567890123456789012345678901"})
    void acceptsResourceNames(String name) {
        assertDoesNotThrow(() -> new DrbdResourceSpec(name, 7789, 0, "/dev/drbdpool/r0", List.of(A, B, C)));
    }

    @ParameterizedTest(name = "fails for backing disk \"{0}\"")
    @DisplayName("fails for a backing disk that is not a safe absolute path under /dev")
    @NullAndEmptySource
    @ValueSource(strings = {"drbdpool/r0", "dev/drbdpool/r0", "/dev", "/dev/", "/dev/drbdpool/",
        "/tmp/disk", "/dev/../etc/passwd", "/dev/drbdpool/..", "/dev/./r0", "/dev/-r0",
        "/dev/drbd pool/r0", "/dev/drbdpool/r0;", "/dev/drbdpool/r0\"", "/dev//r0"})
    void failsForBadBackingDisk(String disk) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new DrbdResourceSpec("r0", 7789, 0, disk, List.of(A, B, C)));
        assertTrue(e.getMessage().startsWith("backingDisk must be"), e.getMessage());
    }

    @ParameterizedTest(name = "accepts backing disk \"{0}\"")
    @DisplayName("accepts LV, mapper and NVMe device paths as backing disk")
    @ValueSource(strings = {"/dev/drbdpool/r0", "/dev/vg_data/lv.thin+1", "/dev/mapper/vg-lv", "/dev/nvme1n1"})
    void acceptsBackingDisks(String disk) {
        assertDoesNotThrow(() -> new DrbdResourceSpec("r0", 7789, 0, disk, List.of(A, B, C)));
    }

    @ParameterizedTest(name = "fails for port {0}")
    @DisplayName("fails for a port outside 1..65535")
    @ValueSource(ints = {-1, 0, 65_536})
    void failsForBadPort(int port) {
        assertMessage("port must be between 1 and 65535, got " + port,
            () -> new DrbdResourceSpec("r0", port, 0, "/dev/drbdpool/r0", List.of(A, B, C)));
    }

    @ParameterizedTest(name = "fails for minor {0}")
    @DisplayName("fails for a minor outside 0..1048575")
    @ValueSource(ints = {-1, 1_048_576})
    void failsForBadMinor(int minor) {
        assertMessage("minor must be between 0 and 1048575, got " + minor,
            () -> new DrbdResourceSpec("r0", 7789, minor, "/dev/drbdpool/r0", List.of(A, B, C)));
    }

    @ParameterizedTest(name = "fails for verify-alg \"{0}\"")
    @DisplayName("fails for a verify-alg not on the allowlist (drbdadm itself accepts any name)")
    @NullAndEmptySource
    @ValueSource(strings = {"crc32", "md5", "CRC32C", "nonsense", "crc32c\""})
    void failsForBadVerifyAlg(String alg) {
        assertMessageContains("verifyAlg must be one of [crc32c, sha1, sha256, sha512]",
            () -> new DrbdResourceSpec("r0", 7789, 0, "/dev/drbdpool/r0", List.of(A, B, C), alg, "sha256"));
    }

    @ParameterizedTest(name = "fails for cram-hmac-alg \"{0}\"")
    @DisplayName("fails for a cram-hmac-alg not on the allowlist")
    @NullAndEmptySource
    @ValueSource(strings = {"md5", "hmac(sha256)", "SHA256", "crc32c"})
    void failsForBadCramHmacAlg(String alg) {
        assertMessageContains("cramHmacAlg must be one of [sha1, sha256, sha512]",
            () -> new DrbdResourceSpec("r0", 7789, 0, "/dev/drbdpool/r0", List.of(A, B, C), "crc32c", alg));
    }

    private static DrbdResourceSpec spec(DrbdNodeSpec... nodes) {
        return new DrbdResourceSpec("r0", 7789, 0, "/dev/drbdpool/r0", Arrays.asList(nodes));
    }

    private static void assertMessage(String expected, Runnable construct) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct::run);
        assertEquals(expected, e.getMessage());
    }

    private static void assertMessageContains(String expected, Runnable construct) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
