package dev.drbdmultiaz.rehearsal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@code --report FILE} writes: the scenario's verdict and what it cost.
 *
 * <p>Counters: {@code stateTransitions} = states entered by every execution (what Step Functions
 * bills); {@code ssmRounds} = SendCommand calls; {@code ssmCommands} = command invocations (one per
 * node and SendCommand); {@code mutatingSsmCommands} = invocations of every document but
 * drbd-status. The totals cover the whole run; {@code phases} splits them (a scenario's setup,
 * e.g. the fresh cluster before a re-adjust, is its own phase).
 *
 * @param scenario scenario name
 * @param nodes cluster size
 * @param result {@code passed} when the scenario ended as designed, else {@code failed}
 * @param expectation what the scenario expects, in words
 * @param failure why it failed, or {@code null}
 * @param executions every execution, in start order
 * @param stateTransitions total
 * @param ssmCommands total
 * @param mutatingSsmCommands total
 * @param ssmRounds total
 * @param lifecycle lifecycle actions completed
 * @param lockHolder the execution holding the cluster lock at the end, or {@code null} (free)
 * @param phases per phase
 * @param cluster the final cluster table
 * @param wallTimeSeconds from start to the end of the last execution
 * @param nodeSideSeconds the time the workflow must at least wait for the nodes: the sum, over every
 *     SSM command (SendCommand) of the run, of the longest per-node script run time of that command
 *     (invocation start to end on the slowest target; time spent Pending before a node picks the
 *     command up is not node-side time)
 * @param orchestrationOverheadSeconds the sum of the wall times of the SUCCEEDED executions minus
 *     {@code nodeSideSeconds}: everything the workflow spends besides node scripts running (state
 *     transitions, Lambda handler calls, WaitForCommand wait/poll intervals after a command has
 *     finished, emulator latency). Read-only drbd-status rounds count as node-side time like any
 *     command; coalesced executions (short, no lock) add their wall time to the overhead
 * @param largestStateBytes the largest state document of any execution (UTF-8 bytes of an
 *     execution's input or of a state's output; Step Functions' limit is 262,144)
 * @param sandbox where the logs are (kept with --keep-sandbox or after a failure), or {@code null}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RehearsalReport(
    String scenario,
    int nodes,
    String result,
    String expectation,
    String failure,
    List<ExecutionReport> executions,
    int stateTransitions,
    int ssmCommands,
    int mutatingSsmCommands,
    int ssmRounds,
    Lifecycle lifecycle,
    String lockHolder,
    List<Phase> phases,
    List<ClusterRow> cluster,
    List<Deploy> deploys,
    double wallTimeSeconds,
    double nodeSideSeconds,
    double orchestrationOverheadSeconds,
    int largestStateBytes,
    String sandbox) {

    public static final String PASSED = "passed";
    public static final String FAILED = "failed";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public boolean passed() {
        return PASSED.equals(result);
    }

    /** The phase named {@code name}. */
    public Phase phase(String name) {
        return phases.stream().filter(p -> p.name().equals(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("No phase " + name + " in " + phases.stream().map(Phase::name).toList()));
    }

    public Optional<ExecutionReport> execution(String namePrefix) {
        return executions.stream().filter(e -> e.name().startsWith(namePrefix)).findFirst();
    }

    public void write(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            JSON.writeValue(file.toFile(), this);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the report to " + file, e);
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One execution.
     *
     * @param name execution name
     * @param status RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
     * @param error the error of a failed execution
     * @param cause its cause
     * @param lockAcquired whether it took the cluster lock (false: coalesced into the holder)
     * @param stateTransitions states it entered
     * @param ssmRounds SendCommand calls it made
     * @param ssmCommands command invocations it sent
     * @param mutatingSsmCommands of which mutating
     * @param reconcileRounds DescribeCluster runs (more than one: it reran for coalesced triggers)
     * @param startedAtSeconds start, seconds after the rehearsal started
     * @param durationSeconds how long it ran
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ExecutionReport(String name, String status, String error, String cause, boolean lockAcquired,
        int stateTransitions, int ssmRounds, int ssmCommands, int mutatingSsmCommands, int reconcileRounds,
        double startedAtSeconds, double durationSeconds) {
    }

    /**
     * Lifecycle actions completed through the Auto Scaling API.
     *
     * @param continued CONTINUE results
     * @param abandoned ABANDON results
     * @param heartbeats RecordLifecycleActionHeartbeat calls
     * @param pending actions nobody completed (instance ids)
     * @param actions each completion
     */
    public record Lifecycle(int continued, int abandoned, int heartbeats, List<String> pending, List<Action> actions) {
    }

    /**
     * A completed lifecycle action.
     *
     * @param instanceId the instance
     * @param transition launch or terminate
     * @param result CONTINUE or ABANDON
     */
    public record Action(String instanceId, String transition, String result) {
    }

    /**
     * Counters of one phase.
     *
     * @param name phase name
     * @param executions names of the executions started in it
     * @param stateTransitions states entered
     * @param ssmRounds SendCommand calls
     * @param ssmCommands invocations
     * @param mutatingSsmCommands mutating invocations
     * @param lifecycle actions completed in it
     * @param nodeSideSeconds as the report's, over the commands sent in this phase
     * @param orchestrationOverheadSeconds as the report's: wall times of the phase's SUCCEEDED
     *     executions minus its {@code nodeSideSeconds}
     */
    public record Phase(String name, List<String> executions, int stateTransitions, int ssmRounds, int ssmCommands,
        int mutatingSsmCommands, Lifecycle lifecycle, double nodeSideSeconds, double orchestrationOverheadSeconds) {
    }

    /**
     * One request CloudFormation sent to the deploy trigger (Custom::DrbdReconcile), and how it
     * ended.
     *
     * @param requestType Create, Update or Delete; {@code (rollback)} or {@code (cleanup)} when
     *     CloudFormation sent it after another
     * @param status SUCCESS or FAILED
     * @param reason the response's Reason (or CloudFormation's own)
     * @param seconds from the request to the response
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Deploy(String requestType, String status, String reason, double seconds) {
    }

    /**
     * One row of the final cluster table.
     *
     * @param node instance id
     * @param hostname its hostname
     * @param availabilityZone its AZ
     * @param nodeId DRBD node-id (null when not a member)
     * @param role Primary / Secondary, null when down
     * @param disk disk state
     * @param peers one "name:connection/peerDisk" per peer
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ClusterRow(String node, String hostname, String availabilityZone, Integer nodeId, String role,
        String disk, List<String> peers) {
    }
}
