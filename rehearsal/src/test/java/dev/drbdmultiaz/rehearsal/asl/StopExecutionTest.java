package dev.drbdmultiaz.rehearsal.asl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * StopExecution as Step Functions does it: the execution is ABORTED at once, the Task under way
 * finishes in Lambda but nothing after it runs, not even the Catch; DescribeExecution,
 * ListExecutions and GetExecutionHistory say so.
 */
@Timeout(120)
class StopExecutionTest {

    private static final long TASK_MILLIS = 2000;

    @Test
    @DisplayName("a stopped execution is ABORTED at once; no further state and no Catch runs; the API reports ABORTED")
    void stoppedExecutionRunsNothingMore(@TempDir Path sandbox) throws Exception {
        String definition = "{\"StartAt\":\"Slow\",\"States\":{"
            + "\"Slow\":{\"Type\":\"Task\",\"Resource\":\"${EchoFunction}\",\"Parameters\":{\"sleepMillis\":"
            + TASK_MILLIS + "},\"ResultPath\":\"$.slow\","
            + "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"ResultPath\":\"$.error\",\"Next\":\"Caught\"}],"
            + "\"Next\":\"After\"},"
            + "\"After\":{\"Type\":\"Task\",\"Resource\":\"${EchoFunction}\",\"ResultPath\":\"$.after\",\"End\":true},"
            + "\"Caught\":{\"Type\":\"Task\",\"Resource\":\"${EchoFunction}\",\"End\":true}}}";
        try (AslFixture fixture = new AslFixture(sandbox, definition)) {
            Execution execution = fixture.start("stopped");
            AslFixture.awaitEvent(execution, Duration.ofSeconds(60), AslFixture.entered("Slow"));
            for (int i = 0; i < 3000 && fixture.invocations() == 0; i++) {
                AslFixture.sleep(20); // until the Task's Invoke is under way
            }
            assertEquals(1, fixture.invocations());

            assertTrue(fixture.sfn.stop(execution.arn()), "it was running");
            assertEquals(Execution.ABORTED, execution.status());
            assertTrue(execution.done().isDone(), "ABORTED at once, not when the Task ends");
            assertNotNull(execution.stopDate());

            AslFixture.sleep(TASK_MILLIS + 2000); // the Task ends in Lambda; a runner left alive would go on
            List<String> entered = execution.events().stream()
                .filter(e -> "StateEntered".equals(e.path("type").asText())).map(e -> e.path("state").asText()).toList();
            assertEquals(List.of("Slow"), entered, "nothing ran after the stop, not even the Catch");
            assertEquals(1, fixture.invocations(), "After and Caught were never invoked");
            assertFalse(fixture.sfn.stop(execution.arn()), "no longer running");

            DescribeExecutionResponse described = fixture.client.describeExecution(b -> b.executionArn(execution.arn()));
            assertEquals(ExecutionStatus.ABORTED, described.status());
            assertNotNull(described.stopDate());
            List<ExecutionListItem> listed = fixture.client.listExecutions(b -> b.stateMachineArn(AslFixture.MACHINE))
                .executions();
            assertEquals(1, listed.size());
            assertEquals(ExecutionStatus.ABORTED, listed.get(0).status());
            assertEquals(1, fixture.client.listExecutions(b -> b.stateMachineArn(AslFixture.MACHINE)
                .statusFilter(ExecutionStatus.ABORTED)).executions().size());
            assertEquals(0, fixture.client.listExecutions(b -> b.stateMachineArn(AslFixture.MACHINE)
                .statusFilter(ExecutionStatus.RUNNING)).executions().size());
            List<HistoryEvent> history = fixture.client.getExecutionHistory(b -> b.executionArn(execution.arn()))
                .events();
            assertEquals("ExecutionAborted", history.get(history.size() - 1).typeAsString());

            Execution next = fixture.start("next");
            JsonNode exited = AslFixture.awaitEvent(next, Duration.ofSeconds(60),
                e -> "ExecutionSucceeded".equals(e.path("type").asText()));
            assertNotNull(exited);
            assertEquals("next", fixture.client.listExecutions(b -> b.stateMachineArn(AslFixture.MACHINE))
                .executions().get(0).name(), "ListExecutions lists the most recent first");
        }
    }
}
