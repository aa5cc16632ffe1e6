package dev.drbdmultiaz.rehearsal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.nodes.CommandRecord;
import dev.drbdmultiaz.rehearsal.nodes.NodeSnapshot;
import dev.drbdmultiaz.rehearsal.scenarios.Scenarios;
import dev.drbdmultiaz.rehearsal.timeline.TimelineFiles;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The rehearsal's scenarios (issue 5), each run through the same driver as bin/rehearse: the
 * real state machine on aws-local-stepfunctions, the real handlers in a Lambda host JVM, the real
 * document scripts on simulated nodes, moto for DynamoDB / EC2 / Auto Scaling. Assertions on the
 * nodes' final states (NodeFleet snapshots), on what the nodes were sent (SSM commands) and on the
 * report. Each scenario's progress goes to {@code target/rehearsal/<scenario>.log}.
 *
 * <p>Every scenario of the registry ({@link Scenarios}) gets its verdict checked by
 * {@link #everyRegisteredScenarioEndsAsDesigned()}, so a newly registered one is tested without an
 * edit here; the methods before it assert more on the same runs, scenario by scenario.
 */
@DisplayName("Rehearsal scenarios")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@org.junit.jupiter.api.parallel.Execution(org.junit.jupiter.api.parallel.ExecutionMode.CONCURRENT)
class RehearsalScenariosTest {

    /** Fast but still ordered like AWS: install ~0.6 s, resync ~0.6 s, command poll 100 ms. */
    private static final double TIME_SCALE = 0.01;
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path LOGS = Path.of(System.getProperty("rehearsal.logDir", "target/rehearsal"));
    private static final Map<String, java.util.concurrent.CompletableFuture<Rehearsal.Result>> RESULTS =
        new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    static void prerequisites() {
        requireOnPath("moto_server", "run the tests with bin/test, which installs the moto pinned in"
            + " bin/lib/python-tools.txt into .tools/bin (or says how to get it)");
        requireOnPath("npx", "install Node.js 20+ and npm (apt-get install nodejs npm); the rehearsal fetches Node 22 with npx");
        requireOnPath("python3", "install Python 3 (apt-get install python3): the simulated nodes run on it");
        if (!Files.isExecutable(Path.of("/usr/sbin/drbdadm"))) {
            fail("The simulated nodes parse configs with the real drbdadm: apt-get install drbd-utils");
        }
        if (!Files.isRegularFile(ROOT.resolve("node_modules/aws-local-stepfunctions/package.json"))) {
            fail("node_modules/aws-local-stepfunctions is missing: run `npm ci` in " + ROOT);
        }
    }

    private static void requireOnPath(String tool, String hint) {
        boolean found = List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).stream()
            .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
        if (!found) {
            fail(tool + " is not on PATH: " + hint);
        }
    }

    /** Runs the registered scenario {@code name} once (see {@link #run(Scenario)}). */
    private static Rehearsal.Result run(String name) {
        return run(Scenarios.named(name));
    }

    /**
     * Runs a scenario once (results are shared between the tests that need them). Scenarios run
     * two at a time (junit-platform.properties): each has its own sandbox, ports and processes.
     */
    private static Rehearsal.Result run(Scenario scenario) {
        var mine = new java.util.concurrent.CompletableFuture<Rehearsal.Result>();
        var existing = RESULTS.putIfAbsent(scenario.name(), mine);
        if (existing != null) {
            return existing.join();
        }
        try {
            Rehearsal.Result result = execute(scenario);
            mine.complete(result);
            return result;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        }
    }

    private static Rehearsal.Result execute(Scenario s) {
        {
            try {
                Files.createDirectories(LOGS);
                Path log = LOGS.resolve(s.name() + ".log");
                RehearsalOptions options = RehearsalOptions.defaults(s, ROOT)
                    .withTimeScale(Math.max(TIME_SCALE, s.minimumTimeScale()))
                    .withReport(LOGS.resolve(s.name() + ".json"));
                try (PrintStream out = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
                    Rehearsal.Result result = Rehearsal.run(options, out);
                    RehearsalReport report = result.report();
                    System.out.printf("rehearsal %s: %s in %.1f s (%d SSM rounds, %d state transitions); log %s%n",
                        s.name(), report.result(), report.wallTimeSeconds(), report.ssmRounds(),
                        report.stateTransitions(), log);
                    return result;
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static String why(Rehearsal.Result result) {
        return "scenario " + result.report().scenario() + " (" + result.report().failure() + "); see "
            + LOGS.resolve(result.report().scenario() + ".log").toAbsolutePath();
    }

    private static List<NodeSnapshot> live(Rehearsal.Result result) {
        return result.snapshots().values().stream().filter(s -> !s.terminated()).toList();
    }

    private static void assertConverged(Rehearsal.Result result, int nodes) {
        result.report().executions().forEach(e -> assertEquals("SUCCEEDED", e.status(), e.name() + ": " + e.cause()));
        assertClusterConverged(result, nodes);
    }

    /** Every live node UpToDate and Connected to every other, own node-ids, nothing pending, the lock free. */
    private static void assertClusterConverged(Rehearsal.Result result, int nodes) {
        RehearsalReport report = result.report();
        assertTrue(report.passed(), why(result));
        List<NodeSnapshot> live = live(result);
        assertEquals(nodes, live.size(), why(result));
        for (NodeSnapshot node : live) {
            assertTrue(node.up(), node.instanceId() + " is down");
            assertEquals("UpToDate", node.disk(), node.instanceId() + " disk");
            assertEquals(nodes - 1, node.peers().size(), node.instanceId() + " peers " + node.peers());
            node.peers().forEach(peer -> {
                assertEquals("Connected", peer.connection(), node.instanceId() + " → " + peer);
                assertEquals("UpToDate", peer.peerDisk(), node.instanceId() + " → " + peer);
            });
        }
        Set<Integer> nodeIds = report.cluster().stream().map(RehearsalReport.ClusterRow::nodeId)
            .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(nodes, nodeIds.size(), "every member has its own node-id: " + report.cluster());
        assertEquals(List.of(), report.lifecycle().pending(), "no lifecycle action may be left pending (I4)");
        assertNull(report.lockHolder(), "the cluster lock must be free at the end");
    }

    private static List<CommandRecord> commandsIn(Rehearsal.Result result, String phase) {
        RehearsalReport report = result.report();
        int skip = 0;
        for (RehearsalReport.Phase p : report.phases()) {
            if (p.name().equals(phase)) {
                return result.commands().subList(skip, skip + p.ssmRounds());
            }
            skip += p.ssmRounds();
        }
        throw new AssertionError("no phase " + phase);
    }

    private static long sent(List<CommandRecord> commands, String document) {
        return commands.stream().filter(c -> c.documentFile().equals(document)).count();
    }

    private static Set<String> targetsOf(List<CommandRecord> commands, String document) {
        return commands.stream().filter(c -> c.documentFile().equals(document))
            .flatMap(c -> c.targets().stream()).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    @Order(1)
    @DisplayName("fresh: 3 nodes from nothing are UpToDate, sync skipped exactly once, create-md once per node, every launch CONTINUEd")
    void fresh() throws IOException {
        Rehearsal.Result result = run("fresh");
        assertConverged(result, 3);
        List<NodeSnapshot> nodes = live(result);
        assertEquals(1, nodes.stream().mapToInt(NodeSnapshot::syncSkipCount).sum(), "sync-skip exactly once (I2)");
        nodes.forEach(n -> assertEquals(1, n.createMdCount(), "create-md once on " + n.instanceId() + " (I1)"));
        assertEquals(1, nodes.stream().map(NodeSnapshot::currentUuid).distinct().count(),
            "every node holds the same data generation after the skip");
        List<LifecycleModel.Completion> completions = result.completions();
        assertEquals(3, completions.size(), completions.toString());
        completions.forEach(c -> {
            assertEquals("launch", c.transition());
            assertEquals(LifecycleModel.CONTINUE, c.result());
        });
        assertEquals(1, result.report().executions().size(),
            "the three launch events coalesce into one reconcile, before the other two start one: "
                + result.report().executions());

        JsonNode written = new ObjectMapper().readTree(LOGS.resolve("fresh.json").toFile());
        for (String field : List.of("scenario", "result", "executions", "stateTransitions", "ssmCommands",
            "mutatingSsmCommands", "ssmRounds", "lifecycle", "wallTimeSeconds")) {
            assertTrue(written.has(field), "report field " + field + " in " + written);
        }
        assertEquals(3, written.path("lifecycle").path("continued").asInt());
        assertEquals(result.commands().size(), written.path("ssmRounds").asInt());
        assertEquals(result.report().executions().stream().mapToInt(RehearsalReport.ExecutionReport::stateTransitions)
            .sum(), written.path("stateTransitions").asInt(), written.toString());
        assertTimelinesWritten(result, LOGS.resolve("fresh.json"));
    }

    /**
     * Next to the report, one timeline SVG per execution: well-formed XML; over all of them one
     * bar per SSM invocation and one band per command the nodes received, and node-side seconds
     * adding up to the report's.
     */
    private static void assertTimelinesWritten(Rehearsal.Result result, Path reportFile) {
        RehearsalReport report = result.report();
        int invocations = 0;
        int rounds = 0;
        double nodeSide = 0;
        for (RehearsalReport.ExecutionReport execution : report.executions()) {
            Path file = TimelineFiles.of(reportFile, execution.name());
            assertTrue(Files.isRegularFile(file), "timeline of " + execution.name() + " at " + file);
            Document svg;
            try {
                svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
            } catch (Exception e) {
                throw new AssertionError(file + " is not well-formed XML", e);
            }
            invocations += elementsOfClass(svg, "rect", "invocation").size();
            rounds += elementsOfClass(svg, "rect", "round").size();
            List<String> totals = elementsOfClass(svg, "text", "total").stream().map(Element::getTextContent).toList();
            assertEquals(1, totals.size(), file.toString());
            var seconds = Pattern.compile("= ([0-9.]+) s node-side").matcher(totals.get(0));
            assertTrue(seconds.find(), totals.get(0));
            nodeSide += Double.parseDouble(seconds.group(1));
        }
        assertEquals(result.commands().stream().mapToInt(c -> c.targets().size()).sum(), invocations,
            "one bar per invocation the nodes received");
        assertEquals(result.commands().size(), rounds, "one round per SSM command");
        assertEquals(report.nodeSideSeconds(), nodeSide, 0.05 * report.executions().size(),
            "the timelines split node-side time as the report does");
    }

    private static List<Element> elementsOfClass(Document svg, String tag, String cssClass) {
        NodeList nodes = svg.getElementsByTagName(tag);
        List<Element> found = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Element element = (Element) nodes.item(i);
            if (List.of(element.getAttribute("class").split(" ")).contains(cssClass)) {
                found.add(element);
            }
        }
        return found;
    }

    @Test
    @Order(2)
    @DisplayName("readjust-noop: a re-adjust right after a fresh cluster sends zero mutating SSM commands")
    void readjustNoop() {
        Rehearsal.Result result = run("readjust-noop");
        assertConverged(result, 3);
        RehearsalReport.Phase readjust = result.report().phase("readjust");
        assertEquals(1, readjust.executions().size(), readjust.toString());
        assertTrue(readjust.ssmRounds() >= 1, "the re-adjust observes the nodes: " + readjust);
        assertEquals(0, readjust.mutatingSsmCommands(), "a converged cluster needs no mutating command: " + readjust);
        commandsIn(result, "readjust").forEach(c -> assertFalse(c.mutating(), c.toString()));
        live(result).forEach(n -> assertEquals(1, n.createMdCount(), n.instanceId()));
        assertEquals(1, live(result).stream().mapToInt(NodeSnapshot::syncSkipCount).sum());
    }

    @Test
    @Order(3)
    @DisplayName("reboot: a node whose resource is down after a reboot comes up again, without create-md or a new data generation")
    void reboot() {
        Rehearsal.Result result = run("reboot");
        assertConverged(result, 3);
        NodeSnapshot rebooted = result.node("rebooted");
        assertEquals(1, rebooted.createMdCount(), "metadata survives a reboot: no create-md (I1)");
        List<CommandRecord> commands = commandsIn(result, "reboot");
        assertEquals(0, sent(commands, "drbd-create-md"), "no create-md after a reboot");
        assertEquals(0, sent(commands, "drbd-skip-initial-sync"), "no sync-skip after a reboot (I2)");
        assertEquals(0, sent(commands, "drbd-install") + sent(commands, "drbd-prepare-lvm"), commands.toString());
        assertTrue(targetsOf(commands, "drbd-up").contains(rebooted.instanceId()), "drbd-up brings the rebooted node up");
        assertEquals(1, live(result).stream().map(NodeSnapshot::currentUuid).distinct().count(),
            "the rebooted node rejoins the same data generation");
        assertEquals(1, live(result).stream().mapToInt(NodeSnapshot::syncSkipCount).sum());
    }

    @Test
    @Order(4)
    @DisplayName("replace: the terminated node is removed and forgotten, its replacement gets a new node-id, create-md only on it, a full resync")
    void replace() {
        Rehearsal.Result result = run("replace");
        assertConverged(result, 3);
        NodeSnapshot replaced = result.node("replaced");
        NodeSnapshot replacement = result.node("replacement");
        assertTrue(replaced.terminated(), "the replaced instance terminates once its terminate action completes");
        List<NodeSnapshot> survivors = live(result).stream()
            .filter(n -> !n.instanceId().equals(replacement.instanceId())).toList();
        assertEquals(2, survivors.size());

        List<CommandRecord> commands = commandsIn(result, "replace");
        List<CommandRecord> forget = commands.stream().filter(c -> c.documentFile().equals("drbd-forget-peer")).toList();
        assertEquals(1, forget.size(), "one forget-peer round: " + commands);
        int departedId = Integer.parseInt(forget.get(0).parameters().get("PeerNodeId").get(0));
        assertEquals(survivors.stream().map(NodeSnapshot::instanceId).collect(Collectors.toCollection(TreeSet::new)),
            new TreeSet<>(forget.get(0).targets()), "every survivor forgets the departed peer (I6)");
        survivors.forEach(s -> {
            assertTrue(s.peer(departedId).isEmpty(), s.instanceId() + " still has a connection to node-id " + departedId);
            assertTrue(s.peers().stream().noneMatch(p -> p.name().equals(replaced.hostname())),
                s.instanceId() + " still names the departed host");
        });
        RehearsalReport.ClusterRow newRow = result.report().cluster().stream()
            .filter(r -> r.node().equals(replacement.instanceId())).findFirst().orElseThrow();
        assertNotNull(newRow.nodeId(), "the replacement gets a node-id");
        assertTrue(newRow.nodeId() != departedId, "the departed node-id is not reused before everyone forgot it");

        assertEquals(Set.of(replacement.instanceId()), targetsOf(commands, "drbd-create-md"), "create-md only on the new node");
        assertEquals(1, replacement.createMdCount());
        survivors.forEach(s -> assertEquals(1, s.createMdCount(), s.instanceId()));
        assertEquals(0, sent(commands, "drbd-skip-initial-sync"), "a replacement joins with a full resync, never a skip (I2)");
        assertEquals(0, replacement.syncSkipCount());
        assertEquals(1, live(result).stream().map(NodeSnapshot::currentUuid).distinct().count(),
            "the replacement holds the survivors' data generation: it was resynced from them");
        survivors.forEach(s -> {
            assertTrue(targetsOf(commands, "drbd-write-config").contains(s.instanceId()), "config rewritten on " + s.instanceId());
            assertTrue(targetsOf(commands, "drbd-up").contains(s.instanceId()), "survivor adjusted: " + s.instanceId());
        });
        assertTrue(result.completions().stream().anyMatch(c -> c.instanceId().equals(replaced.instanceId())
            && c.transition().equals("terminate") && c.result().equals(LifecycleModel.CONTINUE)), result.completions().toString());
        assertTrue(result.completions().stream().anyMatch(c -> c.instanceId().equals(replacement.instanceId())
            && c.transition().equals("launch") && c.result().equals(LifecycleModel.CONTINUE)), result.completions().toString());
    }

    @Test
    @Order(5)
    @DisplayName("scale-5: 5 nodes from nothing converge in as many SSM rounds as 3")
    void scale5() {
        Rehearsal.Result five = run("scale-5");
        assertConverged(five, 5);
        Rehearsal.Result three = run("fresh");
        assertEquals(three.report().ssmRounds(), five.report().ssmRounds(),
            "one SSM round per step, whatever the size: 3 nodes " + three.report().ssmRounds() + ", 5 nodes "
                + five.report().ssmRounds());
        live(five).forEach(n -> assertEquals(1, n.createMdCount(), n.instanceId()));
        assertEquals(1, live(five).stream().mapToInt(NodeSnapshot::syncSkipCount).sum());
        assertEquals(5, five.completions().stream().filter(c -> c.result().equals(LifecycleModel.CONTINUE)).count());
    }

    @Test
    @Order(6)
    @DisplayName("burst: 3 launch events and a re-adjust at once run one reconcile at a time, complete every action, repeat no work")
    void burst() {
        Rehearsal.Result result = run("burst");
        assertConverged(result, 3);
        RehearsalReport report = result.report();
        assertEquals(1, report.executions().size(), "one reconcile takes the lock, the other events coalesce into it"
            + " without an execution of their own (I5): " + report.executions());
        assertTrue(report.executions().get(0).lockAcquired());
        assertEquals(3, result.completions().stream().filter(c -> c.result().equals(LifecycleModel.CONTINUE)).count());
        for (String document : List.of("drbd-install", "drbd-prepare-lvm", "drbd-write-config", "drbd-create-md",
            "drbd-up", "drbd-skip-initial-sync")) {
            assertEquals(1, sent(result.commands(), document), document + " sent once: no duplicate work");
        }
        live(result).forEach(n -> assertEquals(1, n.createMdCount(), n.instanceId()));
    }

    /** The faulty node's launch ABANDONed (its terminate CONTINUEd), the failing run named it, a follow-up converged. */
    private static void assertFailedThenReplaced(Rehearsal.Result result, String step) {
        RehearsalReport report = result.report();
        assertTrue(report.passed(), why(result));
        String faulty = result.roles().get("faulty");
        List<RehearsalReport.ExecutionReport> failed = report.executions().stream()
            .filter(e -> e.status().equals("FAILED")).toList();
        assertEquals(1, failed.size(), report.executions().toString());
        assertEquals("NodeStepFailed", failed.get(0).error());
        assertTrue(failed.get(0).cause().contains(faulty) && failed.get(0).cause().contains(step), failed.get(0).cause());
        assertTrue(report.executions().stream().anyMatch(e -> e.name().startsWith("followup-1-")
            && e.status().equals("SUCCEEDED")), "a follow-up run took over: " + report.executions());
        List<RehearsalReport.Action> faultyActions = report.lifecycle().actions().stream()
            .filter(a -> a.instanceId().equals(faulty)).toList();
        assertEquals(List.of(new RehearsalReport.Action(faulty, "launch", "ABANDON"),
            new RehearsalReport.Action(faulty, "terminate", "CONTINUE")), faultyActions,
            "only the failing node's launch is abandoned, and its terminate action is completed (I4)");
        report.lifecycle().actions().stream().filter(a -> !a.instanceId().equals(faulty))
            .forEach(a -> assertEquals("CONTINUE", a.result(), a.toString()));
        assertTrue(result.snapshots().get(faulty).terminated(), "the abandoned instance is terminated");
        assertConvergedAfter(result, failed.get(0));
    }

    /** Every execution but {@code failed} succeeded, and the cluster converged. */
    private static void assertConvergedAfter(Rehearsal.Result result, RehearsalReport.ExecutionReport failed) {
        result.report().executions().stream().filter(e -> e != failed)
            .forEach(e -> assertEquals("SUCCEEDED", e.status(), e.name() + ": " + e.cause()));
        assertClusterConverged(result, 3);
    }

    @Test
    @Order(7)
    @DisplayName("ssm-failure: install fails on one node: it alone is ABANDONed and replaced, a follow-up builds the cluster with the replacement")
    void ssmFailure() {
        Rehearsal.Result result = run("ssm-failure");
        assertFailedThenReplaced(result, "InstallDrbd");
        String faulty = result.roles().get("faulty");
        Set<String> documents = result.commands().stream().filter(c -> c.targets().contains(faulty))
            .map(CommandRecord::documentFile).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("drbd-status", "drbd-install"), documents, "nothing after the failed install on it");
        assertEquals(1, live(result).stream().mapToInt(NodeSnapshot::syncSkipCount).sum(),
            "the cluster is still brand-new when the follow-up builds it: one sync-skip (I2)");
    }

    @Test
    @Order(8)
    @DisplayName("foreign-disk: a data disk with another filesystem is refused and nothing is written to it; the node is replaced")
    void foreignDisk() {
        Rehearsal.Result result = run("foreign-disk");
        assertFailedThenReplaced(result, "PrepareLvm");
        String faulty = result.roles().get("faulty");
        RehearsalReport.ExecutionReport failed = result.report().executions().stream()
            .filter(e -> e.status().equals("FAILED")).findFirst().orElseThrow();
        assertTrue(failed.cause().contains("exit 3"), "refused by a safety guard (exit 3): " + failed.cause());
        NodeSnapshot disk = result.snapshots().get(faulty);
        assertEquals(List.of(), disk.lvm().physicalVolumes(), "no PV on the foreign disk");
        assertEquals(List.of(), disk.lvm().volumeGroups());
        assertFalse(disk.metadata(), "no DRBD metadata on the foreign disk");
        for (String writer : List.of("pvcreate", "vgcreate", "lvcreate", "wipefs", "mkfs.ext4", "drbdadm create-md")) {
            assertEquals(0, disk.callCount(writer), writer + " ran on the foreign disk: " + disk.calls());
        }
        assertEquals(0, result.commands().stream().filter(c -> c.targets().contains(faulty)
            && (c.documentFile().equals("drbd-write-config") || c.documentFile().equals("drbd-create-md"))).count(),
            "the faulty node gets nothing after the refusal");
    }

    @Test
    @Order(9)
    @DisplayName("replace-install-fails: a replacement whose install fails is ABANDONed and replaced; the cluster converges, no action times out")
    void replaceInstallFails() {
        Rehearsal.Result result = run("replace-install-fails");
        assertFailedThenReplaced(result, "InstallDrbd");
        assertTrue(result.node("replaced").terminated(), "the replaced member is let go once forgotten");
        assertEquals(3, result.report().cluster().size());
        assertEquals(1, result.snapshots().values().stream().mapToInt(NodeSnapshot::syncSkipCount).sum(),
            "one sync-skip in the cluster's life, none for a replacement (I2)");
        List<NodeSnapshot> nodes = live(result);
        assertEquals(1, nodes.stream().map(NodeSnapshot::currentUuid).distinct().count(),
            "the second replacement was resynced from the survivors");
    }

    @Test
    @Order(10)
    @DisplayName("replace-no-capacity: a departing member is kept in Terminating:Wait past its hook timeout by every run's heartbeats, then let go")
    void replaceNoCapacity() {
        Rehearsal.Result result = run("replace-no-capacity");
        assertConverged(result, 3);
        String replaced = result.roles().get("replaced");
        assertTrue(result.snapshots().get(replaced).terminated());
        RehearsalReport.Phase kept = result.report().phase("no-capacity");
        assertTrue(kept.executions().stream().filter(n -> n.startsWith("schedule-")).count() >= 2,
            "scheduled runs came while the member was kept: " + kept.executions());
        assertTrue(kept.lifecycle().heartbeats() >= 2, "the scheduled runs heartbeated the kept member: " + kept);
        assertEquals(0, kept.mutatingSsmCommands(), "keeping the member needs no change on the nodes");
        assertEquals(List.of("CONTINUE"), result.completions().stream()
            .filter(c -> c.instanceId().equals(replaced) && c.transition().equals("terminate"))
            .map(LifecycleModel.Completion::result).toList(), "let go once, by a run, not by a timeout");
    }

    @Test
    @Order(11)
    @DisplayName("coalesced-into-failure: a re-adjust coalesced into a run that fails leads to a follow-up run that repairs the cluster")
    void coalescedIntoFailure() {
        Rehearsal.Result result = run("coalesced-into-failure");
        RehearsalReport report = result.report();
        String rebooted = result.roles().get("rebooted");
        List<RehearsalReport.ExecutionReport> failed = report.executions().stream()
            .filter(e -> e.status().equals("FAILED")).toList();
        assertEquals(1, failed.size(), report.executions().toString());
        assertTrue(failed.get(0).lockAcquired(), "the run holding the lock failed: " + failed.get(0));
        assertTrue(failed.get(0).cause().contains(rebooted), failed.get(0).cause());
        List<RehearsalReport.ExecutionReport> followUps = report.executions().stream()
            .filter(e -> e.name().startsWith("followup-")).toList();
        assertEquals(1, followUps.size(), "exactly one follow-up: " + report.executions());
        assertEquals("SUCCEEDED", followUps.get(0).status());
        assertTrue(followUps.get(0).startedAtSeconds() > failed.get(0).startedAtSeconds(),
            "the failed run starts the follow-up on its failure path");
        assertTrue(followUps.get(0).lockAcquired(), "the follow-up waits its backoff, then takes the lock itself");
        assertTrue(targetsOf(commandsIn(result, "failing-run"), "drbd-up").contains(rebooted));
        assertEquals(2, sent(commandsIn(result, "failing-run"), "drbd-up"), "drbd-up once failed, once by the follow-up");
        assertConvergedAfter(result, failed.get(0));
    }

    @Test
    @Order(12)
    @DisplayName("launch-while-locked: a replacement launched while runs wait on offline agents is heartbeated past its hook timeout and joins")
    void launchWhileLocked() {
        Rehearsal.Result result = run("launch-while-locked");
        RehearsalReport report = result.report();
        assertTrue(report.passed(), why(result));
        report.executions().stream().filter(e -> !e.status().equals("SUCCEEDED"))
            .forEach(e -> assertEquals("AgentsOffline", e.error(), e.name() + ": " + e.cause()));
        String replacement = result.roles().get("replacement");
        List<LifecycleModel.Completion> launches = result.completions().stream()
            .filter(c -> c.instanceId().equals(replacement) && c.transition().equals("launch")).toList();
        assertEquals(1, launches.size(), launches.toString());
        assertEquals(LifecycleModel.CONTINUE, launches.get(0).result());
        assertEquals(LifecycleModel.Cause.COMPLETED, launches.get(0).cause(), "completed by a run, not by its timeout (I4)");
        assertTrue(report.phase("locked").lifecycle().heartbeats() >= 2, report.phase("locked").toString());
        assertEquals(1, result.node("replacement").createMdCount());
        assertEquals(0, sent(commandsIn(result, "locked"), "drbd-skip-initial-sync"), "the replacement is resynced (I2)");
        assertClusterConverged(result, 3);
    }

    private static List<String> deployShape(Rehearsal.Result result) {
        return result.report().deploys().stream().map(d -> d.requestType() + " " + d.status()).toList();
    }

    @Test
    @Order(13)
    @DisplayName("deploy: the CDK Provider framework's code answers Create and Update once the cluster converged, a failing"
        + " reconcile's reason, Delete at once")
    void deploy() {
        Rehearsal.Result result = run("deploy");
        RehearsalReport report = result.report();
        assertTrue(report.passed(), why(result));
        assertEquals(List.of("Create SUCCESS", "Update SUCCESS", "Update FAILED", "Update (rollback) SUCCESS",
            "Delete SUCCESS"), deployShape(result));
        String reason = report.deploys().get(2).reason();
        assertTrue(reason.contains("NodeStepFailed: Step UpOrAdjust failed on " + result.roles().get("rebooted")), reason);
        assertTrue(reason.contains("(102) Local address(port) already in use"), "the node's own words: " + reason);
        assertEquals(0, report.phase("delete").executions().stream().filter(n -> n.startsWith("deploy-")).count(),
            "Delete starts no reconcile: " + report.phase("delete"));
        assertEquals(1, report.phase("update").executions().stream().filter(n -> n.startsWith("deploy-")).count());
        assertTrue(targetsOf(commandsIn(result, "update"), "drbd-up").contains(result.roles().get("rebooted")),
            "the Update's reconcile brought the rebooted node up");
        assertEquals(1, live(result).stream().mapToInt(NodeSnapshot::syncSkipCount).sum(), "one sync-skip (I2)");
        assertClusterConverged(result, 3);
    }

    @Test
    @Order(14)
    @DisplayName("deploy-outlasted: a reconcile longer than CloudFormation waits fails the deploy in time, saying where it is")
    void deployOutlasted() {
        Rehearsal.Result result = run("deploy-outlasted");
        RehearsalReport report = result.report();
        assertTrue(report.passed(), why(result));
        assertEquals(List.of("Create FAILED", "Delete (rollback) SUCCESS"), deployShape(result));
        String reason = report.deploys().get(0).reason();
        assertTrue(reason.contains("is still running after") && reason.contains("it is at step "), reason);
        double cloudFormationWait = 3600 * Scenarios.named("deploy-outlasted").minimumTimeScale();
        assertTrue(report.deploys().get(0).seconds() < cloudFormationWait,
            "answered before CloudFormation's own timeout (" + cloudFormationWait + " s): " + report.deploys().get(0));
        assertConverged(result, 3);
    }
    @Test
    @Order(15)
    @DisplayName("no-connection: with the DRBD port blocked the run fails after its connection bound, through the real ASL,"
        + " ABANDONs the launches that never connected and releases the lock")
    void noConnection() {
        Rehearsal.Result result = run("no-connection");
        RehearsalReport report = result.report();
        assertTrue(report.passed(), why(result));
        List<RehearsalReport.ExecutionReport> failed = report.executions().stream()
            .filter(e -> !e.status().equals("SUCCEEDED")).toList();
        assertEquals(1, failed.size(), report.executions().toString());
        assertEquals("FAILED", failed.get(0).status());
        assertTrue(failed.get(0).error().endsWith("ConvergenceTimeoutException"), failed.get(0).toString());
        assertTrue(failed.get(0).cause().matches("(?s).* after \\d+ observations.*"), "the bound (the scenario"
            + " checks it is the stack's connectWaitMaxAttempts): " + failed.get(0).cause());
        for (String role : List.of("faulty0", "faulty1", "faulty2")) {
            String id = result.roles().get(role);
            assertEquals(List.of(LifecycleModel.ABANDON), result.completions().stream()
                .filter(c -> c.instanceId().equals(id) && c.transition().equals("launch"))
                .map(LifecycleModel.Completion::result).toList(), role + " never connected");
            assertTrue(result.snapshots().get(id).terminated(), role + " was replaced by the group");
        }
        assertEquals(0, sent(commandsIn(result, "blocked"), "drbd-skip-initial-sync"),
            "a mesh that never connected is never declared brand-new and in sync");
        assertClusterConverged(result, 3);
    }
    private static void assertSameData(Rehearsal.Result result, String... roles) {
        String written = result.node(roles[0]).data().checksum();
        assertNotNull(written, "the application wrote data before the fault");
        for (String role : roles) {
            NodeSnapshot node = result.node(role);
            assertEquals(written, node.data().checksum(), role + " holds what the application wrote");
            node.pools().forEach((name, pool) -> assertTrue(!pool.outOfDataSpace() && pool.usedKiB() <= pool.dataKiB(),
                role + " pool " + name + ": " + pool));
        }
    }

    @Test
    @Order(16)
    @DisplayName("replace-two: two of three members replaced at once join UpToDate from the survivor, data intact")
    void replaceTwo() {
        Rehearsal.Result result = run("replace-two");
        assertConverged(result, 3);
        assertSameData(result, "survivor", "replacement0", "replacement1");
        List<CommandRecord> commands = commandsIn(result, "replace-two");
        String survivor = result.roles().get("survivor");
        Set<String> forgotten = commands.stream().filter(c -> c.documentFile().equals("drbd-forget-peer"))
            .filter(c -> c.targets().contains(survivor))
            .map(c -> c.parameters().get("PeerNodeId").get(0)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(2, forgotten.size(), "the survivor forgot both departed peers: " + forgotten);
        assertEquals(0, sent(commands, "drbd-skip-initial-sync"), "replacements are resynced (I2)");
        for (String role : List.of("replacement0", "replacement1")) {
            assertEquals("full", result.node(role).data().lastResync(), role);
            assertEquals(1, result.node(role).createMdCount(), role);
        }
        assertEquals(1, result.node("survivor").createMdCount(), "the survivor's metadata stays");
    }

    @Test
    @Order(17)
    @DisplayName("replace-full-volume: a device written to 99% is resynced onto a replacement without any pool running full")
    void replaceFullVolume() {
        Rehearsal.Result result = run("replace-full-volume");
        assertConverged(result, 3);
        assertSameData(result, "node0", "node1", "replacement");
        NodeSnapshot replacement = result.node("replacement");
        assertEquals(1, replacement.pools().size(), replacement.pools().toString());
        long poolKiB = replacement.pools().values().iterator().next().dataKiB();
        assertEquals(1, replacement.thinVolumes().size(), replacement.thinVolumes().toString());
        replacement.thinVolumes().values().forEach(lv -> assertTrue(lv.virtualKiB() <= poolKiB,
            "the thin volume is not larger than its pool: " + lv + " " + replacement.pools()));
        live(result).forEach(n -> assertTrue(n.kernelEvents().stream().noneMatch(e -> e.contains("out-of-data-space")),
            n.instanceId() + ": " + n.kernelEvents()));
    }

    @Test
    @Order(18)
    @DisplayName("agent-lost: the reachable members converge without an unreachable one, which is replaced after"
        + " drbd:evictAfterMinutes")
    void agentLost() {
        Rehearsal.Result result = run("agent-lost");
        assertConverged(result, 3);
        String lost = result.roles().get("lost");
        assertTrue(result.snapshots().get(lost).terminated(), "the unreachable member was replaced");
        assertTrue(result.report().phase("lost").executions().size() >= 1);
        assertEquals(0, commandsIn(result, "lost").stream().filter(c -> c.targets().contains(lost)).count(),
            "no command goes to the unreachable member");
        assertSameData(result, "node0", "node1", "replacement");
        assertEquals(List.of(LifecycleModel.CONTINUE), result.completions().stream()
            .filter(c -> c.instanceId().equals(lost) && c.transition().equals("terminate"))
            .map(LifecycleModel.Completion::result).toList(),
            "its terminate action is completed by a run");
    }

    @Test
    @Order(19)
    @DisplayName("agent-lost-during-replace: a replacement joins while another member is unreachable")
    void agentLostDuringReplace() {
        Rehearsal.Result result = run("agent-lost-during-replace");
        assertConverged(result, 3);
        String lost = result.roles().get("lost");
        assertEquals(0, commandsIn(result, "replace").stream().filter(c -> c.targets().contains(lost)).count(),
            "no command reached the unreachable member while it was");
        assertTrue(targetsOf(commandsIn(result, "back"), "drbd-write-config").contains(lost),
            "the member learns the new config once its agent is back");
        assertSameData(result, "node0", "lost", "replacement");
    }

    @TestFactory
    @Order(100)
    @DisplayName("every registered scenario ends as designed (its own verdict)")
    Stream<DynamicTest> everyRegisteredScenarioEndsAsDesigned() {
        return Scenarios.all().stream().map(scenario -> DynamicTest.dynamicTest(scenario.name() + ": "
            + scenario.expectation(), () -> {
                Rehearsal.Result result = run(scenario);
                assertEquals(scenario.name(), result.report().scenario());
                assertTrue(result.report().passed(), why(result));
            }));
    }
}
