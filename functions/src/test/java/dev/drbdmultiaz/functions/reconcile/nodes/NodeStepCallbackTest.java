package dev.drbdmultiaz.functions.reconcile.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.common.exceptions.InvalidTriggerEventException;
import dev.drbdmultiaz.functions.reconcile.lifecycle.HeartbeatSchedule;
import dev.drbdmultiaz.functions.reconcile.state.Collected;
import dev.drbdmultiaz.functions.reconcile.state.CommandRound;
import dev.drbdmultiaz.functions.reconcile.state.LockState;
import dev.drbdmultiaz.functions.reconcile.state.PlannedStep;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.functions.testing.MotoServer;
import dev.drbdmultiaz.functions.testing.Tables;
import dev.drbdmultiaz.model.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.SendTaskSuccessRequest;
import software.amazon.awssdk.services.sfn.model.SendTaskSuccessResponse;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Command;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationRequest;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.SendCommandRequest;
import software.amazon.awssdk.services.ssm.model.SendCommandResponse;

/**
 * Completion of node steps by event (callback pattern): the rounds in the registry table (moto
 * DynamoDB), the send that records them, the completion that reports each once. SSM and Step
 * Functions are mocked: moto serves neither GetCommandInvocation output nor task tokens.
 */
@DisplayName("Node steps completed by event")
class NodeStepCallbackTest {

    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:reconcile:run-1";
    private static final String OK_LINE = "{\"ok\":true,\"changed\":true}\n";

    private static MotoServer moto;
    private static DynamoDbClient dynamoDb;

    private final SsmClient ssm = mock(SsmClient.class);
    private final SfnClient sfn = mock(SfnClient.class);
    private CommandRounds rounds;
    private NodeStepStarter starter;
    private NodeStepCompletion completion;
    private String invocationStatus = "InProgress";

    @BeforeAll
    static void startMoto() {
        moto = MotoServer.start();
        dynamoDb = moto.dynamoDb();
    }

    @AfterAll
    static void stopMoto() {
        moto.close();
    }

    @BeforeEach
    void wire() {
        rounds = new CommandRounds(dynamoDb, Tables.createRegistry(dynamoDb), CLOCK);
        CommandCollector collector = new CommandCollector(ssm, Duration.ofMinutes(30), CLOCK,
            new HeartbeatSchedule(Duration.ofHours(1), CLOCK));
        completion = new NodeStepCompletion(collector, rounds, sfn);
        starter = new NodeStepStarter(new NodeCommandSender(ssm, Optional.empty(), 600, CLOCK), rounds, completion);
        when(ssm.sendCommand(any(SendCommandRequest.class))).thenReturn(SendCommandResponse.builder()
            .command(Command.builder().commandId("cmd-1").build()).build());
        when(ssm.getCommandInvocation(any(GetCommandInvocationRequest.class))).thenAnswer(call ->
            GetCommandInvocationResponse.builder().status(invocationStatus).statusDetails(invocationStatus)
                .responseCode("Success".equals(invocationStatus) ? 0 : -1)
                .standardOutputContent("Success".equals(invocationStatus) ? OK_LINE : "").standardErrorContent("")
                .build());
        when(sfn.sendTaskSuccess(any(SendTaskSuccessRequest.class))).thenReturn(SendTaskSuccessResponse.builder().build());
    }

    private static ReconcileState state() {
        PlannedStep plan = PlannedStep.runOnNodes(Step.InstallDrbd, "why", "drbd-install", List.of("i-1", "i-2"),
            Map.of(), 5);
        return new ReconcileState(EXECUTION, null, new LockState(true, 1, EXECUTION), NodeCommandsTest.cluster(3),
            null, plan, null, null, null);
    }

    private static NodeStepRequest request(String token) {
        return new NodeStepRequest(token, Step.InstallDrbd.name(), state());
    }

    @Test
    @DisplayName("records the round with its token and the way from the command to it")
    void recordsTheRound() {
        NodeStepStarter.Started started = starter.start(request("token-1"));

        assertEquals(NodeStepCompletion.Outcome.PENDING, started.outcome());
        CommandRounds.Stored stored = rounds.findByCommand("cmd-1").orElseThrow();
        assertEquals("token-1", stored.taskToken());
        assertEquals(CommandRound.keyOf(state()), stored.round().key());
        assertEquals(Map.of("i-1", "cmd-1", "i-2", "cmd-1"), stored.round().commandIds());
        assertEquals(EXECUTION, stored.round().executionArn());
        verify(sfn, never()).sendTaskSuccess(any(SendTaskSuccessRequest.class));
    }

    @Test
    @DisplayName("a retried send waits for the command its first attempt sent, with the new token")
    void retriedSendDoesNotSendAgain() {
        starter.start(request("token-1"));
        NodeStepStarter.Started retried = starter.start(request("token-2"));

        assertFalse(retried.resent());
        verify(ssm, times(1)).sendCommand(any(SendCommandRequest.class));
        assertEquals("token-2", rounds.findByCommand("cmd-1").orElseThrow().taskToken());
    }

    @Test
    @DisplayName("a command that ended before the send recorded it is completed by the send itself")
    void commandEndedBeforeItsEvent() throws Exception {
        invocationStatus = "Success";

        NodeStepStarter.Started started = starter.start(request("token-1"));

        assertEquals(NodeStepCompletion.Outcome.COMPLETED, started.outcome());
        ArgumentCaptor<SendTaskSuccessRequest> sent = ArgumentCaptor.forClass(SendTaskSuccessRequest.class);
        verify(sfn).sendTaskSuccess(sent.capture());
        assertEquals("token-1", sent.getValue().taskToken());
        JsonNode output = Json.readTree(sent.getValue().output());
        assertEquals(Collected.SUCCEEDED, output.path("status").asText());
        assertEquals(1, output.path("run").path("rounds").asInt(), "the results are folded into the run");
    }

