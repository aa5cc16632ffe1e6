package dev.drbdmultiaz.rehearsal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.rehearsal.scenarios.Scenarios;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The scenario registry is the one list: --help, --scenario and the scenario tests read it. */
@DisplayName("Rehearsal scenario registry")
class ScenarioRegistryTest {

    /** A scenario that only has a name and an expectation. */
    private record Named(String name, String expectation) implements Scenario {
        @Override
        public void act(RehearsalRun run) {
        }

        @Override
        public List<String> check(RehearsalRun run) {
            return List.of();
        }
    }

    @Test
    @DisplayName("every registered scenario has a name, an expectation, and a name of its own")
    void everyScenarioIsNamedAndDescribed() {
        List<Scenario> all = Scenarios.all();
        assertFalse(all.isEmpty());
        for (Scenario scenario : all) {
            assertTrue(scenario.name() != null && scenario.name().matches("[a-z0-9]+(-[a-z0-9]+)*"),
                scenario.getClass() + ": '" + scenario.name() + "'");
            assertTrue(scenario.expectation() != null && !scenario.expectation().isBlank(), scenario.name());
        }
        Set<String> names = all.stream().map(Scenario::name).collect(Collectors.toSet());
        assertEquals(all.size(), names.size(), "scenario names collide: " + all.stream().map(Scenario::name).toList());
        assertEquals(all, Scenarios.requireValid(all));
        assertEquals("fresh", Scenarios.byDefault().name(), "bin/rehearse runs fresh without --scenario");
    }

    @Test
    @DisplayName("fails for a scenario without a name or expectation, and for two with the same name")
    void failsForNamelessOrDuplicateScenarios() {
        assertThrows(IllegalArgumentException.class, () -> Scenarios.requireValid(List.of(new Named(null, "x"))));
        assertThrows(IllegalArgumentException.class, () -> Scenarios.requireValid(List.of(new Named("", "x"))));
        assertThrows(IllegalArgumentException.class, () -> Scenarios.requireValid(List.of(new Named("Two Words", "x"))));
        assertThrows(IllegalArgumentException.class, () -> Scenarios.requireValid(List.of(new Named("quiet", " "))));
        assertThrows(IllegalArgumentException.class, () -> Scenarios.requireValid(List.of(new Named("quiet", null))));
        IllegalArgumentException duplicate = assertThrows(IllegalArgumentException.class,
            () -> Scenarios.requireValid(List.of(new Named("twin", "a"), new Named("twin", "b"))));
        assertTrue(duplicate.getMessage().contains("twin"), duplicate.getMessage());
    }

    @Test
    @DisplayName("bin/rehearse --help lists every registered scenario with its expectation; --scenario takes each")
    void helpAndScenarioOptionComeFromTheRegistry() {
        String usage = Rehearsal.usage();
        for (Scenario scenario : Scenarios.all()) {
            assertTrue(usage.contains(scenario.name() + " "), "--help lacks " + scenario.name());
            assertTrue(usage.contains(scenario.expectation()), "--help lacks the expectation of " + scenario.name());
            RehearsalOptions options = Rehearsal.parse(new String[] {"--scenario", scenario.name()});
            assertEquals(scenario, options.scenario());
            assertEquals(scenario.defaultNodes(), options.nodes());
        }
        assertThrows(IllegalArgumentException.class, () -> Rehearsal.parse(new String[] {"--scenario", "nonesuch"}));
    }

    @Test
    @DisplayName("README.md's scenario table names exactly the registered scenarios, in their order")
    void readmeTableNamesTheRegisteredScenarios() throws IOException {
        Pattern row = Pattern.compile("^\\| `([a-z0-9-]+)` \\|");
        String readme = Files.readString(Path.of("..", "README.md"));
        int section = readme.indexOf("## Rehearse a cluster on this machine");
        assertTrue(section >= 0, "README.md has no rehearsal section");
        int next = readme.indexOf("\n## ", section + 1);
        List<String> documented = readme.substring(section, next < 0 ? readme.length() : next).lines()
            .map(row::matcher).filter(Matcher::find).map(m -> m.group(1)).toList();
        assertEquals(Scenarios.all().stream().map(Scenario::name).toList(), documented,
            "README.md, \"Rehearse a cluster on this machine\": one table row per registered scenario");
    }
}
