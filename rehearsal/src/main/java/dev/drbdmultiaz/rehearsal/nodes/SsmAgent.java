package dev.drbdmultiaz.rehearsal.nodes;

import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * The SSM agents of the fleet's nodes: each delivers the invocations of its instance, runs
 * {@code bash script} in the node's environment with the step's timeoutSeconds, keeps the first
 * 24,000 characters of stdout and 8,000 of stderr for the API, publishes the whole output to
 * CloudWatch Logs and reports the result while it is online. A node's termination or reboot ends
 * what runs there (see {@link SsmEmulator} for the statuses).
 */
final class SsmAgent implements AutoCloseable {

    static final int STDOUT_LIMIT = 24_000;
    static final int STDERR_LIMIT = 8_000;
    /** AWS time until the service gives up on the invocation of an instance that vanished mid-run. */
    private static final Duration LOST_RESULT_DELAY = Duration.ofSeconds(2);
    private static final long DELIVERY_POLL_MILLIS = 20;
    /**
     * The ResponseCode of a command the agent killed at its execution timeout: the Linux agent's
     * CommandStoppedPreemptivelyExitCode, "Fatal error (128) + signal for SIGKILL (9) = 137", which
     * it reports TimedOut when the command was not cancelled (amazon-ssm-agent,
     * agent/appconfig/constants_unix.go and pluginutil_unix.go GetStatus).
     */
    static final int STOPPED_EXIT_CODE = 137;

    private final NodeFleet fleet;
    private final SsmCommandStore commands;
    private final CommandOutputLogs output;
    private final CompressedTime time;
    private final DeliveryRetries retries;
    private final InjectedFailures injected = new InjectedFailures();
    private final ExecutorService runners = Executors.newCachedThreadPool(daemon("ssm-run"));
    private final List<BiConsumer<CommandRecord, String>> listeners = new CopyOnWriteArrayList<>();

    SsmAgent(NodeFleet fleet, SsmCommandStore commands, CommandOutputLogs output, CompressedTime time) {
        this.fleet = fleet;
        this.commands = commands;
        this.output = output;
        this.time = time;
        this.retries = new DeliveryRetries(time);
    }

    DeliveryRetries retries() {
        return retries;
    }

    InjectedFailures injected() {
        return injected;
    }

    void addListener(BiConsumer<CommandRecord, String> listener) {
        listeners.add(listener);
    }

    /** Hands every invocation of a new command to its agent, drawing delivery retries in target order. */
    void dispatch(SsmCommand command, Path script) {
        for (String instanceId : command.targets) {
            SsmInvocation invocation = command.invocations.get(instanceId);
            invocation.retryUntil = retries.until(command.requestedAt);
            runners.submit(() -> run(command, invocation, script));
        }
    }

    @Override
    public void close() {
        commands.all().forEach(c -> c.invocations.values().forEach(i -> i.kill("emulator stopped")));
        runners.shutdownNow();
    }

