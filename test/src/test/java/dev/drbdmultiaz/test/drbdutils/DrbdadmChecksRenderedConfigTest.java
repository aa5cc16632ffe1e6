package dev.drbdmultiaz.test.drbdutils;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.functions.drbd.DrbdNodeSpec;
import dev.drbdmultiaz.functions.drbd.DrbdResFileRenderer;
import dev.drbdmultiaz.functions.drbd.DrbdResourceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;

/**
 * Rendered configs checked by the real drbdadm, on every host of 3-, 5- and 9-node clusters.
 *
 * <p>{@code drbdadm dump} proves the text parses, but it accepts a connection-mesh that omits a
 * host; the dry run {@code drbdadm -d up} shows the drbdsetup calls a node would make, and
 * every node must create exactly one peer (with path and connect) per other node.
 */
@DisplayName("Real drbdadm on rendered configs")
class DrbdadmChecksRenderedConfigTest {

    private static Drbdadm drbdadm;

    @TempDir
    Path dir;

    @BeforeAll
    static void locateDrbdadm() {
        drbdadm = Drbdadm.locate();
    }

    static Stream<Arguments> everyNodeOfEveryCluster() {
        return Stream.of(cluster(3, false), cluster(5, true), cluster(9, false))
            .flatMap(spec -> spec.nodes().stream().map(node -> Arguments.of(
                spec.nodes().size() + " nodes", node.hostname(), spec, node)));
    }

    @ParameterizedTest(name = "{0}, as {1}")
    @DisplayName("drbdadm dump parses the rendered config, placeholder secret included")
    @MethodSource("everyNodeOfEveryCluster")
    void dumpParses(String cluster, String hostname, DrbdResourceSpec spec, DrbdNodeSpec self) throws IOException {
        Path config = write(spec.resourceName(), DrbdResFileRenderer.render(spec).text());

        Drbdadm.Result dump = drbdadm.dump(config, self.hostname(), spec.resourceName());

        assertEquals(0, dump.exitCode(), dump::describe);
        assertTrue(dump.stdout().contains("shared-secret    \"" + DrbdResFileRenderer.SHARED_SECRET_PLACEHOLDER + "\";"),
            dump::describe);
    }

    @ParameterizedTest(name = "{0}, as {1}")
    @DisplayName("drbdadm -d up creates exactly one peer, path and connect per other node, with quorum options")
    @MethodSource("everyNodeOfEveryCluster")
    void dryRunUpBuildsFullMesh(String cluster, String hostname, DrbdResourceSpec spec, DrbdNodeSpec self)
        throws IOException {
        Path config = write(spec.resourceName(), DrbdResFileRenderer.render(spec).text());

        Drbdadm.Result up = drbdadm.dryRunUp(config, self.hostname(), spec.resourceName());

        assertEquals(0, up.exitCode(), up::describe);
        assertFullMesh(spec, self, up);
    }

    @Test
    @DisplayName("fails the mesh check when the connection-mesh omits a host, which drbdadm dump accepts")
    void failsMeshCheckWhenHostOmitted() throws IOException {
        DrbdResourceSpec spec = cluster(3, false);
        DrbdNodeSpec self = spec.nodes().get(0);
        DrbdNodeSpec omitted = spec.nodes().get(2);
        String text = DrbdResFileRenderer.render(spec).text();
        String broken = text.replace(" \"" + omitted.hostname() + "\";", ";");
        assertTrue(!broken.equals(text) && broken.contains("hosts \"" + self.hostname()), broken);
        Path config = write(spec.resourceName(), broken);

        Drbdadm.Result dump = drbdadm.dump(config, self.hostname(), spec.resourceName());
        Drbdadm.Result up = drbdadm.dryRunUp(config, self.hostname(), spec.resourceName());

        assertEquals(0, dump.exitCode(), "drbdadm dump is expected to miss this defect: " + dump.describe());
        assertEquals(0, up.exitCode(), up::describe);
        AssertionFailedError error = assertThrows(AssertionFailedError.class, () -> assertFullMesh(spec, self, up));
        assertTrue(error.getMessage().contains("new-peer"), error.getMessage());
    }

    @Test
    @DisplayName("fails to parse when an option sits in the wrong section (auto-promote in net)")
    void failsParseForMisplacedOption() throws IOException {
        DrbdResourceSpec spec = cluster(3, false);
        String text = DrbdResFileRenderer.render(spec).text();
        String broken = text.replace("        protocol C;\n", "        protocol C;\n        auto-promote yes;\n");
        assertTrue(!broken.equals(text));

        Drbdadm.Result dump = drbdadm.dump(write(spec.resourceName(), broken),
            spec.nodes().get(0).hostname(), spec.resourceName());

        assertEquals(Drbdadm.PARSE_ERROR, dump.exitCode(), dump::describe);
        assertTrue(dump.stderr().contains("Parse error"), dump::describe);
    }

