package dev.drbdmultiaz.rehearsal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.functions.trigger.TriggerEvents;
import dev.drbdmultiaz.functions.trigger.TriggerReconcileHandler;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import dev.drbdmultiaz.rehearsal.aws.EventBus;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.aws.StepFunctionsFront;
import dev.drbdmultiaz.rehearsal.stack.DeployedStack;
import dev.drbdmultiaz.rehearsal.stack.SynthesizedStack;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * EventBridge delivers at least once: a duplicated lifecycle event reaches the real
 * TriggerReconcile twice with the same event id, and one execution runs for it.
 */
@Timeout(120)
class DuplicatedLifecycleEventsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DUPLICATED = "i-0123456789abcdef0";
    private static final String SINGLE = "i-0fedcba9876543210";

    @Test
    @DisplayName("a duplicated launch event is delivered twice with the same id and starts one execution; a late copy finds it ended")
    void duplicatedEventStartsOneExecution() throws Exception {
        SynthesizedStack synthesized = SynthesizedStack.of(ROOT, RehearsalOptions.defaultFunctionsJar(ROOT), Map.of());
        DeployedStack stack = new DeployedStack(synthesized, synthesized.settings().region(), 1L);
        StackView view = new StackView(stack);
        CredentialAuthority authority = new CredentialAuthority();
        List<Process> runners = Collections.synchronizedList(new ArrayList<>());
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        CredentialAuthority.Issued issued = authority.issue("trigger");
        try (StepFunctionsFront sfn = StepFunctionsFront.start(authority);
             SfnClient client = SfnClient.builder().endpointOverride(sfn.endpoint()).region(Region.US_EAST_1)
                 .httpClient(UrlConnectionHttpClient.create())
                 .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                     issued.accessKeyId(), issued.secretAccessKey(), issued.sessionToken()))).build();
             LifecycleModel lifecycle = new LifecycleModel(view.groupName(), view.launchHookName(),
                 view.terminateHookName(), List.of("us-east-1a", "us-east-1b", "us-east-1c"))) {
            sfn.register(view.reconcileStateMachineArn(), execution -> {
                Process runner = new ProcessBuilder("sleep", "60").start();
                runners.add(runner);
                return runner;
            });
            TriggerReconcileHandler trigger = new TriggerReconcileHandler(new TriggerReconcileHandler.Config(
                view.reconcileStateMachineArn(), "registry", new TriggerEvents.Identity(view.clusterId(),
                    view.groupName(), view.launchHookName(), view.terminateHookName())), client, new FreeLockRegistry());
            EventBus bus = new EventBus(stack, (target, event) -> {
                delivered.add(event.path("detail").path("EC2InstanceId").asText() + "/" + event.path("id").asText());
                return invoke(trigger, event);
            });
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            AwsEvents events = new AwsEvents(stack, view, bus, sfn, new Progress(quiet, false));
            try (GroupDriver group = new GroupDriver(null, events, null, lifecycle, null, new Progress(quiet, false))) {
                group.duplicateLifecycleEvents((instanceId, transition) -> DUPLICATED.equals(instanceId));
                lifecycle.launched(DUPLICATED, "10.0.0.1");
                lifecycle.launched(SINGLE, "10.0.0.2");
                for (int i = 0; i < 1500 && group.inFlight() > 0; i++) {
                    Thread.sleep(20);
                }
                assertEquals(0, group.inFlight());
                assertEquals(List.of(), group.asyncFailures());
            }
            List<String> copies = delivered.stream().filter(d -> d.startsWith(DUPLICATED)).toList();
            assertEquals(2, copies.size(), "the duplicated event was delivered twice: " + delivered);
            assertEquals(copies.get(0), copies.get(1), "with the same event id");
            assertEquals(1, delivered.stream().filter(d -> d.startsWith(SINGLE)).count(), delivered.toString());
            assertEquals(2, sfn.executions().size(), "one execution per event: " + sfn.executions().stream()
                .map(Execution::name).toList());

            // A copy that arrives after its execution ended: TriggerReconcile answers "duplicate".
            var late = events.lifecycleEvent("terminate", SINGLE);
            Execution first = events.deliver(late, true);
            runners.forEach(Process::destroy);
            first.done().get(30, TimeUnit.SECONDS);
            assertSame(first, events.deliver(late, true), "the late copy finds the event's execution");
            assertEquals(3, sfn.executions().size());
            assertThrows(IllegalStateException.class, () -> events.deliver(late, false),
                "an event delivered once must start its execution");
        } finally {
            runners.forEach(Process::destroyForcibly);
        }
    }

    private static JsonNode invoke(TriggerReconcileHandler handler, JsonNode event) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(event)), out, null);
            return JSON.readTree(out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
