package dev.drbdmultiaz.rehearsal.nodes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.functions.drbd.DrbdNodeSpec;
import dev.drbdmultiaz.functions.drbd.DrbdResFileRenderer;
import dev.drbdmultiaz.functions.drbd.DrbdResourceSpec;
import dev.drbdmultiaz.model.ReconcileSetting;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;

/**
 * Test fixture: a fleet of simulated nodes, the SSM emulator in front of it and a real AWS SDK
 * SsmClient pointed at the emulator; runs the real documents by name and waits for their results.
 */
final class SsmNodes implements AutoCloseable {

    static final String SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:drbd/peer-secret-AbCdEf";
    static final double TIME_SCALE = 0.01;
    /** CommandInvocationStatus values after which nothing changes any more. */
    static final Set<String> FINAL = Set.of("Success", "Failed", "TimedOut", "Cancelled");
    private static final ObjectMapper JSON = new ObjectMapper();

    final NodeFleet fleet;
    final SsmEmulator ssm;
    final SsmClient client;
    private final Map<String, Integer> nodeIds = new LinkedHashMap<>();

    /** What a document did on one node. */
    record Outcome(String status, int exitCode, JsonNode result, String stdout, String stderr) {

        boolean changed() {
            return result != null && result.path("changed").asBoolean(false);
        }
    }

    SsmNodes(Path dir) {
        this(dir, TIME_SCALE);
    }

