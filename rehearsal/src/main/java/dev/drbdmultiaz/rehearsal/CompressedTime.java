package dev.drbdmultiaz.rehearsal;

import dev.drbdmultiaz.model.ReconcileSetting;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The rehearsal runs AWS time faster by the time scale: node work, AWS-side timeouts and the
 * durations a function reads from its environment shrink by the same factor, so their order stays
 * as in AWS. Here is the one list of environment variables that are durations; every other
 * variable reaches a function exactly as the template sets it.
 */
final class CompressedTime {

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

    private CompressedTime() {
    }

    private static long scaledSeconds(long seconds, double scale) {
        return seconds == 0 ? 0 : Math.max(1, Math.round(seconds * scale));
    }

    /**
     * What the Wait states of the reconcile multiply their seconds by. The handlers compute waits
     * (agent, connection and follow-up backoffs) in units of POLL_SECONDS / its AWS value (the
     * template's, {@code awsPollSeconds}), and POLL_SECONDS is a
     * whole number of seconds, at least 1: at a time scale below 0.2 their waits come out longer
     * than the scale asks (1 s for AWS's 5 s at 0.01), so the engine shrinks them the rest of the
     * way and every wait keeps its AWS length times the time scale.
     */
    static double waitStateScale(double scale, long awsPollSeconds) {
        return scale / (scaledSeconds(awsPollSeconds, scale) / (double) awsPollSeconds);
    }

    /** {@code environment} with each duration variable multiplied by {@code scale} (whole seconds, at least 1 unless 0). */
    static Map<String, String> environment(Map<String, String> environment, double scale) {
        Map<String, String> scaled = new TreeMap<>(environment);
        for (String name : DURATION_VARIABLES) {
            String value = scaled.get(name);
            if (value != null) {
                scaled.put(name, Long.toString(scaledSeconds(Long.parseLong(value), scale)));
            }
        }
        return scaled;
    }
}
