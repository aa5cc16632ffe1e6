package dev.drbdmultiaz.infra.workflow;

import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Names;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.UniqueResourceNameOptions;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.IStateMachine;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.constructs.Construct;

/**
 * What {@code cdk destroy} does with the data volumes under {@code drbd:removalPolicy destroy}: a
 * state machine that deletes every volume with this cluster's tag once none is attached. The
 * deploy trigger's Provider starts it from the Delete of its custom resource
 * ({@code Custom::DrbdDataVolumeRemoval}), which the Auto Scaling group depends on, so it runs after
 * the group and its instances are gone. It may delete only volumes with this cluster's tag.
 */
public class DataVolumeRemoval extends Construct {

    private final StateMachine stateMachine;
    private final String executionArnPattern;

    public DataVolumeRemoval(Construct scope, String id, DataVolumeRemovalProps props) {
        super(scope, id);
        Objects.requireNonNull(props, "props must not be null");
        String name = Names.uniqueResourceName(this, UniqueResourceNameOptions.builder()
                .maxLength(80).separator("-").build());
        // Vended-logs prefix, as the reconcile's: keeps the CloudWatch Logs resource policy under its size limit.
        LogGroup logs = LogGroup.Builder.create(this, "ExecutionLogs")
                .logGroupName("/aws/vendedlogs/states/" + name)
                .retention(props.getLogRetention())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        this.executionArnPattern = Policies.executionsOf(this, name);
        this.stateMachine = StateMachine.Builder.create(this, "StateMachine")
                // Deterministic name: the deploy functions' policy names its executions.
                .stateMachineName(name)
                .stateMachineType(StateMachineType.STANDARD)
                .definitionBody(DefinitionBody.fromFile(props.getDefinitionFile().toString()))
                .definitionSubstitutions(Map.of(
                        ReconcileWorkflow.CLUSTER_TAG_KEY_SUBSTITUTION, props.getClusterTagKey(),
                        ReconcileWorkflow.CLUSTER_ID_SUBSTITUTION, props.getClusterId()))
                .logs(LogOptions.builder().destination(logs).level(LogLevel.ALL).includeExecutionData(true).build())
                .tracingEnabled(true)
                .build();
        stateMachine.addToRolePolicy(Policies.describeVolumes());
        stateMachine.addToRolePolicy(
                Policies.deleteClusterVolumes(this, props.getClusterTagKey(), props.getClusterId()));
        Nag.suppress(stateMachine, true,
                Nag.reason("AwsSolutions-IAM5", "Step Functions log delivery and X-Ray support no resource-level "
                        + "permissions; ec2:DescribeVolumes supports none either", Nag.ANY_RESOURCE),
                Nag.reason("AwsSolutions-IAM5", "Volume ids are unknown at synth time; DeleteVolume is limited by"
                        + " the condition aws:ResourceTag/" + props.getClusterTagKey() + " = cluster id",
                        Nag.ANY_VOLUME));
    }

    /** The ARN of any execution of the removal, for the policy of who follows them. */
    public String getExecutionArnPattern() {
        return executionArnPattern;
    }

    /** The removal state machine (Standard). */
    public IStateMachine getStateMachine() {
        return stateMachine;
    }
}
