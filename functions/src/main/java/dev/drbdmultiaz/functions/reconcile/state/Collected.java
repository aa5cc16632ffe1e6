package dev.drbdmultiaz.functions.reconcile.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * Result of CollectCommandResults ({@code $.collected}).
 *
 * @param status {@code Pending}, {@code Succeeded} or {@code Failed}
 * @param observed the last status result of each node
 * @param results the last stdout JSON line of each node for the last command (for the operator)
 * @param run counters and flags of this execution
 * @param failure the failing node, set when {@code status} is {@code Failed}
 * @param heartbeatDue pending lifecycle actions need a heartbeat before the next poll
 */
public record Collected(
    String status,
    Map<String, NodeStatus> observed,
    Map<String, JsonNode> results,
    RunCounters run,
    CommandFailure failure,
    boolean heartbeatDue) {

    public static final String PENDING = "Pending";
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";

    public Collected {
        observed = observed == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(observed));
        results = results == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(results));
        run = run == null ? RunCounters.initial() : run;
    }

    public Collected(String status, Map<String, NodeStatus> observed, Map<String, JsonNode> results, RunCounters run,
        CommandFailure failure) {
        this(status, observed, results, run, failure, false);
    }

    /** The same result, with {@code due} as its heartbeatDue. */
    public Collected withHeartbeatDue(boolean due) {
        return new Collected(status, observed, results, run, failure, due);
    }

    /** Nothing collected yet. */
    public static Collected empty() {
        return new Collected(null, Map.of(), Map.of(), RunCounters.initial(), null);
    }
}
