package dev.drbdmultiaz.rehearsal;

import java.util.List;
import java.util.Map;

/**
 * One rehearsed situation: it drives the emulated account through what AWS would do (group
 * launches, terminations, reboots, faults, EventBridge events delivered to the real
 * TriggerReconcile function) and then checks, in its own words, that it ended as designed: the
 * driver's verdict. One class per scenario, written against the {@link RehearsalRun} facade and
 * listed once in {@link dev.drbdmultiaz.rehearsal.scenarios.Scenarios}, which feeds
 * {@code bin/rehearse --help} and the scenario tests.
 */
public interface Scenario {

    /** The name {@code bin/rehearse --scenario} takes: lower case words joined by '-'. */
    String name();

    /** What the scenario expects, in words (printed by --help, at the start and in the report). */
    String expectation();

    /** The cluster size the scenario runs without {@code --nodes}. */
    default int defaultNodes() {
        return 3;
    }

    /** Whether the scenario always runs {@link #defaultNodes()} nodes ({@code --nodes} is refused). */
    default boolean fixedSize() {
        return false;
    }

    /**
     * The smallest time scale the scenario is meaningful at. The deploy's hour shrinks with the
     * scale but the rehearsal's own latencies (a reconcile takes a minute of real time here) do
     * not. Default: any scale.
     */
    default double minimumTimeScale() {
        return 0;
    }

    /** CDK context the scenario's stack is synthesized with, on top of cdk.json's (e.g. drbd:removalPolicy). */
    default Map<String, Object> settings() {
        return Map.of();
    }

    /** Drives the emulated account; returns when every execution it caused has ended. */
    void act(RehearsalRun run);

    /** What did not end as designed (empty: passed). */
    List<String> check(RehearsalRun run);
}
