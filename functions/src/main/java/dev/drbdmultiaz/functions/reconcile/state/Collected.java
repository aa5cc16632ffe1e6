package dev.drbdmultiaz.functions.reconcile.state;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Result of CollectCommandResults ({@code $.collected}).
 *
 * @param status {@code Pending}, {@code Succeeded} or {@code Failed}
 * @param observed what each node last reported: its status and what that step did there (one entry
 *     per node; a failed step's nodes report too, with {@code ok:false} and the error)
 * @param run counters and flags of this execution
 * @param failure the failing node, set when {@code status} is {@code Failed}
 * @param heartbeatDue pending lifecycle actions need a heartbeat before the next poll
 * @param commandIds the SSM commands of the step collected, by instance (for the operator: their
 *     output is in the command output log group)
 * @param unsentSince while the polling fallback finds no command recorded for the step (its send
 *     may still run: the task's timeout counts from its start), when it first found none
 */
public record Collected(
    String status,
    Map<String, NodeStatus> observed,
    RunCounters run,
    CommandFailure failure,
    boolean heartbeatDue,
    Map<String, String> commandIds,
    String unsentSince) {

    public static final String PENDING = "Pending";
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";

    public Collected {
        observed = observed == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(observed));
        run = run == null ? RunCounters.initial() : run;
        commandIds = commandIds == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(commandIds));
    }

    public Collected(String status, Map<String, NodeStatus> observed, RunCounters run, CommandFailure failure,
        boolean heartbeatDue) {
        this(status, observed, run, failure, heartbeatDue, Map.of(), null);
    }

    public Collected(String status, Map<String, NodeStatus> observed, RunCounters run, CommandFailure failure) {
        this(status, observed, run, failure, false);
    }

    /** The same result, with {@code due} as its heartbeatDue. */
    public Collected withHeartbeatDue(boolean due) {
        return new Collected(status, observed, run, failure, due, commandIds, unsentSince);
    }

    /** The same result, naming {@code ids} as the commands collected. */
    public Collected withCommandIds(Map<String, String> ids) {
        return new Collected(status, observed, run, failure, heartbeatDue, ids, unsentSince);
    }

    /** Nothing collected yet. */
    public static Collected empty() {
        return new Collected(null, Map.of(), RunCounters.initial(), null);
    }
}
