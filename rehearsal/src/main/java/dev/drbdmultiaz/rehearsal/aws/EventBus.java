package dev.drbdmultiaz.rehearsal.aws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.rehearsal.stack.DeployedStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The default EventBridge bus of the rehearsal, with the stack's rules: an event reaches a
 * rule's targets only when it matches the rule's event pattern, so a rule that names the wrong
 * group, hook or cluster id delivers nothing here, as in AWS. Patterns are matched as EventBridge
 * documents for the forms the stack uses (arrays of exact values, nested objects); any other
 * matcher fails loudly instead of matching by guess. Targets are invoked synchronously, one
 * delivery per matching rule (EventBridge invokes Lambda asynchronously, at least once): what models
 * the asynchrony is the publisher's, as SSM's events come from their own delivery thread, late, and
 * can be lost or duplicated (nodes.SsmEvents).
 */
public final class EventBus {

    private static final Pattern RATE = Pattern.compile("rate\\((\\d+) (minute|minutes|hour|hours|day|days)\\)");

    /**
     * One rule.
     *
     * @param logicalId its logical id
     * @param arn its ARN
     * @param pattern its event pattern, or null for a schedule
     * @param schedule its rate, or null
     * @param targets the ARNs it invokes
     */
    public record Rule(String logicalId, String arn, JsonNode pattern, Duration schedule, List<String> targets) {
    }

    private final List<Rule> rules;
    private final BiFunction<String, JsonNode, JsonNode> deliver;

    /**
     * @param deliver invokes a target ARN with the event and returns its result
     */
    public EventBus(DeployedStack stack, BiFunction<String, JsonNode, JsonNode> deliver) {
        List<Rule> found = new ArrayList<>();
        for (String id : stack.logicalIds("AWS::Events::Rule")) {
            JsonNode props = stack.property(id, "EventPattern");
            JsonNode schedule = stack.property(id, "ScheduleExpression");
            List<String> targets = new ArrayList<>();
            stack.property(id, "Targets").forEach(t -> targets.add(t.path("Arn").asText()));
            found.add(new Rule(id, stack.attribute(id, "Arn"), props.isMissingNode() ? null : props,
                schedule.isMissingNode() ? null : rate(schedule.asText()), List.copyOf(targets)));
        }
        this.rules = List.copyOf(found);
        this.deliver = deliver;
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The scheduled rules. */
    public List<Rule> schedules() {
        return rules.stream().filter(r -> r.schedule() != null).toList();
    }

    /** PutEvents of one event: the results of the targets of every matching rule. */
    public List<JsonNode> publish(JsonNode event) {
        List<JsonNode> results = new ArrayList<>();
        for (Rule rule : rules) {
            if (rule.pattern() != null && matches(rule.pattern(), event)) {
                rule.targets().forEach(target -> results.add(deliver.apply(target, event)));
            }
        }
        return results;
    }

    /** Delivers a scheduled rule's event to its targets. */
    public List<JsonNode> fire(Rule schedule, JsonNode event) {
        return schedule.targets().stream().map(target -> deliver.apply(target, event)).toList();
    }

    /** EventBridge pattern matching for exact-value arrays and nested objects. */
    public static boolean matches(JsonNode pattern, JsonNode event) {
        for (Map.Entry<String, JsonNode> field : pattern.properties()) {
            JsonNode expected = field.getValue();
            JsonNode actual = event.get(field.getKey());
            if (expected.isObject()) {
                if (actual == null || !actual.isObject() || !matches(expected, actual)) {
                    return false;
                }
            } else if (expected.isArray()) {
                boolean any = false;
                for (JsonNode value : expected) {
                    if (!value.isValueNode()) {
                        throw new IllegalArgumentException("The rehearsal's EventBridge matches exact values only, not "
                            + value + " in pattern " + pattern);
                    }
                    any |= actual != null && (actual.equals(value)
                        || actual.isArray() && iterable(actual).stream().anyMatch(value::equals));
                }
                if (!any) {
                    return false;
                }
            } else {
                throw new IllegalArgumentException("Invalid event pattern field " + field.getKey() + ": " + expected);
            }
        }
        return true;
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    private static Duration rate(String expression) {
        Matcher m = RATE.matcher(expression);
        if (!m.matches()) {
            throw new IllegalArgumentException("The rehearsal runs rate(...) schedules only, not " + expression);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "minute", "minutes" -> Duration.ofMinutes(n);
            case "hour", "hours" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
