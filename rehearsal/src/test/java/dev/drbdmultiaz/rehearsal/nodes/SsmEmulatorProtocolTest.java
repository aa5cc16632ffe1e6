package dev.drbdmultiaz.rehearsal.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.functions.reconcile.nodes.AgentCheck;
import dev.drbdmultiaz.functions.reconcile.nodes.CommandCollector;
import dev.drbdmultiaz.functions.reconcile.nodes.NodeCommandSender;
import dev.drbdmultiaz.functions.reconcile.state.AgentsStatus;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.Collected;
import dev.drbdmultiaz.functions.reconcile.state.CommandFailure;
import dev.drbdmultiaz.functions.reconcile.state.CommandRound;
import dev.drbdmultiaz.functions.reconcile.state.CommandSent;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.PlannedStep;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InstanceInformation;
import software.amazon.awssdk.services.ssm.model.InvalidDocumentException;
import software.amazon.awssdk.services.ssm.model.InvalidInstanceIdException;
import software.amazon.awssdk.services.ssm.model.InvalidParametersException;
import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;
import software.amazon.awssdk.services.ssm.model.PingStatus;

/** The SSM emulator answers the AWS SDK like SSM does, and the real node handlers work against it. */
@Timeout(60)
class SsmEmulatorProtocolTest {

    @TempDir
    Path dir;

    private SsmNodes nodes;
    private SimulatedNode a;
    private SimulatedNode b;
    private SimulatedNode c;

    @BeforeEach
    void fleet() {
        fleet(SsmNodes.TIME_SCALE);
    }

