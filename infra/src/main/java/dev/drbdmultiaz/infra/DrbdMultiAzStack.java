package dev.drbdmultiaz.infra;

import dev.drbdmultiaz.infra.bastion.Bastion;
import dev.drbdmultiaz.infra.bastion.BastionProps;
import dev.drbdmultiaz.infra.network.Network;
import dev.drbdmultiaz.infra.network.NetworkProps;
import dev.drbdmultiaz.infra.nodework.NodeDocuments;
import dev.drbdmultiaz.infra.nodework.NodeDocumentsProps;
import dev.drbdmultiaz.infra.replica.ReplicaNodes;
import dev.drbdmultiaz.infra.replica.ReplicaNodesProps;
import dev.drbdmultiaz.infra.workflow.EventTriggers;
import dev.drbdmultiaz.infra.workflow.ReconcileWorkflow;
import dev.drbdmultiaz.infra.workflow.ReconcileWorkflowProps;
import java.util.List;
import software.amazon.awscdk.Acknowledgment;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.autoscaling.AutoScalingGroup;
import software.amazon.awscdk.services.ec2.InstanceType;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * The whole AWS side of one DRBD cluster: network, replica nodes, bastion, node documents and
 * the reconcile workflow with its triggers.
 *
 * <p>Creation order matters for the first instances. Their launch lifecycle actions hold them
 * in Pending:Wait, and nothing guarantees that CloudFormation finishes creating the group
 * before those actions are completed. So the group depends on the workflow's launch-event path
 * (rules, trigger function): the first launches already start reconciles, and the deploy
 * reconcile, created after the group, finds the cluster converged or converges it.
 *
 * <p>Environment: the region comes from {@code drbd:region}, the account is left to the
 * credentials used at deploy time (an unresolved {@code AWS::AccountId}). The availability
 * zones come from {@code drbd:availabilityZones} through {@link #getAvailabilityZones()}: an
 * env-agnostic stack would only get two zones ({@code Fn::GetAZs}), and a stack with a
 * concrete account and region would look them up with AWS credentials. So {@code cdk synth}
 * is deterministic, needs no credentials and no network, and the VPC still spans three zones.
 */
public class DrbdMultiAzStack extends Stack {

    private final ClusterSettings settings;
    private final Network network;
    private final ReplicaNodes replicaNodes;
    private final Bastion bastion;
    private final NodeDocuments nodeDocuments;
    private final ReconcileWorkflow workflow;

    public DrbdMultiAzStack(Construct scope, String id, DrbdMultiAzStackProps props) {
        super(scope, id, StackProps.builder()
                .env(Environment.builder().region(props.getSettings().region()).build())
                .description("drbd-multiaz: DRBD 9 replicated block device across three availability zones")
                .build());
        this.settings = props.getSettings();
        Validations.of(this).acknowledge(Acknowledgment.builder()
                .id("CloudFormation-Validate::W3010")
                .reason("Zones are pinned on purpose (drbd:availabilityZones) so that synth needs no"
                        + " credentials or lookups and the VPC spans exactly three zones.")
                .build());

        this.network = new Network(this, "Network", NetworkProps.builder()
                .vpcCidr(settings.vpcCidr())
                .availabilityZones(settings.availabilityZones())
                .natGateways(settings.natGateways())
                .flowLogRemovalPolicy(settings.destroyDataOnDelete() ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN)
                .build());
        this.replicaNodes = new ReplicaNodes(this, "ReplicaNodes", ReplicaNodesProps.builder()
                .vpc(network.getVpc())
                .nodeCount(settings.nodeCount())
                .instanceType(new InstanceType(settings.instanceType()))
                .architecture(settings.architecture())
                .ubuntuRelease(settings.ubuntuRelease())
                .image(settings.ami())
                .dataVolumeGiB(settings.dataVolumeGiB())
                .drbdPort(settings.drbdPort())
                .resourceName(settings.resourceName())
                .lifecycleHookTimeout(Duration.seconds(settings.lifecycleHookTimeoutSec()))
                .build());
        this.bastion = new Bastion(this, "Bastion", BastionProps.builder()
                .vpc(network.getVpc())
                .sshCidr(settings.sshCidr().orElse(null))
                .build());
        this.nodeDocuments = new NodeDocuments(this, "NodeDocuments", NodeDocumentsProps.builder()
                .documentsDirectory(props.getSsmDocumentsDirectory())
                .build());
        this.workflow = createWorkflow(props);

        addOutputs();
    }

    /**
     * The configured zones, so the stack needs neither an AZ context lookup nor credentials.
     * CDK documents overriding this method as the way to choose a stack's zones.
     */
    @Override
    public List<String> getAvailabilityZones() {
        return settings.availabilityZones();
    }

    public Network getNetwork() {
        return network;
    }

    public ReplicaNodes getReplicaNodes() {
        return replicaNodes;
    }

    public Bastion getBastion() {
        return bastion;
    }

    public NodeDocuments getNodeDocuments() {
        return nodeDocuments;
    }

    public ReconcileWorkflow getWorkflow() {
        return workflow;
    }

    private ReconcileWorkflow createWorkflow(DrbdMultiAzStackProps props) {
        AutoScalingGroup group = replicaNodes.getAutoScalingGroup();
        ReconcileWorkflow reconcile = new ReconcileWorkflow(this, "ReconcileWorkflow",
                ReconcileWorkflowProps.builder()
                        // By name, so the workflow does not depend on the group (see class comment).
                        .group(AutoScalingGroup.fromAutoScalingGroupName(this, "ReplicaGroupByName",
                                replicaNodes.getGroupName()))
                        .launchHookName(replicaNodes.getLaunchHookName())
                        .terminateHookName(replicaNodes.getTerminateHookName())
                        .nodeRole(replicaNodes.getRole())
                        .documentNames(nodeDocuments.getDocumentNames())
                        .clusterTagKey(ReplicaNodes.CLUSTER_TAG_KEY)
                        .clusterId(replicaNodes.getClusterTagValue())
                        .resourceName(settings.resourceName())
                        .drbdPort(settings.drbdPort())
                        .nodeCount(settings.nodeCount())
                        .lifecycleHookTimeout(Duration.seconds(settings.lifecycleHookTimeoutSec()))
                        .evictAfter(Duration.minutes(settings.evictAfterMinutes()))
                        .maxResync(Duration.hours(settings.maxResyncHours()))
                        .dataVolumeGiB(settings.dataVolumeGiB())
                        .functionsJar(props.getFunctionsJar())
                        .definitionFile(props.getReconcileDefinition())
                        .dataVolumeRemovalDefinition(settings.destroyDataOnDelete()
                                ? props.getDataVolumeRemovalDefinition() : null)
                        .readjustSchedule(settings.readjustScheduled()
                                ? Duration.minutes(settings.readjustIntervalMinutes()) : null)
                        .configHash(ConfigHash.of(settings, props.getSsmDocumentsDirectory(),
                                props.getReconcileDefinition()))
                        .build());
        group.getNode().addDependency(reconcile.getLaunchEventPath().toArray(new IConstruct[0]));
        reconcile.getDeployReconcile().getNode().addDependency(group);
        // Deleted after the group, so the removal finds the instances gone and their volumes detached.
        reconcile.getDataVolumeRemoval().ifPresent(removal -> group.getNode().addDependency(removal));
        return reconcile;
    }

    private void addOutputs() {
        CfnOutput.Builder.create(this, "AutoScalingGroupName")
                .description("Auto Scaling group of the DRBD replica nodes")
                .value(replicaNodes.getAutoScalingGroup().getAutoScalingGroupName())
                .build();
        CfnOutput.Builder.create(this, "BastionInstanceId")
                .description("Bastion instance; connect with: aws ssm start-session --target <id>")
                .value(bastion.getInstanceId())
                .build();
        CfnOutput.Builder.create(this, "ReplicaSecurityGroupId")
                .description("Security group of the replica nodes (DRBD port between members only)")
                .value(replicaNodes.getSecurityGroup().getSecurityGroupId())
                .build();
        CfnOutput.Builder.create(this, "ReconcileStateMachineArn")
                .description("Reconcile workflow: read every run in the Step Functions console;"
                        + " Start execution with {} for a full reconcile")
                .value(workflow.getStateMachine().getStateMachineArn())
                .build();
        CfnOutput.Builder.create(this, "ClusterId")
                .description("detail.clusterId of a re-adjust event (source " + EventTriggers.READJUST_EVENT_SOURCE
                        + ", detail-type " + EventTriggers.READJUST_EVENT_DETAIL_TYPE + ")")
                .value(replicaNodes.getClusterTagValue())
                .build();
        CfnOutput.Builder.create(this, "AlarmTopicArn")
                .description("SNS topic of the failed/timed-out reconcile alarms: subscribe to it")
                .value(workflow.getAlarmTopic().getTopicArn())
                .build();
        CfnOutput.Builder.create(this, "CommandOutputLogGroup")
                .description("CloudWatch Logs group with the whole output of every node command, stream"
                        + " <command-id>/<instance-id>/<document step>/stdout|stderr")
                .value(workflow.getCommandOutputLogGroup().getLogGroupName())
                .build();
        CfnOutput.Builder.create(this, "NodeDocumentNames")
                .description("SSM documents run on the nodes, as file-base-name=document-name pairs")
                .value(Fn.join(",", nodeDocuments.getDocuments().keySet().stream()
                        .map(base -> base + "=" + nodeDocuments.getDocumentName(base))
                        .toList()))
                .build();
    }
}
