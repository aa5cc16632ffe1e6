package dev.drbdmultiaz.rehearsal.timeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.nodes.CommandRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@link Timeline} from what the fronts recorded: an execution's event lines (state
 * entered / exited, with timestamps) and the SSM commands the nodes received. Nothing here knows
 * the workflow's state names: a command belongs to the execution whose events carry its command
 * id, it was sent by the state running when SendCommand was accepted, and its round ends at the
 * first Task state to exit with the command id in its output once every node's script had ended
 * (or, when one never ended, where the next round starts).
 */
public final class TimelineReader {

    private TimelineReader() {
    }

    /** The timeline of {@code execution}, with those of {@code commands} that it sent. */
    public static Timeline read(Execution execution, List<CommandRecord> commands) {
        return read(execution.name(), execution.status(), execution.startDate(), execution.stopDate(),
            execution.events(), commands);
    }

    /** As {@link #read(Execution, List)}, from the execution's parts ({@code stop} null while it runs). */
    static Timeline read(String name, String status, Instant start, Instant stop, List<JsonNode> events,
        List<CommandRecord> commands) {
        double seconds = seconds(start, stop != null ? stop : Instant.now());
        List<String> texts = events.stream().map(JsonNode::toString).toList();
        String all = String.join("\n", texts);
        List<CommandRecord> sent = commands.stream()
            .filter(c -> !c.requestedAt().isBefore(start) && seconds(start, c.requestedAt()) <= seconds)
            .filter(c -> all.contains(c.commandId())).toList();
        List<Timeline.StateSpan> states = states(events, start, seconds);
        List<Timeline.Round> rounds = new ArrayList<>();
        for (CommandRecord command : sent) {
            rounds.add(round(command, start, states, events, texts));
        }
        for (int i = 0; i < rounds.size(); i++) {
            double limit = i + 1 < rounds.size() ? rounds.get(i + 1).from() : seconds;
            Timeline.Round r = rounds.get(i);
            if (Double.isNaN(r.to()) || r.to() > limit) {
                rounds.set(i, new Timeline.Round(r.step(), r.document(), r.commandId(), r.from(), r.sent(), limit,
                    r.invocations()));
            }
        }
        return new Timeline(name, status, seconds, states, rounds);
    }

    /**
     * The states in order: each from its StateEntered to its StateExited; one that never exits
     * (it failed and a Catch moved on, or the execution ended in it) ends where the next state
     * starts, or with the execution.
     */
    private static List<Timeline.StateSpan> states(List<JsonNode> events, Instant start, double seconds) {
        List<Timeline.StateSpan> spans = new ArrayList<>();
        List<Integer> open = new ArrayList<>();
        for (JsonNode event : events) {
            String type = event.path("type").asText();
            double at = at(event, start);
            if ("StateEntered".equals(type)) {
                for (int index : open) {
                    Timeline.StateSpan s = spans.get(index);
                    spans.set(index, new Timeline.StateSpan(s.name(), s.type(), s.from(), at));
                }
                open.clear();
                open.add(spans.size());
                spans.add(new Timeline.StateSpan(event.path("state").asText(), event.path("stateType").asText(), at,
                    Double.NaN));
            } else if ("StateExited".equals(type)) {
                String name = event.path("state").asText();
                for (int k = open.size() - 1; k >= 0; k--) {
                    Timeline.StateSpan s = spans.get(open.get(k));
                    if (s.name().equals(name)) {
                        spans.set(open.get(k), new Timeline.StateSpan(s.name(), s.type(), s.from(), at));
                        open.remove(k);
                        break;
                    }
                }
            }
        }
        for (int index : open) {
            Timeline.StateSpan s = spans.get(index);
            spans.set(index, new Timeline.StateSpan(s.name(), s.type(), s.from(), Math.max(s.from(), seconds)));
        }
        return spans;
    }

    private static Timeline.Round round(CommandRecord command, Instant start, List<Timeline.StateSpan> states,
        List<JsonNode> events, List<String> texts) {
        double sent = seconds(start, command.requestedAt());
        double from = sent;
        for (Timeline.StateSpan state : states) {
            if (state.from() <= sent) {
                from = state.from(); // the last state entered before SendCommand was accepted: the sender
            }
        }
        List<Timeline.Invocation> invocations = new ArrayList<>();
        boolean allEnded = true;
        double lastEnd = sent;
        for (String instanceId : command.targets()) {
            CommandRecord.NodeResult result = command.results().get(instanceId);
            Timeline.Invocation invocation = invocation(instanceId, result, start, sent);
            invocations.add(invocation);
            allEnded &= invocation.ended();
            lastEnd = Math.max(lastEnd, invocation.to());
        }
        double to = Double.NaN;
        if (allEnded) {
            for (int i = 0; i < events.size(); i++) {
                JsonNode event = events.get(i);
                if ("StateExited".equals(event.path("type").asText()) && "Task".equals(event.path("stateType").asText())
                    && at(event, start) >= lastEnd && texts.get(i).contains(command.commandId())) {
                    to = at(event, start);
                    break;
                }
            }
        }
        String step = command.comment() == null || command.comment().isBlank() ? command.documentFile()
            : command.comment();
        return new Timeline.Round(step, command.documentFile(), command.commandId(), from, sent, to, invocations);
    }

    private static Timeline.Invocation invocation(String instanceId, CommandRecord.NodeResult result, Instant start,
        double sent) {
        if (result == null) {
            return new Timeline.Invocation(instanceId, "Pending", -1, null, sent);
        }
        if (result.startedAt() == null) {
            return new Timeline.Invocation(instanceId, result.status(), result.exitCode(), null, sent);
        }
        double from = seconds(start, result.startedAt());
        return new Timeline.Invocation(instanceId, result.status(), result.exitCode(), from,
            from + result.duration().toMillis() / 1000.0);
    }

    private static double at(JsonNode event, Instant start) {
        return (event.path("timestamp").asLong() - start.toEpochMilli()) / 1000.0;
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }
}
