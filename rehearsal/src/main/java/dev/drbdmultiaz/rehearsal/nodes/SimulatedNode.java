package dev.drbdmultiaz.rehearsal.nodes;

import java.nio.file.Path;
import java.util.Map;

/**
 * One node of a {@link NodeFleet}, as created.
 *
 * @param instanceId EC2 instance id (also the SSM managed node id)
 * @param hostname what {@code uname -n} answers on the node
 * @param privateIp the node's primary private IPv4 address (IMDS local-ipv4)
 * @param availabilityZone e.g. us-east-1a (the region is derived from it)
 * @param dataVolumeId EBS volume id of the data disk (its by-id link names it)
 * @param rootVolumeId EBS volume id of the root disk
 * @param directory the node's sandbox ({@code root/} holds its redirected /etc, /var, /dev, /sys)
 * @param environment the environment an SSM command runs in on this node
 * @param faults the node's faults
 */
public record SimulatedNode(String instanceId, String hostname, String privateIp, String availabilityZone,
    String dataVolumeId, String rootVolumeId, Path directory, Map<String, String> environment, NodeFaults faults) {

    public SimulatedNode {
        environment = Map.copyOf(environment);
    }

    /** The region of the node's availability zone. */
    public String region() {
        return availabilityZone.matches("[a-z]{2}(-[a-z]+)+-\\d[a-z]")
            ? availabilityZone.substring(0, availabilityZone.length() - 1) : availabilityZone;
    }

    /** The name the SSM agent reports as ComputerName (the FQDN, not {@code uname -n}). */
    public String computerName() {
        String region = region();
        return hostname + (region.equals("us-east-1") ? ".ec2.internal" : "." + region + ".compute.internal");
    }
}
