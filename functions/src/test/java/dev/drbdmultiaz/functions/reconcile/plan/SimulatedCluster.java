package dev.drbdmultiaz.functions.reconcile.plan;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.drbd.DrbdNodeSpec;
import dev.drbdmultiaz.functions.drbd.DrbdResFileRenderer;
import dev.drbdmultiaz.functions.drbd.DrbdResourceSpec;
import dev.drbdmultiaz.functions.drbd.RenderedConfig;
import dev.drbdmultiaz.functions.reconcile.nodes.CommandCollector;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.Collected;
import dev.drbdmultiaz.functions.reconcile.state.CommandRound;
import dev.drbdmultiaz.functions.reconcile.state.DepartingMember;
import dev.drbdmultiaz.functions.reconcile.state.ErrorInfo;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.PlannedStep;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.functions.reconcile.volumes.VolumeGrowth;
import dev.drbdmultiaz.functions.reconcile.volumes.VolumeGrowthResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationRequest;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;

/**
 * Nodes that behave like the SSM documents promise, driven by the real planner and the real
 * {@link CommandCollector} (over a mocked SSM client): each round plans a step, applies it to the
 * simulated nodes, and collects their JSON result lines.
 */
final class SimulatedCluster {

    static final String SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:drbd-peer-AbCdEf";
    private static final Pattern NODE_ID = Pattern.compile("node-id (\\d+);");

    final Map<String, Node> nodes = new LinkedHashMap<>();
    final List<DepartingMember> departing = new ArrayList<>();
    final List<PlannedStep> plans = new ArrayList<>();
    /** Departing members whose terminate action ReleaseDepartingMembers continued, in order. */
    final List<String> terminated = new ArrayList<>();
    /** DescribeCluster calls: ReleaseDepartingMembers ends with the group described again. */
    private int describes = 1;
    DesiredSettings settings = settings(20);
    int connectAfterObservations;
    /** Observations a SyncTarget (Inconsistent, connected to an UpToDate peer) needs before it is UpToDate. */
    int resyncObservations = 2;
    /** Members CheckAgentsOnline went on without: the planner must send them nothing. */
    Set<String> unreachable = Set.of();
    /** Members the group shows protected from scale-in (DescribeCluster's view). */
    List<String> scaleInProtected = List.of();
    boolean installHasNoEffect;
    Collected collected = Collected.empty();
    /** Nodes that ran new-current-uuid --clear-bitmap. */
    int syncSkips;
    /** drbd-resize runs. */
    int resizes;
    /** The cluster snapshot the last plan was made on. */
    ClusterSnapshot cluster;
    /** ModifyVolume requests per volume, as EC2 received them (ModifyDataVolumes). */
    final Map<String, Integer> modifyRequests = new LinkedHashMap<>();
    /** What EC2 answers ModifyVolume instead of accepting it (code: message), or null. */
    String ec2Refusal;
    /** Observations after ModifyVolume until the node sees the new size (the modification is optimizing). */
    int volumeGrowthObservations = 1;
    /** The last ModifyDataVolumes' results ($.volumeGrowth). */
    List<VolumeGrowthResult> volumeGrowth;

    private final Map<String, String> stdout = new HashMap<>();
    private final CommandCollector collector;

