package dev.drbdmultiaz.rehearsal.timeline;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One execution laid out in time, every time in seconds since it started: the states it went
 * through and its rounds (one SSM command each, with one script run per node).
 *
 * <p>Node-side and orchestration time are split as the report splits them (see
 * {@code RehearsalReport#nodeSideSeconds}): a round's node-side time is its slowest node's script
 * run; everything else the execution spends is orchestration.
 *
 * @param execution the execution's name
 * @param status SUCCEEDED, FAILED, ...
 * @param seconds from its start to its end
 * @param states every state entered, in order
 * @param rounds every SSM command it sent, in order
 */
public record Timeline(String execution, String status, double seconds, List<StateSpan> states, List<Round> rounds) {

    public Timeline {
        states = List.copyOf(states);
        rounds = List.copyOf(rounds);
    }

    /** The instances the rounds targeted, in order of first use. */
    public List<String> nodes() {
        Set<String> nodes = new LinkedHashSet<>();
        rounds.forEach(r -> r.invocations().forEach(i -> nodes.add(i.instanceId())));
        return new ArrayList<>(nodes);
    }

    /** Sum of the rounds' node-side times. */
    public double nodeSideSeconds() {
        return rounds.stream().mapToDouble(Round::nodeSideSeconds).sum();
    }

    /** Everything besides node-side time: the execution's wall time minus {@link #nodeSideSeconds()}. */
    public double orchestrationSeconds() {
        return seconds - nodeSideSeconds();
    }

    /** Of {@link #orchestrationSeconds()}, the part inside the rounds' windows. */
    public double orchestrationInRoundsSeconds() {
        return rounds.stream().mapToDouble(Round::orchestrationSeconds).sum();
    }

    /**
     * One state as the execution went through it.
     *
     * @param name the state's name
     * @param type Task, Wait, Choice, Pass, ...
     * @param from entered
     * @param to exited (or left on an error)
     */
    public record StateSpan(String name, String type, double from, double to) {
    }

    /**
     * One SSM command and the workflow's time around it: from entering the state that sent it to
     * the first Task state that exited with the command's results in hand (the state that learned
     * it was over), so what follows up to the next round (planning the next step) is outside.
     *
     * @param step the step it ran (the command's comment)
     * @param document the document file it ran (e.g. {@code drbd-install})
     * @param commandId the SSM command id
     * @param from the sending state entered
     * @param sent SendCommand accepted
     * @param to the round over, as the workflow knew it
     * @param invocations one per target, in request order
     */
    public record Round(String step, String document, String commandId, double from, double sent, double to,
        List<Invocation> invocations) {

        public Round {
            invocations = List.copyOf(invocations);
        }

        /** The slowest node's script run time: what the workflow must at least wait for. */
        public double nodeSideSeconds() {
            return invocations.stream().mapToDouble(Invocation::seconds).max().orElse(0);
        }

        /** The round's window minus its node-side time. */
        public double orchestrationSeconds() {
            return to - from - nodeSideSeconds();
        }
    }

    /**
     * One node's script run of a round.
     *
     * @param instanceId the node
     * @param status Success, Failed, TimedOut, Cancelled, or Pending / InProgress when it never ended
     * @param exitCode the script's exit code, -1 when none
     * @param from the script started, or {@code null} when it never did
     * @param to the script ended (the run so far when it did not)
     */
    public record Invocation(String instanceId, String status, int exitCode, Double from, double to) {

        public boolean started() {
            return from != null;
        }

        /** Whether it reached a final status (Pending and InProgress are not). */
        public boolean ended() {
            return !"Pending".equals(status) && !"InProgress".equals(status);
        }

        /** Ended, but not in Success. */
        public boolean failed() {
            return ended() && !"Success".equals(status);
        }

        public double seconds() {
            return from == null ? 0 : to - from;
        }
    }
}
