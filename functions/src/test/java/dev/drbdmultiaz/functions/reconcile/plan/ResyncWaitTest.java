package dev.drbdmultiaz.functions.reconcile.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.model.ReconcileSetting;
import java.util.Collections;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("WaitForResync's waits")
class ResyncWaitTest {

    @Test
    @DisplayName("no wait outlasts a third of the shortest hook timeout, so the heartbeats between waits keep a"
        + " joining member's launch action alive")
    void waitsFitTheHeartbeats() {
        int longest = Collections.max(DesiredSettings.RESYNC.steps());

        assertTrue(longest <= ReconcileSetting.MIN_AWS_LIFECYCLE_HOOK_TIMEOUT_SECONDS / 3,
            longest + " s > a third of " + ReconcileSetting.MIN_AWS_LIFECYCLE_HOOK_TIMEOUT_SECONDS + " s");
    }

    @Test
    @DisplayName("counts the bound in AWS seconds whatever the time scale, and scales the waits themselves")
    void boundIsUnscaled() {
        DesiredSettings fast = new DesiredSettings("r0", 7789, 0, "vg", "pool", "lv", 5, "arn", "crc32c", "sha256",
            SsmDocuments.named(d -> d.baseName()), 20, 40, 0.05, 1, 100);

        assertEquals(15 + 30 + 60 + 120 + 300 + 600 + 600, fast.resyncWaitedSeconds(7));
        assertEquals(30, fast.resyncBackoffSeconds(6), "600 s at a time scale of 0.05");
        assertEquals(1, fast.resyncBackoffSeconds(0), "never below one second");
    }
}
