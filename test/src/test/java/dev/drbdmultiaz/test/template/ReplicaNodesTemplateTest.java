package dev.drbdmultiaz.test.template;

import static dev.drbdmultiaz.test.template.TemplateFixture.flatten;
import static dev.drbdmultiaz.test.template.TemplateFixture.list;
import static dev.drbdmultiaz.test.template.TemplateFixture.map;
import static dev.drbdmultiaz.test.template.TemplateFixture.props;
import static dev.drbdmultiaz.test.template.TemplateFixture.ref;
import static dev.drbdmultiaz.test.template.TemplateFixture.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.infra.DrbdMultiAzStack;
import dev.drbdmultiaz.infra.replica.ReplicaNodes;
import dev.drbdmultiaz.infra.replica.ReplicaNodesProps;
import dev.drbdmultiaz.model.ClusterTags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.Vpc;

@DisplayName("Replica nodes template")
class ReplicaNodesTemplateTest {

    private static final String UBUNTU_2404_AMD64 =
            "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id";

    @Test
    @DisplayName("nodes launch from a launch template that requires IMDSv2, never a launch configuration")
    void launchTemplateRequiresImdsv2() {
        Template t = TemplateFixture.defaultTemplate();
        t.resourceCountIs("AWS::AutoScaling::LaunchConfiguration", 0);
        resources(t, "AWS::EC2::LaunchTemplate").values().forEach(lt -> assertEquals("required",
                map(map(props(lt).get("LaunchTemplateData")).get("MetadataOptions")).get("HttpTokens"),
                lt::toString));
        t.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", Match.objectLike(Map.of(
                "LaunchTemplate", Match.objectLike(Map.of("LaunchTemplateId", Match.anyValue())))));
    }

    @Test
    @DisplayName("every block device of every launch template and instance is an encrypted gp3 volume")
    void everyVolumeEncryptedGp3() {
        Template t = TemplateFixture.defaultTemplate();
        List<Map<String, Object>> mappings = new ArrayList<>();
        resources(t, "AWS::EC2::LaunchTemplate").values().forEach(lt -> list(
                map(props(lt).get("LaunchTemplateData")).get("BlockDeviceMappings")).forEach(m -> mappings.add(map(m))));
        resources(t, "AWS::EC2::Instance").values().forEach(i ->
                list(props(i).get("BlockDeviceMappings")).forEach(m -> mappings.add(map(m))));
        assertEquals(3, mappings.size(), "node root + node data + bastion root: " + mappings);
        for (Map<String, Object> m : mappings) {
            Map<String, Object> ebs = map(m.get("Ebs"));
            assertEquals(true, ebs.get("Encrypted"), m::toString);
            assertEquals("gp3", ebs.get("VolumeType"), m::toString);
        }
    }

    @Test
    @DisplayName("the data volume on /dev/sdf has the size of drbd:dataVolumeGiB and goes with its instance")
    void dataVolumeSizeFromContext() {
        Template t = TemplateFixture.template(Map.of("drbd:dataVolumeGiB", 250));
        t.hasResourceProperties("AWS::EC2::LaunchTemplate", Match.objectLike(Map.of(
                "LaunchTemplateData", Match.objectLike(Map.of("BlockDeviceMappings", Match.arrayWith(List.of(
                        Map.of("DeviceName", "/dev/sdf", "Ebs", Map.of(
                                "VolumeSize", 250, "VolumeType", "gp3", "Encrypted", true,
                                "DeleteOnTermination", false)))))))));
    }

    @Test
    @DisplayName("the data volume outlives its instance and carries the cluster tag from launch; the root volume does not")
    void dataVolumeOutlivesItsInstance() {
        Template t = TemplateFixture.defaultTemplate();
        t.hasResourceProperties("AWS::EC2::LaunchTemplate", Match.objectLike(Map.of(
                "LaunchTemplateData", Match.objectLike(Map.of(
                        "BlockDeviceMappings", List.of(
                                Map.of("DeviceName", "/dev/sda1", "Ebs", Match.objectLike(Map.of("DeleteOnTermination", true))),
                                Map.of("DeviceName", "/dev/sdf", "Ebs", Match.objectLike(Map.of("DeleteOnTermination", false)))),
                        "TagSpecifications", Match.arrayWith(List.of(Map.of("ResourceType", "volume",
                                "Tags", Match.arrayWith(List.of(Map.of("Key", ClusterTags.CLUSTER,
                                        "Value", Match.anyValue())))))))))));
    }

    @Test
    @DisplayName("the group keeps min = desired = drbd:nodeCount (max one more) over the three private subnets")
    void groupSizeFromContext() {
        Template t = TemplateFixture.template(Map.of("drbd:nodeCount", 5));
        t.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", Match.objectLike(Map.of(
                "MinSize", "5", "MaxSize", "6", "DesiredCapacity", "5", "HealthCheckType", "EC2")));
        Map<String, Object> group = props(resources(t, "AWS::AutoScaling::AutoScalingGroup").values().iterator().next());
        assertEquals(3, list(group.get("VPCZoneIdentifier")).size());
        TemplateFixture.defaultTemplate().hasResourceProperties("AWS::AutoScaling::AutoScalingGroup",
                Match.objectLike(Map.of("MinSize", "3", "MaxSize", "4", "DesiredCapacity", "3")));
    }

    @Test
    @DisplayName("a launch template change rolls out by instance refresh: launch before terminate, one at a time,"
            + " protected members waited for, matching members skipped")
    void rollingUpdateByInstanceRefresh() {
        for (int nodes : List.of(3, 5, 15)) {
            Template t = TemplateFixture.template(Map.of("drbd:nodeCount", nodes));
            Map<String, Object> group = resources(t, "AWS::AutoScaling::AutoScalingGroup").values().iterator().next();
            Map<String, Object> refresh = map(map(group.get("UpdatePolicy")).get("AutoScalingInstanceRefresh"));
            assertEquals("Rolling", refresh.get("Strategy"), refresh::toString);
            Map<String, Object> preferences = map(refresh.get("Preferences"));
            assertEquals(100, preferences.get("MinHealthyPercentage"), "never fewer members than drbd:nodeCount");
            int max = ((Number) preferences.get("MaxHealthyPercentage")).intValue();
            assertEquals(nodes + 1, nodes * max / 100, "rounded down, exactly one instance above " + nodes + ": " + max);
            assertTrue(nodes * (max - 1) / 100 < nodes + 1, "the smallest such percentage: " + max);
            assertEquals("Wait", preferences.get("ScaleInProtectedInstances"), "the Primary is waited for, never replaced");
            assertEquals("Wait", preferences.get("StandbyInstances"));
            assertEquals(true, preferences.get("SkipMatching"));
            assertEquals(0, preferences.get("InstanceWarmup"), "CONTINUE already means UpToDate");
            assertFalse(map(group.get("UpdatePolicy")).containsKey("AutoScalingRollingUpdate"));
            assertEquals(Map.of("LaunchTemplateId", Map.of("Ref", ref(map(props(group).get("LaunchTemplate"))
                    .get("LaunchTemplateId"))), "Version", Map.of("Fn::GetAtt", List.of(versionResourceId(t),
                    "LaunchTemplates.0.LatestVersionNumber"))),
                    props(group).get("LaunchTemplate"), "a refresh-worthy template change is a group change, so it"
                    + " starts the refresh");
        }
    }

    @Test
    @DisplayName("a change of drbd:dataVolumeGiB alone leaves the group's launch template version and the version"
            + " resource as they were: no instance refresh, the reconcile grows the volumes in place")
    void dataVolumeSizeAloneStartsNoRefresh() {
        Template t100 = TemplateFixture.template(Map.of("drbd:dataVolumeGiB", 100));
        Template t120 = TemplateFixture.template(Map.of("drbd:dataVolumeGiB", 120));
        assertEquals(groupLaunchTemplate(t100), groupLaunchTemplate(t120));
        assertEquals(versionResource(t100), versionResource(t120));
        assertEquals(100, dataVolumeSize(t100));
        assertEquals(120, dataVolumeSize(t120), "the launch template itself carries the new size (a new version)");
        assertEquals(TemplateFixture.json(TemplateFixture.template(Map.of("drbd:dataVolumeGiB", 100))),
                TemplateFixture.json(t100), "the fingerprint is the same on every synth");
    }

    @Test
    @DisplayName("a change of instance type, image or its source, or root volume size changes the version resource's"
            + " properties, so CloudFormation updates it and the group's version: the refresh starts")
    void refreshWorthyChangesChangeTheVersionResource() {
        Map<String, Object> base = versionResource(TemplateFixture.defaultTemplate());
        for (Map<String, ?> change : List.of(Map.of("drbd:instanceType", "t3.large"),
                Map.of("drbd:ami", "latest"), Map.of("drbd:ami", "ami-0123456789abcdef0"),
                Map.of("drbd:instanceType", "t4g.medium", "drbd:architecture", "arm64"))) {
            assertNotEquals(base, versionResource(TemplateFixture.template(change)), change::toString);
        }
        assertNotEquals(versionResource(TemplateFixture.template(Map.of("drbd:ami", "ami-0123456789abcdef0"))),
                versionResource(TemplateFixture.template(Map.of("drbd:ami", "ami-0123456789abcdef1"))));
        assertNotEquals(versionResource(standaloneNodes(20, 100)), versionResource(standaloneNodes(30, 100)),
                "root volume size");
        assertEquals(versionResource(standaloneNodes(20, 100)), versionResource(standaloneNodes(20, 200)),
                "data volume size");
    }

    @Test
    @DisplayName("the version resource's fingerprint holds the deploy-time values: pinned image, security group,"
            + " instance profile; it reads DescribeLaunchTemplates of the nodes' template on create and update")
    void versionResourceFingerprint() {
        Template t = TemplateFixture.defaultTemplate();
        Map<String, Object> p = props(versionResource(t));
        String template = nodeLaunchTemplateId(t);
        String pinned = resources(t, "Custom::PinnedUbuntuImage").keySet().iterator().next();
        for (String phase : List.of("Create", "Update")) {
            String call = flattenDeep(p.get(phase));
            assertTrue(call.contains("\"service\":\"EC2\"") && call.contains("\"action\":\"DescribeLaunchTemplates\""),
                    call);
            assertTrue(call.contains("\"LaunchTemplateIds\":[\"<" + template + ">\"]"), call);
            assertTrue(call.contains("\"outputPaths\":[\"LaunchTemplates.0.LatestVersionNumber\"]"), call);
            assertTrue(Pattern.compile("\"physicalResourceId\":\\{\"id\":\"[0-9a-f]{64}\\|").matcher(call).find(),
                    "the physical id starts with the digest: " + call);
            assertTrue(call.contains("<" + pinned + ".Parameter.Value>"), "the pinned image: " + call);
            assertTrue(call.matches(".*<[A-Za-z0-9]*SecurityGroup[A-Za-z0-9]*\\.GroupId>.*"), "the security group: " + call);
            assertTrue(call.matches(".*<[A-Za-z0-9]*Profile[A-Za-z0-9]*\\.Arn>.*"), "the instance profile: " + call);
            assertFalse(call.contains("LatestVersionNumber>") || call.contains("DefaultVersionNumber>"),
                    "nothing that a size-only change alters: " + call);
        }
        assertFalse(p.containsKey("Delete"), "nothing to undo on delete");
    }

    @Test
    @DisplayName("the version resource is updated after the launch template and its policy allows only"
            + " ec2:DescribeLaunchTemplates (no resource-level permissions: Resource *)")
    void versionResourceOrderAndPolicy() {
        Template t = TemplateFixture.defaultTemplate();
        Map<String, Object> resource = versionResource(t);
        assertTrue(list(resource.get("DependsOn")).contains(nodeLaunchTemplateId(t)), resource::toString);
        List<Object> statements = new ArrayList<>();
        resources(t, "AWS::IAM::Policy").values().forEach(policy -> list(map(props(policy).get("PolicyDocument"))
                .get("Statement")).stream().filter(s -> jsonOf(s).contains("ec2:DescribeLaunchTemplates"))
                .forEach(statements::add));
        assertEquals(List.of(Map.of("Action", "ec2:DescribeLaunchTemplates", "Effect", "Allow", "Resource", "*")),
                statements);
        String policy = resources(t, "AWS::IAM::Policy").entrySet().stream()
                .filter(e -> jsonOf(e.getValue()).contains("ec2:DescribeLaunchTemplates"))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        assertEquals(1, list(map(props(resources(t, "AWS::IAM::Policy").get(policy)).get("PolicyDocument"))
                .get("Statement")).size(), "its policy has no other statement");
        assertTrue(list(resource.get("DependsOn")).contains(policy), "created after its policy");
    }

    private static String jsonOf(Object value) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> versionResource(Template t) {
        Map<String, Map<String, Object>> found = resources(t, ReplicaNodes.GROUP_VERSION_RESOURCE_TYPE);
        assertEquals(1, found.size(), found::toString);
        return found.values().iterator().next();
    }

    private static String versionResourceId(Template t) {
        versionResource(t);
        return resources(t, ReplicaNodes.GROUP_VERSION_RESOURCE_TYPE).keySet().iterator().next();
    }

    private static Object groupLaunchTemplate(Template t) {
        return props(resources(t, "AWS::AutoScaling::AutoScalingGroup").values().iterator().next()).get("LaunchTemplate");
    }

    private static String nodeLaunchTemplateId(Template t) {
        return ref(map(groupLaunchTemplate(t)).get("LaunchTemplateId"));
    }

    private static int dataVolumeSize(Template t) {
        Map<String, Object> data = map(props(resources(t, "AWS::EC2::LaunchTemplate").get(nodeLaunchTemplateId(t)))
                .get("LaunchTemplateData"));
        return list(data.get("BlockDeviceMappings")).stream().map(TemplateFixture::map)
                .filter(m -> ReplicaNodes.DATA_DEVICE_NAME.equals(m.get("DeviceName")))
                .map(m -> ((Number) map(m.get("Ebs")).get("VolumeSize")).intValue()).findFirst().orElseThrow();
    }

    /** {@link TemplateFixture#flatten}, with {"Fn::GetAtt": [id, attribute]} as <id.attribute> and nested joins. */
    private static String flattenDeep(Object value) {
        if (value instanceof Map<?, ?> m && m.get("Fn::Join") instanceof List<?> join) {
            List<String> parts = new ArrayList<>();
            for (Object part : (List<?>) join.get(1)) {
                parts.add(flattenDeep(part));
            }
            return String.join((String) join.get(0), parts);
        }
        if (value instanceof Map<?, ?> m && m.get("Fn::GetAtt") instanceof List<?> att) {
            return "<" + att.get(0) + "." + att.get(1) + ">";
        }
        return TemplateFixture.flatten(value);
    }

    /** ReplicaNodes alone (props the stack's settings do not expose, such as the root volume size). */
    private static Template standaloneNodes(int rootVolumeGiB, int dataVolumeGiB) {
        App app = new App();
        Stack stack = new Stack(app, "Nodes", StackProps.builder()
                .env(Environment.builder().account("123456789012").region("us-east-1").build()).build());
        software.amazon.awscdk.Validations.of(stack).acknowledge(software.amazon.awscdk.Acknowledgment.builder()
                .id("CloudFormation-Validate::W3010").reason("Zones pinned, as in DrbdMultiAzStack").build());
        Vpc vpc = Vpc.Builder.create(stack, "Vpc")
                .availabilityZones(List.of("us-east-1a", "us-east-1b", "us-east-1c")).natGateways(1).build();
        new ReplicaNodes(stack, "ReplicaNodes", ReplicaNodesProps.builder().vpc(vpc)
                .rootVolumeGiB(rootVolumeGiB).dataVolumeGiB(dataVolumeGiB).build());
        return Template.fromStack(stack);
    }

    @Test
    @DisplayName("launch and terminate hooks are declared on the group itself, not as separate resources")
    void lifecycleHooksOnTheGroup() {
        DrbdMultiAzStack stack = TemplateFixture.stack(java.util.Map.of("drbd:lifecycleHookTimeoutSec", 2700,
                "drbd:readjustIntervalMinutes", 20));
        Template t = Template.fromStack(stack);
        ReplicaNodes nodes = stack.getReplicaNodes();
        t.resourceCountIs("AWS::AutoScaling::LifecycleHook", 0);
        t.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", Match.objectLike(Map.of(
                "LifecycleHookSpecificationList", List.of(
                        Map.of("LifecycleHookName", nodes.getLaunchHookName(),
                                "LifecycleTransition", "autoscaling:EC2_INSTANCE_LAUNCHING",
                                "DefaultResult", "ABANDON", "HeartbeatTimeout", 2700),
                        Map.of("LifecycleHookName", nodes.getTerminateHookName(),
                                "LifecycleTransition", "autoscaling:EC2_INSTANCE_TERMINATING",
                                "DefaultResult", "ABANDON", "HeartbeatTimeout", 2700)))));
        assertNotEquals(nodes.getLaunchHookName(), nodes.getTerminateHookName());
        assertEquals(nodes.getLaunchHookName(),
                TemplateFixture.stack(Map.of()).getReplicaNodes().getLaunchHookName(), "hook names are deterministic");
    }

    @Test
    @DisplayName("a custom resource suspends AZRebalance only, on create and update, scoped to the group")
    void suspendsAzRebalanceOnly() {
        Template t = TemplateFixture.defaultTemplate();
        Map<String, Map<String, Object>> calls = resources(t, "Custom::SuspendAutoScalingProcesses");
        assertEquals(1, calls.size());
        Map<String, Object> p = props(calls.values().iterator().next());
        String group = resources(t, "AWS::AutoScaling::AutoScalingGroup").keySet().iterator().next();
        for (String phase : List.of("Create", "Update")) {
            String call = flatten(p.get(phase));
            assertTrue(call.contains("\"action\":\"SuspendProcesses\""), call);
            assertTrue(call.contains("\"AutoScalingGroupName\":\"<" + group + ">\""), call);
            assertTrue(call.contains("\"ScalingProcesses\":[\"AZRebalance\"]"), call);
        }
        assertTrue(flatten(p.get("Delete")).contains("\"action\":\"ResumeProcesses\""));
        assertFalse(TemplateFixture.json(t).contains("ReplaceUnhealthy"), "self-healing must stay on");
        Object groupArn = Match.objectLike(Map.of("Fn::Join", Match.arrayWith(List.of(
                Match.arrayWith(List.of(Map.of("Ref", group)))))));
        Object statement = Match.objectLike(Map.of(
                "Action", List.of("autoscaling:ResumeProcesses", "autoscaling:SuspendProcesses"),
                "Resource", groupArn));
        t.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "PolicyDocument", Match.objectLike(Map.of("Statement", List.of(statement))))));
    }

    @Test
    @DisplayName("drbd:ami pinned (default): Canonical's AMI read once by a custom resource whose call changes only"
            + " with release or architecture, so a later deploy keeps the image; no AMI id in the template")
    void amiPinnedByDefault() {
        Template t = TemplateFixture.defaultTemplate();
        Object imageId = nodeImageId(t);
        Map<String, Map<String, Object>> pinned = resources(t, "Custom::PinnedUbuntuImage");
        assertEquals(1, pinned.size());
        String logicalId = pinned.keySet().iterator().next();
        assertEquals(Map.of("Fn::GetAtt", List.of(logicalId, "Parameter.Value")), imageId);
        Map<String, Object> call = props(pinned.get(logicalId));
        for (String phase : List.of("Create", "Update")) {
            String sdkCall = flatten(call.get(phase));
            assertTrue(sdkCall.contains("\"action\":\"GetParameter\"") && sdkCall.contains(UBUNTU_2404_AMD64), sdkCall);
            assertFalse(sdkCall.matches(".*(Timestamp|Date|[0-9]{13}).*"), "nothing in the call changes per deploy: " + sdkCall);
        }
        assertEquals(TemplateFixture.json(t), TemplateFixture.json(TemplateFixture.defaultTemplate()),
                "a second synth with the same settings gives the same template, so CloudFormation updates nothing");
        t.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of("PolicyDocument", Match.objectLike(Map.of(
                "Statement", List.of(Map.of("Action", "ssm:GetParameter", "Effect", "Allow",
                        "Resource", "arn:aws:ssm:us-east-1::parameter" + UBUNTU_2404_AMD64)))))));
        assertFalse(Pattern.compile("ami-[0-9a-f]{8,17}").matcher(TemplateFixture.json(t)).find(),
                "no AMI id literal in the template");
        assertTrue(flatten(props(resources(TemplateFixture.template(Map.of("drbd:instanceType", "t4g.medium",
                        "drbd:architecture", "arm64", "drbd:ubuntuRelease", "22.04")), "Custom::PinnedUbuntuImage")
                .values().iterator().next()).get("Update"))
                .contains("/aws/service/canonical/ubuntu/server/22.04/stable/current/arm64/hvm/"),
                "another release or architecture changes the call, so CloudFormation reads the parameter again");
    }

    @Test
    @DisplayName("drbd:ami latest: the SSM parameter type, resolved by CloudFormation on every deploy")
    void amiLatestFromSsmParameter() {
        Template t = TemplateFixture.template(Map.of("drbd:ami", "latest"));
        String parameter = ref(nodeImageId(t));
        Map<String, Object> declared = map(map(t.toJSON().get("Parameters")).get(parameter));
        assertEquals("AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", declared.get("Type"));
        assertEquals(UBUNTU_2404_AMD64, declared.get("Default"));
        t.resourceCountIs("Custom::PinnedUbuntuImage", 0);
    }

    @Test
    @DisplayName("drbd:ami with an AMI id: exactly that image")
    void amiById() {
        Template t = TemplateFixture.template(Map.of("drbd:ami", "ami-0123456789abcdef0"));
        assertEquals("ami-0123456789abcdef0", nodeImageId(t));
        t.resourceCountIs("Custom::PinnedUbuntuImage", 0);
    }

    private static Object nodeImageId(Template t) {
        return map(props(resources(t, "AWS::EC2::LaunchTemplate").values().stream()
                .filter(lt -> map(props(lt).get("LaunchTemplateData")).containsKey("BlockDeviceMappings"))
                .findFirst().orElseThrow()).get("LaunchTemplateData")).get("ImageId");
    }

    @Test
    @DisplayName("nodes carry the cluster tag at launch, with an instance role for the SSM agent")
    void clusterTagAndRole() {
        DrbdMultiAzStack stack = TemplateFixture.defaultStack();
        Template t = TemplateFixture.defaultTemplate();
        assertEquals("DrbdMultiAz/r0", stack.getReplicaNodes().getClusterTagValue());
        t.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", Match.objectLike(Map.of(
                "Tags", Match.arrayWith(List.of(Map.of(
                        "Key", ReplicaNodes.CLUSTER_TAG_KEY, "Value", "DrbdMultiAz/r0", "PropagateAtLaunch", true))))));
        t.hasResourceProperties("AWS::IAM::Role", Match.objectLike(Map.of(
                "AssumeRolePolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Principal", Map.of("Service", "ec2.amazonaws.com"))))))),
                "ManagedPolicyArns", Match.arrayWith(List.of(Match.objectLike(Map.of("Fn::Join", Match.arrayWith(List.of(
                        Match.arrayWith(List.of(":iam::aws:policy/AmazonSSMManagedInstanceCore")))))))))));
    }
}