    /** A fresh fixture of three nodes at {@code timeScale} (each call in its own directory). */
    private void fleet(double timeScale) {
        if (nodes != null) {
            nodes.close();
        }
        nodes = new SsmNodes(dir.resolve("scale-" + timeScale), timeScale);
        a = nodes.add(1, 0, NodeFaults.none());
        b = nodes.add(2, 1, NodeFaults.none());
        c = nodes.add(3, 2, NodeFaults.none());
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    @DisplayName("GetCommandInvocation right after SendCommand answers InvocationDoesNotExist, then the invocation appears and succeeds")
    void invocationDoesNotExistAtFirst() {
        nodes.ssm.setInvocationVisibilityDelay(Duration.ofSeconds(2));
        String id = nodes.client.sendCommand(r -> r.documentName("drbd-status").instanceIds(a.instanceId())
            .parameters(Map.of("ResourceName", List.of("r0")))).command().commandId();
        assertThrows(InvocationDoesNotExistException.class,
            () -> nodes.client.getCommandInvocation(r -> r.commandId(id).instanceId(a.instanceId())));
        SsmNodes.sleep(2100);
        String status = "";
        for (int i = 0; i < 200 && !status.equals("Success"); i++) {
            status = nodes.client.getCommandInvocation(r -> r.commandId(id).instanceId(a.instanceId())).statusAsString();
            SsmNodes.sleep(50);
        }
        assertEquals("Success", status);
        var inv = nodes.client.getCommandInvocation(r -> r.commandId(id).instanceId(a.instanceId()));
        assertEquals(0, inv.responseCode());
        assertEquals("Status", inv.pluginName());
        assertTrue(inv.standardOutputContent().contains("\"hostname\":\"" + a.hostname() + "\""),
            inv.standardOutputContent());
    }

    @Test
    @DisplayName("SendCommand rejects a parameter value with ';' (allowedPattern), an unknown parameter and an unknown document, and runs nothing")
    void parameterValidation() {
        InvalidParametersException bad = assertThrows(InvalidParametersException.class, () -> nodes.client.sendCommand(
            r -> r.documentName("drbd-up").instanceIds(a.instanceId())
                .parameters(Map.of("ResourceName", List.of("r0; rm -rf /")))));
        assertTrue(bad.getMessage().contains("ResourceName"), bad.getMessage());
        assertThrows(InvalidParametersException.class, () -> nodes.client.sendCommand(
            r -> r.documentName("drbd-up").instanceIds(a.instanceId()).parameters(Map.of("Extra", List.of("x")))));
        assertThrows(InvalidParametersException.class, () -> nodes.client.sendCommand(
            r -> r.documentName("drbd-forget-peer").instanceIds(a.instanceId())
                .parameters(Map.of("ResourceName", List.of("r0")))), "PeerNodeId has no default");
        assertThrows(InvalidDocumentException.class, () -> nodes.client.sendCommand(
            r -> r.documentName("no-such-document").instanceIds(a.instanceId())));
        assertEquals(List.of(), nodes.ssm.commands());
        assertEquals(List.of(), nodes.fleet.calls(a.instanceId()));
    }

    @Test
    @DisplayName("DescribeInstanceInformation reports live nodes Online with their FQDN ComputerName and IP, a terminated one ConnectionLost; SendCommand refuses it")
    void instanceInformation() {
        nodes.fleet.terminate(c.instanceId());
        List<InstanceInformation> infos = nodes.client.describeInstanceInformation(r -> r.filters(
            f -> f.key("InstanceIds").values(a.instanceId(), c.instanceId()))).instanceInformationList();
        assertEquals(2, infos.size());
        InstanceInformation ia = infos.stream().filter(i -> i.instanceId().equals(a.instanceId())).findFirst().orElseThrow();
        assertEquals(PingStatus.ONLINE, ia.pingStatus());
        assertEquals(a.privateIp(), ia.ipAddress());
        assertEquals(a.hostname() + ".ec2.internal", ia.computerName());
        assertEquals("Ubuntu", ia.platformName());
        assertEquals(PingStatus.CONNECTION_LOST,
            infos.stream().filter(i -> i.instanceId().equals(c.instanceId())).findFirst().orElseThrow().pingStatus());
        assertThrows(InvalidInstanceIdException.class, () -> nodes.client.sendCommand(
            r -> r.documentName("drbd-status").instanceIds(c.instanceId())));
    }

    @Test
    @DisplayName("The real AgentCheck, NodeCommandSender and CommandCollector run an observation round against the emulator")
    void realHandlersWork() throws Exception {
        List<Member> members = List.of(new Member(a.instanceId(), a.availabilityZone(), "InService", 0, null, null, null),
            new Member(b.instanceId(), b.availabilityZone(), "InService", 1, null, null, null),
            new Member(c.instanceId(), c.availabilityZone(), "InService", 2, null, null, null));
        ClusterSnapshot cluster = new ClusterSnapshot("asg", 1, members, List.of());
        ReconcileState base = new ReconcileState("arn:aws:states:us-east-1:123456789012:execution:sm:x", null, null,
            cluster, null, null, null, null, null);
        AgentsStatus agents = new AgentCheck(nodes.client, 3, 0.01).check(base);
        assertTrue(agents.allOnline(), agents.toString());

        PlannedStep plan = new PlannedStep("ObserveNodes", "first round", "drbd-status",
            cluster.memberIds(), Map.of("ResourceName", "r0"), false, false, 0, 1, null);
        ReconcileState planned = new ReconcileState(base.executionArn(), null, null, cluster, agents, plan, null, null,
            null);
        CommandSent sent = new NodeCommandSender(nodes.client, Optional.empty(), 600, Clock.systemUTC()).send(planned);
        assertEquals(3, sent.commandIds().size());
        CommandCollector collector = new CommandCollector(nodes.client, Duration.ofMinutes(1), Clock.systemUTC());
        Collected collected = null;
        for (int i = 0; i < 200; i++) {
            collected = collector.collect(CommandRound.sent(planned, sent));
            if (!Collected.PENDING.equals(collected.status())) {
                break;
            }
            SsmNodes.sleep(50);
        }
        assertEquals(Collected.SUCCEEDED, collected.status(), new ObjectMapper().writeValueAsString(collected));
        assertEquals(3, collected.observed().size());
        assertEquals(a.hostname(), collected.observed().get(a.instanceId()).hostname());
        assertEquals(a.dataVolumeId(), collected.observed().get(a.instanceId()).dataVolumeId());
        CommandRecord record = nodes.ssm.commands().get(0);
        assertFalse(record.mutating());
        assertEquals("ObserveNodes", record.comment());
        assertEquals(3, record.results().size());
        record.results().values().forEach(r -> assertEquals(0, r.exitCode()));
    }

    @Test
    @DisplayName("A command for a running instance whose agent is offline is accepted, waits Delayed without running, and runs once when the agent is back")
    void offlineAgentDelaysDelivery() {
        nodes.fleet.setAgentOnline(a.instanceId(), false);
        List<String> before = nodes.fleet.calls(a.instanceId());
        String id = send("drbd-status", a, SsmNodes.status(), null);

        GetCommandInvocationResponse delayed = await(id, a, r -> !r.statusAsString().equals("Pending"));
        assertEquals("Delayed", delayed.statusAsString());
        assertEquals("Delayed", delayed.statusDetails());
        assertEquals(-1, delayed.responseCode());
        SsmNodes.sleep(400);
        assertEquals("Delayed", invocation(id, a).statusAsString(), "still waiting for the agent");
        assertEquals(before, nodes.fleet.calls(a.instanceId()), "nothing runs while the agent is offline");
        CommandRecord waiting = nodes.ssm.commands().get(0);
        assertFalse(waiting.finished(), "a Delayed invocation is not final");
        assertEquals("Pending", waiting.results().get(a.instanceId()).status());

        nodes.fleet.setAgentOnline(a.instanceId(), true);
        GetCommandInvocationResponse done = awaitFinal(id, a);
        assertEquals("Success", done.statusAsString());
        assertEquals("Success", done.statusDetails());
        assertEquals(0, done.responseCode());
        int ranOnA = nodes.fleet.calls(a.instanceId()).size() - before.size();
        nodes.ok("drbd-status", List.of(b), SsmNodes.status());
        assertEquals(nodes.fleet.calls(b.instanceId()).size(), ranOnA,
            "the script ran exactly once on a (as once on its twin b): " + nodes.fleet.calls(a.instanceId()));
        assertTrue(nodes.ssm.commands().get(0).finished());
    }

    @Test
    @DisplayName("A command whose agent stays offline past the delivery timeout ends TimedOut / Delivery Timed Out and never runs")
    void deliveryTimesOut() {
        nodes.fleet.setAgentOnline(a.instanceId(), false);
        List<String> before = nodes.fleet.calls(a.instanceId());
        Instant sent = Instant.now();
        String id = send("drbd-status", a, SsmNodes.status(), 100); // 100 s of AWS time: 1 s here

        assertEquals("Delayed", await(id, a, r -> !r.statusAsString().equals("Pending")).statusAsString());
        GetCommandInvocationResponse done = awaitFinal(id, a);
        assertTrue(Duration.between(sent, Instant.now()).toMillis() >= 900, "timed out before the delivery timeout");
        assertEquals("TimedOut", done.statusAsString());
        assertEquals("Delivery Timed Out", done.statusDetails());
        assertEquals(-1, done.responseCode());
        assertEquals("", done.executionStartDateTime());

        nodes.fleet.setAgentOnline(a.instanceId(), true);
        SsmNodes.sleep(300);
        assertEquals("TimedOut", invocation(id, a).statusAsString());
        assertEquals(before, nodes.fleet.calls(a.instanceId()), "a command past its delivery timeout never runs");
        CommandRecord.NodeResult result = nodes.ssm.commands().get(0).results().get(a.instanceId());
        assertEquals("TimedOut", result.status());
        assertEquals(-1, result.exitCode());
        assertTrue(nodes.ssm.commands().get(0).finished());
    }

    @Test
    @DisplayName("An instance terminated while its command runs: InProgress for a moment, then Cancelling, then Failed / Terminated")
    void terminatedWhileRunning() {
        fleet(0.1); // the ~2 s (AWS time) windows last 200 ms: several polls each
        String id = send("drbd-install", a, Map.of(), null);
        await(id, a, r -> r.statusAsString().equals("InProgress"));
        nodes.fleet.terminate(a.instanceId());

        List<String> seen = new ArrayList<>();
        boolean recordFinalWhileCancelling = false;
        GetCommandInvocationResponse r = invocation(id, a);
        assertEquals("InProgress", r.statusAsString(), "the result of a vanished instance arrives late");
        while (!SsmNodes.FINAL.contains(r.statusAsString())) {
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(r.statusAsString())) {
                seen.add(r.statusAsString());
            }
            SsmNodes.sleep(5);
            // Record first: an invocation still Cancelling afterwards was not final when the record was read.
            boolean recordFinal = nodes.ssm.commands().get(0).finished();
            r = invocation(id, a);
            recordFinalWhileCancelling |= recordFinal && r.statusAsString().equals("Cancelling");
        }
        assertEquals(List.of("InProgress", "Cancelling"), seen);
        assertFalse(recordFinalWhileCancelling, "the command record is final only when the invocation is");
        assertEquals("Failed", r.statusAsString());
        assertEquals("Terminated", r.statusDetails());
        assertEquals(-1, r.responseCode());
        assertEquals("Failed", nodes.ssm.commands().get(0).results().get(a.instanceId()).status());
    }

