package dev.drbdmultiaz.rehearsal.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import dev.drbdmultiaz.rehearsal.aws.EventBus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * SSM's EventBridge events as the emulator sends them: a command's terminal "EC2 Command
 * Status-change Notification" reaches a rule of the workflow's pattern only once every invocation
 * is terminal, and SSM's API already says so when it arrives; the invocation events come per
 * instance; the knobs lose, duplicate and delay them.
 */
@Timeout(60)
class SsmEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The step timeout of the test document: real seconds, as the agent applies it. */
    private static final int TIMEOUT_SECONDS = 2;

    @TempDir
    Path dir;

    private SsmNodes nodes;
    private SimulatedNode a;
    private SimulatedNode b;
    private SsmEmulator emulator;
    private SsmClient client;
    /** Each matching command event as delivered, with what ListCommands / GetCommandInvocation said then. */
    private final List<JsonNode> matched = new CopyOnWriteArrayList<>();
    private JsonNode rule;

    @BeforeEach
    void fleet() throws Exception {
        nodes = new SsmNodes(dir.resolve("fleet"));
        a = nodes.add(1, 0, NodeFaults.none());
        b = nodes.add(2, 1, NodeFaults.none());
        Path document = dir.resolve("quick.yaml");
        Files.writeString(document, String.join("\n",
            "schemaVersion: \"2.2\"",
            "description: answers at once",
            "parameters:",
            "  ResourceName:",
            "    type: String",
            "    allowedPattern: \"^[a-z0-9]{1,8}$\"",
            "mainSteps:",
            "  - action: aws:runShellScript",
            "    name: Quick",
            "    inputs:",
            "      timeoutSeconds: \"" + TIMEOUT_SECONDS + "\"",
            "      runCommand:",
            "        - echo '{\"ok\":true,\"changed\":false}'",
            ""));
        CredentialAuthority authority = new CredentialAuthority();
        CredentialAuthority.Issued issued = authority.issue("test");
        emulator = new SsmEmulator(nodes.fleet, Map.of("quick", document), authority);
        emulator.setInvocationVisibilityDelay(Duration.ofMillis(50));
        client = SsmClient.builder().endpointOverride(emulator.endpoint()).region(Region.US_EAST_1)
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                issued.accessKeyId(), issued.secretAccessKey(), issued.sessionToken()))).build();
        rule = JSON.readTree("{\"source\":[\"aws.ssm\"],\"detail-type\":[\"EC2 Command Status-change Notification\"],"
            + "\"detail\":{\"document-name\":[\"quick\"],\"status\":[\"Success\",\"Failed\",\"Cancelled\",\"TimedOut\"]}}");
        emulator.events().deliverTo(event -> {
            if (EventBus.matches(rule, event)) {
                String id = event.path("detail").path("command-id").asText();
                var seen = JSON.createObjectNode();
                seen.set("event", event);
                seen.put("listCommands", client.listCommands(r -> r.commandId(id)).commands().get(0).statusAsString());
                var invocations = seen.putObject("invocations");
                for (SimulatedNode node : List.of(a, b)) {
                    invocations.put(node.instanceId(), client.getCommandInvocation(r -> r.commandId(id)
                        .instanceId(node.instanceId())).statusAsString());
                }
                matched.add(seen);
            }
        }, "us-east-1");
    }

    @AfterEach
    void stop() {
        client.close();
        emulator.close();
        nodes.close();
    }

    @Test
    @DisplayName("the terminal command event comes once, after every invocation is terminal, and SSM's API already says so")
    void terminalEventAfterTerminalStatus() throws Exception {
        emulator.timeOutNext(b.instanceId(), "quick"); // b ends TimedOut after 2 s, a at once
        String id = send();
        JsonNode seen = awaitMatched(1);
        assertEquals("TimedOut", seen.path("event").path("detail").path("status").asText(),
            "not Success when a finished: the command is terminal only when b is");
        assertEquals("TimedOut", seen.path("listCommands").asText(), "ListCommands said it on delivery");
        assertEquals("Success", seen.path("invocations").path(a.instanceId()).asText());
        assertEquals("TimedOut", seen.path("invocations").path(b.instanceId()).asText());
        JsonNode event = seen.path("event");
        assertEquals("0", event.path("version").asText());
        assertEquals("123456789012", event.path("account").asText());
        assertEquals(List.of("arn:aws:ec2:us-east-1:123456789012:instance/" + a.instanceId(),
            "arn:aws:ec2:us-east-1:123456789012:instance/" + b.instanceId()),
            JSON.convertValue(event.path("resources"), List.class));
        assertEquals(id, event.path("detail").path("command-id").asText());
        assertEquals("r0", event.path("detail").path("parameters").path("ResourceName").path(0).asText());
        assertTrue(event.path("detail").has("requested-date-time") && event.path("detail").has("expire-after"));
        assertTrue(event.path("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), event.path("time").asText());

        SsmNodes.sleep(500);
        assertEquals(1, matched.size(), "one terminal command event");
        List<JsonNode> invocationEvents = emulator.events().emitted().stream()
            .filter(e -> e.path("detail-type").asText().equals("EC2 Command Invocation Status-change Notification"))
            .filter(e -> SsmNodes.FINAL.contains(e.path("detail").path("status").asText())).toList();
        assertEquals(2, invocationEvents.size(), "one terminal invocation event per instance");
        assertEquals(List.of("InProgress", "TimedOut"), emulator.events().emitted().stream()
            .filter(e -> e.path("detail-type").asText().equals("EC2 Command Status-change Notification"))
            .map(e -> e.path("detail").path("status").asText()).toList());
    }

    @Test
    @DisplayName("lost events are lost: all, one in N, or those of one command; SSM still emitted them")
    void lostEventsAreLost() throws Exception {
        emulator.events().loseAll(true);
        send();
        awaitEmittedCommandEvents(2);
        SsmNodes.sleep(1000);
        assertEquals(0, matched.size());
        assertEquals(0, emulator.events().delivered().size());

        emulator.events().loseAll(false);
        emulator.timeOutNext(b.instanceId(), "quick"); // still running when its events are set to be lost
        emulator.events().loseForCommand(send());
        awaitEmittedCommandEvents(4);
        SsmNodes.sleep(1000);
        assertEquals(0, matched.size(), "that command's events are lost");

        int before = emulator.events().emitted().size();
        emulator.events().loseOneIn(2);
        send();
        awaitEmittedCommandEvents(6);
        SsmNodes.sleep(1000);
        int emitted = emulator.events().emitted().size() - before;
        assertEquals(emitted - (before + emitted) / 2 + before / 2, emulator.events().delivered().size(),
            "every second event lost");
    }

    @Test
    @DisplayName("duplicated events arrive twice; a delay holds them back")
    void duplicatesAndDelay() throws Exception {
        emulator.events().duplicateOneIn(1);
        send();
        awaitMatched(2);
        SsmNodes.sleep(500);
        assertEquals(2, matched.size(), "the terminal event twice");
        assertEquals(2 * emulator.events().emitted().size(), emulator.events().delivered().size());

        emulator.events().duplicateOneIn(0);
        emulator.events().setDelay(Duration.ofSeconds(150)); // x 0.01 = 1.5 s
        long sent = System.currentTimeMillis();
        send();
        awaitMatched(3);
        long waited = System.currentTimeMillis() - sent;
        assertTrue(waited >= 1500, "delivered after the delay, not at once: " + waited + " ms");
    }

    private String send() {
        return client.sendCommand(r -> r.documentName("quick").instanceIds(a.instanceId(), b.instanceId())
            .parameters(Map.of("ResourceName", List.of("r0")))).command().commandId();
    }

    private JsonNode awaitMatched(int count) {
        for (int i = 0; i < 400 && matched.size() < count; i++) {
            SsmNodes.sleep(25);
        }
        assertTrue(matched.size() >= count, "matching deliveries: " + matched.size() + ", emitted "
            + emulator.events().emitted());
        return matched.get(count - 1);
    }

    private void awaitEmittedCommandEvents(int count) {
        for (int i = 0; i < 400; i++) {
            long n = emulator.events().emitted().stream()
                .filter(e -> e.path("detail-type").asText().equals("EC2 Command Status-change Notification")).count();
            if (n >= count) {
                return;
            }
            SsmNodes.sleep(25);
        }
        throw new AssertionError("SSM emitted fewer than " + count + " command events: " + emulator.events().emitted());
    }
}
