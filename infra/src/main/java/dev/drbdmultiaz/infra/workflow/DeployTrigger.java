package dev.drbdmultiaz.infra.workflow;

import dev.drbdmultiaz.model.CustomResourceTypes;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awscdk.CustomResource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.customresources.LogOptions;
import software.amazon.awscdk.customresources.Provider;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * The deploy trigger: a custom resource whose change (the config hash) starts a reconcile, and
 * which {@code cdk deploy} waits on until that reconcile ends, through the CDK Provider framework.
 */
public class DeployTrigger extends Construct {

    /** The custom resource's type in the template. */
    public static final String RESOURCE_TYPE = CustomResourceTypes.DEPLOY_RECONCILE;

    /**
     * How long CloudFormation waits for the deploy custom resource: its ServiceTimeout, at most and
     * by default 3600 s (CloudFormation template reference, AWS::CloudFormation::CustomResource).
     * The Provider's total timeout is the same, so the framework never outwaits CloudFormation.
     */
    public static final Duration DEPLOY_SERVICE_TIMEOUT = Duration.hours(1);
    /** How often the Provider framework asks isComplete whether the deploy's reconcile ended. */
    public static final Duration DEPLOY_QUERY_INTERVAL = Duration.seconds(30);
    /**
     * The deploy gives up this long before CloudFormation would, so that its reason (where the
     * reconcile is) reaches CloudFormation in time: a poll interval, cold starts, the response
     * PUT's retries. Without it the deploy would end in CloudFormation's bare timeout.
     */
    public static final Duration DEPLOY_REPORT_MARGIN = Duration.minutes(5);

    private final CustomResource reconcile;
    private final CustomResource volumeRemoval;

    public DeployTrigger(Construct scope, String id, DeployTriggerProps props) {
        super(scope, id);
        Objects.requireNonNull(props, "props must not be null");
        LogGroup frameworkLogs = LogGroup.Builder.create(this, "FrameworkLogs")
                .retention(props.getLogRetention())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        LogGroup waiterLogs = LogGroup.Builder.create(this, "WaiterLogs")
                .retention(props.getLogRetention())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        Provider provider = Provider.Builder.create(this, "Provider")
                .onEventHandler(props.getOnEventHandler())
                .isCompleteHandler(props.getIsCompleteHandler())
                .queryInterval(DEPLOY_QUERY_INTERVAL)
                .totalTimeout(DEPLOY_SERVICE_TIMEOUT)
                .logGroup(frameworkLogs)
                // Waiter logging is off unless asked for explicitly (aws-cdk-lib default).
                .disableWaiterStateMachineLogging(false)
                .waiterStateMachineLogOptions(LogOptions.builder()
                        .destination(waiterLogs).level(LogLevel.ALL).includeExecutionData(false).build())
                .build();
        justifyFramework(provider);
        this.reconcile = CustomResource.Builder.create(this, "Reconcile")
                .serviceToken(provider.getServiceToken())
                .resourceType(RESOURCE_TYPE)
                .serviceTimeout(DEPLOY_SERVICE_TIMEOUT)
                .properties(Map.of("ConfigHash", props.getConfigHash()))
                .build();
        reconcile.getNode().addDependency(props.getReconcileDependencies().toArray(new IConstruct[0]));
        this.volumeRemoval = props.getDataVolumeRemoval().map(removal -> {
            CustomResource resource = CustomResource.Builder.create(this, "DataVolumeRemoval")
                    .serviceToken(provider.getServiceToken())
                    .resourceType(CustomResourceTypes.DATA_VOLUME_REMOVAL)
                    .serviceTimeout(DEPLOY_SERVICE_TIMEOUT)
                    .properties(Map.of("StateMachineArn", removal.getStateMachine().getStateMachineArn()))
                    .build();
            // Its role's policy too: the Delete runs the state machine.
            resource.getNode().addDependency(removal);
            return resource;
        }).orElse(null);
    }

    /**
     * The data-volume removal resource, if the stack deletes its data volumes: the Auto Scaling
     * group must depend on it, so that CloudFormation deletes it, and so runs the removal, after
     * the group.
     */
    public Optional<CustomResource> getVolumeRemoval() {
        return Optional.ofNullable(volumeRemoval);
    }

    /** The custom resource: {@code cdk deploy} waits on it until the reconcile ends. */
    public CustomResource getReconcile() {
        return reconcile;
    }

    /** DEPLOY_WAIT_SECONDS: how long isComplete waits for the reconcile before it fails the deploy with where it is. */
    static Duration deployWait() {
        return Duration.seconds(DEPLOY_SERVICE_TIMEOUT.toSeconds().longValue()
                - DEPLOY_REPORT_MARGIN.toSeconds().longValue());
    }

    private static void justifyFramework(Provider provider) {
        Nag.suppress(provider, true,
                Nag.reason("AwsSolutions-IAM4", "CDK Provider framework functions: AWSLambdaBasicExecutionRole only "
                        + "allows writing their own logs", Nag.LAMBDA_BASIC_EXECUTION_POLICY),
                Nag.reason("AwsSolutions-IAM5", "CDK Provider framework waiter: invokes its own isComplete/onTimeout "
                        + "framework functions by qualified ARN (':*'), and delivers its logs (log delivery has "
                        + "no resource-level permissions)",
                        RegexAppliesTo.builder().regex("/^Resource::<[A-Za-z0-9]+Providerframework"
                                + "(isComplete|onTimeout)[A-Za-z0-9]+\\.Arn>:\\*$/g").build(),
                        Nag.ANY_RESOURCE),
                Nag.reason("AwsSolutions-SF2", "CDK Provider framework waiter state machine: X-Ray tracing cannot be "
                        + "configured; it only polls isComplete"));
    }
}
