package dev.drbdmultiaz.rehearsal.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The one time-scale knob converts every AWS duration the same way. */
@DisplayName("Rehearsal compressed time")
class CompressedTimeTest {

    @Test
    @DisplayName("an AWS duration shrinks by the scale, never below 1 ms")
    void scalesDurations() {
        CompressedTime time = CompressedTime.of(0.01);
        assertEquals(Duration.ofSeconds(36), time.scaled(Duration.ofHours(1)));
        assertEquals(Duration.ofMillis(1), time.scaled(Duration.ofMillis(10)));
        assertEquals(Duration.ofMinutes(2), CompressedTime.REAL.scaled(Duration.ofMinutes(2)));
    }

    @Test
    @DisplayName("duration variables become whole seconds, at least 1 unless 0; other variables stay as set")
    void scalesEnvironment() {
        Map<String, String> scaled = CompressedTime.of(0.01).environment(Map.of("POLL_SECONDS", "5",
            "LIFECYCLE_HOOK_TIMEOUT_SECONDS", "900", "EVICT_AFTER_SECONDS", "0", "TABLE_NAME", "t"));
        assertEquals(Map.of("POLL_SECONDS", "1", "LIFECYCLE_HOOK_TIMEOUT_SECONDS", "9", "EVICT_AFTER_SECONDS", "0",
            "TABLE_NAME", "t"), scaled);
    }

    @Test
    @DisplayName("Wait states shrink the rest of the way the handlers' whole-second poll could not")
    void waitStateScale() {
        // POLL_SECONDS 5 becomes 1 s at 0.01 (not 0.05 s): the engine multiplies waits by 0.05 more.
        assertEquals(0.05, CompressedTime.of(0.01).waitStateScale(5), 1e-9);
        assertEquals(1.0, CompressedTime.of(0.5).waitStateScale(4), 1e-9, "2 s is already half of 4 s");
        assertEquals(0.01, CompressedTime.of(0.01).waitStateScale(0), 1e-9);
    }

    @Test
    @DisplayName("fails for a scale that is not positive")
    void failsForNonPositiveScale() {
        assertThrows(IllegalArgumentException.class, () -> CompressedTime.of(0));
    }
}
