package dev.drbdmultiaz.rehearsal.support;

import dev.drbdmultiaz.model.ReconcileSetting;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The rehearsal's one time-scale knob ({@code --time-scale}): AWS time runs this much faster. Node
 * work, AWS-side timeouts (lifecycle hooks, CloudFormation's wait, Lambda's async retries, SSM's
 * delivery), the Wait states and the durations a function reads from its environment shrink by the
 * same factor, so their order stays as in AWS. Every component that models an AWS duration gets
 * this object and converts with it; here is also the one list of environment variables that are
 * durations (every other variable reaches a function exactly as the template sets it).
 */
public final class CompressedTime {

    /** AWS's own time (tests of single components). */
    public static final CompressedTime REAL = new CompressedTime(1.0);

    /**
     * Durations in seconds the functions read. POLL_SECONDS: WaitForCommand's wait and the base of
     * every backoff the handlers compute. LIFECYCLE_HOOK_TIMEOUT_SECONDS: the hooks' heartbeat
     * timeout, which the Auto Scaling model compresses too; the heartbeats and follow-ups are paced
     * by it. DEPLOY_WAIT_SECONDS: how long the deploy waits for its reconcile, against
     * CloudFormation's custom resource timeout, which the rehearsal's CloudFormation compresses too.
     * EVICT_AFTER_SECONDS: how long a member may stay unreachable before it is replaced (0, never,
     * stays 0).
     */
    static final Set<String> DURATION_VARIABLES = Set.of(ReconcileSetting.POLL_SECONDS.environmentVariable(),
        ReconcileSetting.LIFECYCLE_HOOK_TIMEOUT_SECONDS.environmentVariable(), "DEPLOY_WAIT_SECONDS",
        ReconcileSetting.EVICT_AFTER_SECONDS.environmentVariable());

    /** The shortest rehearsal duration a polled status may last: one poll of WaitForCommand at any scale. */
    public static final Duration POLLABLE = Duration.ofMillis(100);

    private final double scale;

    private CompressedTime(double scale) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("time scale must be > 0, got " + scale);
        }
        this.scale = scale;
    }

    /** AWS time {@code 1 / scale} times faster; 1.0 is real time. */
    public static CompressedTime of(double scale) {
        return new CompressedTime(scale);
    }

    /** The factor (what {@code --time-scale} was given); for the node simulator, which takes it as a number. */
    public double scale() {
        return scale;
    }

    /** An AWS duration in the rehearsal's time (at least 1 ms). */
    public Duration scaled(Duration aws) {
        return Duration.ofMillis(Math.max(1, Math.round(aws.toMillis() * scale)));
    }

    /**
     * An AWS duration in the rehearsal's time, but never shorter than {@link #POLLABLE}: a status
     * that lasts it (an SSM status window, a delivery timeout) stays visible to a client polling it.
     */
    public Duration scaledPollable(Duration aws) {
        Duration scaled = scaled(aws);
        return scaled.compareTo(POLLABLE) < 0 ? POLLABLE : scaled;
    }

    /** Whole seconds, at least 1 unless 0. */
    private long scaledSeconds(long seconds) {
        return seconds == 0 ? 0 : Math.max(1, Math.round(seconds * scale));
    }

    /**
     * What the Wait states of a state machine multiply their seconds by. The reconcile's handlers
     * compute waits (agent, connection and follow-up backoffs) in units of POLL_SECONDS / its AWS
     * value ({@code awsPollSeconds}, the template's), and POLL_SECONDS is a whole number of seconds,
     * at least 1: at a time scale below 0.2 their waits come out longer than the scale asks (1 s
     * for AWS's 5 s at 0.01), so the engine shrinks them the rest of the way and every wait keeps
     * its AWS length times the time scale.
     *
     * @param awsPollSeconds the AWS POLL_SECONDS the machine's handlers compute waits from, or 0
     *     when its Wait states wait fixed seconds (then: the scale itself)
     */
    public double waitStateScale(long awsPollSeconds) {
        return awsPollSeconds == 0 ? scale : scale / (scaledSeconds(awsPollSeconds) / (double) awsPollSeconds);
    }

    /** {@code environment} with each duration variable scaled (whole seconds, at least 1 unless 0). */
    public Map<String, String> environment(Map<String, String> environment) {
        Map<String, String> scaled = new TreeMap<>(environment);
        for (String name : DURATION_VARIABLES) {
            String value = scaled.get(name);
            if (value != null) {
                scaled.put(name, Long.toString(scaledSeconds(Long.parseLong(value))));
            }
        }
        return scaled;
    }

    @Override
    public String toString() {
        return Double.toString(scale);
    }
}
