package dev.drbdmultiaz.rehearsal.nodes;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Faults for the rehearsal: the next invocations of a document on an instance fail with an exit
 * code and a stderr line instead of running the script, as a node command that fails for a
 * passing reason does, or hang instead of running it until the agent's execution timeout ends
 * them, as a node command stuck on a device or a lock does.
 */
final class InjectedFailures {

    /** What an invocation runs instead of its script: fails with a code and a line, or hangs ({@code exitCode} null). */
    private record Failure(Integer exitCode, String stderr) {
    }

    private final Map<String, Queue<Failure>> pending = new ConcurrentHashMap<>();

    /** The next invocation of {@code documentFile} (file base name, e.g. drbd-up) on the instance fails. */
    void failNext(String instanceId, String documentFile, int exitCode, String stderr) {
        queue(instanceId, documentFile).add(new Failure(exitCode, stderr));
    }

    /** The next invocation of {@code documentFile} on the instance runs until it is killed, printing nothing. */
    void hangNext(String instanceId, String documentFile) {
        queue(instanceId, documentFile).add(new Failure(null, null));
    }

    private Queue<Failure> queue(String instanceId, String documentFile) {
        return pending.computeIfAbsent(instanceId + "/" + documentFile, k -> new ConcurrentLinkedQueue<>());
    }

    /** The command line of the invocation: the script, or the injected failure it takes from the queue. */
    List<String> argv(String instanceId, String documentFile, String script) {
        Failure injected = pending.getOrDefault(instanceId + "/" + documentFile, new ConcurrentLinkedQueue<>()).poll();
        if (injected == null) {
            return List.of("/bin/bash", script);
        }
        if (injected.exitCode() == null) {
            return List.of("/bin/bash", "-c", "exec sleep 2147483647");
        }
        return List.of("/bin/bash", "-c", "printf '%s\\n' \"$1\" >&2; exit \"$2\"", "injected", injected.stderr(),
            Integer.toString(injected.exitCode()));
    }
}