    @Test
    @DisplayName("The real CommandCollector waits through Delayed and fails a node on Delivery Timed Out and Undeliverable")
    void collectorOnDeliveryFailures() throws Exception {
        ClusterSnapshot cluster = cluster();
        nodes.fleet.setAgentOnline(a.instanceId(), false);
        CommandFailure timedOut = collect(cluster, "ObserveNodes", "drbd-status", List.of(a, b, c),
            Map.of("ResourceName", "r0"), 100, a, "Delayed", null);
        assertEquals(a.instanceId(), timedOut.instanceId());
        assertEquals(List.of(a.instanceId()), timedOut.instanceIds());
        assertEquals("TimedOut", timedOut.status());
        assertEquals(-1, timedOut.exitCode());
        assertTrue(timedOut.message().contains("Delivery Timed Out") && timedOut.message().contains(a.instanceId()),
            timedOut.message());

        nodes.fleet.setAgentOnline(b.instanceId(), false);
        CommandFailure undeliverable = collect(cluster, "ObserveNodes", "drbd-status", List.of(b),
            Map.of("ResourceName", "r0"), 600, b, "Delayed", () -> nodes.fleet.terminate(b.instanceId()));
        assertEquals(b.instanceId(), undeliverable.instanceId());
        assertEquals("Failed", undeliverable.status());
        assertTrue(undeliverable.message().contains("Undeliverable"), undeliverable.message());
    }

