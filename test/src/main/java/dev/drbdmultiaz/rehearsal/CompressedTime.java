package dev.drbdmultiaz.rehearsal;

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
     */
    static final Set<String> DURATION_VARIABLES = Set.of("POLL_SECONDS", "LIFECYCLE_HOOK_TIMEOUT_SECONDS",
        "DEPLOY_WAIT_SECONDS");

    private CompressedTime() {
    }

    /** {@code environment} with each duration variable multiplied by {@code scale} (whole seconds, at least 1). */
    static Map<String, String> environment(Map<String, String> environment, double scale) {
        Map<String, String> scaled = new TreeMap<>(environment);
        for (String name : DURATION_VARIABLES) {
            String value = scaled.get(name);
            if (value != null) {
                scaled.put(name, Long.toString(Math.max(1, Math.round(Long.parseLong(value) * scale))));
            }
        }
        return scaled;
    }
}
