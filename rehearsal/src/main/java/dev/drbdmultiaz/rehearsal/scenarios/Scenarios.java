package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.Scenario;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The registry: the one list of the rehearsed scenarios, in the order {@code bin/rehearse --help}
 * prints them and the scenario tests run them. A scenario added here is in --help, is accepted by
 * {@code --scenario} and is run by RehearsalScenariosTest without anything else to edit.
 */
public final class Scenarios {

    private static final List<Scenario> ALL = requireValid(List.of(
        new Fresh(),
        new CommandEventsLost(),
        new ReadjustNoop(),
        new Reboot(),
        new Replace(),
        new Scale5(),
        new ScaleOutIn(),
        new RollingUpdate(),
        new Grow(),
        new Burst(),
        new SsmFailure(),
        new ForeignDisk(),
        new ReplaceInstallFails(),
        new CoalescedIntoFailure(),
        new LaunchWhileLocked(),
        new ReplaceNoCapacity(),
        new NoConnection(),
        new ReplaceTwo(),
        new DoubleFailureDuringResync(),
        new ReplaceFullVolume(),
        new AgentLost(),
        new AgentLostDuringReplace(),
        new Deploy(),
        new DeployOutlasted(),
        new Destroy(),
        new ChaosSourceFallsBehind(),
        new TerminateTwoWhileWriting()));

    private Scenarios() {
    }

    /** Every registered scenario, in order. */
    public static List<Scenario> all() {
        return ALL;
    }

    /** The scenario {@code bin/rehearse} runs without {@code --scenario}: the first one. */
    public static Scenario byDefault() {
        return ALL.get(0);
    }

    /** The scenario called {@code name} (case-insensitive). */
    public static Scenario named(String name) {
        return ALL.stream().filter(s -> s.name().equals(name.toLowerCase(Locale.ROOT))).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("Unknown scenario '" + name + "'; one of "
                + ALL.stream().map(Scenario::name).toList()));
    }

    /**
     * {@code scenarios}, if each has a name of lower case words joined by '-', an expectation, a
     * default node count --nodes accepts (odd, 3..15), and no two share a name.
     *
     * @throws IllegalArgumentException naming the first scenario that breaks a rule
     */
    public static List<Scenario> requireValid(List<Scenario> scenarios) {
        Set<String> names = new HashSet<>();
        for (Scenario scenario : scenarios) {
            String name = scenario.name();
            String where = scenario.getClass().getSimpleName();
            if (name == null || !name.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
                throw new IllegalArgumentException("Scenario " + where + " needs a name of lower case words joined"
                    + " by '-', got '" + name + "'");
            }
            if (scenario.expectation() == null || scenario.expectation().isBlank()) {
                throw new IllegalArgumentException("Scenario " + name + " (" + where + ") needs an expectation");
            }
            int nodes = scenario.defaultNodes();
            if (nodes < 3 || nodes > 15 || nodes % 2 == 0) {
                throw new IllegalArgumentException("Scenario " + name + " needs an odd default node count, 3..15, got "
                    + nodes);
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException("Two scenarios are named " + name + ": names must be unique");
            }
        }
        return List.copyOf(scenarios);
    }
}