    @Test
    @DisplayName("The real CommandCollector waits through InProgress and Cancelling of a terminated instance and fails it on Terminated")
    void collectorOnTerminatedInstance() throws Exception {
        fleet(0.1); // the Cancelling window lasts 200 ms: long enough for a poll of the collector
        ClusterSnapshot cluster = cluster();
        CommandFailure terminated = collect(cluster, "InstallDrbd", "drbd-install", List.of(c), Map.of(), 600, c,
            "InProgress", () -> nodes.fleet.terminate(c.instanceId()));
        assertEquals(c.instanceId(), terminated.instanceId());
        assertEquals("Failed", terminated.status());
        assertTrue(terminated.message().contains("(Terminated)") && terminated.message().contains(c.instanceId()),
            terminated.message());
    }

    @Test
    @DisplayName("DescribeInstanceInformation reports ConnectionLost for a running instance whose agent is offline, and the real AgentCheck names it")
    void offlineAgentIsConnectionLost() {
        nodes.fleet.setAgentOnline(b.instanceId(), false);
        assertTrue(nodes.fleet.isOnline(b.instanceId()), "the instance itself keeps running");
        List<InstanceInformation> lost = nodes.client.describeInstanceInformation(r -> r.filters(
            f -> f.key("PingStatus").values("ConnectionLost"))).instanceInformationList();
        assertEquals(List.of(b.instanceId()), lost.stream().map(InstanceInformation::instanceId).toList());
        assertEquals(PingStatus.CONNECTION_LOST, lost.get(0).pingStatus());

        ClusterSnapshot cluster = cluster();
        ReconcileState base = new ReconcileState("arn:aws:states:us-east-1:123456789012:execution:sm:x", null, null,
            cluster, null, null, null, null, null);
        AgentsStatus agents = new AgentCheck(nodes.client, 3, 0.01).check(base);
        assertFalse(agents.allOnline());
        assertEquals(List.of(b.instanceId()), agents.offline());

        nodes.fleet.setAgentOnline(b.instanceId(), true);
        assertTrue(new AgentCheck(nodes.client, 3, 0.01).check(base).allOnline());
        nodes.fleet.terminate(c.instanceId());
        assertThrows(IllegalStateException.class, () -> nodes.fleet.setAgentOnline(c.instanceId(), true));
    }

