package dev.drbdmultiaz.rehearsal.nodes;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One SendCommand the {@link SsmEmulator} accepted, as it stands when read.
 *
 * @param commandId the SSM command id
 * @param documentName the name the command was sent with
 * @param documentFile base name of the document file it ran (e.g. {@code drbd-up})
 * @param comment the command's comment (the workflow puts the step name there)
 * @param targets instance ids, in request order
 * @param parameters the parameters as sent (secrets never travel in them)
 * @param mutating whether the document can change a node (every document but drbd-status)
 * @param requestedAt when SendCommand was accepted
 * @param results per instance id: status, exit code, duration
 */
public record CommandRecord(String commandId, String documentName, String documentFile, String comment,
    List<String> targets, Map<String, List<String>> parameters, boolean mutating, Instant requestedAt,
    Map<String, NodeResult> results) {

    public CommandRecord {
        targets = List.copyOf(targets);
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        results = Collections.unmodifiableMap(new LinkedHashMap<>(results));
    }

    /** Whether every invocation reached a final status. */
    public boolean finished() {
        return results.values().stream().allMatch(NodeResult::finished);
    }

    /**
     * The outcome of the command on one node.
     *
     * @param status Pending, InProgress, Success, Failed, TimedOut, Cancelled
     * @param exitCode the script's exit code, -1 while it has not finished (or when it was killed)
     * @param duration run time so far
     * @param secretInOutput whether stdout or stderr contained the fleet's shared secret
     * @param startedAt when the script started on the node, {@code null} while it has not
     */
    public record NodeResult(String status, int exitCode, Duration duration, boolean secretInOutput, Instant startedAt) {

        public boolean finished() {
            return !status.equals("Pending") && !status.equals("InProgress");
        }
    }
}
