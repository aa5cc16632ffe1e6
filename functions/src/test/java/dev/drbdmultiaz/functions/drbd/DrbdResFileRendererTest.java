package dev.drbdmultiaz.functions.drbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DrbdResFileRenderer")
class DrbdResFileRendererTest {

    @Test
    @DisplayName("renders a three-node cluster exactly as the golden file three-nodes.res")
    void rendersThreeNodesAsGoldenFile() throws IOException {
        assertEquals(golden("three-nodes.res"), new DrbdResFileRenderer(DrbdSpecs.threeNodes()).build());
    }

    @Test
    @DisplayName("renders a five-node cluster with gaps in the node-ids exactly as the golden file five-nodes.res")
    void rendersFiveNodesAsGoldenFile() throws IOException {
        assertEquals(golden("five-nodes.res"), new DrbdResFileRenderer(DrbdSpecs.fiveNodes()).build());
    }

    @Test
    @DisplayName("renders the same text and hash whatever order the members come in")
    void isDeterministicForShuffledInput() {
        DrbdResourceSpec spec = DrbdSpecs.fiveNodes();
        RenderedConfig expected = DrbdResFileRenderer.render(spec);
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            List<DrbdNodeSpec> shuffled = new ArrayList<>(spec.nodes());
            Collections.shuffle(shuffled, random);
            DrbdResourceSpec reordered = new DrbdResourceSpec(spec.resourceName(), spec.port(),
                spec.minor(), spec.backingDisk(), shuffled, spec.verifyAlg(), spec.cramHmacAlg());
            assertEquals(expected, DrbdResFileRenderer.render(reordered));
        }
    }

    @Test
    @DisplayName("renders the same text twice from one renderer")
    void buildIsRepeatable() {
        DrbdResFileRenderer renderer = new DrbdResFileRenderer(DrbdSpecs.threeNodes());
        assertEquals(renderer.build(), renderer.build());
    }

    @Test
    @DisplayName("starts with the do-not-edit header, which carries no timestamp")
    void startsWithHeader() {
        String text = new DrbdResFileRenderer(DrbdSpecs.threeNodes()).build();
        assertTrue(text.startsWith(DrbdResFileRenderer.HEADER + "\n"), text);
        assertTrue(DrbdResFileRenderer.HEADER.chars().noneMatch(Character::isDigit));
    }

    @Test
    @DisplayName("writes the shared-secret placeholder, never a secret, for the node to substitute")
    void writesSecretPlaceholder() {
        String text = new DrbdResFileRenderer(DrbdSpecs.threeNodes()).build();
        assertTrue(text.contains("shared-secret \"@DRBD_SHARED_SECRET@\";"), text);
        assertEquals("@DRBD_SHARED_SECRET@", DrbdResFileRenderer.SHARED_SECRET_PLACEHOLDER);
    }

    @Test
    @DisplayName("balances every brace and ends with a newline")
    void balancesBraces() {
        String text = new DrbdResFileRenderer(DrbdSpecs.fiveNodes()).build();
        assertEquals(text.chars().filter(c -> c == '{').count(), text.chars().filter(c -> c == '}').count());
        assertTrue(text.endsWith("}\n"));
    }

    @Test
    @DisplayName("hashes the exact UTF-8 bytes of the text, as sha256sum of the written file would")
    void hashesTheText() throws IOException {
        RenderedConfig rendered = DrbdResFileRenderer.render(DrbdSpecs.threeNodes());
        assertEquals(RenderedConfig.sha256Hex(golden("three-nodes.res")), rendered.sha256());
        assertEquals(rendered.text(),
            new String(Base64.getDecoder().decode(rendered.base64()), StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("gives a different hash when one member changes")
    void hashChangesWithMembership() {
        DrbdResourceSpec spec = DrbdSpecs.threeNodes();
        List<DrbdNodeSpec> replaced = new ArrayList<>(spec.nodes());
        replaced.set(2, new DrbdNodeSpec("ip-10-0-3-99", "10.0.3.99", 2));
        DrbdResourceSpec changed = new DrbdResourceSpec(spec.resourceName(), spec.port(),
            spec.minor(), spec.backingDisk(), replaced);
        assertNotEquals(DrbdResFileRenderer.render(spec).sha256(),
            DrbdResFileRenderer.render(changed).sha256());
    }

    @Test
    @DisplayName("sha256Hex matches the FIPS 180-2 test vector for 'abc'")
    void sha256HexMatchesTestVector() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            RenderedConfig.sha256Hex("abc"));
    }

    @Test
    @DisplayName("fails to build a RenderedConfig whose hash does not match its text")
    void failsOnMismatchedHash() {
        assertThrows(IllegalArgumentException.class, () -> new RenderedConfig("a\n", "00"));
    }

    @Test
    @DisplayName("fails without a spec")
    void failsWithoutSpec() {
        assertThrows(NullPointerException.class, () -> new DrbdResFileRenderer(null));
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = DrbdResFileRendererTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("Golden file " + name + " is missing from the test resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
