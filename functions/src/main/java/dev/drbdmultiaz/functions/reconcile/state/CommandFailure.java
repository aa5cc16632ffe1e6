package dev.drbdmultiaz.functions.reconcile.state;

import java.util.List;

/**
 * Why a node command failed ({@code $.collected.failure}); the NodeStepFailed state turns it into
 * the execution's error cause.
 *
 * @param step the plan's step
 * @param instanceId the first failing instance
 * @param instanceIds every failing instance
 * @param status the SSM invocation status, e.g. Failed, TimedOut
 * @param exitCode the script's exit code (-1 when it did not run)
 * @param stderrTail the last characters of its stderr
 * @param message what went wrong, in one sentence
 */
public record CommandFailure(
    String step,
    String instanceId,
    List<String> instanceIds,
    String status,
    int exitCode,
    String stderrTail,
    String message) {

    public CommandFailure {
        instanceIds = instanceIds == null ? List.of() : List.copyOf(instanceIds);
    }
}
