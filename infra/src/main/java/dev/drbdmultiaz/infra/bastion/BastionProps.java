package dev.drbdmultiaz.infra.bastion;

import dev.drbdmultiaz.infra.Ipv4Cidr;
import java.util.Optional;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.InstanceType;

/** Properties of {@link Bastion}. Immutable; build with {@link #builder()}. */
public final class BastionProps {

    private final IVpc vpc;
    private final String sshCidr;
    private final InstanceType instanceType;

    private BastionProps(Builder b) {
        if (b.vpc == null) {
            throw new IllegalArgumentException("vpc is required, got null");
        }
        if (b.sshCidr != null) {
            Optional<Ipv4Cidr> cidr = Ipv4Cidr.parse(b.sshCidr);
            if (cidr.isEmpty() || cidr.get().prefixLength() < 8) {
                throw new IllegalArgumentException("sshCidr must be an IPv4 CIDR from /8 to /32 with no"
                        + " host bits set (never 0.0.0.0/0 or ::/0), got " + b.sshCidr);
            }
        }
        if (b.instanceType == null) {
            throw new IllegalArgumentException("instanceType must not be null");
        }
        this.vpc = b.vpc;
        this.sshCidr = b.sshCidr;
        this.instanceType = b.instanceType;
    }

    public static Builder builder() {
        return new Builder();
    }

    public IVpc getVpc() {
        return vpc;
    }

    /** @return the CIDR allowed to SSH in, or empty for no SSH ingress */
    public Optional<String> getSshCidr() {
        return Optional.ofNullable(sshCidr);
    }

    public InstanceType getInstanceType() {
        return instanceType;
    }

    /** Builder of {@link BastionProps}. */
    public static final class Builder {
        private IVpc vpc;
        private String sshCidr;
        private InstanceType instanceType = new InstanceType("t3.nano");

        private Builder() {
        }

        /** The VPC of the bastion. Required. */
        public Builder vpc(IVpc value) {
            this.vpc = value;
            return this;
        }

        /**
         * IPv4 CIDR allowed to reach the bastion on TCP 22; the bastion then sits in a public
         * subnet with a public IP. Default: no SSH ingress; the bastion sits in a private subnet
         * and is reached through SSM Session Manager only.
         */
        public Builder sshCidr(String value) {
            this.sshCidr = value;
            return this;
        }

        /** Instance type of the bastion. Default: t3.nano. */
        public Builder instanceType(InstanceType value) {
            this.instanceType = value;
            return this;
        }

        public BastionProps build() {
            return new BastionProps(this);
        }
    }
}
