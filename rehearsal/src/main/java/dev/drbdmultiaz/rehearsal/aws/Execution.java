package dev.drbdmultiaz.rehearsal.aws;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One execution of the state machine as the rehearsal's Step Functions front tracks it. */
public final class Execution {

    public static final String RUNNING = "RUNNING";
    public static final String SUCCEEDED = "SUCCEEDED";
    public static final String FAILED = "FAILED";
    public static final String TIMED_OUT = "TIMED_OUT";
    public static final String ABORTED = "ABORTED";

    private final String arn;
    private final String name;
    private final String stateMachineArn;
    private final String input;
    private final Instant startDate = Instant.now();
    private final List<JsonNode> events = new ArrayList<>();
    private final CompletableFuture<Execution> done = new CompletableFuture<>();
    private String status = RUNNING;
    private Instant stopDate;
    private String output;
    private String error;
    private String cause;

    Execution(String arn, String name, String stateMachineArn, String input) {
        this.arn = arn;
        this.name = name;
        this.stateMachineArn = stateMachineArn;
        this.input = input;
    }

    public String arn() {
        return arn;
    }

    public String name() {
        return name;
    }

    public String stateMachineArn() {
        return stateMachineArn;
    }

    public String input() {
        return input;
    }

    public Instant startDate() {
        return startDate;
    }

    public synchronized String status() {
        return status;
    }

    public synchronized Instant stopDate() {
        return stopDate;
    }

    public synchronized String output() {
        return output;
    }

    public synchronized String error() {
        return error;
    }

    public synchronized String cause() {
        return cause;
    }

    /** The runner's event lines so far (a copy). */
    public synchronized List<JsonNode> events() {
        return List.copyOf(events);
    }

    /** States entered: what Step Functions counts (and bills) as state transitions. */
    public synchronized int stateTransitions() {
        return (int) events.stream().filter(e -> "StateEntered".equals(e.path("type").asText())).count();
    }

    public synchronized Duration duration() {
        return Duration.between(startDate, stopDate == null ? Instant.now() : stopDate);
    }

    /** Completes when the execution has ended (any status but RUNNING). */
    public CompletableFuture<Execution> done() {
        return done;
    }

    /** Records a runner event line while the execution runs; a closed execution records nothing more. */
    synchronized boolean record(JsonNode event) {
        if (!RUNNING.equals(status)) {
            return false;
        }
        events.add(event);
        return true;
    }

    /** Ends the execution with {@code finalStatus}, and {@code lastEvent} (or none) as its last event; false when it had ended. */
    boolean finish(String finalStatus, String finalOutput, String finalError, String finalCause, JsonNode lastEvent) {
        synchronized (this) {
            if (!RUNNING.equals(status)) {
                return false;
            }
            if (lastEvent != null) {
                events.add(lastEvent);
            }
            status = finalStatus;
            output = finalOutput;
            error = finalError;
            cause = finalCause;
            stopDate = Instant.now();
        }
        done.complete(this);
        return true;
    }
}
