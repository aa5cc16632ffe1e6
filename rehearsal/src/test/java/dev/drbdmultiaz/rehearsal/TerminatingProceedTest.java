package dev.drbdmultiaz.rehearsal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.rehearsal.aws.AutoScalingFront;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.nodes.NodeFaults;
import dev.drbdmultiaz.rehearsal.nodes.NodeFleet;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import dev.drbdmultiaz.rehearsal.support.Net;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * After its terminate action ends, an instance shuts down in Terminating:Proceed: the group still
 * lists it and its node still runs for {@link LifecycleModel#SHUTDOWN} (scaled); then it is
 * Terminated, gone from the listing, and only then its node stops ("Amazon EC2 Auto Scaling
 * instance lifecycle", Lifecycle hooks).
 */
@DisplayName("Rehearsal Auto Scaling: Terminating:Proceed")
@Timeout(120)
class TerminatingProceedTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final CompressedTime TIME = CompressedTime.of(0.05);
    private static final List<String> ZONES = List.of("z-1a", "z-1b", "z-1c");
    private static final String ID = "i-0123456789abcdef0";

    private static LifecycleModel model(Duration terminateHeartbeat) {
        return model("g", terminateHeartbeat);
    }

    private static LifecycleModel model(String group, Duration terminateHeartbeat) {
        return new LifecycleModel(group, new LifecycleModel.Hook("g-launch", Duration.ofHours(1), LifecycleModel.ABANDON),
            new LifecycleModel.Hook("g-terminate", terminateHeartbeat, LifecycleModel.CONTINUE), ZONES, TIME);
    }

    /** The group as DescribeAutoScalingGroups answers it; moto removed the instance when it began terminating. */
    private static String listing(AutoScalingFront front) {
        String moto = "<DescribeAutoScalingGroupsResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">"
            + "<DescribeAutoScalingGroupsResult><AutoScalingGroups><member><AutoScalingGroupName>g</AutoScalingGroupName>"
            + "<Instances/></member></AutoScalingGroups></DescribeAutoScalingGroupsResult>"
            + "</DescribeAutoScalingGroupsResponse>";
        return new String(front.rewriteGroups(moto.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("a completed terminate action leaves the instance listed in Terminating:Proceed with its node running;"
        + " after the shutdown time it has left the group and its node is stopped")
    void completedTerminateProceedsThenTerminates(@TempDir Path dir) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<LifecycleModel.Completion> heard = new CopyOnWriteArrayList<>();
        try (NodeFleet fleet = new NodeFleet(dir.resolve("fleet"), ROOT, TIME);
             LifecycleModel model = model(Duration.ofHours(1));
             AutoScalingFront front = AutoScalingFront.start(URI.create("http://127.0.0.1:1"), model,
                 new CredentialAuthority())) {
            fleet.addNode(ID, "ip-10-0-0-1", "10.0.0.1", "z-1a", NodeFaults.none());
            model.launched(ID, "10.0.0.1");
            model.complete("g", "g-launch", ID, LifecycleModel.CONTINUE);
            model.terminating(ID);
            model.onCompletion(heard::add);
            // Watches only what follows the completion: the driver's launch and terminate
            // reactions need the whole account (events, moto), so it starts after them.
            try (GroupDriver group = new GroupDriver(null, null, null, model, fleet,
                new Progress(new PrintStream(log, true, StandardCharsets.UTF_8), false))) {
                Instant completed = Instant.now();
                model.complete("g", "g-terminate", ID, LifecycleModel.CONTINUE);

                assertEquals(LifecycleModel.State.TERMINATING_PROCEED, model.find(ID).orElseThrow().state());
                assertTrue(listing(front).contains("<InstanceId>" + ID + "</InstanceId>")
                    && listing(front).contains("<LifecycleState>Terminating:Proceed</LifecycleState>"), listing(front));
                assertTrue(fleet.isOnline(ID), "the instance still runs while it shuts down");
                assertEquals(List.of("terminate"), heard.stream().map(LifecycleModel.Completion::transition).toList(),
                    "the completion is heard when it is made");
                assertTrue(model.pendingActions().isEmpty(), "no action is pending in Terminating:Proceed");
                assertFalse(log.toString(StandardCharsets.UTF_8).contains("instance " + ID + " terminated"));

                // The driver notes the termination after the node stopped: awaiting the note as well
                // keeps a loaded machine from reading the log between the two.
                Net.await(Duration.ofSeconds(30), "the node of " + ID + " was not stopped", () -> !fleet.isOnline(ID)
                    && log.toString(StandardCharsets.UTF_8).contains("instance " + ID + " terminated"));
                Duration ran = Duration.between(completed, Instant.now());
                assertTrue(ran.compareTo(TIME.scaled(LifecycleModel.SHUTDOWN)) >= 0, "it ran " + ran + " after the"
                    + " completion, less than the shutdown time " + TIME.scaled(LifecycleModel.SHUTDOWN));
                assertEquals(LifecycleModel.State.TERMINATED, model.find(ID).orElseThrow().state());
                assertFalse(listing(front).contains(ID), listing(front));
                assertEquals(1, heard.size(), "one completion, heard once");
                assertEquals(List.of(), group.asyncFailures());
            }
        }
    }

    @Test
    @DisplayName("a terminate action ended by its timeout (DefaultResult) proceeds the same way before the instance"
        + " is terminated")
    void timedOutTerminateProceedsThenTerminates() {
        List<String> terminated = new CopyOnWriteArrayList<>();
        try (LifecycleModel model = model(Duration.ofSeconds(10))) {
            model.onTerminated(instance -> terminated.add(instance.instanceId()));
            model.launched(ID, "10.0.0.1");
            model.complete("g", "g-launch", ID, LifecycleModel.CONTINUE);
            model.terminating(ID);
            Net.await(Duration.ofSeconds(10), "the terminate action did not time out",
                () -> !model.completions().stream().filter(c -> "terminate".equals(c.transition())).toList().isEmpty());
            assertEquals(LifecycleModel.Cause.HEARTBEAT_TIMEOUT, model.completions().get(1).cause());
            assertEquals(List.of(), terminated);
            Net.await(Duration.ofSeconds(10), ID + " was not terminated", () -> !terminated.isEmpty());
            assertEquals(List.of(ID), terminated);
            assertEquals(List.of(), model.live());
        }
    }

    @Test
    @DisplayName("closing the model with a shutdown under way leaves no timer thread; the instance stays in"
        + " Terminating:Proceed")
    void closeDropsPendingShutdowns() {
        List<String> terminated = new CopyOnWriteArrayList<>();
        LifecycleModel model = model("g-closed", Duration.ofHours(1));
        model.onTerminated(instance -> terminated.add(instance.instanceId()));
        model.launched(ID, "10.0.0.1");
        model.complete("g-closed", "g-launch", ID, LifecycleModel.CONTINUE);
        model.terminating(ID);
        model.complete("g-closed", "g-terminate", ID, LifecycleModel.CONTINUE);
        model.close();
        assertTrue(Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> "lifecycle-timeouts g-closed".equals(t.getName()) && t.isAlive()),
            "the model's timer thread still runs");
        Net.sleep(TIME.scaled(LifecycleModel.SHUTDOWN).plusSeconds(1).toMillis());
        assertEquals(List.of(), terminated);
        assertEquals(LifecycleModel.State.TERMINATING_PROCEED, model.find(ID).orElseThrow().state());
    }
}
