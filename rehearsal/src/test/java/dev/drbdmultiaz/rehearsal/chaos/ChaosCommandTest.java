package dev.drbdmultiaz.rehearsal.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ChaosCommandTest {

    @Test
    void readsEveryOption() {
        ChaosCommand.Options o = ChaosCommand.parse(new String[] {"--chaos", "--seed", "17", "--faults=4", "--nodes", "5",
            "--runs", "3", "--no-shrink", "--time-scale", "0.1", "--report", "/tmp/chaos.json"});
        assertEquals(17, o.seed());
        assertEquals(4, o.faults());
        assertEquals(3, o.runs());
        assertFalse(o.shrink());
        assertEquals(5, o.base().nodes());
        assertEquals(0.1, o.base().timeScale());
        assertEquals(Path.of("/tmp/chaos.json"), o.report());
    }

    @Test
    void defaultsToTenFaultsOneRunShrinking() {
        ChaosCommand.Options o = ChaosCommand.parse(new String[] {"--chaos"});
        assertEquals(ChaosCommand.DEFAULT_FAULTS, o.faults());
        assertEquals(1, o.runs());
        assertTrue(o.shrink());
        assertEquals(3, o.base().nodes());
        assertNull(ChaosCommand.parse(new String[] {"--chaos", "--help"}));
    }

    @Test
    void badInputSaysWhatWasWrong() {
        assertEquals("--runs must be 1 or more, got 0", assertThrows(IllegalArgumentException.class,
            () -> ChaosCommand.parse(new String[] {"--chaos", "--runs", "0"})).getMessage());
        assertEquals("--seed needs a whole number, got 'x'", assertThrows(IllegalArgumentException.class,
            () -> ChaosCommand.parse(new String[] {"--chaos", "--seed", "x"})).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ChaosCommand.parse(new String[] {"--chaos", "--nodes", "4"})).getMessage().contains("odd"));
        assertEquals("Unknown argument for --chaos: --scenario", assertThrows(IllegalArgumentException.class,
            () -> ChaosCommand.parse(new String[] {"--chaos", "--scenario", "fresh"})).getMessage());
        assertEquals("--faults must be 0..100, got 101", assertThrows(IllegalArgumentException.class,
            () -> ChaosCommand.parse(new String[] {"--chaos", "--faults", "101"})).getMessage());
    }

    @Test
    void theHelpListsTheWholeCatalog() {
        String usage = ChaosCommand.usage();
        for (FaultKind kind : FaultKind.values()) {
            assertTrue(usage.contains(kind.label() + " ") && usage.contains(kind.description()), kind.label());
        }
    }
}
