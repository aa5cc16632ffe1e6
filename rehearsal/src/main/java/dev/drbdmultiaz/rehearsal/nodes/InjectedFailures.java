package dev.drbdmultiaz.rehearsal.nodes;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Faults for the rehearsal: the next invocations of a document on an instance fail with an exit
 * code and a stderr line instead of running the script, as a node command that fails for a
 * passing reason does.
 */
final class InjectedFailures {

    private record Failure(int exitCode, String stderr) {
    }

    private final Map<String, Queue<Failure>> pending = new ConcurrentHashMap<>();

    /** The next invocation of {@code documentFile} (file base name, e.g. drbd-up) on the instance fails. */
    void failNext(String instanceId, String documentFile, int exitCode, String stderr) {
        pending.computeIfAbsent(instanceId + "/" + documentFile, k -> new ConcurrentLinkedQueue<>())
            .add(new Failure(exitCode, stderr));
    }

    /** The command line of the invocation: the script, or the injected failure it takes from the queue. */
    List<String> argv(String instanceId, String documentFile, String script) {
        Failure injected = pending.getOrDefault(instanceId + "/" + documentFile, new ConcurrentLinkedQueue<>()).poll();
        return injected == null ? List.of("/bin/bash", script)
            : List.of("/bin/bash", "-c", "printf '%s\\n' \"$1\" >&2; exit \"$2\"", "injected", injected.stderr(),
                Integer.toString(injected.exitCode()));
    }
}
