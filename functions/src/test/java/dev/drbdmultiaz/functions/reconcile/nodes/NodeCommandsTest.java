package dev.drbdmultiaz.functions.reconcile.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.reconcile.state.AgentsStatus;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.Collected;
import dev.drbdmultiaz.functions.reconcile.state.CommandRound;
import dev.drbdmultiaz.functions.reconcile.state.CommandSent;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.functions.reconcile.state.PlannedStep;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.functions.reconcile.state.RunCounters;
import dev.drbdmultiaz.model.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Command;
import software.amazon.awssdk.services.ssm.model.DescribeInstanceInformationRequest;
import software.amazon.awssdk.services.ssm.model.DescribeInstanceInformationResponse;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationRequest;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InstanceInformation;
import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;
import software.amazon.awssdk.services.ssm.model.PingStatus;
import software.amazon.awssdk.services.ssm.model.SendCommandRequest;
import software.amazon.awssdk.services.ssm.model.SendCommandResponse;

/** SSM paths moto 5.2.1 cannot serve (DescribeInstanceInformation, GetCommandInvocation output): mocked. */
@DisplayName("Node commands over SSM (mocked client)")
class NodeCommandsTest {

    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    static ClusterSnapshot cluster(int size) {
        List<Member> members = IntStream.range(0, size)
            .mapToObj(i -> new Member(String.format("i-%017d", i), "eu-west-1a", "InService", i, null, null, null))
            .toList();
        return new ClusterSnapshot("g", 1, members, List.of());
    }

    @Nested
    @DisplayName("CheckAgentsOnline")
    class Agents {

        private final SsmClient ssm = mock(SsmClient.class);
        private final AgentCheck check = new AgentCheck(ssm, 3, 1.0,
            new dev.drbdmultiaz.functions.reconcile.lifecycle.HeartbeatSchedule(Duration.ofHours(1), CLOCK));

        private void online(String... ids) {
            List<InstanceInformation> infos = new ArrayList<>();
            for (String id : ids) {
                infos.add(InstanceInformation.builder().instanceId(id).pingStatus(PingStatus.ONLINE).build());
            }
            when(ssm.describeInstanceInformation(any(DescribeInstanceInformationRequest.class)))
                .thenReturn(DescribeInstanceInformationResponse.builder().instanceInformationList(infos).build());
        }

        @Test
        @DisplayName("answers allOnline when every member's agent is Online")
        void allOnline() {
            ClusterSnapshot cluster = cluster(3);
            online(cluster.memberIds().toArray(String[]::new));

            AgentsStatus status = check.check(new ReconcileState(null, null, null, cluster, null, null, null, null, null));

            assertEquals(new AgentsStatus(true, false, List.of(), 1, 0), status);
        }

        @Test
        @DisplayName("counts attempts with backoff and is exhausted after AGENT_WAIT_MAX_ATTEMPTS")
        void backoffAndExhaustion() {
            ClusterSnapshot cluster = cluster(3);
            online(cluster.memberIds().get(0));
            AgentsStatus status = null;
            List<Integer> waits = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                status = check.check(new ReconcileState(null, null, null, cluster, status, null, null, null, null));
                waits.add(status.waitSeconds());
            }

            assertEquals(List.of(5, 10, 20), waits);
            assertEquals(3, status.attempt());
            assertTrue(status.exhausted());
            assertEquals(cluster.memberIds().subList(1, 3), status.offline());
        }

        @Test
        @DisplayName("goes on without one offline member of three after the whole wait: the other two are a majority")
        void proceedsWithMajorityAfterTheWait() {
            ClusterSnapshot cluster = cluster(3);
            online(cluster.memberIds().get(0), cluster.memberIds().get(1));
            AgentsStatus status = null;
            List<Boolean> proceeded = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                status = check.check(new ReconcileState(null, null, null, cluster, status, null, null, null, null));
                proceeded.add(status.proceed());
            }

