package dev.drbdmultiaz.rehearsal.nodes;

import java.time.Duration;

/** AWS durations of the SSM emulator in rehearsal time: times the fleet's time scale. */
final class ScaledTime {

    /** Rehearsal durations derived from AWS time never go below this (a poll must be able to see them). */
    private static final Duration MIN_SCALED = Duration.ofMillis(100);

    private final NodeFleet fleet;

    ScaledTime(NodeFleet fleet) {
        this.fleet = fleet;
    }

    /** An AWS duration in rehearsal time (the fleet's time scale), at least 100 ms. */
    Duration scaled(Duration aws) {
        return scaled(aws, MIN_SCALED);
    }

    Duration scaled(Duration aws, Duration floor) {
        Duration d = Duration.ofNanos(Math.round(aws.toNanos() * fleet.timeScale()));
        return d.compareTo(floor) < 0 ? floor : d;
    }
}
