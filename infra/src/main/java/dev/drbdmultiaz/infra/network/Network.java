package dev.drbdmultiaz.infra.network;

import java.util.List;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.services.ec2.FlowLogDestination;
import software.amazon.awscdk.services.ec2.FlowLogOptions;
import software.amazon.awscdk.services.ec2.FlowLogTrafficType;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.IpAddresses;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.logs.LogGroup;
import software.constructs.Construct;

/**
 * The VPC of the cluster: three availability zones, a public and a private (egress through NAT)
 * subnet in each, an internet gateway, NAT gateways (one per zone by default) and VPC flow logs.
 *
 * <p>The seed defined routes to NAT gateways it never created; here CDK creates the gateways and
 * the routes together, so every private default route targets a gateway of this template.
 */
public class Network extends Construct {

    private final Vpc vpc;

    public Network(Construct scope, String id, NetworkProps props) {
        super(scope, id);
        List<String> zones = props.getAvailabilityZones().orElseGet(() -> stackZones(scope));
        this.vpc = Vpc.Builder.create(this, "Vpc")
                .ipAddresses(IpAddresses.cidr(props.getVpcCidr()))
                .availabilityZones(zones)
                .natGateways(props.getNatGateways())
                .subnetConfiguration(List.of(
                        SubnetConfiguration.builder().name("Public").subnetType(SubnetType.PUBLIC).build(),
                        SubnetConfiguration.builder().name("Private")
                                .subnetType(SubnetType.PRIVATE_WITH_EGRESS).build()))
                // Security Hub EC2.2: the default security group admits nothing.
                .restrictDefaultSecurityGroup(true)
                .build();
        LogGroup flowLogs = LogGroup.Builder.create(this, "FlowLogs")
                .retention(props.getFlowLogRetention())
                .removalPolicy(props.getFlowLogRemovalPolicy())
                .build();
        vpc.addFlowLog("FlowLog", FlowLogOptions.builder()
                .destination(FlowLogDestination.toCloudWatchLogs(flowLogs))
                .trafficType(FlowLogTrafficType.ALL)
                .build());
    }

    /** @return the VPC */
    public IVpc getVpc() {
        return vpc;
    }

    private static List<String> stackZones(Construct scope) {
        List<String> zones = Stack.of(scope).getAvailabilityZones();
        if (zones.size() < 3 || zones.stream().anyMatch(Token::isUnresolved)) {
            throw new IllegalArgumentException("Network needs three known availability zones, but the stack"
                    + " knows " + zones + "; pass availabilityZones or give the stack a region and zones");
        }
        return zones.subList(0, 3);
    }
}
