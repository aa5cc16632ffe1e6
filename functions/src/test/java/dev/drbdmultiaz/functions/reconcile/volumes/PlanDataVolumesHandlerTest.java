package dev.drbdmultiaz.functions.reconcile.volumes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.model.LoggedAlarms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PlanDataVolumes")
class PlanDataVolumesHandlerTest {

    /** A DescribeVolumes answer as Step Functions' EC2 integration returns it (PascalCase, as the EC2 API). */
    private static final String STATE = """
        {"executionArn":"arn:aws:states:us-east-1:111122223333:execution:m:e",
         "cluster":{"groupName":"g","snapshot":1,
           "members":[{"instanceId":"i-a","availabilityZone":"us-east-1a","lifecycleState":"InService","nodeId":0}],
           "departing":[]},
         "collected":{"status":"Succeeded","observed":{"i-a":{"ok":true,"resource":{"role":"Secondary","diskState":"UpToDate"}}}},
         "dataVolumeScan":{"Volumes":[
           {"VolumeId":"vol-a","State":"in-use","Size":100,"AvailabilityZone":"us-east-1a",
            "Attachments":[{"InstanceId":"i-a","Device":"/dev/sdf","State":"attached","DeleteOnTermination":false}],
            "Tags":[{"Key":"drbd-multiaz:cluster","Value":"DrbdMultiAz/r0"}]},
           {"VolumeId":"vol-x","State":"available","Size":100,"AvailabilityZone":"us-east-1b","Attachments":[],
            "Tags":[{"Key":"drbd-multiaz:cluster","Value":"DrbdMultiAz/r0"}]}]}}
        """;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @AfterEach
    void restoreLog() {
        StructuredLog.redirect(System.out, Clock.systemUTC());
    }

    @Test
    @DisplayName("reads the EC2 answer, plans CreateTags parameters as they are, and logs the DataVolumesKept alarm")
    void plansAndAlarms() throws Exception {
        StructuredLog.redirect(new PrintStream(log, true, StandardCharsets.UTF_8), Clock.systemUTC());

        JsonNode plan = run(STATE);

        assertEquals(Json.readTree("""
            [{"Resources":["vol-a"],"Tags":[{"Key":"drbd-multiaz:instance-id","Value":"i-a"},
                                            {"Key":"drbd-multiaz:node-id","Value":"0"}]}]"""), plan.get("tag"));
        assertEquals("vol-x", plan.at("/kept/0/volumeId").asText());
        assertEquals(0, plan.get("delete").size());
        JsonNode line = Json.readTree(log.toString(StandardCharsets.UTF_8).trim());
        assertEquals(LoggedAlarms.DATA_VOLUMES_KEPT, line.get(LoggedAlarms.FIELD).asText());
        assertEquals("vol-x", line.at("/kept/0/volumeId").asText());
    }

    @Test
    @DisplayName("PlanVolumeTags: the same tags at the start of a round, with nothing deleted, kept or alarmed")
    void tagsOnlyAtTheStartOfARound() throws Exception {
        StructuredLog.redirect(new PrintStream(log, true, StandardCharsets.UTF_8), Clock.systemUTC());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PlanVolumeTagsHandler(new DataVolumePlanner("/dev/sdf"))
            .handleRequest(new ByteArrayInputStream(STATE.getBytes(StandardCharsets.UTF_8)), out, null);
        JsonNode plan = Json.readTree(out.toString(StandardCharsets.UTF_8));

        assertEquals(run(STATE).get("tag"), plan.get("tag"));
        assertEquals(0, plan.get("delete").size());
        assertEquals(0, plan.get("kept").size());
        assertEquals(1, log.toString(StandardCharsets.UTF_8).trim().lines().count(),
            "only PlanDataVolumes (run second here) logs the alarm: " + log);
    }

    @Test
    @DisplayName("refuses a state document without the scan, naming what is missing")
    void refusesMissingScan() {
        var e = assertThrows(InvalidStateDocumentException.class, () -> run("{\"cluster\":{\"groupName\":\"g\"}}"));
        assertTrue(e.getMessage().contains("missing: dataVolumeScan"), e.getMessage());
    }

    private static JsonNode run(String state) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PlanDataVolumesHandler(new DataVolumePlanner("/dev/sdf"))
            .handleRequest(new ByteArrayInputStream(state.getBytes(StandardCharsets.UTF_8)), out, null);
        return Json.readTree(out.toString(StandardCharsets.UTF_8));
    }
}