    @Test
    @DisplayName("With delivery delays on, an invocation to an online agent reports Delayed for the drawn delay before it runs; off by default")
    void deliveryDelays() {
        String plain = send("drbd-status", a, SsmNodes.status(), null);
        assertEquals("InProgress", await(plain, a, r -> !r.statusAsString().equals("Pending")).statusAsString());
        awaitFinal(plain, a);

        nodes.ssm.setDeliveryDelays(42, 1.0, Duration.ofSeconds(100)); // 1 s here
        Instant sent = Instant.now();
        String id = send("drbd-status", b, SsmNodes.status(), null);
        GetCommandInvocationResponse delayed = await(id, b, r -> !r.statusAsString().equals("Pending"));
        assertEquals("Delayed", delayed.statusAsString());
        assertEquals("Delayed", delayed.statusDetails());
        GetCommandInvocationResponse done = awaitFinal(id, b);
        assertEquals("Success", done.statusAsString());
        assertTrue(Duration.between(sent, Instant.parse(done.executionStartDateTime())).toMillis() >= 900,
            "started " + done.executionStartDateTime() + ", sent " + sent);
    }

    private ClusterSnapshot cluster() {
        List<Member> members = List.of(new Member(a.instanceId(), a.availabilityZone(), "InService", 0, null, null, null),
            new Member(b.instanceId(), b.availabilityZone(), "InService", 1, null, null, null),
            new Member(c.instanceId(), c.availabilityZone(), "InService", 2, null, null, null));
        return new ClusterSnapshot("asg", 1, members, List.of());
    }

