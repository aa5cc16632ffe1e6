package dev.drbdmultiaz.rehearsal.nodes;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * One command on one node, with the Status / StatusDetails pair GetCommandInvocation reports (AWS
 * SSM API reference; "Understanding command statuses",
 * docs.aws.amazon.com/systems-manager/latest/userguide/monitor-commands.html). Callers hold the
 * invocation's lock while they read or change it; {@link #kill} takes it itself.
 */
final class SsmInvocation {

    /** The terminal values of CommandInvocationStatus; Pending, InProgress, Delayed, Cancelling are not. */
    static final Set<String> TERMINAL = Set.of("Success", "Failed", "TimedOut", "Cancelled");

    final String instanceId;
    String status = "Pending";
    String statusDetails = "Pending";
    int exitCode = -1;
    Instant startedAt;
    Instant endedAt;
    String stdout = "";
    String stderr = "";
    Process process;
    /** End of a delivery retry drawn at SendCommand (see SsmEmulator#setDeliveryDelays), or null. */
    Instant retryUntil;
    /** The instance was terminated after the script started: its result never arrives. */
    boolean lost;
    /** Told (status, statusDetails) at each change of Status, under this invocation's lock. */
    private BiConsumer<String, String> statusListener = (status, details) -> { };

    SsmInvocation(String instanceId) {
        this.instanceId = instanceId;
    }

    /** Set before the invocation is dispatched: SSM's status-change events come from here. */
    void onStatusChange(BiConsumer<String, String> listener) {
        statusListener = listener;
    }

    private void status(String newStatus, String details) {
        boolean changed = !newStatus.equals(status);
        status = newStatus;
        statusDetails = details;
        if (changed) {
            statusListener.accept(newStatus, details);
        }
    }

    boolean finished() {
        return TERMINAL.contains(status);
    }

    boolean started() {
        return startedAt != null;
    }

    Duration elapsed() {
        if (startedAt == null) {
            return Duration.ZERO;
        }
        return Duration.between(startedAt, endedAt == null ? Instant.now() : endedAt);
    }

    /** Not delivered yet: StatusDetails Delayed ("The system will try to send the command again"). */
    void delay() {
        status("Delayed", "Delayed");
    }

    /** The script of {@code running} has started on the node. */
    void run(Process running) {
        process = running;
        startedAt = Instant.now();
        status("InProgress", "In Progress");
    }

    /** The service is giving up on the result of an instance that vanished (a CommandInvocationStatus). */
    void cancel() {
        status("Cancelling", "Cancelling");
    }

    void finish(String newStatus, String details, int code, String out, String err) {
        exitCode = code;
        stdout = out;
        stderr = err;
        endedAt = Instant.now();
        status(newStatus, details); // last: a listener sees the whole result
    }

    /** Stops the invocation as Failed; false when it had already finished. */
    synchronized boolean kill(String why) {
        if (finished()) {
            return false;
        }
        if (process != null) {
            destroyTree(process);
        }
        finish("Failed", "Failed", -1, "", "nodesim: " + why + "\n");
        return true;
    }

    /**
     * The status as {@link CommandRecord.NodeResult} holds it: it knows Pending and InProgress as the
     * only non-final statuses, so Delayed (not delivered yet) reads Pending and Cancelling InProgress.
     */
    String recordStatus() {
        return switch (status) {
            case "Delayed" -> "Pending";
            case "Cancelling" -> "InProgress";
            default -> status;
        };
    }

    static void destroyTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
