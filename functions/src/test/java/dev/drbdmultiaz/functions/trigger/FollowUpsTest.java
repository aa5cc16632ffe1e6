package dev.drbdmultiaz.functions.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.functions.reconcile.state.Trigger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;

@DisplayName("Follow-up of a failed reconcile")
class FollowUpsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC);
    private static final String MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:m";

    @Test
    @DisplayName("backs off 60, 120, 240, 480, then 900 s, never more than a quarter of the hook timeout")
    void backoff() {
        SfnClient sfn = mock(SfnClient.class);
        FollowUps oneHour = new FollowUps(sfn, MACHINE, 1.0, Duration.ofHours(1), CLOCK);
        assertEquals(List.of(60, 120, 240, 480, 900, 900), IntStream.rangeClosed(1, 6).map(oneHour::backoffSeconds)
            .boxed().toList());
        FollowUps shortHook = new FollowUps(sfn, MACHINE, 1.0, Duration.ofSeconds(2400), CLOCK);
        assertEquals(600, shortHook.backoffSeconds(5));
        FollowUps rehearsal = new FollowUps(sfn, MACHINE, 0.2, Duration.ofSeconds(36), CLOCK);
        assertEquals(List.of(9, 9), List.of(rehearsal.backoffSeconds(1), rehearsal.backoffSeconds(2)));
    }

    @Test
    @DisplayName("starts the next follow-up with its attempt and backoff in the input, counting from the failed run's trigger")
    void startsFollowUp() throws Exception {
        SfnClient sfn = mock(SfnClient.class);
        when(sfn.startExecution(any(StartExecutionRequest.class)))
            .thenReturn(StartExecutionResponse.builder().executionArn(MACHINE + ":f").build());
        FollowUps followUps = new FollowUps(sfn, MACHINE, 1.0, Duration.ofHours(1), CLOCK);
        ReconcileState failed = new ReconcileState("arn:exec", new Trigger(Trigger.FOLLOW_UP, null, 2, 120), null, null,
            null, null, null, null, null);

        FollowUps.FollowUpStarted started = followUps.start(failed);

        ArgumentCaptor<StartExecutionRequest> request = ArgumentCaptor.forClass(StartExecutionRequest.class);
        verify(sfn).startExecution(request.capture());
        assertEquals(MACHINE, request.getValue().stateMachineArn());
        assertTrue(request.getValue().name().startsWith("followup-3-20240501T120000Z-"), request.getValue().name());
        assertTrue(request.getValue().name().length() <= 80);
        JsonNode input = Json.readTree(request.getValue().input()).path("trigger");
        assertEquals("followup", input.path("source").asText());
        assertEquals(3, input.path("attempt").asInt());
        assertEquals(240, input.path("backoffSeconds").asInt());
        assertEquals(3, started.attempt());
        assertEquals(1, new ReconcileState(null, null, null, null, null, null, null, null, null).triggerOrManual()
            .followUpAttempt() + 1, "a run that was no follow-up is followed by attempt 1");
    }
}
