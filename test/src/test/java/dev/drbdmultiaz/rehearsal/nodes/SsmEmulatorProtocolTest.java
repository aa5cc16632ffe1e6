package dev.drbdmultiaz.rehearsal.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.functions.reconcile.nodes.AgentCheck;
import dev.drbdmultiaz.functions.reconcile.nodes.CommandCollector;
import dev.drbdmultiaz.functions.reconcile.nodes.NodeCommandSender;
import dev.drbdmultiaz.functions.reconcile.state.AgentsStatus;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.Collected;
import dev.drbdmultiaz.functions.reconcile.state.CommandSent;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.PlannedStep;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
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
        nodes = new SsmNodes(dir);
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
            cluster.memberIds(), Map.of("ResourceName", List.of("r0")), false, false, 0, 1, null);
        ReconcileState planned = new ReconcileState(base.executionArn(), null, null, cluster, agents, plan, null, null,
            null);
        CommandSent sent = new NodeCommandSender(nodes.client, Optional.empty(), 600, Clock.systemUTC()).send(planned);
        assertEquals(3, sent.commandIds().size());
        CommandCollector collector = new CommandCollector(nodes.client, Duration.ofMinutes(1), Clock.systemUTC());
        Collected collected = null;
        for (int i = 0; i < 200; i++) {
            ReconcileState polling = new ReconcileState(base.executionArn(), null, null, cluster, agents, plan, sent,
                collected, null);
            collected = collector.collect(polling);
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
}
