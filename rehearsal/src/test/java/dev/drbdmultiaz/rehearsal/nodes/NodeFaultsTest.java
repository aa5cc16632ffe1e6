package dev.drbdmultiaz.rehearsal.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The fault names the Java side sends and the node simulator reads have one home,
 * {@code rehearsal/nodesim/faults.json}; the simulator checks its own names against it on import.
 */
class NodeFaultsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode catalog() throws IOException {
        return JSON.readTree(SsmNodes.projectRoot().resolve(Path.of("rehearsal", "nodesim", "faults.json")).toFile())
            .path("faults");
    }

    @Test
    @DisplayName("NodeFaults sends exactly the faults of nodesim/faults.json, in its order")
    void namesAgreeWithTheSimulator() throws IOException {
        List<String> simulator = new ArrayList<>();
        catalog().fieldNames().forEachRemaining(simulator::add);
        assertEquals(simulator, List.copyOf(NodeFaults.none().byName().keySet()),
            "rehearsal/nodesim/faults.json and the components of NodeFaults name different faults");
    }

    @Test
    @DisplayName("A healthy NodeFaults has the healthy value faults.json gives every fault")
    void healthyValuesAgreeWithTheSimulator() throws IOException {
        Map<String, JsonNode> healthy = new LinkedHashMap<>();
        catalog().properties().forEach(e -> healthy.put(e.getKey(), e.getValue().path("healthy")));
        Map<String, JsonNode> none = new LinkedHashMap<>();
        NodeFaults.none().byName().forEach((name, value) -> none.put(name, JSON.valueToTree(value)));
        assertEquals(healthy, none);
    }

    @Test
    @DisplayName("Every fault of NodeFaults has the JSON type faults.json declares")
    void typesAgreeWithTheSimulator() throws IOException {
        NodeFaults all = NodeFaults.none().withInstallFailure().withForeignFilesystem("ext4").withSlowFactor(2)
            .withInTreeDrbd84().withSecretUnreadable();
        Map<String, String> declared = new LinkedHashMap<>();
        catalog().properties().forEach(e -> declared.put(e.getKey(), e.getValue().path("type").asText()));
        Map<String, String> sent = new LinkedHashMap<>();
        all.byName().forEach((name, value) -> sent.put(name, switch (JSON.valueToTree(value).getNodeType()) {
            case BOOLEAN -> "boolean";
            case NUMBER -> "number";
            case STRING -> "string";
            default -> "unexpected " + value;
        }));
        assertEquals(declared, sent);
    }

    @Test
    @DisplayName("fails to make a NodeFaults with a slow factor of 0 or a foreign filesystem that is no blkid TYPE")
    void failsOnBadValues() {
        assertThrows(IllegalArgumentException.class, () -> NodeFaults.none().withSlowFactor(0));
        assertThrows(IllegalArgumentException.class, () -> NodeFaults.none().withForeignFilesystem("ext4; rm"));
    }
}
