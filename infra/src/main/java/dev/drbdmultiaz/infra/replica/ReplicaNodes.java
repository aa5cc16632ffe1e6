package dev.drbdmultiaz.infra.replica;

import dev.drbdmultiaz.model.ClusterTags;
import dev.drbdmultiaz.model.DataVolume;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.IResolveContext;
import software.amazon.awscdk.IStringProducer;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.Names;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.TagProps;
import software.amazon.awscdk.Tags;
import software.amazon.awscdk.UniqueResourceNameOptions;
import software.amazon.awscdk.customresources.AwsCustomResource;
import software.amazon.awscdk.customresources.AwsCustomResourcePolicy;
import software.amazon.awscdk.customresources.AwsSdkCall;
import software.amazon.awscdk.customresources.PhysicalResourceId;
import software.amazon.awscdk.services.autoscaling.AutoScalingGroup;
import software.amazon.awscdk.services.autoscaling.CfnAutoScalingGroup;
import software.amazon.awscdk.services.autoscaling.GroupMetric;
import software.amazon.awscdk.services.autoscaling.GroupMetrics;
import software.amazon.awscdk.services.autoscaling.HealthChecks;
import software.amazon.awscdk.services.autoscaling.InstanceRefreshOptions;
import software.amazon.awscdk.services.autoscaling.InstanceRefreshStrategy;
import software.amazon.awscdk.services.autoscaling.ScaleInProtectedInstances;
import software.amazon.awscdk.services.autoscaling.StandbyInstances;
import software.amazon.awscdk.services.autoscaling.UpdatePolicy;
import software.amazon.awscdk.services.ec2.BlockDevice;
import software.amazon.awscdk.services.ec2.BlockDeviceVolume;
import software.amazon.awscdk.services.ec2.CfnLaunchTemplate;
import software.amazon.awscdk.services.ec2.EbsDeviceOptions;
import software.amazon.awscdk.services.ec2.EbsDeviceVolumeType;
import software.amazon.awscdk.services.ec2.IMachineImage;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.LaunchTemplate;
import software.amazon.awscdk.services.ec2.MachineImage;
import software.amazon.awscdk.services.ec2.OperatingSystemType;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SsmParameterImageOptions;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * The DRBD replica nodes: an Auto Scaling group of Ubuntu LTS instances, one per slot, spread
 * over three availability zones, each with an encrypted gp3 data volume for DRBD.
 *
 * <ul>
 *   <li>Launch template (no launch configuration), AMI from Canonical's public SSM parameter, read
 *       at deploy time (no AMI id in the template, no context lookup) and pinned unless asked for
 *       the latest; a template change is rolled out by an instance refresh, except a change of
 *       the data volume's size alone, which the reconcile applies in place (see
 *       {@link #groupLaunchTemplateVersion}).
 *   <li>IMDSv2 only; root and data volumes encrypted gp3.
 *   <li>min = desired = node count, max one more (the rolling update's extra); EC2 health checks with ReplaceUnhealthy active, so a
 *       failed node is replaced (self-healing); AZRebalance suspended, so the group never
 *       terminates a healthy replica just to even out zones.
 *   <li>Launch and terminate lifecycle hooks declared on the group itself, so they exist before
 *       the first instance launches (hooks added as separate resources miss the first instances,
 *       aws-cdk issues 7712 and 16356). Their events reach EventBridge; the reconcile workflow
 *       completes them.
 *   <li>A security group admitting the DRBD port only from members of the same group.
 * </ul>
 */
public class ReplicaNodes extends Construct {

    /** Tag on every node (propagated at launch); IAM conditions scope SSM commands with it. */
    public static final String CLUSTER_TAG_KEY = ClusterTags.CLUSTER;
    /** Device name of the data volume in the launch template (Nitro shows it as an NVMe device). */
    public static final String DATA_DEVICE_NAME = DataVolume.DEVICE_NAME;
    /** Root device name of Canonical's Ubuntu AMIs. */
    private static final String UBUNTU_ROOT_DEVICE_NAME = "/dev/sda1";
    /** Construct id aws-cdk-lib gives the singleton Lambda behind every AwsCustomResource. */
    private static final String AWS_CUSTOM_RESOURCE_PROVIDER_ID = "AWS679f53fac002430cb0da5b7982bd2287";
    /** The field of GetParameter's answer that holds the AMI id. */
    private static final String PINNED_IMAGE_FIELD = "Parameter.Value";
    /** The field of DescribeLaunchTemplates' answer (one template asked for) that holds its newest version. */
    private static final String LATEST_VERSION_FIELD = "LaunchTemplates.0.LatestVersionNumber";
    /** Type of the custom resource that gives the group its launch template version. */
    public static final String GROUP_VERSION_RESOURCE_TYPE = "Custom::ReplicaLaunchTemplateVersion";

    private final SecurityGroup securityGroup;
    private final Role role;
    private final LaunchTemplate launchTemplate;
    private final AutoScalingGroup autoScalingGroup;
    private final String clusterTagValue;
    private final String groupName;
    private final String launchHookName;
    private final String terminateHookName;

    public ReplicaNodes(Construct scope, String id, ReplicaNodesProps props) {
        super(scope, id);
        requireThreeZones(props);
        this.clusterTagValue = Stack.of(this).getStackName() + "/" + props.getResourceName();
        // Generated, but known at synth time: the workflow's rules match the group by name and
        // must exist before the group launches its first instances (see getGroupName()).
        this.groupName = Names.uniqueResourceName(this, UniqueResourceNameOptions.builder()
                .maxLength(200).separator("-").allowedSpecialCharacters("-_").build());
        this.launchHookName = groupName + "-launch";
        this.terminateHookName = groupName + "-terminate";

        this.securityGroup = createSecurityGroup(props);
        this.role = createRole();
        this.launchTemplate = createLaunchTemplate(props);
        this.autoScalingGroup = createGroup(props, groupLaunchTemplateVersion());
        suspendAzRebalance();
        Tags.of(this).add(CLUSTER_TAG_KEY, clusterTagValue,
                TagProps.builder().applyToLaunchedInstances(true).build());
    }

    /** @return the Auto Scaling group of the nodes */
    public AutoScalingGroup getAutoScalingGroup() {
        return autoScalingGroup;
    }

    /**
     * The group's physical name, generated from the construct path at synth time rather than by
     * CloudFormation, so that resources created BEFORE the group (the EventBridge rules that
     * catch the launch lifecycle actions of its first instances) can match it.
     *
     * @return the Auto Scaling group name
     */
    public String getGroupName() {
        return groupName;
    }

    /** @return the security group of the nodes (DRBD port open between members only) */
    public ISecurityGroup getSecurityGroup() {
        return securityGroup;
    }

    /** @return the instance role of the nodes */
    public IRole getRole() {
        return role;
    }

    /** @return the launch template of the nodes */
    public LaunchTemplate getLaunchTemplate() {
        return launchTemplate;
    }

    /** @return the value of the {@value #CLUSTER_TAG_KEY} tag: stack name / resource name */
    public String getClusterTagValue() {
        return clusterTagValue;
    }

    /** @return the name of the launch lifecycle hook (autoscaling:EC2_INSTANCE_LAUNCHING) */
    public String getLaunchHookName() {
        return launchHookName;
    }

    /** @return the name of the terminate lifecycle hook (autoscaling:EC2_INSTANCE_TERMINATING) */
    public String getTerminateHookName() {
        return terminateHookName;
    }

    /**
     * The SSM parameter that holds the current AMI id of an Ubuntu LTS release. Canonical publishes
     * 24.04 under {@code ebs-gp3}; 22.04 images are published under {@code ebs-gp2}. The volume
     * type in the path only names the AMI's default root volume: the launch template overrides it
     * with an encrypted gp3 volume either way.
     *
     * @param ubuntuRelease 22.04 or 24.04
     * @param architecture amd64 or arm64
     * @return the parameter name
     */
    public static String ubuntuAmiParameter(String ubuntuRelease, String architecture) {
        String volumeType = "22.04".equals(ubuntuRelease) ? "ebs-gp2" : "ebs-gp3";
        return "/aws/service/canonical/ubuntu/server/" + ubuntuRelease + "/stable/current/"
                + architecture + "/hvm/" + volumeType + "/ami-id";
    }

    private void requireThreeZones(ReplicaNodesProps props) {
        List<String> zones = props.getVpc().selectSubnets(props.getVpcSubnets()).getAvailabilityZones();
        if (zones.stream().distinct().count() != 3) {
            throw new IllegalArgumentException(
                    "vpcSubnets must span exactly 3 availability zones, got " + zones);
        }
    }

    private SecurityGroup createSecurityGroup(ReplicaNodesProps props) {
        SecurityGroup group = SecurityGroup.Builder.create(this, "SecurityGroup")
                .vpc(props.getVpc())
                .description("DRBD replica nodes: DRBD port from members of this group only")
                // Egress: apt, the LINBIT PPA and the SSM endpoints through NAT.
                .allowAllOutbound(true)
                .build();
        group.addIngressRule(group, Port.tcp(props.getDrbdPort()), "DRBD replication between members");
        return group;
    }

    private Role createRole() {
        Role nodeRole = Role.Builder.create(this, "InstanceRole")
                .assumedBy(new ServicePrincipal("ec2.amazonaws.com"))
                .description("DRBD replica nodes: SSM agent (Run Command, Session Manager)")
                .managedPolicies(List.of(
                        ManagedPolicy.fromAwsManagedPolicyName("AmazonSSMManagedInstanceCore")))
                .build();
        NagSuppressions.addResourceSuppressions(nodeRole, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-IAM4")
                .reason("AmazonSSMManagedInstanceCore is the AWS-maintained minimum for the SSM agent"
                        + " (Run Command, Session Manager); AWS updates it when the agent needs new"
                        + " actions, which a copied inline policy would miss.")
                .appliesTo(List.of("Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore"))
                .build()));
        return nodeRole;
    }

    private LaunchTemplate createLaunchTemplate(ReplicaNodesProps props) {
        EbsDeviceOptions root = EbsDeviceOptions.builder()
                .volumeType(EbsDeviceVolumeType.GP3)
                .encrypted(true)
                .deleteOnTermination(true)
                .build();
        // The data volume outlives its instance: a member that leaves (terminated, replaced, or its
        // lifecycle action expired) may hold the only UpToDate copy. The reconcile deletes it once
        // every survivor is UpToDate and has forgotten that member (DataVolumePlanner), and keeps it
        // with an alarm otherwise.
        EbsDeviceOptions data = EbsDeviceOptions.builder()
                .volumeType(EbsDeviceVolumeType.GP3)
                .encrypted(true)
                .deleteOnTermination(false)
                .build();
        return LaunchTemplate.Builder.create(this, "LaunchTemplate")
                .machineImage(machineImage(props))
                .instanceType(props.getInstanceType())
                .role(role)
                .securityGroup(securityGroup)
                .requireImdsv2(true)
                .blockDevices(List.of(
                        BlockDevice.builder().deviceName(UBUNTU_ROOT_DEVICE_NAME)
                                .volume(BlockDeviceVolume.ebs(props.getRootVolumeGiB(), root)).build(),
                        BlockDevice.builder().deviceName(DATA_DEVICE_NAME)
                                .volume(BlockDeviceVolume.ebs(props.getDataVolumeGiB(), data)).build()))
                .build();
    }

    /**
     * The AMI, chosen so that a deploy replaces the nodes only when the user asked for it (an
     * image change starts a rolling update, see {@link #groupLaunchTemplateVersion}). {@code latest}:
     * the SSM parameter type, which CloudFormation resolves anew on every stack update.
     * {@code pinned}: one GetParameter call on create, repeated only when the call itself changes
     * (another release or architecture), so its answer stays the image of later deploys. An id:
     * that image.
     */
    private IMachineImage machineImage(ReplicaNodesProps props) {
        String parameter = ubuntuAmiParameter(props.getUbuntuRelease(), props.getArchitecture());
        String region = Stack.of(this).getRegion();
        if (ReplicaNodesProps.IMAGE_LATEST.equals(props.getImage())) {
            return MachineImage.fromSsmParameter(parameter,
                    SsmParameterImageOptions.builder().os(OperatingSystemType.LINUX).build());
        }
        if (!ReplicaNodesProps.IMAGE_PINNED.equals(props.getImage())) {
            return MachineImage.genericLinux(Map.of(region, props.getImage()));
        }
        AwsSdkCall lookup = AwsSdkCall.builder()
                .service("SSM")
                .action("GetParameter")
                .parameters(Map.of("Name", parameter))
                .physicalResourceId(PhysicalResourceId.of(parameter))
                .outputPaths(List.of(PINNED_IMAGE_FIELD))
                .build();
        AwsCustomResource pinned = AwsCustomResource.Builder.create(this, "PinnedImage")
                .resourceType("Custom::PinnedUbuntuImage")
                .onCreate(lookup)
                .onUpdate(lookup)
                .installLatestAwsSdk(false)
                .logGroup(customResourceLogs("PinnedImageLogs"))
                .policy(AwsCustomResourcePolicy.fromStatements(List.of(PolicyStatement.Builder.create()
                        .actions(List.of("ssm:GetParameter"))
                        .resources(List.of(Stack.of(this).formatArn(ArnComponents.builder()
                                .service("ssm").account("").resource("parameter")
                                .resourceName(parameter.substring(1)).build())))
                        .build())))
                .build();
        return MachineImage.genericLinux(Map.of(region, pinned.getResponseField(PINNED_IMAGE_FIELD)));
    }

    /**
     * A launch template change (instance type, AMI, root volume; not the data volume's size alone,
     * see {@link #groupLaunchTemplateVersion}) replaces the members through the
     * group's own instance refresh, which CloudFormation starts and waits for: launch before
     * terminate (MinHealthyPercentage 100, and a maximum that lets exactly one more instance in),
     * so each new member joins and its launch lifecycle action is CONTINUEd only once its disk is
     * UpToDate (the reconcile's gate) before an old one goes through its terminate hook. A member
     * protected from scale-in (the DRBD Primary) is waited for (an hour, then the refresh fails and
     * CloudFormation rolls back): it is replaced last and never while Primary. Skip matching: a
     * member already on the new template stays. No warmup: CONTINUE already means UpToDate.
     */
    private static UpdatePolicy rollingUpdate(int nodeCount) {
        return UpdatePolicy.instanceRefresh(InstanceRefreshOptions.builder()
                .strategy(InstanceRefreshStrategy.ROLLING)
                .minHealthyPercentage(100)
                .maxHealthyPercentage(oneMoreInstancePercent(nodeCount))
                .instanceWarmup(software.amazon.awscdk.Duration.seconds(0))
                .skipMatching(true)
                .scaleInProtectedInstances(ScaleInProtectedInstances.WAIT)
                .standbyInstances(StandbyInstances.WAIT)
                .build());
    }

    /**
     * The smallest MaxHealthyPercentage that lets one instance above {@code nodeCount} in when the
     * percentage of the desired capacity is rounded down: ceil(100 (n + 1) / n), e.g. 134 for 3.
     * The default (110) would allow none for a group of 3 under that reading.
     */
    public static int oneMoreInstancePercent(int nodeCount) {
        return (100 * (nodeCount + 1) + nodeCount - 1) / nodeCount;
    }

    private LogGroup customResourceLogs(String id) {
        // Its own group, deleted with the stack: the one aws-cdk-lib would create is retained.
        return LogGroup.Builder.create(this, id)
                .retention(RetentionDays.THREE_MONTHS)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
    }

    /**
     * The launch template version the group launches from: the template's newest version, read
     * by a custom resource whose physical id is the {@link RefreshFingerprint} of the template's
     * data (everything but the data volume's size, with the deploy-time values CloudFormation
     * resolves: image id, security group, instance profile).
     *
     * <p>Every launch template change is a new version, but CloudFormation sends the custom
     * resource an Update only when its properties change ("Update request for CloudFormation
     * custom resources": "When the template developer makes changes to the properties of a custom
     * resource within the template and updates the stack, CloudFormation sends a request to the
     * custom resource provider with RequestType set to Update",
     * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-update.html).
     * So a change of the data volume's size alone leaves the group's LaunchTemplate property as it
     * was: no instance refresh (the AutoScalingInstanceRefresh update policy: "When properties that
     * trigger an instance refresh change (such as LaunchTemplate or MixedInstancesPolicy),
     * CloudFormation starts an instance refresh", aws-cdk-lib API reference,
     * CfnAutoScalingInstanceRefresh, https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.CfnAutoScalingInstanceRefresh.html;
     * CloudFormation's "UpdatePolicy attribute",
     * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatepolicy.html).
     * Members launched later get the version before, with the size before; the reconcile grows
     * their data volumes as it grows the others'. Any other change (image, instance type, root
     * volume, security group, role, metadata options, tags, user data) changes the fingerprint, so
     * the custom resource reads the new version, the group's LaunchTemplate changes and the refresh
     * replaces the members, as {@link #rollingUpdate} describes; that new version carries the
     * current data volume size too.
     */
    private String groupLaunchTemplateVersion() {
        CfnLaunchTemplate template = (CfnLaunchTemplate) launchTemplate.getNode().getDefaultChild();
        Stack stack = Stack.of(this);
        // Lazy: tags (the cluster tag's TagSpecifications) reach the launch template data only
        // when synthesis applies the Tags aspect.
        String fingerprint = Lazy.uncachedString(new IStringProducer() {
            @Override
            public String produce(IResolveContext context) {
                return RefreshFingerprint.of(stack.resolve(template.getLaunchTemplateData()), DATA_DEVICE_NAME)
                        .toToken();
            }
        });
        AwsSdkCall describe = AwsSdkCall.builder()
                .service("EC2")
                .action("DescribeLaunchTemplates")
                .parameters(Map.of("LaunchTemplateIds", List.of(launchTemplate.getLaunchTemplateId())))
                .physicalResourceId(PhysicalResourceId.of(fingerprint))
                .outputPaths(List.of(LATEST_VERSION_FIELD))
                .build();
        AwsCustomResource version = AwsCustomResource.Builder.create(this, "GroupLaunchTemplateVersion")
                .resourceType(GROUP_VERSION_RESOURCE_TYPE)
                .onCreate(describe)
                .onUpdate(describe)
                .installLatestAwsSdk(false)
                .logGroup(customResourceLogs("GroupLaunchTemplateVersionLogs"))
                .policy(AwsCustomResourcePolicy.fromStatements(List.of(PolicyStatement.Builder.create()
                        .actions(List.of("ec2:DescribeLaunchTemplates"))
                        .resources(List.of("*"))
                        .build())))
                .build();
        // The Ref in the call orders it after the template already; explicit, because an update
        // that read the version before the template's own update would pin the group to the old one.
        version.getNode().addDependency(launchTemplate);
        NagSuppressions.addResourceSuppressions(version, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason("ec2:DescribeLaunchTemplates supports no resource-level permissions (Service"
                        + " Authorization Reference, Actions, resources, and condition keys for Amazon EC2:"
                        + " no resource type for this action), so its statement must name Resource \"*\";"
                        + " it is the statement's only action and only reads.")
                .appliesTo(List.of("Resource::*"))
                .build()), true);
        return version.getResponseField(LATEST_VERSION_FIELD);
    }

    private AutoScalingGroup createGroup(ReplicaNodesProps props, String launchTemplateVersion) {
        AutoScalingGroup group = AutoScalingGroup.Builder.create(this, "Group")
                .autoScalingGroupName(groupName)
                .vpc(props.getVpc())
                .vpcSubnets(props.getVpcSubnets())
                .launchTemplate(launchTemplate)
                .minCapacity(props.getNodeCount())
                // One above the node count: the rolling update's launch before terminate must not
                // depend on whether its extra instance may exceed MaxSize (not documented).
                .maxCapacity(props.getNodeCount() + 1)
                .desiredCapacity(props.getNodeCount())
                .updatePolicy(rollingUpdate(props.getNodeCount()))
                // EC2 status checks; ReplaceUnhealthy stays active, so a failed node is replaced.
                .healthChecks(HealthChecks.ec2())
                // GroupTerminatingInstances feeds the alarm on a departing member held in Terminating:Wait.
                .groupMetrics(List.of(new GroupMetrics(GroupMetric.PENDING_INSTANCES, GroupMetric.IN_SERVICE_INSTANCES,
                        GroupMetric.TERMINATING_INSTANCES)))
                .build();
        Annotations.of(group).acknowledgeWarning("@aws-cdk/aws-autoscaling:desiredCapacitySet",
                "min = desired = node count by design: a deploy must restore the configured size.");

        int timeoutSec = props.getLifecycleHookTimeout().toSeconds().intValue();
        // Escape hatch: hooks in the group's own LifecycleHookSpecificationList exist before the
        // first instance launches; AutoScalingGroup.addLifecycleHook would create them afterwards.
        CfnAutoScalingGroup cfn = (CfnAutoScalingGroup) group.getNode().getDefaultChild();
        // Escape hatch: AutoScalingGroup takes no version; it would use the template's
        // LatestVersionNumber, which every change, the data volume's size included, increments.
        cfn.setLaunchTemplate(CfnAutoScalingGroup.LaunchTemplateSpecificationProperty.builder()
                .launchTemplateId(launchTemplate.getLaunchTemplateId())
                .version(launchTemplateVersion)
                .build());
        cfn.setLifecycleHookSpecificationList(List.of(
                hook(launchHookName, "autoscaling:EC2_INSTANCE_LAUNCHING", timeoutSec),
                hook(terminateHookName, "autoscaling:EC2_INSTANCE_TERMINATING", timeoutSec)));

        // cfn-lint's schema predates CloudFormation's AutoScalingInstanceRefresh update policy
        // (aws-cdk-lib 2.263 CfnAutoScalingInstanceRefresh) and reports it as an unexpected key;
        // E3016 checks only the UpdatePolicy, which ReplicaNodesTemplateTest pins instead.
        cfn.addMetadata("cfn-lint", Map.of("config", Map.of("ignore_checks", List.of("E3016"))));

        NagSuppressions.addResourceSuppressions(group, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-AS3")
                .reason("Scaling events are handled by the launch and terminate lifecycle hooks, whose"
                        + " events go to EventBridge and the reconcile workflow; an SNS topic for"
                        + " scaling notifications would have no subscriber.")
                .build()), true);
        return group;
    }

    private static CfnAutoScalingGroup.LifecycleHookSpecificationProperty hook(
            String name, String transition, int heartbeatTimeoutSec) {
        return CfnAutoScalingGroup.LifecycleHookSpecificationProperty.builder()
                .lifecycleHookName(name)
                .lifecycleTransition(transition)
                // A hook nobody completes must not let an unconfigured node into the cluster.
                .defaultResult("ABANDON")
                .heartbeatTimeout(heartbeatTimeoutSec)
                .build();
    }

    /**
     * CloudFormation has no property for suspended processes, so an SDK call suspends AZRebalance
     * on create and update, and resumes it on delete (the group may already be gone then, which
     * is fine). ReplaceUnhealthy and every other process stay active.
     */
    private void suspendAzRebalance() {
        String groupName = autoScalingGroup.getAutoScalingGroupName();
        AwsSdkCall suspend = AwsSdkCall.builder()
                .service("AutoScaling")
                .action("SuspendProcesses")
                .parameters(processes(groupName))
                .physicalResourceId(PhysicalResourceId.of(groupName))
                .build();
        AwsSdkCall resume = AwsSdkCall.builder()
                .service("AutoScaling")
                .action("ResumeProcesses")
                .parameters(processes(groupName))
                .ignoreErrorCodesMatching("ValidationError")
                .build();
        AwsCustomResource suspender = AwsCustomResource.Builder.create(this, "SuspendAzRebalance")
                .resourceType("Custom::SuspendAutoScalingProcesses")
                .onCreate(suspend)
                .onUpdate(suspend)
                .onDelete(resume)
                .installLatestAwsSdk(false)
                .logGroup(customResourceLogs("SuspendAzRebalanceLogs"))
                .policy(AwsCustomResourcePolicy.fromStatements(List.of(PolicyStatement.Builder.create()
                        .actions(List.of("autoscaling:SuspendProcesses", "autoscaling:ResumeProcesses"))
                        .resources(List.of(autoScalingGroup.getAutoScalingGroupArn()))
                        .build())))
                .build();
        NagSuppressions.addResourceSuppressions(suspender, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason("The policy names this group only: its ARN carries the group's UUID, unknown"
                        + " before creation, so that one segment is a wildcard; the group name is fixed.")
                .appliesTo(List.of(RegexAppliesTo.builder()
                        .regex("/^Resource::arn:.+:autoscaling:.+:autoScalingGroup:\\*"
                                + ":autoScalingGroupName\\/<[A-Za-z0-9]+>$/")
                        .build()))
                .build()), true);
        IConstruct provider = Stack.of(this).getNode().tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
        if (provider == null) {
            throw new IllegalStateException("aws-cdk-lib no longer names the AwsCustomResource provider "
                    + AWS_CUSTOM_RESOURCE_PROVIDER_ID + "; update the cdk-nag suppressions in ReplicaNodes");
        }
        NagSuppressions.addResourceSuppressions(provider, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-IAM4")
                .reason("The AwsCustomResource provider Lambda only needs to write its own logs;"
                        + " AWSLambdaBasicExecutionRole is the AWS-maintained policy for exactly that.")
                .appliesTo(List.of(
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"))
                .build()), true);
    }

    /** Insertion-ordered so the synthesized SDK call is the same on every synth. */
    private static Map<String, Object> processes(String groupName) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("AutoScalingGroupName", groupName);
        parameters.put("ScalingProcesses", List.of("AZRebalance"));
        return parameters;
    }
}
