package dev.drbdmultiaz.rehearsal.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The rehearsal's CloudFormation reads a custom resource's response as strictly as the reference says. */
@DisplayName("Rehearsal CloudFormation: custom resource responses")
class CustomResourceResponseTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode request() {
        return JSON.createObjectNode().put("RequestType", "Update").put("StackId", "arn:aws:cloudformation:s")
            .put("RequestId", "r-1").put("LogicalResourceId", "Deploy").put("PhysicalResourceId", "p-1");
    }

    private static ObjectNode response() {
        return JSON.createObjectNode().put("Status", "SUCCESS").put("StackId", "arn:aws:cloudformation:s")
            .put("RequestId", "r-1").put("LogicalResourceId", "Deploy").put("PhysicalResourceId", "p-1");
    }

    private static JsonNode read(JsonNode response) throws Exception {
        return CustomResources.checked(request(), JSON.writeValueAsBytes(response));
    }

    @Test
    @DisplayName("a well-formed response is taken as it is")
    void wellFormed() throws Exception {
        ObjectNode ok = response();
        ok.putObject("Data").put("ExecutionArn", "arn:x");
        assertEquals(ok, read(ok));
    }

    @Test
    @DisplayName("a response over 4096 bytes fails the operation")
    void tooLong() throws Exception {
        ObjectNode big = response().put("Reason", "x".repeat(CustomResources.MAX_RESPONSE_BYTES));
        JsonNode read = read(big);
        assertEquals("FAILED", read.path("Status").asText());
        assertTrue(read.path("Reason").asText().contains("too long"), read.toString());
    }

    @Test
    @DisplayName("a response for another request, without a physical id, or FAILED without a reason fails the operation")
    void malformed() throws Exception {
        assertTrue(read(response().put("RequestId", "r-2")).path("Reason").asText().contains("RequestId"));
        ObjectNode noId = response();
        noId.remove("PhysicalResourceId");
        assertTrue(read(noId).path("Reason").asText().contains("PhysicalResourceId"));
        JsonNode failedSilently = read(response().put("Status", "FAILED"));
        assertEquals("FAILED", failedSilently.path("Status").asText());
        assertTrue(failedSilently.path("Reason").asText().contains("needs a Reason"), failedSilently.toString());
        assertTrue(read(response().put("Status", "OK")).path("Reason").asText().contains("SUCCESS or FAILED"));
        assertEquals("FAILED", CustomResources.checked(request(), "not json".getBytes(StandardCharsets.UTF_8))
            .path("Status").asText());
    }
}
