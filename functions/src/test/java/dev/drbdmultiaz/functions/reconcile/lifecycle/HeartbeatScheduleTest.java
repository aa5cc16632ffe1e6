package dev.drbdmultiaz.functions.reconcile.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.DepartingMember;
import dev.drbdmultiaz.functions.reconcile.state.HeartbeatStatus;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Heartbeat schedule")
class HeartbeatScheduleTest {

    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

    private static ReconcileState withHeartbeat(HeartbeatStatus heartbeat) {
        return new ReconcileState(null, null, null, null, null, null, null, null, null, heartbeat, null);
    }

    @Test
    @DisplayName("is due at the first chance of every execution, then a third of the hook timeout after the last heartbeat")
    void dueTimes() {
        HeartbeatSchedule schedule = new HeartbeatSchedule(Duration.ofHours(1), Clock.fixed(NOW, ZoneOffset.UTC));
        assertTrue(schedule.due(withHeartbeat(null)), "no heartbeat yet in this execution");
        Instant[] recorded = schedule.recordNow();
        assertEquals(NOW, recorded[0]);
        assertEquals(NOW.plus(Duration.ofMinutes(20)), recorded[1]);
        assertFalse(schedule.due(withHeartbeat(new HeartbeatStatus(NOW.toString(), NOW.plusSeconds(1).toString(),
            List.of(), List.of()))));
        assertTrue(schedule.due(withHeartbeat(new HeartbeatStatus(NOW.toString(), NOW.toString(), List.of(),
            List.of()))), "due at dueAt");
        assertTrue(schedule.due(withHeartbeat(new HeartbeatStatus(NOW.toString(), NOW.minusSeconds(1).toString(),
            List.of(), List.of()))));
    }

    @Test
    @DisplayName("with no action waiting when the group was described, the first heartbeat is due a third of the timeout after it")
    void firstHeartbeatAfterAQuietDescription() {
        HeartbeatSchedule schedule = new HeartbeatSchedule(Duration.ofHours(1), Clock.fixed(NOW, ZoneOffset.UTC));
        Member quiet = new Member("i-1", "eu-west-1a", "InService", 0, null, null, null);
        Member launching = new Member("i-2", "eu-west-1b", "Pending:Wait", 1, null, null, Member.LAUNCH);
        DepartingMember leaving = new DepartingMember("i-3", 2, null, null, DepartingMember.TERMINATE);

        assertFalse(schedule.due(described(NOW.minus(Duration.ofMinutes(19)), List.of(quiet), List.of())));
        assertTrue(schedule.due(described(NOW.minus(Duration.ofMinutes(20)), List.of(quiet), List.of())),
            "an action that began after the description is at most this old");
        assertTrue(schedule.due(described(NOW, List.of(quiet, launching), List.of())), "a launch waits");
        assertTrue(schedule.due(described(NOW, List.of(quiet), List.of(leaving))), "a terminate waits");
        assertTrue(schedule.due(withCluster(new ClusterSnapshot("g", 1, List.of(quiet), List.of()))),
            "a description without its time: at the first chance");
    }

    private static ReconcileState described(Instant at, List<Member> members, List<DepartingMember> departing) {
        return withCluster(new ClusterSnapshot("g", 1, members, departing, at.toString()));
    }

    private static ReconcileState withCluster(ClusterSnapshot cluster) {
        return new ReconcileState(null, null, null, cluster, null, null, null, null, null, null, null);
    }

    @Test
    @DisplayName("reads the hook timeout from LIFECYCLE_HOOK_TIMEOUT_SECONDS")
    void fromEnvironment() {
        assertEquals(Duration.ofSeconds(2400), HeartbeatSchedule.from(new Env(Map.of(
            "LIFECYCLE_HOOK_TIMEOUT_SECONDS", "2400")), Clock.systemUTC()).hookTimeout());
    }
}
