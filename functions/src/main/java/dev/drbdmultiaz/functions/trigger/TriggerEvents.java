package dev.drbdmultiaz.functions.trigger;

import dev.drbdmultiaz.functions.reconcile.state.Trigger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.exceptions.InvalidTriggerEventException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Reads an EventBridge event into a reconcile trigger: validation only, no AWS call.
 *
 * <p>Accepted: Auto Scaling lifecycle actions of this group and hook ({@code aws.autoscaling},
 * {@code EC2 Instance-launch Lifecycle Action} / {@code EC2 Instance-terminate Lifecycle Action}),
 * the re-adjust event ({@code drbd-multiaz}, {@value #READJUST_DETAIL_TYPE}, detail
 * {@code {"clusterId": …}}) and schedules ({@code aws.events}, {@code Scheduled Event}).
 * Another group, hook or cluster id is someone else's event: ignored. A malformed or unknown
 * event is an {@link InvalidTriggerEventException} that says what was wrong.
 */
public final class TriggerEvents {

    public static final String AUTOSCALING_SOURCE = "aws.autoscaling";
    public static final String LAUNCH_DETAIL_TYPE = "EC2 Instance-launch Lifecycle Action";
    public static final String TERMINATE_DETAIL_TYPE = "EC2 Instance-terminate Lifecycle Action";
    public static final String READJUST_SOURCE = "drbd-multiaz";
    public static final String READJUST_DETAIL_TYPE = "Reconcile Requested";
    public static final String SCHEDULE_SOURCE = "aws.events";
    public static final String SCHEDULE_DETAIL_TYPE = "Scheduled Event";

    private static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]{8,17}");
    private static final DateTimeFormatter NAME_TIME =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final int MAX_NAME = 80;

    private final Identity identity;

    public TriggerEvents(Identity identity) {
        this.identity = Objects.requireNonNull(identity, "identity");
    }

    /** What to do with {@code event}. */
    public Decision read(JsonNode event) {
        if (event == null || !event.isObject()) {
            throw invalid("The event must be a JSON object, got " + (event == null ? "nothing" : event.getNodeType()));
        }
        String source = text(event, "source", "the event");
        String detailType = text(event, "detail-type", "the event");
        String eventId = text(event, "id", "the event");
        Instant time = time(event);
        JsonNode detail = event.get("detail");
        if (detail == null || !detail.isObject()) {
            throw invalid("The event has no detail object (source " + source + ", detail-type " + detailType + ")");
        }
        switch (source) {
            case AUTOSCALING_SOURCE:
                return lifecycle(detailType, detail, eventId, time);
            case READJUST_SOURCE:
                requireDetailType(source, detailType, READJUST_DETAIL_TYPE);
                String clusterId = text(detail, "clusterId", "the detail of the re-adjust event");
                if (!clusterId.equals(identity.clusterId())) {
                    return Decision.ignore("The re-adjust event is for cluster " + clusterId
                        + ", this trigger serves cluster " + identity.clusterId());
                }
                return Decision.start("readjust", null, name("readjust", null, time, eventId));
            case SCHEDULE_SOURCE:
                requireDetailType(source, detailType, SCHEDULE_DETAIL_TYPE);
                return Decision.start("schedule", null, name("schedule", null, time, eventId));
            default:
                throw invalid("The event source '" + source + "' is not one this trigger accepts ("
                    + AUTOSCALING_SOURCE + ", " + READJUST_SOURCE + ", " + SCHEDULE_SOURCE + ")");
        }
    }

    private Decision lifecycle(String detailType, JsonNode detail, String eventId, Instant time) {
        String kind;
        String transition;
        String hook;
        if (LAUNCH_DETAIL_TYPE.equals(detailType)) {
            kind = Trigger.LAUNCH;
            transition = "autoscaling:EC2_INSTANCE_LAUNCHING";
            hook = identity.launchHookName();
        } else if (TERMINATE_DETAIL_TYPE.equals(detailType)) {
            kind = Trigger.TERMINATE;
            transition = "autoscaling:EC2_INSTANCE_TERMINATING";
            hook = identity.terminateHookName();
        } else {
            throw invalid("The detail-type '" + detailType + "' is not one this trigger accepts from "
                + AUTOSCALING_SOURCE + " ('" + LAUNCH_DETAIL_TYPE + "' or '" + TERMINATE_DETAIL_TYPE + "')");
        }
        String where = "the detail of the " + kind + " lifecycle event";
        String group = text(detail, "AutoScalingGroupName", where);
        String hookName = text(detail, "LifecycleHookName", where);
        String instanceId = text(detail, "EC2InstanceId", where);
        String eventTransition = text(detail, "LifecycleTransition", where);
        if (!INSTANCE_ID.matcher(instanceId).matches()) {
            throw invalid("EC2InstanceId in " + where + " must look like i-0123456789abcdef0, got '" + instanceId + "'");
        }
        if (!transition.equals(eventTransition)) {
            throw invalid("LifecycleTransition '" + eventTransition + "' does not match detail-type '" + detailType
                + "' (expected " + transition + ")");
        }
        if (!group.equals(identity.groupName())) {
            return Decision.ignore("The " + kind + " lifecycle event is for Auto Scaling group " + group
                + ", this trigger serves " + identity.groupName());
        }
        if (!hookName.equals(hook)) {
            return Decision.ignore("The " + kind + " lifecycle event is for hook " + hookName
                + ", this trigger serves hook " + hook);
        }
        return Decision.start(kind, instanceId, name(kind, instanceId, time, eventId));
    }

    /** {@code <kind>[-<instanceId>]-<yyyyMMdd'T'HHmmss'Z'>-<first 8 of event id>}: stable per event. */
    static String name(String kind, String instanceId, Instant time, String eventId) {
        String id8 = eventId.replaceAll("[^A-Za-z0-9_-]", "-");
        id8 = id8.length() > 8 ? id8.substring(0, 8) : id8;
        String name = kind + (instanceId == null ? "" : "-" + instanceId) + "-" + NAME_TIME.format(time) + "-" + id8;
        return name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name;
    }

    private static void requireDetailType(String source, String detailType, String expected) {
        if (!expected.equals(detailType)) {
            throw invalid("The detail-type '" + detailType + "' is not one this trigger accepts from " + source
                + " (expected '" + expected + "')");
        }
    }

    private static Instant time(JsonNode event) {
        String time = text(event, "time", "the event");
        try {
            return Instant.parse(time);
        } catch (DateTimeParseException e) {
            throw invalid("The event's time must be an ISO-8601 instant like 2024-05-01T12:00:00Z, got '" + time + "'");
        }
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw invalid("Field '" + field + "' is missing from " + where);
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw invalid("Field '" + field + "' of " + where + " must be a non-empty string, got " + value);
        }
        return value.asText();
    }

    private static InvalidTriggerEventException invalid(String message) {
        return new InvalidTriggerEventException(message + "; nothing was started");
    }

    /**
     * Who this trigger serves.
     *
     * @param clusterId CLUSTER_ID
     * @param groupName AUTO_SCALING_GROUP_NAME
     * @param launchHookName LAUNCH_HOOK_NAME
     * @param terminateHookName TERMINATE_HOOK_NAME
     */
    public record Identity(String clusterId, String groupName, String launchHookName, String terminateHookName) {
    }

    /**
     * The outcome of reading an event.
     *
     * @param source the trigger source for the execution input, {@code null} when ignored
     * @param instanceId the instance a lifecycle event names
     * @param executionName the execution name, stable for one event
     * @param ignoredReason why the event is not ours, {@code null} when it starts an execution
     */
    public record Decision(String source, String instanceId, String executionName, String ignoredReason) {

        static Decision start(String source, String instanceId, String executionName) {
            return new Decision(source, instanceId, executionName, null);
        }

        static Decision ignore(String reason) {
            return new Decision(null, null, null, reason);
        }

        public boolean ignored() {
            return ignoredReason != null;
        }
    }
}
