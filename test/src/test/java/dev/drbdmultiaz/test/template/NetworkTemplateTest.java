package dev.drbdmultiaz.test.template;

import static dev.drbdmultiaz.test.template.TemplateFixture.list;
import static dev.drbdmultiaz.test.template.TemplateFixture.props;
import static dev.drbdmultiaz.test.template.TemplateFixture.ref;
import static dev.drbdmultiaz.test.template.TemplateFixture.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awscdk.assertions.Template;

@DisplayName("Network template")
class NetworkTemplateTest {

    @Test
    @DisplayName("the VPC has a public and a private subnet in each of the three configured zones")
    void threeZonesPublicAndPrivate() {
        Template t = TemplateFixture.defaultTemplate();
        t.resourceCountIs("AWS::EC2::VPC", 1);
        t.hasResourceProperties("AWS::EC2::VPC", Map.of("CidrBlock", "10.40.0.0/16"));
        t.resourceCountIs("AWS::EC2::InternetGateway", 1);
        Set<String> expectedZones = Set.of("us-east-1a", "us-east-1b", "us-east-1c");
        assertEquals(expectedZones, zonesOf(t, "Public"));
        assertEquals(expectedZones, zonesOf(t, "Private"));
        t.resourceCountIs("AWS::EC2::Subnet", 6);
    }

    @Test
    @DisplayName("the zones come from drbd:availabilityZones and drbd:region")
    void zonesFromContext() {
        Template t = TemplateFixture.template(Map.of(
                "drbd:region", "eu-central-1",
                "drbd:availabilityZones", List.of("eu-central-1a", "eu-central-1b", "eu-central-1c")));
        assertEquals(Set.of("eu-central-1a", "eu-central-1b", "eu-central-1c"), zonesOf(t, "Private"));
    }

    @Test
    @DisplayName("there is one NAT gateway per zone by default, each in a public subnet")
    void natPerZoneByDefault() {
        Template t = TemplateFixture.defaultTemplate();
        t.resourceCountIs("AWS::EC2::NatGateway", 3);
        Set<String> publicSubnets = subnetsOfType(t, "Public").keySet();
        resources(t, "AWS::EC2::NatGateway").values().forEach(nat ->
                assertTrue(publicSubnets.contains(ref(props(nat).get("SubnetId"))), nat::toString));
    }

    @ParameterizedTest(name = "natGateways={0}")
    @ValueSource(ints = {1, 2})
    @DisplayName("the NAT gateway count follows drbd:natGateways")
    void natCountConfigurable(int count) {
        Template t = TemplateFixture.template(Map.of("drbd:natGateways", count));
        t.resourceCountIs("AWS::EC2::NatGateway", count);
        assertPrivateDefaultRoutesTargetExistingNat(t);
    }

    @Test
    @DisplayName("every private default route targets a NAT gateway defined in the template (the seed's bug)")
    void privateRoutesTargetExistingNat() {
        assertPrivateDefaultRoutesTargetExistingNat(TemplateFixture.defaultTemplate());
    }

    @Test
    @DisplayName("VPC flow logs capture all traffic into a log group with a retention")
    void flowLogs() {
        Template t = TemplateFixture.defaultTemplate();
        t.hasResourceProperties("AWS::EC2::FlowLog", Map.of(
                "ResourceType", "VPC", "TrafficType", "ALL", "LogDestinationType", "cloud-watch-logs"));
        t.hasResourceProperties("AWS::Logs::LogGroup", Map.of("RetentionInDays", 365));
    }

    @Test
    @DisplayName("the default security group of the VPC is stripped of its rules")
    void defaultSecurityGroupRestricted() {
        TemplateFixture.defaultTemplate().resourceCountIs("Custom::VpcRestrictDefaultSG", 1);
    }

    private static void assertPrivateDefaultRoutesTargetExistingNat(Template t) {
        Set<String> nats = resources(t, "AWS::EC2::NatGateway").keySet();
        Set<String> privateSubnets = subnetsOfType(t, "Private").keySet();
        Set<String> privateTables = new TreeSet<>();
        resources(t, "AWS::EC2::SubnetRouteTableAssociation").values().forEach(a -> {
            if (privateSubnets.contains(ref(props(a).get("SubnetId")))) {
                privateTables.add(ref(props(a).get("RouteTableId")));
            }
        });
        assertEquals(3, privateTables.size(), "one route table per private subnet");
        Map<String, Integer> defaultRoutes = new HashMap<>();
        resources(t, "AWS::EC2::Route").values().forEach(route -> {
            Map<String, Object> p = props(route);
            String table = ref(p.get("RouteTableId"));
            if (privateTables.contains(table) && "0.0.0.0/0".equals(p.get("DestinationCidrBlock"))) {
                String nat = ref(p.get("NatGatewayId"));
                assertNotNull(nat, () -> "private default route without NatGatewayId: " + p);
                assertTrue(nats.contains(nat), () -> "route to undefined NAT gateway " + nat);
                defaultRoutes.merge(table, 1, Integer::sum);
            }
        });
        privateTables.forEach(table ->
                assertEquals(1, defaultRoutes.getOrDefault(table, 0), "default routes of " + table));
    }

    private static Map<String, Map<String, Object>> subnetsOfType(Template t, String type) {
        Map<String, Map<String, Object>> subnets = resources(t, "AWS::EC2::Subnet");
        subnets.values().removeIf(s -> list(props(s).get("Tags")).stream()
                .map(TemplateFixture::map)
                .noneMatch(tag -> "aws-cdk:subnet-type".equals(tag.get("Key")) && type.equals(tag.get("Value"))));
        return subnets;
    }

    private static Set<String> zonesOf(Template t, String type) {
        return subnetsOfType(t, type).values().stream()
                .map(s -> (String) props(s).get("AvailabilityZone"))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
