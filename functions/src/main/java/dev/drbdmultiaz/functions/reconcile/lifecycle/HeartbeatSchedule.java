package dev.drbdmultiaz.functions.reconcile.lifecycle;

import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.HeartbeatStatus;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.model.ReconcileSetting;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * When the reconcile records lifecycle heartbeats (invariant I4): at its first chance in every
 * execution that found an action waiting when it described the group (else a third of the
 * hooks' heartbeat timeout after that description: an action that began since is younger), then
 * whenever a third of the timeout has passed since the last one.
 * The state machine asks at each of its loops (planning, waiting for agents, polling a command),
 * so no action of the group waits longer than one loop pass plus a third of the timeout.
 */
public final class HeartbeatSchedule {

    /** Heartbeats per heartbeat timeout: two may be missed (a slow loop pass) before an action expires. */
    static final int PER_TIMEOUT = 3;

    private final Duration interval;
    private final Duration hookTimeout;
    private final Clock clock;

    public HeartbeatSchedule(Duration hookTimeout, Clock clock) {
        this.hookTimeout = Objects.requireNonNull(hookTimeout, "hookTimeout");
        this.interval = hookTimeout.dividedBy(PER_TIMEOUT);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** From LIFECYCLE_HOOK_TIMEOUT_SECONDS, the hooks' HeartbeatTimeout the stack sets. */
    public static HeartbeatSchedule from(Env env, Clock clock) {
        return new HeartbeatSchedule(Duration.ofSeconds(env.settingInt(ReconcileSetting.LIFECYCLE_HOOK_TIMEOUT_SECONDS)),
            clock);
    }

    /** The hooks' heartbeat timeout. */
    public Duration hookTimeout() {
        return hookTimeout;
    }

    /** Whether the execution must record heartbeats before it waits again. */
    public boolean due(ReconcileState state) {
        HeartbeatStatus last = state.heartbeat();
        if (last != null && last.dueAt() != null) {
            return !clock.instant().isBefore(instant(last.dueAt(), "$.heartbeat.dueAt"));
        }
        ClusterSnapshot cluster = state.cluster();
        if (cluster == null || cluster.describedAt() == null || cluster.actionPending()) {
            return true;
        }
        // Nothing waited when the group was described: an action can only have begun since, so
        // the first heartbeat is due a third of the timeout after the description.
        return !clock.instant().isBefore(instant(cluster.describedAt(), "$.cluster.describedAt").plus(interval));
    }

    private static Instant instant(String text, String path) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidStateDocumentException(path + " must be an ISO-8601 instant, got " + text);
        }
    }

    /** Now, and when the heartbeat after one recorded now is due. */
    public Instant[] recordNow() {
        Instant now = clock.instant();
        return new Instant[] {now, now.plus(interval)};
    }
}