    /**
     * Sends {@code document} with the real NodeCommandSender and polls the real CommandCollector
     * until it is no longer pending; asserts it answered Pending while {@code watched} showed
     * {@code status} and, once it did, Cancelling. {@code then} runs once {@code watched} shows
     * {@code status}. Returns the failure.
     */
    private CommandFailure collect(ClusterSnapshot cluster, String step, String document, List<SimulatedNode> targets,
        Map<String, String> parameters, int deliveryTimeoutSeconds, SimulatedNode watched, String status,
        Runnable then) throws Exception {
        String arn = "arn:aws:states:us-east-1:123456789012:execution:sm:x";
        PlannedStep plan = new PlannedStep(step, "test", document, SsmNodes.ids(targets), parameters,
            !step.equals("ObserveNodes"), false, 0, 1, null);
        ReconcileState planned = new ReconcileState(arn, null, null, cluster, null, plan, null, null, null);
        CommandSent sent = new NodeCommandSender(nodes.client, Optional.empty(), deliveryTimeoutSeconds,
            Clock.systemUTC()).send(planned);
        String commandId = sent.commandIds().get(watched.instanceId());
        await(commandId, watched, r -> r.statusAsString().equals(status));
        CommandCollector collector = new CommandCollector(nodes.client, Duration.ofMinutes(1), Clock.systemUTC());
        CommandRound polling = CommandRound.sent(planned, sent);
        // Statuses only move forward (Delayed or InProgress, then Cancelling, then final): a collector
        // answering Pending after the invocation read S saw S or a later non-final status.
        List<String> pendingAfter = new ArrayList<>();
        boolean ran = false;
        for (int i = 0; i < 2000; i++) {
            String before = invocation(commandId, watched).statusAsString();
            Collected collected = collector.collect(polling);
            if (!Collected.PENDING.equals(collected.status())) {
                assertEquals(Collected.FAILED, collected.status(), new ObjectMapper().writeValueAsString(collected));
                assertTrue(pendingAfter.contains(status), "pending while " + status + ": " + pendingAfter);
                if (status.equals("InProgress")) {
                    assertTrue(pendingAfter.contains("Cancelling"), "pending while Cancelling: " + pendingAfter);
                }
                assertNotNull(collected.failure());
                return collected.failure();
            }
            if (!pendingAfter.contains(before)) {
                pendingAfter.add(before);
            }
            if (then != null && !ran) {
                then.run();
                ran = true;
            }
            SsmNodes.sleep(5);
        }
        throw new AssertionError(step + " still pending on " + watched.instanceId() + " after polling: " + pendingAfter);
    }