    /** @param timeScale the fleet's time scale (simulated node work and the emulator's AWS durations) */
    SsmNodes(Path dir, double timeScale) {
        Path root = projectRoot();
        fleet = new NodeFleet(dir.resolve("fleet"), root, CompressedTime.of(timeScale));
        CredentialAuthority authority = new CredentialAuthority();
        ssm = new SsmEmulator(fleet, SsmEmulator.documentsIn(root.resolve("ssm-documents")), authority);
        ssm.setInvocationVisibilityDelay(Duration.ofMillis(100));
        CredentialAuthority.Issued issued = authority.issue("ssm-nodes-test");
        client = SsmClient.builder()
            .endpointOverride(ssm.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(issued.accessKeyId(),
                issued.secretAccessKey(), issued.sessionToken())))
            .httpClient(UrlConnectionHttpClient.builder().build())
            .build();
    }

    /** The repository root: the first directory up from the working directory with ssm-documents/. */
    static Path projectRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("ssm-documents")) && Files.isDirectory(p.resolve("rehearsal/nodesim"))) {
                return p;
            }
        }
        throw new IllegalStateException("No repository root above " + Path.of("").toAbsolutePath());
    }

    /** Adds node n (1-based) in AZ a/b/c by n, with DRBD node-id {@code nodeId}. */
    SimulatedNode add(int n, int nodeId, NodeFaults faults) {
        return add(n, nodeId, faults, ReconcileSetting.DATA_VOLUME_GIB.defaultInt());
    }

    /** {@link #add(int, int, NodeFaults)} with a data volume of {@code dataVolumeGiB}. */
    SimulatedNode add(int n, int nodeId, NodeFaults faults, int dataVolumeGiB) {
        int az = (n - 1) % 3 + 1;
        SimulatedNode node = fleet.addNode(String.format("i-0%016x", 0xd4bd0000L + n), "ip-10-0-" + az + "-" + (10 + n),
            "10.0." + az + "." + (10 + n), "us-east-1" + "abc".charAt(az - 1), faults, dataVolumeGiB);
        nodeIds.put(node.instanceId(), nodeId);
        return node;
    }

    /** The base64 of the real renderer's r0 config for these members. */
    String config(Collection<SimulatedNode> members) {
        List<DrbdNodeSpec> specs = new ArrayList<>();
        for (SimulatedNode m : members) {
            specs.add(new DrbdNodeSpec(m.hostname(), m.privateIp(), nodeIds.get(m.instanceId())));
        }
        return DrbdResFileRenderer.render(new DrbdResourceSpec("r0", 7789, 0, "/dev/drbdpool/r0", specs)).base64();
    }

    int nodeId(SimulatedNode node) {
        return nodeIds.get(node.instanceId());
    }

    static Map<String, String> status() {
        return Map.of("ResourceName", "r0", "VolumeGroup", "drbdpool", "LogicalVolume", "r0");
    }

    static Map<String, String> lvm() {
        return Map.of("VolumeGroup", "drbdpool", "ThinPool", "thinpool", "LogicalVolume", "r0");
    }

    static Map<String, String> resource() {
        return Map.of("ResourceName", "r0");
    }

    static Map<String, String> createMd() {
        return Map.of("ResourceName", "r0", "MaxPeers", "7");
    }

    Map<String, String> writeConfig(Collection<SimulatedNode> members) {
        return Map.of("ResourceName", "r0", "ConfigBase64", config(members), "SecretId", SECRET_ARN);
    }

    static List<String> ids(Collection<SimulatedNode> nodes) {
        return nodes.stream().map(SimulatedNode::instanceId).toList();
    }

    /** Sends a document to the targets and waits until every invocation is final. */
    Map<String, Outcome> run(String document, Collection<SimulatedNode> targets, Map<String, String> parameters) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        parameters.forEach((k, v) -> params.put(k, List.of(v)));
        String commandId = client.sendCommand(r -> r.documentName(document).instanceIds(ids(targets))
            .parameters(params).comment(document).timeoutSeconds(600)).command().commandId();
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        for (SimulatedNode target : targets) {
            while (true) {
                try {
                    GetCommandInvocationResponse r = client.getCommandInvocation(b -> b.commandId(commandId)
                        .instanceId(target.instanceId()));
                    String status = r.statusAsString();
                    if (FINAL.contains(status)) {
                        outcomes.put(target.instanceId(), new Outcome(status, r.responseCode(),
                            lastJson(r.standardOutputContent()), r.standardOutputContent(), r.standardErrorContent()));
                        break;
                    }
                } catch (InvocationDoesNotExistException notYet) {
                    // like real SSM right after SendCommand
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(document + " did not finish on " + target.instanceId() + " in 90 s");
                }
                sleep(50);
            }
        }
        return outcomes;
    }

    Outcome run(String document, SimulatedNode target, Map<String, String> parameters) {
        return run(document, List.of(target), parameters).get(target.instanceId());
    }

    /** Every target succeeded; returns the outcomes. */
    Map<String, Outcome> ok(String document, Collection<SimulatedNode> targets, Map<String, String> parameters) {
        Map<String, Outcome> outcomes = run(document, targets, parameters);
        outcomes.forEach((id, o) -> {
            if (!o.status().equals("Success") || o.exitCode() != 0) {
                throw new AssertionError(document + " on " + id + " ended " + o.status() + " exit " + o.exitCode()
                    + "\nstdout:\n" + o.stdout() + "\nstderr:\n" + o.stderr());
            }
        });
        return outcomes;
    }

    /** Brings a fresh mesh of these nodes up to UpToDate the way the workflow does. */
    void bringUp(List<SimulatedNode> nodes) {
        ok("drbd-install", nodes, Map.of());
        ok("drbd-prepare-lvm", nodes, lvm());
        ok("drbd-write-config", nodes, writeConfig(nodes));
        ok("drbd-create-md", nodes, createMd());
        ok("drbd-up", nodes, resource());
        ok("drbd-skip-initial-sync", List.of(nodes.get(0)), resource());
    }

    static JsonNode lastJson(String stdout) {
        if (stdout == null) {
            return null;
        }
        String[] lines = stdout.strip().split("\\R");
        try {
            JsonNode n = JSON.readTree(lines[lines.length - 1]);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    static void sleep(long millis) {
        dev.drbdmultiaz.rehearsal.support.Net.sleep(millis);
    }

    @Override
    public void close() {
        client.close();
        ssm.close();
        fleet.close();
    }
}
