package dev.drbdmultiaz.functions.common;

import java.util.List;

/**
 * A capped backoff: the wait before each attempt, in AWS seconds, the last step repeated once
 * the list runs out, times the waits' time scale and never under 1 second.
 *
 * @param steps the waits before attempts 1, 2, 3, …
 */
public record Backoff(List<Integer> steps) {

    /** 5, 10, 20, then 30 s: the bounded checks (connections, agents, departures). */
    public static final Backoff CHECKS = new Backoff(List.of(5, 10, 20, 30));

    public Backoff {
        if (steps == null || steps.isEmpty()) {
            throw new IllegalArgumentException("a backoff needs at least one step, got " + steps);
        }
        steps = List.copyOf(steps);
    }

    /** The wait before attempt {@code attempt} (1-based; below 1 counts as 1), scaled. */
    public int seconds(int attempt, double timeScale) {
        int base = steps.get(Math.min(Math.max(attempt, 1), steps.size()) - 1);
        return Math.max(1, (int) Math.round(base * timeScale));
    }
}
