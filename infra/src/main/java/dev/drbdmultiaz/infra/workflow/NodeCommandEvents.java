package dev.drbdmultiaz.infra.workflow;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.constructs.Construct;

/**
 * The rule that completes node steps by event: SSM's "EC2 Command Status-change Notification"
 * for the cluster's documents in a terminal status (the CommandStatus values after which a
 * command changes no more: Success, Cancelled, Failed, TimedOut) goes to the completion function.
 * EventBridge delivers best effort; the workflow falls back to polling when an event never comes.
 */
public class NodeCommandEvents extends Construct {

    /** Source of SSM's events. */
    public static final String SOURCE = "aws.ssm";
    /** Detail-type of SSM's per-command status events. */
    public static final String DETAIL_TYPE = "EC2 Command Status-change Notification";
    /** The terminal values of SSM's CommandStatus. */
    public static final List<String> TERMINAL_STATUSES = List.of("Success", "Cancelled", "Failed", "TimedOut");

    public NodeCommandEvents(Construct scope, String id, NodeCommandEventsProps props) {
        super(scope, id);
        Objects.requireNonNull(props, "props must not be null");
        Map<String, Object> detail = new TreeMap<>(Map.of(
                "document-name", props.getDocumentNames().stream().sorted().toList(),
                "status", TERMINAL_STATUSES));
        Rule.Builder.create(this, "CommandEnded")
                .description("Terminal status of a command of this cluster's node documents completes its node step")
                .eventPattern(EventPattern.builder()
                        .source(List.of(SOURCE))
                        .detailType(List.of(DETAIL_TYPE))
                        .detail(detail)
                        .build())
                .targets(List.of(new LambdaFunction(props.getCompletionFunction(), LambdaFunctionProps.builder()
                        .deadLetterQueue(props.getDeadLetterQueue())
                        .retryAttempts(8)
                        .maxEventAge(Duration.hours(1))
                        .build())))
                .build();
    }
}
