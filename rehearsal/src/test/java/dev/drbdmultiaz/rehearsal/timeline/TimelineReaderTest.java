package dev.drbdmultiaz.rehearsal.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drbdmultiaz.rehearsal.nodes.CommandRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rounds come from the SSM commands and the event lines, whatever the states are called. */
class TimelineReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private final List<JsonNode> events = new ArrayList<>();

    @Test
    void aRoundRunsFromItsSenderToTheFirstTaskExitAfterTheNodesEnded() {
        entered("Lock", "Task", 0.0);
        exited("Lock", "Task", 0.4, "{}");
        entered("Ask", "Task", 1.0); // sends c-1 at 1.1
        exited("Ask", "Task", 1.2, "{\"cmd\":\"c-1\"}");
        entered("Nap", "Wait", 1.2);
        exited("Nap", "Wait", 2.2, "{\"cmd\":\"c-1\"}"); // a Wait: not the state that learned the result
        entered("Look", "Task", 2.2);
        exited("Look", "Task", 2.4, "{\"cmd\":\"c-1\",\"status\":\"InProgress\"}"); // before the nodes ended
        entered("Nap", "Wait", 2.4);
        exited("Nap", "Wait", 3.4, "{\"cmd\":\"c-1\"}");
        entered("Look", "Task", 3.4);
        exited("Look", "Task", 3.6, "{\"cmd\":\"c-1\",\"status\":\"Success\"}");
        entered("Decide", "Task", 3.6);
        exited("Decide", "Task", 3.9, "{\"cmd\":\"c-1\"}");
        entered("Done", "Succeed", 4.0);

        CommandRecord mine = command("c-1", 1.1,
            Map.of("i-a", result("Success", 1.3, 1.8), "i-b", result("Failed", 1.4, 2.9)));
        CommandRecord other = command("c-9", 1.5, Map.of("i-a", result("Success", 1.6, 1.7)));
        Timeline timeline = TimelineReader.read("run", "SUCCEEDED", START, at(4.0), events, List.of(mine, other));

        assertEquals(4.0, timeline.seconds());
        assertEquals(1, timeline.rounds().size(), "c-9 is not in this execution's events: another execution's");
        Timeline.Round round = timeline.rounds().get(0);
        assertEquals("Step c-1", round.step());
        assertEquals(1.0, round.from(), 1e-9, "from the state running when SendCommand was accepted");
        assertEquals(1.1, round.sent(), 1e-9);
        assertEquals(3.6, round.to(), 1e-9, "to the first Task exit carrying c-1 after both nodes ended (2.9 s)");
        assertEquals(1.5, round.nodeSideSeconds(), 1e-9, "the slowest node's run");
        assertEquals(List.of("i-a", "i-b"), timeline.nodes());
        assertEquals(List.of(false, true), round.invocations().stream().map(Timeline.Invocation::failed).toList());
        assertEquals(8, timeline.states().size());
        Timeline.StateSpan done = timeline.states().get(7);
        assertEquals(4.0, done.to(), 1e-9, "a state the execution ended in lasts to its end");
        assertEquals(2.5, timeline.orchestrationSeconds(), 1e-9);
    }

    @Test
    void aRoundWhoseNodeNeverStartedEndsWhereTheNextRoundStarts() {
        entered("Ask", "Task", 1.0);
        exited("Ask", "Task", 1.2, "{\"cmd\":\"c-1\"}");
        entered("Look", "Task", 2.0);
        exited("Look", "Task", 2.2, "{\"cmd\":\"c-1\",\"status\":\"Pending\"}");
        entered("Ask", "Task", 5.0);
        exited("Ask", "Task", 5.2, "{\"cmd\":\"c-2\"}");
        entered("Look", "Task", 6.0);
        exited("Look", "Task", 6.2, "{\"cmd\":\"c-2\"}");

        CommandRecord lost = command("c-1", 1.1,
            Map.of("i-a", new CommandRecord.NodeResult("Pending", -1, Duration.ZERO, false, null)));
        CommandRecord next = command("c-2", 5.1, Map.of("i-a", result("Success", 5.3, 5.9)));
        Timeline timeline = TimelineReader.read("run", "SUCCEEDED", START, at(7.0), events, List.of(lost, next));

        Timeline.Round first = timeline.rounds().get(0);
        assertEquals(5.0, first.to(), 1e-9);
        assertFalse(first.invocations().get(0).started());
        assertNull(first.invocations().get(0).from());
        assertEquals(0, first.nodeSideSeconds());
        assertEquals(6.2, timeline.rounds().get(1).to(), 1e-9);
    }

    private void entered(String state, String type, double seconds) {
        events.add(event("StateEntered", state, type, seconds));
    }

    private void exited(String state, String type, double seconds, String output) {
        ObjectNode event = event("StateExited", state, type, seconds);
        try {
            event.set("output", JSON.readTree(output));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
        events.add(event);
    }

    private static ObjectNode event(String kind, String state, String type, double seconds) {
        return JSON.createObjectNode().put("type", kind).put("state", state).put("stateType", type)
            .put("timestamp", at(seconds).toEpochMilli());
    }

    private static Instant at(double seconds) {
        return START.plusMillis(Math.round(seconds * 1000));
    }

    private static CommandRecord.NodeResult result(String status, double from, double to) {
        return new CommandRecord.NodeResult(status, "Success".equals(status) ? 0 : 1,
            Duration.ofMillis(Math.round((to - from) * 1000)), false, at(from));
    }

    private static CommandRecord command(String id, double sentAt, Map<String, CommandRecord.NodeResult> results) {
        Map<String, CommandRecord.NodeResult> ordered = new LinkedHashMap<>();
        results.keySet().stream().sorted().forEach(k -> ordered.put(k, results.get(k)));
        return new CommandRecord(id, "Doc", "doc", "Step " + id, new ArrayList<>(ordered.keySet()), Map.of(), true,
            at(sentAt), ordered);
    }
}
