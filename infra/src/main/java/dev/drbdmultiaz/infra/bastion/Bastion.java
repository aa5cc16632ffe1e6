package dev.drbdmultiaz.infra.bastion;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.List;
import software.amazon.awscdk.services.ec2.BastionHostLinux;
import software.amazon.awscdk.services.ec2.BlockDevice;
import software.amazon.awscdk.services.ec2.BlockDeviceVolume;
import software.amazon.awscdk.services.ec2.EbsDeviceOptions;
import software.amazon.awscdk.services.ec2.EbsDeviceVolumeType;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.constructs.Construct;

/**
 * A jump host for operators, reached through SSM Session Manager ({@code aws ssm start-session
 * --target <id>}); no key pair and, unless a CIDR is given, no inbound rule at all.
 *
 * <p>Amazon Linux 2023 (AMI from AWS's public SSM parameter, resolved at deploy time), IMDSv2
 * only, encrypted gp3 root volume. With {@code sshCidr} it moves to a public subnet and admits
 * TCP 22 from that CIDR only; changing that setting replaces the instance, which keeps no state.
 */
public class Bastion extends Construct {

    /** Root device name of Amazon Linux 2023 AMIs. */
    private static final String ROOT_DEVICE_NAME = "/dev/xvda";

    private final BastionHostLinux host;

    public Bastion(Construct scope, String id, BastionProps props) {
        super(scope, id);
        SubnetType subnetType = props.getSshCidr().isPresent() ? SubnetType.PUBLIC : SubnetType.PRIVATE_WITH_EGRESS;
        this.host = BastionHostLinux.Builder.create(this, "Host")
                .vpc(props.getVpc())
                .subnetSelection(SubnetSelection.builder().subnetType(subnetType).build())
                .instanceType(props.getInstanceType())
                .requireImdsv2(true)
                .blockDevices(List.of(BlockDevice.builder()
                        .deviceName(ROOT_DEVICE_NAME)
                        .volume(BlockDeviceVolume.ebs(8, EbsDeviceOptions.builder()
                                .volumeType(EbsDeviceVolumeType.GP3)
                                .encrypted(true)
                                .build()))
                        .build()))
                .build();
        props.getSshCidr().ifPresent(cidr -> host.allowSshAccessFrom(Peer.ipv4(cidr)));

        NagSuppressions.addResourceSuppressions(host, List.of(
                NagPackSuppression.builder()
                        .id("AwsSolutions-IAM5")
                        .reason("Session Manager's ssmmessages:*, ec2messages:* and"
                                + " ssm:UpdateInstanceInformation support no resource-level permissions;"
                                + " aws-cdk-lib's BastionHostLinux grants exactly these.")
                        .appliesTo(List.of("Resource::*", "Action::ssmmessages:*", "Action::ec2messages:*"))
                        .build(),
                NagPackSuppression.builder()
                        .id("AwsSolutions-EC28")
                        .reason("An idle jump host: the default 5-minute metrics are enough; paying for"
                                + " detailed monitoring would buy nothing an operator acts on.")
                        .build(),
                NagPackSuppression.builder()
                        .id("AwsSolutions-EC29")
                        .reason("The bastion keeps no state and is meant to be replaced (a changed sshCidr"
                                + " replaces it); termination protection would only block cdk destroy.")
                        .build()), true);
    }

    /** @return the instance id, the target of {@code aws ssm start-session} */
    public String getInstanceId() {
        return host.getInstanceId();
    }

    /** @return the underlying bastion host */
    public BastionHostLinux getHost() {
        return host;
    }
}
