package dev.drbdmultiaz.infra.network;

import dev.drbdmultiaz.infra.Ipv4Cidr;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.logs.RetentionDays;

/** Properties of {@link Network}. Immutable; build with {@link #builder()}. */
public final class NetworkProps {

    private final String vpcCidr;
    private final List<String> availabilityZones;
    private final int natGateways;
    private final RetentionDays flowLogRetention;
    private final RemovalPolicy flowLogRemovalPolicy;

    private NetworkProps(Builder b) {
        Optional<Ipv4Cidr> cidr = Ipv4Cidr.parse(b.vpcCidr);
        if (cidr.isEmpty() || cidr.get().prefixLength() < 16 || cidr.get().prefixLength() > 24) {
            throw new IllegalArgumentException("vpcCidr must be an IPv4 CIDR from /16 to /24 with no"
                    + " host bits set, got " + b.vpcCidr);
        }
        if (b.availabilityZones != null
                && (b.availabilityZones.size() != 3 || new HashSet<>(b.availabilityZones).size() != 3)) {
            throw new IllegalArgumentException(
                    "availabilityZones must name exactly 3 distinct zones, got " + b.availabilityZones);
        }
        if (b.natGateways < 1 || b.natGateways > 3) {
            throw new IllegalArgumentException("natGateways must be 1..3 (at most one per zone), got "
                    + b.natGateways);
        }
        if (b.flowLogRetention == null) {
            throw new IllegalArgumentException("flowLogRetention must not be null");
        }
        if (b.flowLogRemovalPolicy != RemovalPolicy.RETAIN && b.flowLogRemovalPolicy != RemovalPolicy.DESTROY) {
            throw new IllegalArgumentException("flowLogRemovalPolicy must be RETAIN or DESTROY, got "
                    + b.flowLogRemovalPolicy);
        }
        this.vpcCidr = b.vpcCidr;
        this.availabilityZones = b.availabilityZones == null ? null : List.copyOf(b.availabilityZones);
        this.natGateways = b.natGateways;
        this.flowLogRetention = b.flowLogRetention;
        this.flowLogRemovalPolicy = b.flowLogRemovalPolicy;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String getVpcCidr() {
        return vpcCidr;
    }

    /** @return the three zones, or empty to use the stack's first three zones */
    public Optional<List<String>> getAvailabilityZones() {
        return Optional.ofNullable(availabilityZones);
    }

    public int getNatGateways() {
        return natGateways;
    }

    public RetentionDays getFlowLogRetention() {
        return flowLogRetention;
    }

    public RemovalPolicy getFlowLogRemovalPolicy() {
        return flowLogRemovalPolicy;
    }

    /** Builder of {@link NetworkProps}. */
    public static final class Builder {
        private String vpcCidr = "10.40.0.0/16";
        private List<String> availabilityZones;
        private int natGateways = 3;
        private RetentionDays flowLogRetention = RetentionDays.ONE_YEAR;
        private RemovalPolicy flowLogRemovalPolicy = RemovalPolicy.RETAIN;

        private Builder() {
        }

        /** IPv4 CIDR of the VPC, /16../24. Default: 10.40.0.0/16. */
        public Builder vpcCidr(String value) {
            this.vpcCidr = value;
            return this;
        }

        /**
         * The three availability zones the VPC spans.
         * Default: the stack's first three zones (the stack must know at least three).
         */
        public Builder availabilityZones(List<String> value) {
            this.availabilityZones = value;
            return this;
        }

        /**
         * NAT gateways, 1..3. Default: 3, one per zone, so a zone outage does not cut the private
         * subnets of the other zones off the internet. Fewer saves cost; private subnets of a zone
         * without a NAT gateway route through one in another zone.
         */
        public Builder natGateways(int value) {
            this.natGateways = value;
            return this;
        }

        /** How long VPC flow logs are kept. Default: one year. */
        public Builder flowLogRetention(RetentionDays value) {
            this.flowLogRetention = value;
            return this;
        }

        /**
         * What stack deletion does with the flow logs: RETAIN or DESTROY. Default: RETAIN (they are
         * audit data).
         */
        public Builder flowLogRemovalPolicy(RemovalPolicy value) {
            this.flowLogRemovalPolicy = value;
            return this;
        }

        public NetworkProps build() {
            return new NetworkProps(this);
        }
    }
}
