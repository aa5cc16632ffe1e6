package dev.drbdmultiaz.rehearsal.nodes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * AWS Systems Manager Run Command for the simulated nodes of a {@link NodeFleet}: an HTTP server
 * on 127.0.0.1 speaking the AWS JSON 1.1 protocol ({@code X-Amz-Target: AmazonSSM.<Op>}) for
 * SendCommand, GetCommandInvocation, ListCommandInvocations, ListCommands and
 * DescribeInstanceInformation, so the real handlers and
 * the AWS SDK work against it unchanged (endpoint override).
 *
 * <p>Like SSM it validates the parameters at SendCommand (unknown name, more than one value, a
 * value that misses the allowedPattern: InvalidParameters, nothing runs), renders the script once
 * per command ({@code node rehearsal/runtime/ssm-doc.mjs render}), runs {@code bash script} on every
 * target at once in the node's environment with the document step's timeoutSeconds, keeps the
 * first 24,000 characters of stdout and 8,000 of stderr, and answers InvocationDoesNotExist for an
 * invocation polled right after SendCommand (see {@link #setInvocationVisibilityDelay}).
 *
 * <p>Invocation statuses follow GetCommandInvocation's Status/StatusDetails (AWS SSM API reference;
 * "Understanding command statuses", docs.aws.amazon.com/systems-manager/latest/userguide/monitor-commands.html),
 * harsher where the documentation leaves room: a command for a running instance whose agent is
 * offline ({@link NodeFleet#setAgentOnline}) is accepted and waits Delayed until the agent is back
 * or the delivery timeout (SendCommand's TimeoutSeconds, times the fleet's time scale) ends it
 * TimedOut / Delivery Timed Out without running; a node terminated before delivery ends Failed /
 * Undeliverable; one terminated while running stays InProgress for a moment, then Cancelling, then
 * Failed / Terminated; a finished script's result is reported only while the agent is online.
 * docs/CONTRACTS.md ("SSM emulator semantics") lists them.
 *
 * <p>The parts: {@link AwsJsonFront} (HTTP), {@link RunCommandApi} and {@link InstanceInformation}
 * (the operations), {@link SsmDocumentCatalog} and {@link SsmScriptRenderer} (the documents),
 * {@link SsmCommand} and {@link SsmInvocation} (the statuses), {@link SsmAgent} (the nodes' agents)
 * and {@link CommandOutputLogs} (the CloudWatch Logs output).
 */
public final class SsmEmulator implements AutoCloseable {

    private final SsmCommandStore commands = new SsmCommandStore();
    private final CommandOutputLogs output = new CommandOutputLogs();
    private final SsmAgent agent;
    private final SsmEvents events;
    private final RunCommandApi api;
    private final AwsJsonFront front;

    /**
     * Starts the emulator on 127.0.0.1 at a free port.
     *
     * @param fleet the nodes commands run on
     * @param documentsByName document name (as SendCommand names it) to the YAML file
     * @param authority whose issued credentials a request must be signed with, as SSM refuses others
     */
    public SsmEmulator(NodeFleet fleet, Map<String, Path> documentsByName, CredentialAuthority authority) {
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(authority, "authority");
        SsmDocumentCatalog documents = new SsmDocumentCatalog(documentsByName);
        SsmScriptRenderer renderer = new SsmScriptRenderer(fleet.projectRoot());
        CompressedTime time = fleet.time();
        agent = new SsmAgent(fleet, commands, output, time);
        events = new SsmEvents(RunCommandApi.ACCOUNT, "us-east-1", time);
        api = new RunCommandApi(fleet, documents, renderer, commands, agent, time, events);
        InstanceInformation instances = new InstanceInformation(fleet);
        front = new AwsJsonFront(authority, Map.<String, Function<JsonNode, JsonNode>>of(
            "SendCommand", api::sendCommand,
            "GetCommandInvocation", api::getCommandInvocation,
            "DescribeInstanceInformation", instances::describe,
            "ListCommandInvocations", api::listCommandInvocations,
            "ListCommands", api::listCommands));
        fleet.addListener(agent::nodeEvent);
    }

    /**
     * SSM's EventBridge events ("EC2 Command Status-change Notification" and "EC2 Command Invocation
     * Status-change Notification"): where they go ({@link SsmEvents#deliverTo}, the rehearsal's bus)
     * and the knobs that lose, duplicate or delay them.
     */
    public SsmEvents events() {
        return events;
    }

    /** Every {@code *.yaml} of a directory by its base name (how the rehearsal deploys them). */
    public static Map<String, Path> documentsIn(Path directory) {
        return SsmDocumentCatalog.documentsIn(directory);
    }

    /** http://127.0.0.1:port */
    public URI endpoint() {
        return front.endpoint();
    }

    /**
     * How long after SendCommand an invocation stays unknown to GetCommandInvocation (real SSM
     * answers InvocationDoesNotExist for a moment). Default 300 ms.
     */
    public void setInvocationVisibilityDelay(Duration delay) {
        api.setInvocationVisibilityDelay(delay);
    }

    /**
     * Makes some invocations report Delayed before they start even though the agent is online, as
     * when SSM's first delivery attempt fails and it tries again (StatusDetails Delayed: "The
     * system will try to send the command again"). Each invocation, drawn in SendCommand order
     * from a {@link Random} seeded with {@code seed}, is delayed with {@code probability} for
     * {@code delay} (AWS time, times the fleet's time scale), which counts against its delivery
     * timeout. Default off; probability 0 turns it off again.
     */
    public void setDeliveryDelays(long seed, double probability, Duration delay) {
        agent.retries().set(seed, probability, delay);
    }

    /**
     * A fault for the rehearsal: every call answers SSM's throttling error, as past the account's
     * request rate, or none does. AWS JSON protocol, HTTP 400, {@code __type} ThrottlingException
     * (botocore data/ssm/2014-11-06/service-2.json; data/_retry.json "throttling_exception":
     * ThrottlingException, 400), message "Rate exceeded"; the AWS SDK for Java 2.x counts the code
     * among its throttling errors (AwsErrorCode) and retries it with its throttling backoff.
     */
    public void setThrottled(boolean throttled) {
        front.setThrottled(throttled);
    }

    /**
     * A fault for the rehearsal: the next invocation of the document (file base name, e.g.
     * {@code drbd-up}) on the instance fails with {@code exitCode} and {@code stderr} instead of
     * running its script, as a node command that fails for a passing reason does.
     */
    public void failNext(String instanceId, String documentFile, int exitCode, String stderr) {
        agent.injected().failNext(instanceId, documentFile, exitCode, stderr);
    }

    /**
     * A fault for the rehearsal: the next invocation of the document (file base name) on the
     * instance hangs instead of running its script, until the agent's execution timeout (the
     * document step's timeoutSeconds, real seconds as every run here, see {@link SsmAgent}) kills
     * it: Status TimedOut, StatusDetails "Execution Timed Out" ("The command started to run on the
     * managed node, but the execution wasn't complete before the timeout expired", GetCommandInvocation
     * StatusDetails in botocore's data/ssm/2014-11-06/service-2.json), ResponseCode 137 as the Linux
     * agent reports a command it stopped.
     */
    public void timeOutNext(String instanceId, String documentFile) {
        agent.injected().hangNext(instanceId, documentFile);
    }

    /**
     * Calls {@code listener} with the command's record and the instance id each time an invocation
     * reaches a final status (on a runner thread; keep it short). For live progress output.
     */
    public void addInvocationListener(BiConsumer<CommandRecord, String> listener) {
        agent.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * The log groups that exist in the account: the agent writes command output only there. The
     * node role may not create groups (it writes only into the stack's own), so output sent to a
     * group that does not exist is lost, as the agent's would be.
     */
    public void setLogGroups(Set<String> groups) {
        output.setLogGroups(groups);
    }

    /**
     * The full output the agent published to CloudWatch Logs, by stream
     * ({@code <command-id>/<instance-id>/<plugin>/stdout|stderr}), for one group.
     */
    public Map<String, String> logStreams(String group) {
        return output.logStreams(group);
    }

    /** Every command accepted so far, in order. */
    public List<CommandRecord> commands() {
        return commands.records();
    }

    /** Waits until every accepted command has finished on every target; false on timeout. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return commands.awaitIdle(timeout);
    }

    @Override
    public void close() {
        front.stop();
        agent.close();
        events.close(); // after the agent: its closing kills what still runs, which changes statuses
        front.close();
    }
}
