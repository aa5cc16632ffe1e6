package dev.drbdmultiaz.rehearsal.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.functions.common.AwsErrors;
import dev.drbdmultiaz.functions.common.exceptions.TransientAwsException;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;
import software.amazon.awssdk.services.ssm.model.SsmException;

/** The SSM faults a chaos rehearsal injects: a throttled API and a command that hangs until its timeout. */
@Timeout(60)
class SsmFaultsTest {

    /** The step timeout of the test document: real seconds, as the agent applies it. */
    private static final int TIMEOUT_SECONDS = 3;

    @TempDir
    Path dir;

    private SsmNodes nodes;
    private SimulatedNode a;

    @BeforeEach
    void fleet() {
        nodes = new SsmNodes(dir.resolve("fleet"));
        a = nodes.add(1, 0, NodeFaults.none());
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    @DisplayName("while throttled every call answers ThrottlingException / 400 / Rate exceeded, which the SDK retries; then calls pass again")
    void throttledCallsAnswerThrottlingException() {
        nodes.ssm.setThrottled(true);
        SsmException throttled = assertThrows(SsmException.class, () -> nodes.client.describeInstanceInformation());
        assertEquals(400, throttled.statusCode());
        assertEquals("ThrottlingException", throttled.awsErrorDetails().errorCode());
        assertEquals("Rate exceeded", throttled.awsErrorDetails().errorMessage());
        assertTrue(throttled.isThrottlingException(), "the SDK classifies it as throttling");
        assertTrue(throttled.numAttempts() > 1, "the SDK retried the throttled call: " + throttled.numAttempts());
        assertInstanceOf(TransientAwsException.class, AwsErrors.translate(throttled));
        assertThrows(SsmException.class, () -> nodes.client.sendCommand(r -> r.documentName("drbd-status")
            .instanceIds(a.instanceId()).parameters(Map.of("ResourceName", List.of("r0")))));
        assertEquals(List.of(), nodes.ssm.commands(), "a throttled SendCommand runs nothing");

        nodes.ssm.setThrottled(false);
        assertEquals(1, nodes.client.describeInstanceInformation().instanceInformationList().size());
    }

    @Test
    @DisplayName("timeOutNext: the next run hangs until the step's timeoutSeconds and ends TimedOut / Execution Timed Out, code 137; once")
    void nextRunTimesOut() throws Exception {
        Path document = dir.resolve("quick.yaml");
        Files.writeString(document, String.join("\n",
            "schemaVersion: \"2.2\"",
            "description: answers at once",
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
        try (SsmEmulator emulator = new SsmEmulator(nodes.fleet, Map.of("quick", document), authority);
             SsmClient client = SsmClient.builder().endpointOverride(emulator.endpoint()).region(Region.US_EAST_1)
                 .httpClient(UrlConnectionHttpClient.create())
                 .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                     issued.accessKeyId(), issued.secretAccessKey(), issued.sessionToken()))).build()) {
            emulator.setInvocationVisibilityDelay(Duration.ofMillis(50));
            emulator.timeOutNext(a.instanceId(), "quick");

            Instant sent = Instant.now();
            GetCommandInvocationResponse hung = run(client, a.instanceId());
            long waited = Duration.between(sent, Instant.now()).toMillis();
            assertTrue(waited >= TIMEOUT_SECONDS * 1000L, "ended after " + waited + " ms, before the step's timeout");
            assertEquals("TimedOut", hung.statusAsString());
            assertEquals("Execution Timed Out", hung.statusDetails());
            assertEquals(137, hung.responseCode());
            assertFalse(hung.executionStartDateTime().isEmpty(), "it started: an execution, not a delivery, timeout");
            assertFalse(hung.standardOutputContent().contains("\"ok\""), "the script did not run");
            assertEquals("TimedOut", emulator.commands().get(0).results().get(a.instanceId()).status());

            Instant again = Instant.now();
            GetCommandInvocationResponse next = run(client, a.instanceId());
            assertEquals("Success", next.statusAsString(), "only the next run hangs");
            assertTrue(Duration.between(again, Instant.now()).toMillis() < TIMEOUT_SECONDS * 1000L);
        }
    }

    /** Sends the quick document and polls until the invocation is final. */
    private static GetCommandInvocationResponse run(SsmClient client, String instanceId) {
        String id = client.sendCommand(r -> r.documentName("quick").instanceIds(instanceId)).command().commandId();
        for (int i = 0; i < 400; i++) {
            try {
                GetCommandInvocationResponse r = client.getCommandInvocation(b -> b.commandId(id).instanceId(instanceId));
                if (SsmNodes.FINAL.contains(r.statusAsString())) {
                    return r;
                }
            } catch (InvocationDoesNotExistException notYet) {
                // right after SendCommand
            }
            SsmNodes.sleep(25);
        }
        throw new AssertionError(id + " never ended on " + instanceId);
    }
}
