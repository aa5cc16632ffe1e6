package dev.drbdmultiaz.functions.trigger;

import dev.drbdmultiaz.functions.common.Backoff;
import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.functions.reconcile.state.Trigger;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;

/**
 * The follow-up of a failed reconcile: a new execution that waits a backoff and reconciles
 * again, so that triggers coalesced into the failed run and the lifecycle actions it handed over
 * are never lost. The backoff grows with the failed runs in a row (a cluster that keeps failing
 * does not loop hot) and stays under a quarter of the lifecycle hook timeout, so the actions the
 * failed run heartbeated are still waiting when the follow-up starts.
 */
public final class FollowUps {

    /** Backoff before the n-th follow-up in a row, in AWS seconds (times the wait scale). */
    static final Backoff BACKOFF = new Backoff(List.of(60, 120, 240, 480, 900));
    private static final DateTimeFormatter NAME_TIME =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final StructuredLog LOG = StructuredLog.of(FollowUps.class);

    private final SfnClient sfn;
    private final String stateMachineArn;
    private final double waitTimeScale;
    private final Duration hookTimeout;
    private final Clock clock;

    public FollowUps(SfnClient sfn, String stateMachineArn, double waitTimeScale, Duration hookTimeout, Clock clock) {
        this.sfn = Objects.requireNonNull(sfn, "sfn");
        this.stateMachineArn = Objects.requireNonNull(stateMachineArn, "stateMachineArn");
        this.waitTimeScale = waitTimeScale;
        this.hookTimeout = Objects.requireNonNull(hookTimeout, "hookTimeout");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The backoff of the {@code attempt}-th follow-up in a row (1-based), in seconds. */
    int backoffSeconds(int attempt) {
        return (int) Math.max(1, Math.min(BACKOFF.seconds(attempt, waitTimeScale), hookTimeout.toSeconds() / 4));
    }

    /** Starts the follow-up of the failed execution whose state this is. */
    public FollowUpStarted start(ReconcileState failed) {
        int attempt = failed.triggerOrManual().followUpAttempt() + 1;
        int backoff = backoffSeconds(attempt);
        String name = "followup-" + attempt + "-" + NAME_TIME.format(clock.instant()) + "-"
            + UUID.randomUUID().toString().substring(0, 8);
        String input = Json.write(Map.of("trigger", new Trigger(Trigger.FOLLOW_UP, null, attempt, backoff)));
        String arn = sfn.startExecution(StartExecutionRequest.builder().stateMachineArn(stateMachineArn)
            .name(name).input(input).build()).executionArn();
        LOG.warn("Started follow-up reconcile of a failed run", "executionArn", failed.currentExecutionArn(),
            "followUpExecutionArn", arn, "attempt", attempt, "backoffSeconds", backoff);
        return new FollowUpStarted(arn, name, attempt, backoff);
    }

    /**
     * Result of StartFollowUpReconcile ({@code $.followUp}).
     *
     * @param executionArn the follow-up execution
     * @param executionName its name
     * @param attempt failed runs in a row it follows
     * @param backoffSeconds how long it waits before it takes the lock
     */
    public record FollowUpStarted(String executionArn, String executionName, int attempt, int backoffSeconds) {
    }
}
