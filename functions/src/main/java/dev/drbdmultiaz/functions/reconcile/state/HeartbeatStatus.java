package dev.drbdmultiaz.functions.reconcile.state;

import java.util.List;

/**
 * Result of RecordLifecycleHeartbeats ({@code $.heartbeat}).
 *
 * @param recordedAt when the heartbeats were recorded (ISO-8601)
 * @param dueAt when the next heartbeat is due (ISO-8601): the loops of the state machine record
 *     one before they wait again after this instant
 * @param instanceIds instances whose launch or terminate action got a heartbeat
 * @param skipped instances whose action ended meanwhile
 */
public record HeartbeatStatus(String recordedAt, String dueAt, List<String> instanceIds, List<String> skipped) {

    public HeartbeatStatus {
        instanceIds = instanceIds == null ? List.of() : List.copyOf(instanceIds);
        skipped = skipped == null ? List.of() : List.copyOf(skipped);
    }
}
