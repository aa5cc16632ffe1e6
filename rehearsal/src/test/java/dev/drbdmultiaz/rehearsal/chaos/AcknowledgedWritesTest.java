package dev.drbdmultiaz.rehearsal.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.drbdmultiaz.rehearsal.nodes.NodeFleet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AcknowledgedWritesTest {

    private final AcknowledgedWrites writes = new AcknowledgedWrites();

    private static NodeFleet.AppWrite acked(Map<Integer, String> blocks) {
        return new NodeFleet.AppWrite(true, null, blocks, blocks, List.of(1, 2), "Primary");
    }

    private static NodeFleet.AppWrite failed(Map<Integer, String> blocks) {
        return new NodeFleet.AppWrite(false, "no quorum", Map.of(), blocks, List.of(), "Primary");
    }

    @Test
    void anAcknowledgedBlockMustHoldItsContent() {
        writes.record(acked(Map.of(1, "a1", 2, "a2")));
        assertEquals(List.of(), writes.missingOn(Map.of(1, "a1", 2, "a2", 9, "unrelated")));
        assertEquals(List.of(2), writes.missingOn(Map.of(1, "a1", 2, "old")));
        assertEquals(List.of(1, 2), writes.missingOn(Map.of()));
    }

    @Test
    void aLaterUnacknowledgedWriteMayOrMayNotHaveLanded() {
        writes.record(acked(Map.of(1, "a1")));
        writes.record(failed(Map.of(1, "f1", 5, "f5")));
        assertEquals(List.of(), writes.missingOn(Map.of(1, "a1")));
        assertEquals(List.of(), writes.missingOn(Map.of(1, "f1")));
        assertEquals(List.of(1), writes.missingOn(Map.of(1, "other")));
        assertEquals(List.of(), writes.missingOn(Map.of()).stream().filter(b -> b == 5).toList(),
            "a block never acknowledged promises nothing");
    }

    @Test
    void aNewAcknowledgementReplacesWhatWasAllowedBefore() {
        writes.record(acked(Map.of(1, "a1")));
        writes.record(failed(Map.of(1, "f1")));
        writes.record(acked(Map.of(1, "a2")));
        assertEquals(List.of(1), writes.missingOn(Map.of(1, "a1")));
        assertEquals(List.of(1), writes.missingOn(Map.of(1, "f1")));
        assertEquals(List.of(), writes.missingOn(Map.of(1, "a2")));
        assertEquals(2, writes.acknowledged());
        assertEquals(1, writes.failed());
    }
}
