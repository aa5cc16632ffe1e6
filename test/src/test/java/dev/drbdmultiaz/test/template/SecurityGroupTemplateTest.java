package dev.drbdmultiaz.test.template;

import static dev.drbdmultiaz.test.template.TemplateFixture.getAttId;
import static dev.drbdmultiaz.test.template.TemplateFixture.list;
import static dev.drbdmultiaz.test.template.TemplateFixture.props;
import static dev.drbdmultiaz.test.template.TemplateFixture.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.infra.DrbdMultiAzStack;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.assertions.Template;

@DisplayName("Security groups in the template")
class SecurityGroupTemplateTest {

    static Stream<Map<String, Object>> configurations() {
        return Stream.of(
                Map.of(),
                Map.of("drbd:sshCidr", "203.0.113.0/24"),
                Map.of("drbd:sshCidr", "198.51.100.7/32", "drbd:drbdPort", 7000, "drbd:natGateways", 1));
    }

    @ParameterizedTest(name = "context {0}")
    @MethodSource("configurations")
    @DisplayName("no security group admits 0.0.0.0/0 or ::/0 on any port, inline or standalone")
    void nothingOpenToTheWorld(Map<String, Object> context) {
        Template t = context.isEmpty() ? TemplateFixture.defaultTemplate() : TemplateFixture.template(context);
        List<Map<String, Object>> rules = TemplateFixture.allIngressRules(t);
        for (Map<String, Object> rule : rules) {
            assertNotEquals("0.0.0.0/0", rule.get("CidrIp"), rule::toString);
            assertNotEquals("::/0", rule.get("CidrIpv6"), rule::toString);
        }
    }

    @Test
    @DisplayName("the DRBD port is open only from the node security group to itself, and nothing else is")
    void drbdPortSelfReferencing() {
        DrbdMultiAzStack stack = TemplateFixture.stack(Map.of("drbd:drbdPort", 7000));
        Template t = Template.fromStack(stack);
        String nodeGroup = TemplateFixture.logicalId(stack.getReplicaNodes().getSecurityGroup());
        assertTrue(list(props(resources(t, "AWS::EC2::SecurityGroup").get(nodeGroup))
                .get("SecurityGroupIngress")).isEmpty(), "no inline ingress on the node group");
        List<Map<String, Object>> toNodes = resources(t, "AWS::EC2::SecurityGroupIngress").values().stream()
                .map(TemplateFixture::props)
                .filter(p -> nodeGroup.equals(getAttId(p.get("GroupId"), "GroupId")))
                .toList();
        assertEquals(1, toNodes.size(), () -> "ingress rules of the node group: " + toNodes);
        Map<String, Object> rule = toNodes.get(0);
        assertEquals("tcp", rule.get("IpProtocol"));
        assertEquals(7000, rule.get("FromPort"));
        assertEquals(7000, rule.get("ToPort"));
        assertEquals(nodeGroup, getAttId(rule.get("SourceSecurityGroupId"), "GroupId"));
    }

    @Test
    @DisplayName("without drbd:sshCidr nothing admits SSH and the bastion sits in a private subnet")
    void noSshByDefault() {
        Template t = TemplateFixture.defaultTemplate();
        assertTrue(sshRules(t).isEmpty(), () -> "SSH rules: " + sshRules(t));
        String subnet = TemplateFixture.ref(props(resources(t, "AWS::EC2::Instance").values().iterator().next())
                .get("SubnetId"));
        assertTrue(subnet.contains("Private"), subnet);
    }

    @Test
    @DisplayName("with drbd:sshCidr exactly one rule admits SSH, from that CIDR, to the bastion")
    void sshOnlyFromGivenCidr() {
        DrbdMultiAzStack stack = TemplateFixture.stack(Map.of("drbd:sshCidr", "203.0.113.0/24"));
        Template t = Template.fromStack(stack);
        List<Map<String, Object>> ssh = sshRules(t);
        assertEquals(1, ssh.size(), () -> "SSH rules: " + ssh);
        assertEquals("203.0.113.0/24", ssh.get(0).get("CidrIp"));
        String subnet = TemplateFixture.ref(props(resources(t, "AWS::EC2::Instance").values().iterator().next())
                .get("SubnetId"));
        assertTrue(subnet.contains("Public"), subnet);
    }

    private static List<Map<String, Object>> sshRules(Template t) {
        return TemplateFixture.allIngressRules(t).stream()
                .filter(r -> r.get("FromPort") instanceof Integer from && r.get("ToPort") instanceof Integer to
                        && from <= 22 && 22 <= to || "-1".equals(String.valueOf(r.get("IpProtocol"))))
                .toList();
    }
}
