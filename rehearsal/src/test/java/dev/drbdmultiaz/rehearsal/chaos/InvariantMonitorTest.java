package dev.drbdmultiaz.rehearsal.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.drbdmultiaz.rehearsal.nodes.NodeFleet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InvariantMonitorTest {

    private final List<Violation> violations = new ArrayList<>();
    private final InvariantMonitor monitor = new InvariantMonitor(null, Duration.ofMillis(100), new ChaosClock(),
        violations::add);

    private static NodeFleet.DeviceView device(String id, String role, boolean quorum) {
        return new NodeFleet.DeviceView(id, true, role, "UpToDate", quorum, "Primary".equals(role), Map.of());
    }

    @Test
    void twoPrimariesWithQuorumAtOneInstantAreAViolationReportedOnce() {
        List<NodeFleet.DeviceView> views = List.of(device("i-a", "Primary", true), device("i-b", "Primary", true),
            device("i-c", "Secondary", true));
        monitor.sample(views);
        monitor.sample(views);
        assertEquals(1, violations.size(), violations.toString());
        assertEquals(Invariant.SINGLE_PRIMARY, violations.get(0).invariant());
    }

    @Test
    void aPrimaryThatLostQuorumBesideANewPrimaryIsWhatDrbdAllows() {
        monitor.sample(List.of(device("i-a", "Primary", false), device("i-b", "Primary", true),
            device("i-c", "Secondary", true)));
        assertEquals(List.of(), violations);
        assertEquals(java.util.Set.of("i-a", "i-b", "i-c"), monitor.everUpToDate());
    }
}
