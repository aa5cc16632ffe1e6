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
 * @param proceed the run goes on to plan: every agent is online, or a majority of the members is
 *     reachable and the others are known unreachable or did not come back within the wait
 * @param unreachable the members the run goes on without (no command reaches them)
 */
public record AgentsStatus(boolean allOnline, boolean exhausted, List<String> offline, int attempt, int waitSeconds,
    boolean heartbeatDue, boolean proceed, List<String> unreachable) {

    public AgentsStatus {
        offline = offline == null ? List.of() : List.copyOf(offline);
        unreachable = unreachable == null ? List.of() : List.copyOf(unreachable);
    }

    public AgentsStatus(boolean allOnline, boolean exhausted, List<String> offline, int attempt, int waitSeconds) {
        this(allOnline, exhausted, offline, attempt, waitSeconds, false, allOnline, List.of());
    }
}
