package dev.drbdmultiaz.rehearsal.nodes;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.model.ReconcileSetting;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Simulated replica nodes: each one a sandbox directory with its own redirected root paths, its
 * own bin directory of simulated commands ({@code rehearsal/nodesim/nodesim.py}) and its
 * state on disk. The document scripts run against it through {@link SsmEmulator}.
 *
 * <p>The node logic lives in the Python program; this class creates, terminates, reboots and
 * reads nodes through its {@code fleet} operations, so the Java side and the node commands share
 * one model (and one lock).
 */
public final class NodeFleet implements AutoCloseable {

    /** The peer-authentication secret every node reads from (simulated) Secrets Manager. */
    public static final String SHARED_SECRET = "RehearsalSharedSecret0123456789";

    private static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]{1,17}");
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,63}");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})(\\.\\d{1,3}){3}");
    private static final Pattern VOLUME_ID = Pattern.compile("vol-[0-9a-f]{8,17}");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The data volume size of a node added without one: the default of drbd:dataVolumeGiB. */
    private static final int DEFAULT_DATA_VOLUME_GIB = ReconcileSetting.DATA_VOLUME_GIB.defaultInt();

    /** What happened to a node: {@code terminated} or {@code rebooted}. */
    public enum NodeEvent { TERMINATED, REBOOTED }

    private final Path sandboxRoot;
    private final Path projectRoot;
    private final CompressedTime time;
    private final Path nodesim;
    private final String python;
    private final Map<String, SimulatedNode> nodes = new LinkedHashMap<>();
    private final Map<String, Boolean> terminated = new LinkedHashMap<>();
    private final Set<String> agentOffline = new HashSet<>();
    private final Set<String> blockedLinks = new java.util.TreeSet<>();
    private final List<BiConsumer<String, NodeEvent>> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param sandboxRoot directory of the fleet (created; one directory per node below it)
     * @param projectRoot the repository root (finds {@code rehearsal/nodesim/nodesim.py})
     * @param time the rehearsal's time scale: every simulated duration (install ~60 s, resync ~60 s)
     *     and every AWS duration of the SSM emulator shrinks by it
     */
    public NodeFleet(Path sandboxRoot, Path projectRoot, CompressedTime time) {
        this.sandboxRoot = sandboxRoot.toAbsolutePath().normalize();
        this.projectRoot = projectRoot.toAbsolutePath().normalize();
        this.time = time;
        this.nodesim = this.projectRoot.resolve("rehearsal/nodesim/nodesim.py");
        if (!Files.isRegularFile(nodesim)) {
            throw new IllegalArgumentException("No node simulator at " + nodesim + ": projectRoot must be the"
                + " repository root");
        }
        this.python = findPython();
        try {
            Files.createDirectories(this.sandboxRoot);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the fleet sandbox " + this.sandboxRoot, e);
        }
        JsonNode init = fleet("init", "--time-scale", Double.toString(time.scale()), "--python", python,
            "--secret", SHARED_SECRET);
        if (!init.path("realDrbdadm").asBoolean()) {
            throw new IllegalStateException("The node simulator needs the real drbdadm (/usr/sbin/drbdadm, Debian"
                + " package drbd-utils): it parses the configs and drives the simulated kernel");
        }
    }

    /**
     * Adds a node: sandbox root dirs, by-id links of a root and a data EBS volume, base packages
     * (no DRBD), SSM agent online.
     */
    public synchronized SimulatedNode addNode(String instanceId, String hostname, String privateIp,
        String availabilityZone, NodeFaults faults) {
        return addNode(instanceId, hostname, privateIp, availabilityZone, faults, DEFAULT_DATA_VOLUME_GIB);
    }

    /** {@link #addNode(String, String, String, String, NodeFaults)} with a data volume of {@code dataVolumeGiB}. */
    public synchronized SimulatedNode addNode(String instanceId, String hostname, String privateIp,
        String availabilityZone, NodeFaults faults, int dataVolumeGiB) {
        return addNode(instanceId, hostname, privateIp, availabilityZone, faults, dataVolumeGiB, null);
    }

    /**
     * {@link #addNode(String, String, String, String, NodeFaults, int)} whose data disk is the EBS volume
     * {@code dataVolumeId} (its by-id links name it), e.g. the volume emulated EC2 created for the instance.
     *
     * @param dataVolumeId {@code vol-} and 8 to 17 hex digits; {@code null}: an id derived from the instance id
     */
    public synchronized SimulatedNode addNode(String instanceId, String hostname, String privateIp,
        String availabilityZone, NodeFaults faults, int dataVolumeGiB, String dataVolumeId) {
        require(INSTANCE_ID, instanceId, "instanceId");
        require(HOSTNAME, hostname, "hostname");
        require(IPV4, privateIp, "privateIp");
        Objects.requireNonNull(availabilityZone, "availabilityZone");
        NodeFaults f = faults == null ? NodeFaults.none() : faults;
        if (nodes.containsKey(instanceId)) {
            throw new IllegalArgumentException("Node " + instanceId + " exists already");
        }
        if (dataVolumeId != null) {
            require(VOLUME_ID, dataVolumeId, "dataVolumeId");
        }
        requireGiB(dataVolumeGiB, "dataVolumeGiB");
        JsonNode added;
        try {
            List<String> args = new ArrayList<>(List.of("--instance-id", instanceId, "--hostname", hostname, "--ip",
                privateIp, "--az", availabilityZone, "--faults", JSON.writeValueAsString(f.byName()),
                "--data-gib", Integer.toString(dataVolumeGiB)));
            if (dataVolumeId != null) {
                args.addAll(List.of("--data-volume-id", dataVolumeId));
            }
            added = fleet("add-node", args.toArray(String[]::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = JSON.convertValue(added.path("environment"), new TypeReference<>() { });
        SimulatedNode node = new SimulatedNode(instanceId, hostname, privateIp, availabilityZone,
            added.path("dataVolumeId").asText(), added.path("rootVolumeId").asText(),
            Path.of(added.path("dir").asText()), env, f);
        nodes.put(instanceId, node);
        terminated.put(instanceId, false);
        return node;
    }

    /**
     * The node's data volume grew in place to {@code gib} GiB (EC2 ModifyVolume, then the NVMe disk's new
     * capacity): lsblk, blkid and pvs on the node see the new size, LVM and DRBD on it keep theirs until
     * pvresize/lvextend ({@code drbd-grow-backing}) and {@code drbd-resize}. The same size changes nothing.
     *
     * @throws IllegalArgumentException when {@code gib} is not 1..99999
     * @throws IllegalStateException when the node is terminated or the volume is larger than {@code gib}
     *     (EBS volumes never shrink)
     */
    public synchronized void resizeDataVolume(String instanceId, int gib) {
        requireLive(instanceId);
        requireGiB(gib, "gib");
        fleet("resize-disk", "--instance-id", instanceId, "--gib", Integer.toString(gib));
    }

    /** The instance is gone: its resource is down for its peers, its SSM agent offline for good. */
    public void terminate(String instanceId) {
        synchronized (this) {
            known(instanceId);
            fleet("terminate", "--instance-id", instanceId);
            terminated.put(instanceId, true);
        }
        listeners.forEach(l -> l.accept(instanceId, NodeEvent.TERMINATED));
    }

    /**
     * Reboots the node: the kernel forgets every DRBD resource (metadata stays on disk, the DRBD
     * module is loaded again), running commands die, the agent is back online (unless
     * {@link #setAgentOnline} holds it offline: that models a fault a reboot does not fix). The enabled
     * {@code drbd@<res>.target} units are NOT run, so the resource stays down until the workflow
     * brings it up.
     */
    public void reboot(String instanceId) {
        reboot(instanceId, false);
    }

    /**
     * Drops TCP {@code port} between every pair of nodes (a security group without the rule), or
     * lets it through again: DRBD connections over it stay Connecting.
     */
    public synchronized void setPortBlocked(int port, boolean blocked) {
        fleet("network", "--blocked-ports", blocked ? Integer.toString(port) : "");
    }

    /**
     * Reboots the node; with {@code runBootUnits} every enabled {@code drbd@<res>.target} runs
     * {@code drbdadm adjust <res>} as at a real boot.
     */
    public void reboot(String instanceId, boolean runBootUnits) {
        synchronized (this) {
            requireLive(instanceId);
            fleet("reboot", "--instance-id", instanceId, "--boot-units", Boolean.toString(runBootUnits));
        }
        listeners.forEach(l -> l.accept(instanceId, NodeEvent.REBOOTED));
    }

    /** Output of a command run on a node with {@link #exec}. */
    public record ExecResult(int exitCode, String stdout, String stderr) {
    }

    /**
     * Runs one command on a live node, in the node's environment (its simulated commands first on
     * PATH), as an operator or a fault injection would: e.g. {@code exec(id, "mkfs.ext4",
     * "/dev/drbdpool/r0")} or {@code exec(id, "drbdadm", "down", "r0")}. The call is logged in the
     * node's calls like a script's.
     */
    public ExecResult exec(String instanceId, String... command) {
        requireLive(instanceId);
        if (command.length == 0) {
            throw new IllegalArgumentException("exec needs a command");
        }
        SimulatedNode node = known(instanceId);
        List<String> argv = new ArrayList<>(List.of("/bin/bash", "-c", "exec \"$@\"", "bash"));
        argv.addAll(List.of(command));
        try {
            Path out = Files.createTempFile(node.directory(), "exec", ".out");
            Path err = Files.createTempFile(node.directory(), "exec", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(argv).directory(node.directory().resolve("root").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
                pb.environment().clear();
                pb.environment().putAll(node.environment());
                Process p = pb.start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s on "
                        + instanceId);
                }
                return new ExecResult(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + String.join(" ", command) + " on " + instanceId, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    /**
     * What an application write did ({@link #write}).
     *
     * @param ok whether the write succeeded on the writing node
     * @param checksum the content id the nodes that took the write now hold, {@code null} on failure
     * @param writtenKiB how much of the writer's device holds data after the write
     * @param replicatedTo DRBD node-ids of the peers that took the write (protocol C)
     * @param error why the write failed, {@code null} when ok
     */
    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public record WriteResult(boolean ok, String checksum, long writtenKiB, List<Integer> replicatedTo, String error) {
    }

    /**
     * An application on the node writes the first {@code percent} of the DRBD device of r0, as DRBD
     * 9 takes it: needs the resource up, the local disk UpToDate, quorum and no other Primary
     * (auto-promote); replicates to the Connected UpToDate peers; peers not reached get out-of-sync
     * bits (and a new data generation, for a bitmap resync later); a full thin pool detaches that disk
     * (the write fails when no disk took it). The device is closed again (auto-demote) unless
     * {@link #appWrite} holds it open.
     */
    public WriteResult write(String instanceId, double percent) {
        requireLive(instanceId);
        return JSON.convertValue(fleet(true, "write", "--instance-id", instanceId, "--percent",
            Double.toString(percent), "--resource", "r0"), WriteResult.class);
    }

    /**
     * What the application's write of blocks did on one node ({@link #appWrite}).
     *
     * @param ok whether every block was acknowledged to the application (protocol C: local disk and
     *     every Connected UpToDate peer have it, with quorum)
     * @param error why the write failed, {@code null} when ok
     * @param acknowledged block index -> checksum of the content acknowledged (empty on failure)
     * @param attempted block index -> checksum of the content the write tried (acknowledged or not)
     * @param replicatedTo DRBD node-ids of the peers that took the write
     * @param role the writer's role after the write (auto-promote makes it Primary)
     */
    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public record AppWrite(boolean ok, String error, Map<Integer, String> acknowledged, Map<Integer, String> attempted,
        List<Integer> replicatedTo, String role) {
    }

    /**
     * One live node's DRBD device as the application and the invariant checks see it, all nodes read
     * under one fleet lock ({@link #deviceViews}).
     *
     * @param instanceId the node
     * @param up whether the resource is up
     * @param role Primary/Secondary, {@code null} when not up
     * @param disk local disk state, {@code null} when not up
     * @param quorum whether the node has quorum now (quorum majority)
     * @param openByApplication whether the application holds the device open there
     * @param blocks block index -> checksum of what the node's disk holds
     */
    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public record DeviceView(String instanceId, boolean up, String role, String disk, boolean quorum,
        boolean openByApplication, Map<Integer, String> blocks) {
    }

    /**
     * The application on the node opens the DRBD device of r0 (auto-promote) and writes blocks
     * {@code first .. first+count-1} (4 KiB each) with new content, keeping the device open. As DRBD 9:
     * the open fails (nothing written) when a connected peer is Primary, the local disk is not UpToDate
     * or there is no quorum; a Primary that lost quorum acknowledges nothing, though the write may have
     * reached its disk and the peers it is connected to ({@link AppWrite#attempted}); protocol C
     * acknowledges once the local disk and every connected UpToDate peer (and SyncTarget) have it;
     * the others get out-of-sync bits for the blocks.
     */
    public AppWrite appWrite(String instanceId, int first, int count) {
        requireLive(instanceId);
        if (first < 0 || count < 1) {
            throw new IllegalArgumentException("appWrite needs first >= 0 and count >= 1, got " + first + ", " + count);
        }
        return JSON.convertValue(fleet(true, "app-write", "--instance-id", instanceId, "--first", Integer.toString(first),
            "--count", Integer.toString(count), "--resource", "r0"), AppWrite.class);
    }

    /**
     * The application closes the device on the node (auto-demote to Secondary unless promoted with
     * {@code drbdadm primary}); no-op when not open there, the resource is down or the node terminated.
     */
    public void appClose(String instanceId) {
        known(instanceId);
        if (!isOnline(instanceId)) {
            return;
        }
        fleet("app-close", "--instance-id", instanceId, "--resource", "r0");
    }

    /** Every live node's device, read under one fleet lock (one consistent instant). */
    public List<DeviceView> deviceViews() {
        return JSON.convertValue(fleet("device-views", "--resource", "r0").path("views"), new TypeReference<>() { });
    }

    /**
     * Whether DRBD traffic between the two nodes is dropped both ways (a partition between them), or
     * flows again: their connection goes Connecting, quorum counts without it. The other blocked pairs
     * and the blocked ports stay as they are.
     */
    public synchronized void setLinkBlocked(String instanceA, String instanceB, boolean blocked) {
        String a = known(instanceA).privateIp();
        String b = known(instanceB).privateIp();
        if (a.equals(b)) {
            throw new IllegalArgumentException("A link needs two nodes, got " + instanceA + " twice");
        }
        String link = a.compareTo(b) < 0 ? a + "-" + b : b + "-" + a;
        if (blocked) {
            blockedLinks.add(link);
        } else {
            blockedLinks.remove(link);
        }
        fleet("network", "--blocked-links", String.join(",", blockedLinks));
    }

    /** What the node holds now. */
    public NodeSnapshot snapshot(String instanceId) {
        known(instanceId);
        return JSON.convertValue(fleet("snapshot", "--instance-id", instanceId), NodeSnapshot.class);
    }

    /**
     * Every command the document scripts called on the node, in order, one line each ("drbdadm up
     * r0"); the calls the real drbdadm made on their behalf are left out, the secret never appears.
     */
    public List<String> calls(String instanceId) {
        SimulatedNode node = known(instanceId);
        try {
            List<String> calls = new ArrayList<>();
            for (String line : Files.readAllLines(node.directory().resolve("calls.log"), StandardCharsets.UTF_8)) {
                if (!line.isBlank() && !line.startsWith(" ")) {
                    calls.add(line);
                }
            }
            return calls;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the calls of " + instanceId, e);
        }
    }

    /** The node, if the fleet ever had it. */
    public synchronized Optional<SimulatedNode> node(String instanceId) {
        return Optional.ofNullable(nodes.get(instanceId));
    }

    /** Every node ever added, terminated ones included, in order of addition. */
    public synchronized List<SimulatedNode> nodes() {
        return List.copyOf(nodes.values());
    }

    /**
     * Whether the instance is running (added and not terminated), whatever its SSM agent does: SSM
     * accepts commands for it (they wait for the agent, see {@link #isAgentOnline}).
     */
    public synchronized boolean isOnline(String instanceId) {
        return Boolean.FALSE.equals(terminated.get(instanceId));
    }

    /**
     * Whether the node's SSM agent is connected: the instance is running and its agent was not set
     * offline. DescribeInstanceInformation reports ConnectionLost otherwise, and commands wait for
     * delivery.
     */
    public synchronized boolean isAgentOnline(String instanceId) {
        return isOnline(instanceId) && !agentOffline.contains(instanceId);
    }

    /**
     * Disconnects or reconnects the node's SSM agent (a stopped agent, lost network to the SSM
     * endpoint) while the instance keeps running. A terminated node's agent is offline for good.
     *
     * @throws IllegalStateException when bringing the agent of a terminated node online
     */
    public synchronized void setAgentOnline(String instanceId, boolean online) {
        known(instanceId);
        if (online && !isOnline(instanceId)) {
            throw new IllegalStateException("Node " + instanceId + " is terminated: its agent stays offline");
        }
        if (online) {
            agentOffline.remove(instanceId);
        } else {
            agentOffline.add(instanceId);
        }
    }

    /** The environment SSM commands run in on this node. */
    public Map<String, String> environment(String instanceId) {
        return known(instanceId).environment();
    }

    public Path sandboxRoot() {
        return sandboxRoot;
    }

    public Path projectRoot() {
        return projectRoot;
    }

    public CompressedTime time() {
        return time;
    }

    /** Called after a node is terminated or rebooted (the SSM emulator stops its running commands). */
    public void addListener(BiConsumer<String, NodeEvent> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void close() {
        listeners.clear();
    }

    private synchronized SimulatedNode known(String instanceId) {
        SimulatedNode node = nodes.get(instanceId);
        if (node == null) {
            throw new IllegalArgumentException("No node " + instanceId + " in the fleet " + sandboxRoot);
        }
        return node;
    }

    private void requireLive(String instanceId) {
        known(instanceId);
        if (!isOnline(instanceId)) {
            throw new IllegalStateException("Node " + instanceId + " is terminated");
        }
    }

    private static void requireGiB(int gib, String name) {
        if (gib < 1 || gib > 99_999) {
            throw new IllegalArgumentException(name + " must be 1..99999 GiB, got " + gib);
        }
    }

    private static void require(Pattern pattern, String value, String name) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(name + " must match " + pattern + ", got " + value);
        }
    }

    private JsonNode fleet(String op, String... args) {
        return fleet(false, op, args);
    }

    /** Runs a fleet operation; with {@code exit1IsResult} an exit code 1 still returns its JSON. */
    private JsonNode fleet(boolean exit1IsResult, String op, String... args) {
        List<String> cmd = new ArrayList<>(List.of(python, "-E", "-s", nodesim.toString(), "fleet", op,
            "--fleet", sandboxRoot.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("nodesim fleet " + op + " did not finish in 60 s");
            }
            if (p.exitValue() != 0 && !(exit1IsResult && p.exitValue() == 1 && out.length > 0)) {
                throw new IllegalStateException("nodesim fleet " + op + " failed (exit " + p.exitValue() + "): "
                    + new String(err, StandardCharsets.UTF_8).strip());
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            return JSON.readTree(text.substring(text.lastIndexOf('\n') + 1));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running nodesim fleet " + op, e);
        }
    }

    /**
     * The python3 that runs the simulated commands: system property {@code rehearsal.python} or
     * environment NODESIM_PYTHON, else /usr/bin/python3, else the one on PATH (resolved to its real
     * executable, so a version-manager shim does not slow every simulated command down).
     */
    private static String findPython() {
        String configured = System.getProperty("rehearsal.python", System.getenv("NODESIM_PYTHON"));
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        if (Files.isExecutable(Path.of("/usr/bin/python3"))) {
            return "/usr/bin/python3";
        }
        try {
            Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").start();
            String exe = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && !exe.isEmpty()) {
                return exe;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("No python3 found for the node simulator", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("No python3 found for the node simulator");
    }
}
