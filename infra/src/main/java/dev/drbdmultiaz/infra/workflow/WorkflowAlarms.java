package dev.drbdmultiaz.infra.workflow;

import dev.drbdmultiaz.model.LoggedAlarms;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.MetricProps;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.logs.FilterPattern;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.logs.MetricFilter;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.constructs.Construct;

/**
 * The alarms of the workflow and the SNS topic they publish to: failed and timed-out executions,
 * a termination held back, an eviction held back, undelivered trigger events.
 */
public class WorkflowAlarms extends Construct {

    /** Namespace of the metrics the stack derives from function logs, followed by the cluster id. */
    public static final String METRIC_NAMESPACE_PREFIX = "drbd-multiaz/";

    /** The TerminationHeld alarm fires after this many lifecycle hook timeouts in Terminating:Wait. */
    public static final int HELD_TERMINATION_HOOK_TIMEOUTS = 4;
    private static final Duration HELD_TERMINATION_PERIOD = Duration.minutes(5);

    private final Topic topic;

    public WorkflowAlarms(Construct scope, String id, WorkflowAlarmsProps props) {
        super(scope, id);
        Objects.requireNonNull(props, "props must not be null");
        // TLS-only, not KMS: CloudWatch alarm actions cannot publish to a topic encrypted with the
        // AWS managed key alias/aws/sns, and the messages carry no secret (alarm state, ARNs).
        this.topic = Topic.Builder.create(this, "Topic")
                .displayName("drbd-multiaz reconcile alarms (" + props.getClusterId() + ")")
                .enforceSsl(true)
                .build();
        MetricOptions sumPer5Min = MetricOptions.builder().period(Duration.minutes(5)).statistic("Sum").build();
        alarm("ExecutionsFailed", props.getStateMachine().metricFailed(sumPer5Min),
                "A reconcile execution failed: open the execution in the Step Functions console and read "
                        + "ReconcileFailed's error and cause");
        alarm("ExecutionsTimedOut", props.getStateMachine().metricTimedOut(sumPer5Min),
                "A reconcile execution timed out; its lock is recovered by the next trigger");
        terminationHeld(props);
        // CompleteLifecycleActions logs {"alarm":"EvictionHeld"} when a member stays unreachable past
        // evictAfter but replacing it would leave fewer than a majority of UpToDate members.
        loggedAlarm(LoggedAlarms.EVICTION_HELD, props.getCompleteLifecycleActionsLogGroup(), props, sumPer5Min,
                "A member stays unreachable (SSM agent offline) past drbd:evictAfterMinutes, but replacing it"
                        + " would leave fewer than a majority of UpToDate members: read the latest reconcile"
                        + " execution's output (unreachable, evictionHeld) and bring the member or its peers back");
        // PlanDataVolumes logs {"alarm":"DataVolumesKept"} when it keeps a detached data volume.
        loggedAlarm(LoggedAlarms.DATA_VOLUMES_KEPT, props.getPlanDataVolumesLogGroup(), props, sumPer5Min,
                "A detached data volume is kept because it may hold data no member has (its owner is still in the"
                        + " registry, a member is not UpToDate, or no owner was recorded): read the latest reconcile"
                        + " execution's output (dataVolumes.kept) and README, 'Kept data volumes'");
        alarm("UndeliveredTriggers",
                props.getDeadLetterQueue().metricApproximateNumberOfMessagesVisible(MetricOptions.builder()
                        .period(Duration.minutes(5)).statistic("Maximum").build()),
                "A trigger event could not be delivered or was rejected: read the dead-letter queue");
    }

    /** An alarm on the lines a function logs with {@code "alarm": name} (LoggedAlarms), counted by a metric filter. */
    private void loggedAlarm(String name, ILogGroup logGroup, WorkflowAlarmsProps props, MetricOptions sumPer5Min,
            String description) {
        MetricFilter filter = MetricFilter.Builder.create(this, name + "Filter")
                .logGroup(logGroup)
                .filterPattern(FilterPattern.stringValue("$." + LoggedAlarms.FIELD, "=", name))
                .metricNamespace(METRIC_NAMESPACE_PREFIX + props.getClusterId())
                .metricName(name)
                .metricValue("1")
                .build();
        alarm(name, filter.metric(sumPer5Min), description);
    }

    /** The SNS topic the alarms publish to. */
    public ITopic getTopic() {
        return topic;
    }

    /**
     * A departing member is kept in Terminating:Wait while it may hold the only good copy (I3);
     * Auto Scaling ends the wait on its own only at the global timeout (48 h), so an operator
     * hears of it long before: after HELD_TERMINATION_HOOK_TIMEOUTS heartbeat timeouts.
     */
    private void terminationHeld(WorkflowAlarmsProps props) {
        int periods = (int) (HELD_TERMINATION_HOOK_TIMEOUTS * props.getLifecycleHookTimeout().toSeconds().longValue()
                / HELD_TERMINATION_PERIOD.toSeconds().longValue());
        Alarm held = Alarm.Builder.create(this, "TerminationHeld")
                .metric(new Metric(MetricProps.builder()
                        .namespace("AWS/AutoScaling").metricName("GroupTerminatingInstances")
                        .dimensionsMap(Map.of("AutoScalingGroupName", props.getGroup().getAutoScalingGroupName()))
                        .statistic("Minimum").period(HELD_TERMINATION_PERIOD).build()))
                .threshold(1)
                .evaluationPeriods(periods)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .alarmDescription("A replica node has waited in Terminating:Wait for " + HELD_TERMINATION_HOOK_TIMEOUTS
                        + " lifecycle hook timeouts: the reconcile keeps a departing member that may hold the only"
                        + " UpToDate copy, or cannot reach the cluster. Read the latest reconcile execution; Auto Scaling"
                        + " terminates it on its own at the hook's global timeout (48 h)")
                .build();
        held.addAlarmAction(new SnsAction(topic));
    }

    private void alarm(String id, IMetric metric, String description) {
        Alarm alarm = Alarm.Builder.create(this, id)
                .metric(metric)
                .threshold(1)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .alarmDescription(description)
                .build();
        alarm.addAlarmAction(new SnsAction(topic));
    }
}
