package dev.drbdmultiaz.functions.reconcile.state;

import java.util.List;

/**
 * Result of CheckAgentsOnline ({@code $.agents}).
 *
 * @param allOnline every member's SSM agent answers
 * @param exhausted not all online and the last attempt was used
 * @param offline members whose agent is not online
 * @param attempt this check's number, 1-based
 * @param waitSeconds how long WaitForAgents waits before the next check
 * @param heartbeatDue pending lifecycle actions need a heartbeat before the next wait
 */
public record AgentsStatus(boolean allOnline, boolean exhausted, List<String> offline, int attempt, int waitSeconds,
    boolean heartbeatDue) {

    public AgentsStatus {
        offline = offline == null ? List.of() : List.copyOf(offline);
    }

    public AgentsStatus(boolean allOnline, boolean exhausted, List<String> offline, int attempt, int waitSeconds) {
        this(allOnline, exhausted, offline, attempt, waitSeconds, false);
    }
}
