package dev.drbdmultiaz.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drbdmultiaz.rehearsal.aws.EventBus;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.aws.StepFunctionsFront;
import dev.drbdmultiaz.rehearsal.stack.DeployedStack;
import dev.drbdmultiaz.rehearsal.support.Net;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * The EventBridge events AWS sends to this stack, in AWS's own shapes (Auto Scaling's lifecycle
 * actions, the scheduler's ticks) and the project's custom re-adjust event, put on the
 * {@link EventBus} so that the template's rules deliver them to the real TriggerReconcile.
 */
final class AwsEvents {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long (real time) a coalesced event waits for its holder's StartExecution to land. */
    private static final Duration START_WAIT = Duration.ofSeconds(30);

    private final DeployedStack stack;
    private final StackView view;
    private final EventBus bus;
    private final StepFunctionsFront stepFunctions;
    private final Progress progress;

    AwsEvents(EmulatedAccount account) {
        this(account.deployed(), account.view(), account.events(), account.stepFunctions(), account.progress());
    }

    AwsEvents(DeployedStack stack, StackView view, EventBus bus, StepFunctionsFront stepFunctions, Progress progress) {
        this.stack = stack;
        this.view = view;
        this.bus = bus;
        this.stepFunctions = stepFunctions;
        this.progress = progress;
    }

    /** An EventBridge lifecycle event of the group (Auto Scaling's own shape), put on the bus. */
    Execution publishLifecycleEvent(String transition, String instanceId) {
        return deliver(lifecycleEvent(transition, instanceId), false);
    }

    /**
     * Puts {@code event} on the bus. A copy of an event EventBridge delivers more than once
     * ({@code duplicated}: "at least once", the same event with the same id) may find its
     * execution started by another copy: TriggerReconcile then answers that execution while it
     * runs (StartExecution is idempotent for the same name and input), and "duplicate" once it has
     * ended; either is the event's execution.
     */
    Execution deliver(ObjectNode event, boolean duplicated) {
        return trigger(event, duplicated);
    }

    /** The EventBridge lifecycle event of the group's {@code launch|terminate} of an instance, with a new id. */
    ObjectNode lifecycleEvent(String transition, String instanceId) {
        boolean launch = "launch".equals(transition);
        ObjectNode detail = JSON.createObjectNode();
        detail.put("LifecycleActionToken", UUID.randomUUID().toString());
        detail.put("AutoScalingGroupName", view.groupName());
        detail.put("LifecycleHookName", launch ? view.launchHookName() : view.terminateHookName());
        detail.put("EC2InstanceId", instanceId);
        detail.put("LifecycleTransition", launch ? "autoscaling:EC2_INSTANCE_LAUNCHING"
            : "autoscaling:EC2_INSTANCE_TERMINATING");
        if (launch) {
            detail.put("Origin", "EC2");
            detail.put("Destination", "AutoScalingGroup");
        } else {
            detail.put("Origin", "AutoScalingGroup");
            detail.put("Destination", "EC2");
        }
        return event("aws.autoscaling", launch ? "EC2 Instance-launch Lifecycle Action"
            : "EC2 Instance-terminate Lifecycle Action", detail, List.of(stack.arn("autoscaling",
                "autoScalingGroup:" + UUID.nameUUIDFromBytes(view.groupName().getBytes()) + ":autoScalingGroupName/"
                    + view.groupName())));
    }

    /** The custom re-adjust event ({@code drbd-multiaz} / {@code Reconcile Requested}) of this cluster. */
    Execution publishReadjust() {
        ObjectNode detail = JSON.createObjectNode();
        detail.put("clusterId", view.clusterId());
        return trigger(event("drbd-multiaz", "Reconcile Requested", detail, List.of()), false);
    }

    /** One tick of a schedule rule, as EventBridge's scheduler sends it to the rule's targets. */
    void fireSchedule(EventBus.Rule rule) {
        bus.fire(rule, event("aws.events", "Scheduled Event", JSON.createObjectNode(), List.of(rule.arn())));
    }

    private ObjectNode event(String source, String detailType, ObjectNode detail, List<String> resources) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", detailType);
        event.put("source", source);
        event.put("account", DeployedStack.ACCOUNT);
        event.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        event.put("region", stack.region());
        resources.forEach(event.putArray("resources")::add);
        event.set("detail", detail);
        return event;
    }

    /**
     * Puts the event on the bus; exactly one rule must deliver it, and its trigger must start an
     * execution, coalesce the event into the running one (which is then the event's execution), or,
     * for an event delivered more than once, find the one another copy started.
     */
    private Execution trigger(ObjectNode event, boolean duplicated) {
        List<JsonNode> results = bus.publish(event);
        if (results.size() != 1) {
            throw new IllegalStateException(results.size() + " rules delivered the " + event.path("detail-type").asText()
                + " event, expected exactly one: check the rules' event patterns");
        }
        JsonNode result = results.get(0);
        if (duplicated && result.path("duplicate").asBoolean()) {
            return stepFunctions.describe(view.reconcileStateMachineArn().replace(":stateMachine:", ":execution:") + ":"
                + result.path("executionName").asText());
        }
        String holder = result.path("coalescedInto").asText("");
        if (!holder.isEmpty()) {
            progress.note("the " + event.path("detail-type").asText() + " event was coalesced into running reconcile "
                + holder.substring(holder.lastIndexOf(':') + 1) + " (no execution started)");
            return started(holder);
        }
        if (!result.path("started").asBoolean()) {
            throw new IllegalStateException("TriggerReconcile started nothing for " + event.path("detail-type").asText()
                + ": " + result.path("reason").asText());
        }
        return stepFunctions.describe(result.path("executionArn").asText());
    }

    /**
     * The execution {@code arn}, waiting for it to appear: a trigger may coalesce into a holder
     * whose trigger has taken the lock but not yet returned from StartExecution.
     */
    private Execution started(String arn) {
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (true) {
            try {
                return stepFunctions.describe(arn);
            } catch (StepFunctionsFront.ApiError notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("TriggerReconcile coalesced an event into " + arn + ", which did not"
                        + " start within " + START_WAIT.toSeconds() + " s", notYet);
                }
                Net.sleep(20);
            }
        }
    }
}