    private String send(String document, SimulatedNode target, Map<String, String> parameters, Integer timeoutSeconds) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        parameters.forEach((k, v) -> params.put(k, List.of(v)));
        return nodes.client.sendCommand(r -> r.documentName(document).instanceIds(target.instanceId())
            .parameters(params).timeoutSeconds(timeoutSeconds)).command().commandId();
    }

    private GetCommandInvocationResponse invocation(String commandId, SimulatedNode target) {
        return nodes.client.getCommandInvocation(r -> r.commandId(commandId).instanceId(target.instanceId()));
    }

    /** Polls until the invocation is visible and matches; fails after 30 s. */
    private GetCommandInvocationResponse await(String commandId, SimulatedNode target,
        Predicate<GetCommandInvocationResponse> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        GetCommandInvocationResponse last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = invocation(commandId, target);
                if (condition.test(last)) {
                    return last;
                }
            } catch (InvocationDoesNotExistException notYet) {
                // like real SSM right after SendCommand
            }
            SsmNodes.sleep(10);
        }
        throw new AssertionError("Invocation " + commandId + " on " + target.instanceId() + " never matched; last "
            + (last == null ? "none" : last.statusAsString() + " / " + last.statusDetails()));
    }

    private GetCommandInvocationResponse awaitFinal(String commandId, SimulatedNode target) {
        return await(commandId, target, r -> SsmNodes.FINAL.contains(r.statusAsString()));
    }

    @Test
    @DisplayName("the agent sends a command's whole output to CloudWatchOutputConfig's group; the API keeps 24,000/8,000 characters; a missing group gets nothing")
    void outputToCloudWatchLogs(@TempDir Path docs) throws Exception {
        Path document = docs.resolve("big-output.yaml");
        java.nio.file.Files.writeString(document, String.join("\n",
            "schemaVersion: \"2.2\"",
            "description: prints more than GetCommandInvocation returns",
            "mainSteps:",
            "  - action: aws:runShellScript",
            "    name: BigOutput",
            "    inputs:",
            "      timeoutSeconds: \"60\"",
            "      runCommand:",
            "        - |",
            "          #!/bin/bash",
            "          set -euo pipefail",
            "          line=$(printf '%*s' 30000 '')",
            "          echo \"${line// /x}\"",
            "          printf '%s' \"${line:0:9000}\" | tr ' ' e >&2",
            "          echo '{\"ok\":true,\"changed\":false}'",
            ""));
        dev.drbdmultiaz.rehearsal.aws.CredentialAuthority authority = new dev.drbdmultiaz.rehearsal.aws.CredentialAuthority();
        var issued = authority.issue("test");
        try (SsmEmulator emulator = new SsmEmulator(nodes.fleet, Map.of("big-output", document), authority);
             var client = software.amazon.awssdk.services.ssm.SsmClient.builder().endpointOverride(emulator.endpoint())
                 .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                 .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                 .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                     software.amazon.awssdk.auth.credentials.AwsSessionCredentials.create(issued.accessKeyId(),
                         issued.secretAccessKey(), issued.sessionToken()))).build()) {
            emulator.setLogGroups(java.util.Set.of("command-output"));
            String kept = client.sendCommand(r -> r.documentName("big-output").instanceIds(a.instanceId())
                .cloudWatchOutputConfig(c -> c.cloudWatchOutputEnabled(true).cloudWatchLogGroupName("command-output")))
                .command().commandId();
            String lost = client.sendCommand(r -> r.documentName("big-output").instanceIds(a.instanceId())
                .cloudWatchOutputConfig(c -> c.cloudWatchOutputEnabled(true).cloudWatchLogGroupName("no-such-group")))
                .command().commandId();
            GetCommandInvocationResponse keptInvocation = awaitFinal(client, kept, a.instanceId());
            awaitFinal(client, lost, a.instanceId());

            assertEquals("Success", keptInvocation.statusAsString());
            assertEquals(24_000, keptInvocation.standardOutputContent().length(), "the API cuts stdout");
            assertEquals(8_000, keptInvocation.standardErrorContent().length(), "the API cuts stderr");
            assertEquals("command-output", keptInvocation.cloudWatchOutputConfig().cloudWatchLogGroupName());
            Map<String, String> streams = emulator.logStreams("command-output");
            String prefix = kept + "/" + a.instanceId() + "/BigOutput/";
            assertTrue(streams.get(prefix + "stdout").strip().endsWith("{\"ok\":true,\"changed\":false}"),
                "the log stream holds the whole stdout");
            assertEquals(30_001 + "{\"ok\":true,\"changed\":false}\n".length(), streams.get(prefix + "stdout").length());
            assertEquals(9_000, streams.get(prefix + "stderr").length());
            assertTrue(streams.keySet().stream().noneMatch(k -> k.startsWith(lost)), streams.keySet().toString());
            assertEquals(Map.of(), emulator.logStreams("no-such-group"), "the node role creates no log groups");
        }
    }

    private static GetCommandInvocationResponse awaitFinal(software.amazon.awssdk.services.ssm.SsmClient client,
        String commandId, String instanceId) {
        for (int i = 0; i < 600; i++) {
            try {
                GetCommandInvocationResponse r = client.getCommandInvocation(b -> b.commandId(commandId)
                    .instanceId(instanceId));
                if (SsmNodes.FINAL.contains(r.statusAsString())) {
                    return r;
                }
            } catch (InvocationDoesNotExistException notYet) {
                // right after SendCommand
            }
            SsmNodes.sleep(50);
        }
        throw new AssertionError(commandId + " never ended on " + instanceId);
    }

    @Test
    @DisplayName("an injected failure fails the next invocation of that document on that node, without running it")
    void injectedFailure() {
        int before = nodes.fleet.calls(a.instanceId()).size();
        nodes.ssm.failNext(a.instanceId(), "drbd-status", 4, "injected: the node is busy");
        SsmNodes.Outcome failed = nodes.run("drbd-status", a, Map.of("ResourceName", "r0"));
        assertEquals("Failed", failed.status());
        assertEquals(4, failed.exitCode());
        assertTrue(failed.stderr().contains("injected: the node is busy"), failed.stderr());
        assertEquals(before, nodes.fleet.calls(a.instanceId()).size(), "the script did not run");
        assertEquals("Success", nodes.run("drbd-status", a, Map.of("ResourceName", "r0")).status(), "only once");
    }
}