    @Test
    @DisplayName("each token is completed once: a duplicate event finds the round claimed")
    void duplicateEventsCompleteOnce() {
        starter.start(request("token-1"));
        invocationStatus = "Success";
        CompleteNodeCommandHandler handler = new CompleteNodeCommandHandler(rounds, completion);

        CompleteNodeCommandHandler.Handled first = handler.handle(event("cmd-1"));
        CompleteNodeCommandHandler.Handled second = handler.handle(event("cmd-1"));

        assertEquals("COMPLETED", first.outcome());
        assertEquals("CLAIMED_ELSEWHERE", second.outcome());
        verify(sfn, times(1)).sendTaskSuccess(any(SendTaskSuccessRequest.class));
    }

    @Test
    @DisplayName("a failed command completes the task with status Failed and the failing node")
    void failureIsAResult() throws Exception {
        starter.start(request("token-1"));
        invocationStatus = "Failed";

        new CompleteNodeCommandHandler(rounds, completion).handle(event("cmd-1"));

        ArgumentCaptor<SendTaskSuccessRequest> sent = ArgumentCaptor.forClass(SendTaskSuccessRequest.class);
        verify(sfn).sendTaskSuccess(sent.capture());
        JsonNode output = Json.readTree(sent.getValue().output());
        assertEquals(Collected.FAILED, output.path("status").asText());
        assertEquals("i-1", output.path("failure").path("instanceId").asText());
        assertEquals("InstallDrbd", output.path("failure").path("step").asText());
    }

    @Test
    @DisplayName("an event of a command no round recorded changes nothing")
    void foreignCommand() {
        CompleteNodeCommandHandler.Handled handled = new CompleteNodeCommandHandler(rounds, completion)
            .handle(event("cmd-foreign"));

        assertEquals("NOT_RECORDED", handled.outcome());
        verify(sfn, never()).sendTaskSuccess(any(SendTaskSuccessRequest.class));
    }

    @Test
    @DisplayName("a task that closed already (timed out into the polling fallback) is left to the fallback")
    void closedTask() {
        starter.start(request("token-1"));
        invocationStatus = "Success";
        when(sfn.sendTaskSuccess(any(SendTaskSuccessRequest.class)))
            .thenThrow(TaskTimedOutException.builder().message("closed").build());

        assertEquals(NodeStepCompletion.Outcome.TASK_CLOSED,
            completion.completeIfEnded(rounds.findByCommand("cmd-1").orElseThrow()));
    }

    @Test
    @DisplayName("the polling fallback collects the round the state waits for")
    void fallbackCollectsTheRecordedRound() {
        starter.start(request("token-1"));
        CommandCollector collector = new CommandCollector(ssm, Duration.ofMinutes(30), CLOCK,
            new HeartbeatSchedule(Duration.ofHours(1), CLOCK));
        CollectCommandResultsHandler fallback = new CollectCommandResultsHandler(collector, rounds);

        assertEquals(Collected.PENDING, fallback.handle(state()).status());
        invocationStatus = "Success";
        assertEquals(Collected.SUCCEEDED, fallback.handle(state()).status());
    }

    @Test
    @DisplayName("the polling fallback waits for a send still running (the timeout counts the send), then gives up")
    void fallbackBeforeTheRoundIsRecorded() {
        CommandCollector collector = new CommandCollector(ssm, Duration.ofMinutes(30), CLOCK,
            new HeartbeatSchedule(Duration.ofHours(1), CLOCK));
        CollectCommandResultsHandler fallback = new CollectCommandResultsHandler(collector, rounds);

        Collected first = fallback.handle(state());
        assertEquals(Collected.PENDING, first.status());
        assertEquals(NOW.toString(), first.unsentSince());

        ReconcileState later = new ReconcileState(EXECUTION, null, new LockState(true, 1, EXECUTION),
            NodeCommandsTest.cluster(3), null, state().plan(), null,
            new Collected(Collected.PENDING, Map.of(), null, null, false, Map.of(),
                NOW.minus(Duration.ofMinutes(31)).toString()), null);
        Collected gaveUp = fallback.handle(later);
        assertEquals(Collected.FAILED, gaveUp.status());
        assertTrue(gaveUp.failure().message().contains("recorded no command"), gaveUp.failure().message());
    }

    @Test
    @DisplayName("refuses a request whose step is not the plan's, and an event of another kind")
    void refusesMismatches() {
        assertThrows(InvalidStateDocumentException.class,
            () -> starter.start(new NodeStepRequest("token-1", "WriteConfig", state())));
        assertThrows(InvalidStateDocumentException.class,
            () -> starter.start(new NodeStepRequest(" ", "InstallDrbd", state())));
        verify(ssm, never()).sendCommand(any(SendCommandRequest.class));
        CompleteNodeCommandHandler.CommandStatusEvent other = new CompleteNodeCommandHandler.CommandStatusEvent(
            "EC2 Command Invocation Status-change Notification", "aws.ssm",
            new CompleteNodeCommandHandler.Detail("cmd-1", "doc", "Success"));
        assertThrows(InvalidTriggerEventException.class,
            () -> new CompleteNodeCommandHandler(rounds, completion).handle(other));
        assertTrue(rounds.findByCommand("cmd-1").isEmpty());
    }

    private static CompleteNodeCommandHandler.CommandStatusEvent event(String commandId) {
        return new CompleteNodeCommandHandler.CommandStatusEvent(CompleteNodeCommandHandler.DETAIL_TYPE, "aws.ssm",
            new CompleteNodeCommandHandler.Detail(commandId, "drbd-install", "Success"));
    }
}