    @Test
    @DisplayName("fails to parse when two hosts share a node-id in a hand-edited config")
    void failsParseForDuplicateNodeId() throws IOException {
        DrbdResourceSpec spec = cluster(3, false);
        String text = DrbdResFileRenderer.render(spec).text();
        String broken = text.replace("node-id 2;", "node-id 1;");
        assertTrue(!broken.equals(text));

        Drbdadm.Result dump = drbdadm.dump(write(spec.resourceName(), broken),
            spec.nodes().get(0).hostname(), spec.resourceName());

        assertEquals(Drbdadm.PARSE_ERROR, dump.exitCode(), dump::describe);
        assertTrue(dump.stderr().contains("node-id"), dump::describe);
    }

    /**
     * What a correct mesh looks like from {@code self}: the resource is created with self's
     * node-id and the quorum options, and every other node (and only those) appears exactly once
     * as new-peer with its hostname and the net options, once as new-path from self's address to
     * its address, and once as connect.
     */
    static void assertFullMesh(DrbdResourceSpec spec, DrbdNodeSpec self, Drbdadm.Result up) {
        DryRunUp calls = DryRunUp.parse(up.stdout());
        String port = ":" + spec.port();
        List<DrbdNodeSpec> others = spec.nodes().stream().filter(node -> !node.equals(self)).toList();
        Map<Integer, String> expectedPeers = others.stream()
            .collect(Collectors.toMap(DrbdNodeSpec::nodeId, DrbdNodeSpec::hostname));

        assertEquals(List.of(new DryRunUp.NewResource(spec.resourceName(), self.nodeId(),
                List.of("--quorum=" + spec.quorumVotes(), "--on-no-quorum=io-error", "--auto-promote=yes"))),
            calls.newResources(), () -> "new-resource of " + up.describe());
        assertEquals(others.size(), calls.newPeers().size(),
            () -> "expected one new-peer per other node (" + others.size() + "), got "
                + calls.newPeers().size() + ": " + up.describe());
        assertEquals(expectedPeers, calls.peerNamesById(), () -> "new-peer node-ids and names of " + up.describe());
        for (DryRunUp.NewPeer peer : calls.newPeers()) {
            assertEquals(List.of(
                    "--shared-secret=" + DrbdResFileRenderer.SHARED_SECRET_PLACEHOLDER,
                    "--cram-hmac-alg=" + spec.cramHmacAlg(),
                    "--verify-alg=" + spec.verifyAlg(),
                    "--protocol=C"),
                peer.options().subList(1, peer.options().size()),
                () -> "net options of new-peer " + peer.peerNodeId() + " in " + up.describe());
        }
        Map<Integer, DryRunUp.NewPath> pathsByPeer = calls.newPaths().stream()
            .collect(Collectors.toMap(DryRunUp.NewPath::peerNodeId, Function.identity(), (a, b) -> {
                throw new AssertionFailedError("two new-path calls for peer " + a.peerNodeId() + ": " + up.describe());
            }));
        assertEquals(others.stream().collect(Collectors.toMap(DrbdNodeSpec::nodeId,
                node -> new DryRunUp.NewPath(node.nodeId(), "ipv4:" + self.address() + port, "ipv4:" + node.address() + port))),
            pathsByPeer, () -> "new-path calls of " + up.describe());
        assertEquals(others.stream().map(DrbdNodeSpec::nodeId).sorted().toList(),
            calls.connects().stream().sorted().toList(), () -> "connect calls of " + up.describe());
        assertTrue(up.stdout().lines().anyMatch(line -> line.contains("drbdsetup attach ")
                && line.contains("--rs-discard-granularity=" + DrbdResFileRenderer.RS_DISCARD_GRANULARITY_BYTES)),
            () -> "a resync onto the thin backing device discards unused ranges: " + up.describe());
    }

    /**
     * A cluster of {@code size} nodes across three AZs. Node-ids have gaps (as after
     * replacements) and the 9-node cluster uses the highest node-id, 31.
     */
    static DrbdResourceSpec cluster(int size, boolean fqdn) {
        int[] nodeIds = size == 9 ? new int[] {0, 1, 2, 3, 5, 8, 13, 21, 31} : new int[] {0, 1, 2, 4, 6};
        List<DrbdNodeSpec> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int az = i % 3 + 1;
            int host = 10 + i;
            String hostname = "ip-10-0-" + az + "-" + host + (fqdn ? ".eu-west-1.compute.internal" : "");
            nodes.add(new DrbdNodeSpec(hostname, "10.0." + az + "." + host, nodeIds[i]));
        }
        return new DrbdResourceSpec("r0", 7789, 0, "/dev/drbdpool/r0", nodes);
    }

    private Path write(String resource, String text) throws IOException {
        return Files.writeString(dir.resolve(resource + ".res"), text);
    }
}
