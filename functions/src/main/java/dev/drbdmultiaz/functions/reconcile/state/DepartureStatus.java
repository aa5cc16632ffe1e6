package dev.drbdmultiaz.functions.reconcile.state;

import java.util.List;

/**
 * Result of AwaitDeparture ({@code $.departure}).
 *
 * @param continued departing members whose terminate action this check continued
 * @param remaining departing members the group still lists (their instances may still run DRBD)
 * @param attempt this check's number, 1-based
 * @param waitSeconds how long WaitForDeparture waits before the next check
 * @param heartbeatDue the other waiting lifecycle actions need a heartbeat before the next wait
 * @param departed the group lists none of them: the run describes the cluster again
 */
public record DepartureStatus(List<String> continued, List<String> remaining, int attempt, int waitSeconds,
    boolean heartbeatDue, boolean departed) {

    public DepartureStatus {
        continued = continued == null ? List.of() : List.copyOf(continued);
        remaining = remaining == null ? List.of() : List.copyOf(remaining);
    }
}