            assertEquals(List.of(false, false, true), proceeded, "a newly offline agent gets the whole wait (a reboot)");
            assertFalse(status.exhausted());
            assertEquals(List.of(cluster.memberIds().get(2)), status.unreachable());
            assertEquals(0, status.waitSeconds());
        }

        @Test
        @DisplayName("goes on at once without a member an earlier run already went on without")
        void proceedsAtOnceForKnownUnreachable() {
            ClusterSnapshot base = cluster(3);
            List<Member> members = new ArrayList<>(base.members());
            Member lost = members.get(2);
            members.set(2, new Member(lost.instanceId(), lost.availabilityZone(), "InService", lost.nodeId(), "h", "10.0.0.3",
                null, "2024-05-01T11:00:00Z"));
            ClusterSnapshot cluster = new ClusterSnapshot("g", 1, members, List.of());
            online(cluster.memberIds().get(0), cluster.memberIds().get(1));

            AgentsStatus status = check.check(new ReconcileState(null, null, null, cluster, null, null, null, null, null));

            assertTrue(status.proceed(), status.toString());
            assertEquals(1, status.attempt());
            assertEquals(List.of(lost.instanceId()), status.unreachable());
        }

        @Test
        @DisplayName("never goes on without a majority: two of three offline is exhausted, known unreachable or not")
        void noMajorityIsExhausted() {
            ClusterSnapshot base = cluster(3);
            List<Member> members = base.members().stream().map(m -> new Member(m.instanceId(), m.availabilityZone(),
                "InService", m.nodeId(), "h", "a", null, "2024-05-01T11:00:00Z")).toList();
            ClusterSnapshot cluster = new ClusterSnapshot("g", 1, members, List.of());
            online(cluster.memberIds().get(0));
            AgentsStatus status = null;
            for (int i = 0; i < 3; i++) {
                status = check.check(new ReconcileState(null, null, null, cluster, status, null, null, null, null));
                assertFalse(status.proceed(), status.toString());
            }

            assertTrue(status.exhausted());
            assertEquals(List.of(), status.unreachable());
        }

        @Test
        @DisplayName("asks about at most 50 instance ids per call")
        void batches() {
            ClusterSnapshot cluster = cluster(60);
            online();

            check.check(new ReconcileState(null, null, null, cluster, null, null, null, null, null));

            verify(ssm, times(2)).describeInstanceInformation(any(DescribeInstanceInformationRequest.class));
        }
    }

    @Nested
    @DisplayName("SendNodeCommand")
    class Send {

        private final SsmClient ssm = mock(SsmClient.class);
        private final NodeCommandSender sender = new NodeCommandSender(ssm, Optional.of("/drbd/commands"), 600, CLOCK);

        private PlannedStep plan(List<String> targets, Map<String, String> parameters) {
            return PlannedStep.runOnNodes(Step.WriteConfig, "why", "doc-write-config", targets, parameters, 5);
        }

        @Test
        @DisplayName("sends one command per 50 targets and maps every instance to its command id")
        void batchesOfFifty() {
            List<String> targets = cluster(120).memberIds();
            int[] calls = {0};
            when(ssm.sendCommand(any(SendCommandRequest.class))).thenAnswer(call -> SendCommandResponse.builder()
                .command(Command.builder().commandId("cmd-" + (++calls[0])).build()).build());
            Map<String, String> parameters = Map.of("ResourceName", "r0", "ConfigBase64", "cmVzb3VyY2U=",
                "SecretId", "arn:aws:secretsmanager:eu-west-1:1:secret:x");

            CommandSent sent = sender.send(new ReconcileState(null, null, null, null, null, plan(targets, parameters),
                null, null, null));

            ArgumentCaptor<SendCommandRequest> requests = ArgumentCaptor.forClass(SendCommandRequest.class);
            verify(ssm, times(3)).sendCommand(requests.capture());
            assertEquals(List.of(50, 50, 20), requests.getAllValues().stream().map(r -> r.instanceIds().size()).toList());
            SendCommandRequest first = requests.getAllValues().get(0);
            assertEquals("doc-write-config", first.documentName());
            assertEquals("WriteConfig", first.comment());
            // The sender puts the plan's parameters in the SSM API's shape.
            assertEquals(Map.of("ResourceName", List.of("r0"), "ConfigBase64", List.of("cmVzb3VyY2U="), "SecretId",
                List.of("arn:aws:secretsmanager:eu-west-1:1:secret:x")), first.parameters());
            assertEquals("/drbd/commands", first.cloudWatchOutputConfig().cloudWatchLogGroupName());
            assertEquals("cmd-1", sent.commandIds().get(targets.get(0)));
            assertEquals("cmd-3", sent.commandIds().get(targets.get(119)));
            assertEquals(NOW.toString(), sent.sentAt());
        }

        @Test
        @DisplayName("fails with InvalidStateDocumentException for a secret-looking parameter that is not a secret ARN")
        void failsOnSecretValue() {
            PlannedStep plan = plan(List.of("i-1"), Map.of("SharedSecret", "hunter2"));

            InvalidStateDocumentException e = assertThrows(InvalidStateDocumentException.class,
                () -> sender.send(new ReconcileState(null, null, null, null, null, plan, null, null, null)));
            assertFalse(e.getMessage().contains("hunter2"), "the value is never repeated");
            verify(ssm, never()).sendCommand(any(SendCommandRequest.class));
        }

        @Test
        @DisplayName("fails with InvalidStateDocumentException when the plan has no targets")
        void failsWithoutTargets() {
            assertThrows(InvalidStateDocumentException.class, () -> sender.send(new ReconcileState(null, null, null,
                null, null, plan(List.of(), Map.of()), null, null, null)));
        }
    }

    @Nested
    @DisplayName("CollectCommandResults")
    class Collect {

        private final SsmClient ssm = mock(SsmClient.class);
        private final Map<String, Object> answers = new LinkedHashMap<>();
        private final CommandCollector collector = new CommandCollector(ssm, Duration.ofMinutes(30), CLOCK,
            new dev.drbdmultiaz.functions.reconcile.lifecycle.HeartbeatSchedule(Duration.ofHours(1), CLOCK));

        Collect() {
            when(ssm.getCommandInvocation(any(GetCommandInvocationRequest.class))).thenAnswer(call -> {
                Object answer = answers.get(((GetCommandInvocationRequest) call.getArgument(0)).instanceId());
                if (answer instanceof RuntimeException e) {
                    throw e;
                }
                return answer;
            });
        }

        private CommandRound round(String step, String sentAt, Collected previous, String... ids) {
            Map<String, String> commandIds = new LinkedHashMap<>();
            for (String id : ids) {
                commandIds.put(id, "cmd-1");
            }
            return new CommandRound("round#test", "arn:execution", step, "doc", commandIds, sentAt,
                cluster(3).snapshot(), "2", previous);
        }

        private static GetCommandInvocationResponse invocation(String status, int code, String stdout, String stderr) {
            return GetCommandInvocationResponse.builder().status(status).statusDetails(status).responseCode(code)
                .standardOutputContent(stdout).standardErrorContent(stderr).build();
        }

        @Test
        @DisplayName("treats InvocationDoesNotExist and InProgress as pending")
        void pending() {
            answers.put("i-1", InvocationDoesNotExistException.builder().message("not yet").build());
            answers.put("i-2", invocation("InProgress", -1, "", ""));
            answers.put("i-3", invocation("Success", 0, "{\"ok\":true,\"changed\":false}\n", ""));

            Collected collected = collector.collect(round("InstallDrbd", NOW.toString(), null, "i-1", "i-2", "i-3"));

            assertEquals(Collected.PENDING, collected.status());
            assertNull(collected.failure());
            assertEquals(0, collected.run().rounds());
        }

        @Test
        @DisplayName("parses the last non-empty stdout line of the status document into the observation")
        void observation() {
            answers.put("i-1", invocation("Success", 0, "noise\n{\"ok\":true,\"changed\":false,\"hostname\":\"ip-10-0-1-5\","
                + "\"address\":\"10.0.1.5\",\"drbdVersion\":\"9.2.12\",\"lvmReady\":true,\"metadata\":null,\"up\":true,"
                + "\"resource\":{\"role\":\"Secondary\",\"diskState\":\"UpToDate\",\"peers\":[{\"nodeId\":1,"
                + "\"connection\":\"Connected\",\"peerDiskState\":\"UpToDate\",\"syncPercent\":100.0}]},\"extra\":1}\n\n", ""));

            Collected collected = collector.collect(round("ObserveNodes", NOW.toString(), null, "i-1"));

            assertEquals(Collected.SUCCEEDED, collected.status());
            assertEquals("ip-10-0-1-5", collected.observed().get("i-1").hostname());
            assertNull(collected.observed().get("i-1").metadata());
            assertEquals("Connected", collected.observed().get("i-1").resource().peer(1).orElseThrow().connection());
            assertEquals(1, collected.run().observedSnapshot());
            assertEquals(List.of(), collected.run().staleStatus());
            assertEquals("ObserveNodes", collected.observed().get("i-1").step());
            assertEquals(1, collected.run().rounds());
        }

        @Test
        @DisplayName("records metadata created only where create-md reported changed:true")
        void metadataCreated() {
            answers.put("i-1", invocation("Success", 0, "{\"ok\":true,\"changed\":true}", ""));
            answers.put("i-2", invocation("Success", 0, "{\"ok\":true,\"changed\":false}", ""));

            Collected collected = collector.collect(round("CreateMetadata", NOW.toString(), null, "i-1", "i-2"));

            assertEquals(List.of("i-1"), collected.run().metadataCreated());
            assertEquals(List.of("i-1", "i-2"), collected.run().staleStatus(),
                "a result without the node status (a document older than that contract) leaves its node stale");
            assertEquals(1, collected.run().mutatingRounds());
            assertEquals("CreateMetadata", collected.run().lastMutating().step());
        }

        @Test
        @DisplayName("records which survivors forgot the departed node-id")
        void forgotten() {
            answers.put("i-1", invocation("Success", 0, "{\"ok\":true,\"changed\":true}", ""));
            Collected previous = new Collected(Collected.SUCCEEDED, Map.of(),
                new RunCounters(4, 2, 0, List.of(), Map.of("2", List.of("i-0")), 1, List.of(), null), null);

            Collected collected = collector.collect(round("ForgetDepartedPeers", NOW.toString(), previous, "i-1"));

            assertEquals(List.of("i-0", "i-1"), collected.run().forgottenBy(2));
        }

        @Test
        @DisplayName("fails the step naming the node, its exit code and the last 800 characters of stderr")
        void failure() {
            String stderr = "x".repeat(1000) + "create-md refused: metadata found";
            answers.put("i-1", invocation("Success", 0, "{\"ok\":true,\"changed\":false}", ""));
            answers.put("i-2", invocation("Failed", 3, "{\"ok\":false,\"changed\":false}", stderr));

            Collected collected = collector.collect(round("CreateMetadata", NOW.toString(), null, "i-1", "i-2"));

            assertEquals(Collected.FAILED, collected.status());
            assertEquals("i-2", collected.failure().instanceId());
            assertEquals(3, collected.failure().exitCode());
            assertEquals("CreateMetadata", collected.failure().step());
            assertEquals(800, collected.failure().stderrTail().length());
            assertTrue(collected.failure().stderrTail().endsWith("metadata found"));
            assertTrue(collected.run().metadataCreated().isEmpty(), "a failed round records nothing");
        }

        @Test
        @DisplayName("a mutating step's result line replaces the node's status; a failing node shows its error")
        void mutatingResultReplacesTheStatus() {
            String status = "\"hostname\":\"ip-10-0-1-5\",\"address\":\"10.0.1.5\",\"drbdVersion\":\"9.2.12\","
                + "\"dataVolumeId\":\"vol-0a\",\"dataVolumeGiB\":100,\"lvmReady\":true,\"configSha256\":null,\"metadata\":true,\"maxPeers\":5,\"up\":false,"
                + "\"adjustNeeded\":null,\"resource\":null";
            answers.put("i-1", invocation("Success", 0, "{\"ok\":true,\"changed\":true,\"found\":\"absent\"," + status
                + ",\"error\":null}", ""));

            Collected collected = collector.collect(round("CreateMetadata", NOW.toString(), null, "i-1"));

            NodeStatus reported = collected.observed().get("i-1");
            assertEquals(Boolean.TRUE, reported.metadata());
            assertEquals("CreateMetadata", reported.step());
            assertEquals(Boolean.TRUE, reported.changed());
            assertEquals(List.of(), collected.run().staleStatus());

            answers.put("i-1", invocation("Failed", 4, "{\"ok\":false,\"changed\":false," + status
                + ",\"error\":\"drbdadm create-md failed\"}", "boom"));
            Collected failed = collector.collect(round("CreateMetadata", NOW.toString(), null, "i-1"));
            assertEquals(Collected.FAILED, failed.status());
            assertEquals("drbdadm create-md failed", failed.observed().get("i-1").error());
            assertEquals(Boolean.FALSE, failed.observed().get("i-1").ok());
        }

        @Test
        @DisplayName("fails the step when the last stdout line is not JSON")
        void failsOnGarbage() {
            answers.put("i-1", invocation("Success", 0, "{\"ok\":true}\ndone\n", ""));

            Collected collected = collector.collect(round("InstallDrbd", NOW.toString(), null, "i-1"));

            assertEquals(Collected.FAILED, collected.status());
            assertTrue(collected.failure().message().contains("not a JSON object"), collected.failure().message());
        }

        @Test
        @DisplayName("fails the step when it is still pending after COMMAND_WAIT_MAX_SECONDS")
        void failsWhenPendingTooLong() {
            answers.put("i-1", invocation("Pending", -1, "", ""));

            Collected collected = collector.collect(round("InstallDrbd", NOW.minusSeconds(3600).toString(), null, "i-1"));

            assertEquals(Collected.FAILED, collected.status());
            assertEquals(-1, collected.failure().exitCode());
        }

        @Test
        @DisplayName("fails TimedOut and Undeliverable invocations")
        void failsOnTimeout() {
            answers.put("i-1", GetCommandInvocationResponse.builder().status("TimedOut").statusDetails("DeliveryTimedOut")
                .responseCode(-1).standardOutputContent("").standardErrorContent("").build());

            Collected collected = collector.collect(round("InstallDrbd", NOW.toString(), null, "i-1"));

            assertEquals(Collected.FAILED, collected.status());
            assertNotNull(collected.failure().message());
            assertTrue(collected.failure().message().contains("DeliveryTimedOut"), collected.failure().message());
        }
    }
}