    private void run(SsmCommand command, SsmInvocation invocation, Path script) {
        try {
            Process process = deliver(command, invocation, script);
            if (process == null) {
                return;
            }
            boolean done = process.waitFor(command.step.timeoutSeconds(), TimeUnit.SECONDS);
            if (!done) {
                SsmInvocation.destroyTree(process);
            }
            process.waitFor(10, TimeUnit.SECONDS);
            String stdout = head(command.stdoutFile(invocation.instanceId), STDOUT_LIMIT);
            String stderr = head(command.stderrFile(invocation.instanceId), STDERR_LIMIT);
            output.publish(command, invocation.instanceId);
            // The agent reports the result when it is connected: one cut off keeps it InProgress.
            while (!fleet.isAgentOnline(invocation.instanceId) && fleet.isOnline(invocation.instanceId)) {
                Thread.sleep(DELIVERY_POLL_MILLIS);
            }
            synchronized (invocation) {
                // A terminated instance's result never arrives: nodeEvent reports it lost.
                if (invocation.finished() || invocation.lost || !fleet.isOnline(invocation.instanceId)) {
                    return;
                }
                if (!done) {
                    invocation.finish("TimedOut", "Execution Timed Out", STOPPED_EXIT_CODE, stdout, stderr);
                } else {
                    int code = process.exitValue();
                    invocation.finish(code == 0 ? "Success" : "Failed", code == 0 ? "Success" : "Failed", code,
                        stdout, stderr);
                }
            }
            notifyFinished(command, invocation.instanceId);
        } catch (InterruptedException e) {
            if (invocation.process != null) {
                SsmInvocation.destroyTree(invocation.process);
            }
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until the invocation can be delivered and starts its script; null when it ended without
     * running. StatusDetails Delayed: "the target wasn't available ... The system will try to send
     * the command again"; SendCommand's TimeoutSeconds: "If this time is reached and the command
     * hasn't already started running, it won't run" (StatusDetails Delivery Timed Out, Status TimedOut).
     */
    private Process deliver(SsmCommand command, SsmInvocation invocation, Path script) throws InterruptedException {
        while (true) {
            synchronized (invocation) {
                if (invocation.finished()) {
                    return null;
                }
                Instant now = Instant.now();
                if (!now.isBefore(command.deliveryDeadline)) {
                    invocation.finish("TimedOut", "Delivery Timed Out", -1, "", "");
                    break;
                }
                boolean retrying = invocation.retryUntil != null && now.isBefore(invocation.retryUntil);
                if (!retrying && fleet.isAgentOnline(invocation.instanceId)) {
                    Process process = start(command, invocation, script);
                    if (process != null) {
                        return process;
                    }
                    break;
                }
                invocation.delay();
            }
            Thread.sleep(DELIVERY_POLL_MILLIS);
        }
        notifyFinished(command, invocation.instanceId);
        return null;
    }

    /** Starts the script (the caller holds the invocation's lock); null when bash could not start. */
    private Process start(SsmCommand command, SsmInvocation invocation, Path script) {
        Path workDir = fleet.node(invocation.instanceId).orElseThrow().directory().resolve("root");
        List<String> argv = injected.argv(invocation.instanceId, command.document.baseName(), script.toString());
        Process process;
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(command.stdoutFile(invocation.instanceId).toFile())
                .redirectError(command.stderrFile(invocation.instanceId).toFile());
            pb.environment().clear();
            pb.environment().putAll(fleet.environment(invocation.instanceId));
            process = pb.start();
        } catch (IOException e) {
            invocation.finish("Failed", "Failed", -1, "", "Could not start bash: " + e.getMessage());
            return null;
        }
        invocation.run(process);
        return process;
    }

    /** A node event of the fleet: a termination or a reboot ends what runs there. */
    void nodeEvent(String instanceId, NodeFleet.NodeEvent event) {
        for (SsmCommand c : commands.all()) {
            SsmInvocation i = c.invocations.get(instanceId);
            if (i == null) {
                continue;
            }
            if (event == NodeFleet.NodeEvent.TERMINATED) {
                terminated(c, i);
            } else if (i.started() && i.kill("instance rebooted while the command ran")) {
                // No documentation describes an external reboot mid-run: kept as a plain failure.
                notifyFinished(c, instanceId);
            }
        }
    }

    private void terminated(SsmCommand command, SsmInvocation invocation) {
        synchronized (invocation) {
            if (invocation.finished() || invocation.lost) {
                return;
            }
            if (invocation.started()) {
                invocation.lost = true;
                if (invocation.process != null) {
                    SsmInvocation.destroyTree(invocation.process);
                }
                runners.submit(() -> reportLost(command, invocation));
                return;
            }
            // StatusDetails Undeliverable: "The node might not exist or might not be responding".
            invocation.finish("Failed", "Undeliverable", -1, "", "");
        }
        notifyFinished(command, invocation.instanceId);
    }

    /**
     * The service learns late that the instance is gone: InProgress for a moment, then Cancelling
     * (a CommandInvocationStatus), then Failed with StatusDetails Terminated (terminal).
     */
    private void reportLost(SsmCommand command, SsmInvocation invocation) {
        Duration delay = time.scaledPollable(LOST_RESULT_DELAY);
        try {
            Thread.sleep(delay.toMillis());
            synchronized (invocation) {
                if (invocation.finished()) {
                    return;
                }
                invocation.cancel();
            }
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (invocation) {
            if (invocation.finished()) {
                return;
            }
            invocation.finish("Failed", "Terminated", -1, "", "nodesim: instance terminated while the command ran\n");
        }
        notifyFinished(command, invocation.instanceId);
    }

    private void notifyFinished(SsmCommand command, String instanceId) {
        if (listeners.isEmpty()) {
            return;
        }
        CommandRecord record = command.record();
        for (BiConsumer<CommandRecord, String> l : listeners) {
            try {
                l.accept(record, instanceId);
            } catch (RuntimeException e) {
                // a listener's failure must not stop the command
            }
        }
    }

    private static String head(Path file, int limit) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.length() <= limit ? text : text.substring(0, limit);
        } catch (IOException e) {
            return "";
        }
    }

    static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
