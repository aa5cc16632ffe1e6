package dev.drbdmultiaz.infra.workflow;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.constructs.Construct;

/**
 * The EventBridge rules that start a reconcile through the trigger function: the replica group's
 * launch and terminate lifecycle actions, the custom re-adjust event and, if set, the re-adjust
 * schedule.
 */
public class EventTriggers extends Construct {

    /** Source of the custom re-adjust event (documented in README). */
    public static final String READJUST_EVENT_SOURCE = "drbd-multiaz";
    /** Detail-type of the custom re-adjust event; {@code detail.clusterId} selects the cluster. */
    public static final String READJUST_EVENT_DETAIL_TYPE = "Reconcile Requested";

    public EventTriggers(Construct scope, String id, EventTriggersProps props) {
        super(scope, id);
        Objects.requireNonNull(props, "props must not be null");
        LambdaFunction target = new LambdaFunction(props.getTriggerFunction(),
                LambdaFunctionProps.builder()
                        .deadLetterQueue(props.getDeadLetterQueue())
                        .retryAttempts(8)
                        .maxEventAge(Duration.hours(2))
                        .build());
        String groupName = props.getGroup().getAutoScalingGroupName();

        Rule.Builder.create(this, "LaunchLifecycleAction")
                .description("Launch lifecycle actions of the replica group start a reconcile")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.autoscaling"))
                        .detailType(List.of("EC2 Instance-launch Lifecycle Action"))
                        .detail(lifecycleActionOf(groupName, props.getLaunchHookName()))
                        .build())
                .targets(List.of(target))
                .build();
        Rule.Builder.create(this, "TerminateLifecycleAction")
                .description("Terminate lifecycle actions of the replica group start a reconcile")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.autoscaling"))
                        .detailType(List.of("EC2 Instance-terminate Lifecycle Action"))
                        .detail(lifecycleActionOf(groupName, props.getTerminateHookName()))
                        .build())
                .targets(List.of(target))
                .build();
        Rule.Builder.create(this, "ReadjustRequested")
                .description("Custom re-adjust event of this cluster starts a reconcile")
                .eventPattern(EventPattern.builder()
                        .source(List.of(READJUST_EVENT_SOURCE))
                        .detailType(List.of(READJUST_EVENT_DETAIL_TYPE))
                        .detail(Map.of("clusterId", List.of(props.getClusterId())))
                        .build())
                .targets(List.of(target))
                .build();
        if (props.getReadjustSchedule() != null) {
            Rule.Builder.create(this, "ReadjustSchedule")
                    .description("Scheduled re-adjust of the DRBD cluster (repairs drift)")
                    .schedule(Schedule.rate(props.getReadjustSchedule()))
                    .targets(List.of(target))
                    .build();
        }
    }

    /** Sorted, so that every synth writes the template byte for byte the same (Map.of's order changes per JVM). */
    private static Map<String, Object> lifecycleActionOf(String groupName, String hookName) {
        return new TreeMap<>(Map.of("AutoScalingGroupName", List.of(groupName), "LifecycleHookName", List.of(hookName)));
    }
}