    SimulatedCluster() {
        SsmClient ssm = mock(SsmClient.class);
        when(ssm.getCommandInvocation(any(GetCommandInvocationRequest.class))).thenAnswer(call -> {
            GetCommandInvocationRequest request = call.getArgument(0);
            return GetCommandInvocationResponse.builder().status("Success").responseCode(0)
                .standardOutputContent("progress on stdout is allowed\n" + stdout.get(request.instanceId()) + "\n")
                .standardErrorContent("").build();
        });
        Clock clock = Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC);
        collector = new CommandCollector(ssm, Duration.ofHours(1), clock,
            new dev.drbdmultiaz.functions.reconcile.lifecycle.HeartbeatSchedule(Duration.ofHours(1), clock));
    }

    static DesiredSettings settings(int connectWaitMaxAttempts) {
        return settings(connectWaitMaxAttempts, 5);
    }

    static DesiredSettings settings(int connectWaitMaxAttempts, int maxPeers) {
        return new DesiredSettings("r0", 7789, 0, "drbdpool", "thinpool", "r0", maxPeers, SECRET_ARN,
            "crc32c", "sha256",
            SsmDocuments.named(d -> "doc-" + d.baseName().substring("drbd-".length())),
            connectWaitMaxAttempts, 40, 1.0, 24, 100);
    }

    /** A brand-new instance: nothing installed, an empty data disk. */
    Node fresh(int nodeId) {
        Node node = new Node("i-0000000000000000" + Integer.toHexString(nodeId), nodeId,
            "ip-10-0-" + (nodeId % 3 + 1) + "-" + (10 + nodeId), "10.0." + (nodeId % 3 + 1) + "." + (10 + nodeId));
        nodes.put(node.instanceId, node);
        return node;
    }

    /** A member that ran DRBD with the config of {@code configNodes}, UpToDate. */
    Node existing(int nodeId, boolean up) {
        Node node = fresh(nodeId);
        node.drbdVersion = "9.2.12";
        node.lvmReady = true;
        node.metadata = true;
        node.disk = "UpToDate";
        node.up = up;
        return node;
    }

    /** Writes the config of {@code members} (by node-id) on every node, as a past reconcile did. */
    void configured(List<Node> members) {
        RenderedConfig config = render(members);
        for (Node node : nodes.values()) {
            node.config = config;
            node.configNodeIds = nodeIds(config.text());
            if (node.up) {
                node.kernelNodeIds = node.configNodeIds;
            }
            node.configNodeIds.stream().filter(id -> id != node.nodeId).forEach(node.bitmapSlots::add);
        }
    }

    /** The node with {@code nodeId} leaves the group: gone from nodes, listed as departing. */
    void depart(Node node, String pendingAction) {
        nodes.remove(node.instanceId);
        departing.add(new DepartingMember(node.instanceId, node.nodeId, node.hostname, node.address, pendingAction));
    }

    RenderedConfig render(List<Node> members) {
        List<DrbdNodeSpec> specs = members.stream()
            .map(n -> new DrbdNodeSpec(n.hostname, n.address, n.nodeId)).toList();
        return DrbdResFileRenderer.render(new DrbdResourceSpec("r0", 7789, 0, "/dev/drbdpool/r0", specs));
    }

    ClusterSnapshot snapshot() {
        List<Member> members = nodes.values().stream()
            .map(n -> new Member(n.instanceId, "eu-west-1" + "abc".charAt(n.nodeId % 3), n.launchPending
                ? "Pending:Wait" : "InService", n.nodeId, n.everObserved ? n.hostname : null,
                n.everObserved ? n.address : null, n.launchPending ? Member.LAUNCH : null))
            .toList();
        return new ClusterSnapshot("drbd-asg", describes, members, departing, null, scaleInProtected);
    }

    /** Plans and applies steps until Converged; returns the step names in order. */
    List<String> runToConvergence() {
        return runUntil("Converged");
    }

    /**
     * Plans and applies steps until the planner plans {@code step} (not applied) or Converged;
     * returns the step names in order. {@link #cluster} and {@link #collected} are then what
     * that plan was made on.
     */
    List<String> runUntil(String step) {
        List<String> steps = new ArrayList<>();
        cluster = snapshot();
        for (int round = 1; round <= 80; round++) {
            PlannedStep plan = ReconcilePlanner.plan(cluster,
                new RunProgress(collected.observed(), collected.run(), unreachable, volumeGrowth), settings);
            plans.add(plan);
            steps.add(plan.step());
            if (plan.step().equals("Converged") || plan.step().equals(step)) {
                return steps;
            }
            if (plan.step().equals("ReleaseDepartingMembers")) {
                cluster = releaseDeparting(plan);
                continue;
            }
            if (plan.step().equals("GrowDataVolumes") && !plan.volumes().isEmpty()) {
                volumeGrowth = modifyVolumes(plan.volumes());
            }
            // SendNodeCommand's round remembers the volumes EC2 accepted (CommandRound.sent).
            Collected before = volumeGrowth == null ? collected : new Collected(collected.status(),
                collected.observed(), collected.run().withVolumesRequested(volumeGrowth.stream()
                    .filter(VolumeGrowthResult::accepted).map(VolumeGrowthResult::volumeId).toList()), null);
            Map<String, String> commandIds = new LinkedHashMap<>();
            Map<String, ObjectNode> own = new LinkedHashMap<>();
            for (String target : plan.targets()) {
                if (unreachable.contains(target)) {
                    throw new AssertionError(plan.step() + " sent to unreachable " + target);
                }
                own.put(target, apply(plan, nodes.get(target)));
                commandIds.put(target, "cmd-" + round);
            }
            // Each document reports the node status after its work; drbd-up waits for the peers it
            // brings up in the same round, so every report is taken once all targets are done.
            own.forEach((target, result) -> {
                ObjectNode status = status(nodes.get(target));
                if (plan.step().equals("UpOrAdjust") || plan.step().equals("SkipInitialSync")) {
                    result.put("settled", settled(plan.step(), status));
                }
                stdout.put(target, Json.write(result.setAll(status)));
            });
            collected = collector.collect(new CommandRound("round#" + round, "arn:execution", plan.step(),
                plan.documentName(), commandIds, "2024-05-01T11:59:00Z", cluster.snapshot(),
                plan.parameter("PeerNodeId"), before));
            if (!collected.status().equals(Collected.SUCCEEDED)) {
                throw new AssertionError("Simulated step " + plan.step() + " did not succeed: " + collected);
            }
        }
        throw new AssertionError("Did not converge in 80 rounds: " + steps);
    }

    /** ModifyDataVolumes: one ModifyVolume per item, as EC2 answers it (a second request while one runs is refused). */
    private List<VolumeGrowthResult> modifyVolumes(List<VolumeGrowth> volumes) {
        List<VolumeGrowthResult> results = new ArrayList<>();
        for (VolumeGrowth volume : volumes) {
            modifyRequests.merge(volume.volumeId(), 1, Integer::sum);
            Node node = nodes.values().stream().filter(n -> volumeId(n).equals(volume.volumeId())).findFirst()
                .orElseThrow(() -> new AssertionError("ModifyVolume of " + volume.volumeId() + ", no member's volume"));
            if (ec2Refusal != null || node.growingToGiB > 0) {
                String refusal = ec2Refusal != null ? ec2Refusal : "IncorrectModificationState: Volume "
                    + volume.volumeId() + " cannot be modified in modification state MODIFYING";
                results.add(new VolumeGrowthResult(volume.volumeId(), volume.size(), null,
                    new ErrorInfo("Ec2.Ec2Exception", refusal)));
                continue;
            }
            if (volume.size() <= node.dataVolumeGiB) {
                throw new AssertionError("ModifyVolume to " + volume.size() + " GiB of a " + node.dataVolumeGiB
                    + " GiB volume: EC2 refuses it");
            }
            node.growingToGiB = volume.size();
            node.growthObservationsLeft = volumeGrowthObservations;
            results.add(new VolumeGrowthResult(volume.volumeId(), volume.size(), "modifying", null));
        }
        return results;
    }

    static String volumeId(Node node) {
        return "vol-0" + node.nodeId;
    }

    /**
     * CONTINUE, then AwaitDeparture until the group no longer lists them, then DescribeCluster:
     * the departing members are gone. Only a departing member whose copy is not the last goes (I3).
     */
    private ClusterSnapshot releaseDeparting(PlannedStep plan) {
        if (nodes.values().stream().noneMatch(n -> "UpToDate".equals(n.disk))) {
            throw new AssertionError("I3: departing members " + plan.targets() + " let go while no member is UpToDate");
        }
        for (String id : plan.targets()) {
            DepartingMember leaving = departing.stream().filter(d -> d.instanceId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("ReleaseDepartingMembers names " + id + ", not departing"));
            departing.set(departing.indexOf(leaving), new DepartingMember(id, leaving.nodeId(), leaving.hostname(),
                leaving.address(), null, false));
            terminated.add(id);
        }
        describes++;
        return snapshot();
    }

    /** I9: a survivor drops its connection to a departing member only once its instance is gone. */
    private void assertDepartedGone(Node survivor, int peer, String step) {
        departing.stream().filter(d -> d.nodeId() == peer && d.instanceListed()).findFirst().ifPresent(d -> {
            throw new AssertionError("I9: " + step + " on " + survivor.instanceId + " drops departing member "
                + d.instanceId() + " (node-id " + peer + ") while the group still lists its instance");
        });
    }

    /** Applies a step to a node like its document would; returns its own result fields. */
    private ObjectNode apply(PlannedStep plan, Node node) {
        ObjectNode result = Json.mapper().createObjectNode().put("ok", true).put("changed", true);
        switch (plan.step()) {
            case "ObserveNodes", "WaitForConnections", "WaitForResync", "GrowDataVolumes" -> {
                if (node.growingToGiB > 0 && --node.growthObservationsLeft < 0) {
                    node.dataVolumeGiB = node.growingToGiB;
                    node.growingToGiB = 0;
                }
                if (allUp() && connectAfterObservations > 0 && node == nodes.values().iterator().next()) {
                    connectAfterObservations--;
                }
                if (syncing(node) && --node.resyncLeft <= 0) {
                    node.disk = "UpToDate";
                }
                return result.put("changed", false);
            }
            case "InstallDrbd" -> node.drbdVersion = installHasNoEffect ? null : "9.2.12";
            case "GrowBacking" -> {
                if (!node.lvmReady || node.lvmGiB >= node.dataVolumeGiB) {
                    throw new AssertionError("drbd-grow-backing on " + node.instanceId + ": nothing to grow");
                }
                node.lvmGiB = node.dataVolumeGiB;
                if (node.backingKiB != null) {
                    node.backingKiB = 95L * 1024 * 1024 * node.dataVolumeGiB / 100;
                }
            }
            case "PrepareLvm" -> {
                node.lvmGiB = node.dataVolumeGiB;
                node.lvmReady = true;
                if (node.metadata == null) {
                    node.metadata = false;
                }
            }
            case "WriteConfig" -> {
                String text = new String(Base64.getDecoder().decode(plan.parameter("ConfigBase64")),
                    StandardCharsets.UTF_8);
                node.config = RenderedConfig.of(text);
                node.configNodeIds = nodeIds(text);
            }
            case "CreateMetadata" -> {
                if (!Boolean.FALSE.equals(node.metadata)) {
                    throw new AssertionError("I1: CreateMetadata planned on " + node.instanceId + ", whose metadata is "
                        + node.metadata);
                }
                node.metadata = true;
                node.metadataCreatedByRun = true;
                node.disk = "Inconsistent";
                node.maxPeers = Integer.parseInt(plan.parameter("MaxPeers"));
                node.bitmapSlots.clear();
            }
            case "UpOrAdjust" -> {
                // DRBD 9 gives every peer of the config a bitmap slot; forget-peer frees one.
                for (int peer : node.configNodeIds) {
                    if (peer != node.nodeId && !node.bitmapSlots.contains(peer)) {
                        if (node.bitmapSlots.size() >= node.maxPeers) {
                            throw new AssertionError("UpOrAdjust on " + node.instanceId + ": (175) Not enough free"
                                + " bitmap slots for node-id " + peer + ", slots held by " + node.bitmapSlots);
                        }
                        node.bitmapSlots.add(peer);
                    }
                }
                for (int peer : node.kernelNodeIds) {
                    if (!node.configNodeIds.contains(peer)) {
                        assertDepartedGone(node, peer, "UpOrAdjust");
                    }
                }
                node.up = true;
                node.kernelNodeIds = node.configNodeIds;
            }
            case "SkipInitialSync" -> {
                if (!String.valueOf(node.nodeId).equals(plan.parameter("ActingNodeId"))) {
                    return result.put("changed", false).put("acted", false);
                }
                syncSkips++;
                nodes.values().stream().filter(n -> !n.metadataCreatedByRun || !"Inconsistent".equals(n.disk)).findFirst()
                    .ifPresent(n -> {
                        throw new AssertionError("I2: SkipInitialSync on a cluster that is not brand-new: " + n.instanceId
                            + " is " + n.disk + (n.metadataCreatedByRun ? "" : ", its metadata older than the run"));
                    });
                nodes.values().forEach(n -> n.disk = "UpToDate");
                result.put("acted", true);
            }
            case "ForgetDepartedPeers" -> {
                int peer = Integer.parseInt(plan.parameter("PeerNodeId"));
                // The document's guards: I3 on the node, and only a peer its config let go of.
                if (!node.up || !"UpToDate".equals(node.disk) || node.configNodeIds.contains(peer)) {
                    throw new AssertionError("drbd-forget-peer refuses node-id " + peer + " on " + node.instanceId
                        + " (up " + node.up + ", disk " + node.disk + ", config " + node.configNodeIds + ")");
                }
                assertDepartedGone(node, peer, "ForgetDepartedPeers");
                node.forgotten.add(peer);
                node.bitmapSlots.remove(peer);
                node.kernelNodeIds = node.kernelNodeIds.stream().filter(id -> id != peer)
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
            }
            case "ResizeDevice" -> {
                // drbd-resize's guards, then DRBD's own rule: the smallest backing device, less the metadata.
                for (Node n : nodes.values()) {
                    if (!"UpToDate".equals(n.disk) || (n != node && !connected(node, n))) {
                        throw new AssertionError("drbd-resize refuses on " + node.instanceId + ": " + n.instanceId
                            + " is " + n.disk + (n != node && !connected(node, n) ? ", not Connected" : ""));
                    }
                }
                long backing = nodes.values().stream().mapToLong(n -> n.backingKiB).min().orElseThrow();
                long grown = backing - (long) node.maxPeers * (backing / 32768) - 36;
                resizes++;
                nodes.values().forEach(n -> {
                    n.sizeKiB = grown;
                    if (n != node) {
                        n.disk = "Inconsistent"; // SyncTarget of the added space
                    }
                });
            }
            default -> throw new AssertionError("Unexpected step " + plan.step());
        }
        return result;
    }

    /** What the document's bounded wait saw: every peer Connected (up), every disk UpToDate (skip). */
    private static boolean settled(String step, ObjectNode status) {
        JsonNode resource = status.path("resource");
        boolean up = step.equals("UpOrAdjust");
        boolean settled = !resource.isNull() && (up || "UpToDate".equals(resource.path("diskState").asText()));
        for (JsonNode peer : resource.path("peers")) {
            settled &= "Connected".equals(peer.path("connection").asText())
                && (up || "UpToDate".equals(peer.path("peerDiskState").asText()));
        }
        return settled;
    }

    /** Whether {@code node} is a SyncTarget: Inconsistent, connected to an UpToDate peer (not brand-new). */
    private boolean syncing(Node node) {
        boolean source = nodes.values().stream().anyMatch(peer -> peer != node && connected(node, peer)
            && "UpToDate".equals(peer.disk));
        if (!"Inconsistent".equals(node.disk) || !source) {
            return false;
        }
        if (node.resyncLeft < 0) {
            node.resyncLeft = resyncObservations;
        }
        return true;
    }

    private boolean connected(Node node, Node peer) {
        return peer != null && node.up && peer.up && node.kernelNodeIds.contains(peer.nodeId)
            && peer.kernelNodeIds.contains(node.nodeId) && connectAfterObservations == 0 && !node.isolated
            && !peer.isolated;
    }

    private boolean allUp() {
        return nodes.values().stream().allMatch(n -> n.up);
    }

    private ObjectNode status(Node node) {
        ObjectNode status = Json.mapper().createObjectNode()
            .put("hostname", node.hostname).put("address", node.address)
            .put("drbdVersion", node.drbdVersion).put("dataVolumeId", volumeId(node))
            .put("dataVolumeGiB", node.dataVolumeGiB)
            .put("lvmReady", node.lvmReady)
            .put("backingGrowable", node.lvmReady && node.lvmGiB < node.dataVolumeGiB)
            .put("configSha256", node.config == null ? null : node.config.sha256())
            .put("up", node.up)
            .put("adjustNeeded", node.up && !node.kernelNodeIds.equals(node.configNodeIds));
        if (node.lvmReady) {
            status.put("metadata", node.metadata);
        } else {
            status.putNull("metadata");
        }
        if (Boolean.TRUE.equals(node.metadata)) {
            status.put("maxPeers", node.maxPeers);
        } else {
            status.putNull("maxPeers");
        }
        if (!node.up) {
            status.putNull("resource");
            return status;
        }
        ObjectNode resource = status.putObject("resource").put("role", node.role).put("diskState", node.disk);
        if (node.sizeKiB != null) {
            resource.put("sizeKiB", node.sizeKiB).put("backingKiB", node.backingKiB);
        }
        ArrayNode peers = resource.putArray("peers");
        for (int peerId : node.kernelNodeIds) {
            if (peerId == node.nodeId) {
                continue;
            }
            Node peer = nodes.values().stream().filter(n -> n.nodeId == peerId).findFirst().orElse(null);
            boolean connected = connected(node, peer);
            double inSync = !"Inconsistent".equals(node.disk) ? 100.0 : node.resyncLeft < 0 ? 0.0
                : 100.0 * (resyncObservations - node.resyncLeft) / resyncObservations;
            peers.addObject().put("nodeId", peerId).put("name", peer == null ? "gone" : peer.hostname)
                .put("connection", connected ? "Connected" : "Connecting")
                .put("peerDiskState", connected ? peer.disk : "DUnknown")
                .put("syncPercent", inSync);
        }
        return status;
    }

    private static Set<Integer> nodeIds(String configText) {
        Set<Integer> ids = new TreeSet<>();
        Matcher matcher = NODE_ID.matcher(configText);
        while (matcher.find()) {
            ids.add(Integer.parseInt(matcher.group(1)));
        }
        return ids;
    }

    /** One simulated node's truth. */
    static final class Node {
        final String instanceId;
        final int nodeId;
        final String hostname;
        final String address;
        String drbdVersion;
        boolean lvmReady;
        Boolean metadata;
        /** CreateMetadata of this run created its metadata. */
        boolean metadataCreatedByRun;
        RenderedConfig config;
        Set<Integer> configNodeIds = Set.of();
        Set<Integer> kernelNodeIds = Set.of();
        boolean up;
        String disk = "Diskless";
        /** DRBD role while up: an application holding the device open makes it Primary. */
        String role = "Secondary";
        boolean launchPending;
        /** Its data volume's size. */
        int dataVolumeGiB = 100;
        /** The data volume size its PV, thin pool and LV were prepared or last grown for. */
        int lvmGiB = 100;
        /** The size a ModifyVolume in progress grows its data volume to, 0 for none. */
        int growingToGiB;
        int growthObservationsLeft;
        /** The DRBD device's size and its backing LV's, as the status reports them; null: not reported. */
        Long sizeKiB;
        Long backingKiB;
        /** Observations left until its resync completes; -1 while it is no SyncTarget. */
        int resyncLeft = -1;
        /** Its DRBD port is cut off: no connection to or from it. */
        boolean isolated;
        /** Whether a past run observed it, so the registry knows its hostname and address. */
        boolean everObserved = true;
        final Set<Integer> forgotten = new TreeSet<>();
        /** Peers holding a bitmap slot in this node's metadata; existing members were created with max-peers 2. */
        final Set<Integer> bitmapSlots = new TreeSet<>();
        int maxPeers = 2;

        Node(String instanceId, int nodeId, String hostname, String address) {
            this.instanceId = instanceId;
            this.nodeId = nodeId;
            this.hostname = hostname;
            this.address = address;
        }
    }
}
