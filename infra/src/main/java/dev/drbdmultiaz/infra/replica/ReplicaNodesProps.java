package dev.drbdmultiaz.infra.replica;

import dev.drbdmultiaz.model.ReconcileSetting;
import java.util.List;
import java.util.regex.Pattern;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.InstanceArchitecture;
import software.amazon.awscdk.services.ec2.InstanceType;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;

/** Properties of {@link ReplicaNodes}. Immutable; build with {@link #builder()}. */
public final class ReplicaNodesProps {

    /** Ubuntu LTS releases whose AMI id Canonical publishes in public SSM parameters. */
    public static final List<String> UBUNTU_RELEASES = List.of("22.04", "24.04");
    /** {@link Builder#image}: Canonical's AMI of the first deploy, kept until the release or architecture changes. */
    public static final String IMAGE_PINNED = "pinned";
    /** {@link Builder#image}: Canonical's current AMI on every deploy. */
    public static final String IMAGE_LATEST = "latest";
    /** An AMI id as EC2 issues them. */
    public static final java.util.regex.Pattern IMAGE_ID = java.util.regex.Pattern.compile("^ami-([0-9a-f]{8}|[0-9a-f]{17})$");
    private static final Pattern RESOURCE_NAME = Pattern.compile("^[a-z][a-z0-9_-]{0,30}$");

    private final IVpc vpc;
    private final SubnetSelection vpcSubnets;
    private final int nodeCount;
    private final InstanceType instanceType;
    private final String architecture;
    private final String ubuntuRelease;
    private final String image;
    private final int rootVolumeGiB;
    private final int dataVolumeGiB;
    private final int drbdPort;
    private final String resourceName;
    private final Duration lifecycleHookTimeout;

    private ReplicaNodesProps(Builder b) {
        if (b.vpc == null) {
            throw new IllegalArgumentException("vpc is required, got null");
        }
        if (b.nodeCount < 3 || b.nodeCount > 15 || b.nodeCount % 2 == 0) {
            throw new IllegalArgumentException(
                    "nodeCount must be an odd number from 3 to 15, got " + b.nodeCount);
        }
        if (b.instanceType == null) {
            throw new IllegalArgumentException("instanceType is required, got null");
        }
        String typeArchitecture = b.instanceType.getArchitecture() == InstanceArchitecture.ARM_64
                ? "arm64" : "amd64";
        if (!typeArchitecture.equals(b.architecture)) {
            throw new IllegalArgumentException("architecture must match instanceType " + b.instanceType
                    + " (" + typeArchitecture + "), got " + b.architecture);
        }
        if (!UBUNTU_RELEASES.contains(b.ubuntuRelease)) {
            throw new IllegalArgumentException(
                    "ubuntuRelease must be one of " + UBUNTU_RELEASES + ", got " + b.ubuntuRelease);
        }
        if (b.image == null || !(IMAGE_PINNED.equals(b.image) || IMAGE_LATEST.equals(b.image)
                || IMAGE_ID.matcher(b.image).matches())) {
            throw new IllegalArgumentException("image must be \"" + IMAGE_PINNED + "\", \"" + IMAGE_LATEST
                    + "\" or an AMI id (ami- and 8 or 17 hex digits), got " + b.image);
        }
        if (b.rootVolumeGiB < 8 || b.rootVolumeGiB > 1024) {
            throw new IllegalArgumentException("rootVolumeGiB must be 8..1024, got " + b.rootVolumeGiB);
        }
        ReconcileSetting.DATA_VOLUME_GIB.requireInt("dataVolumeGiB", b.dataVolumeGiB);
        if (b.drbdPort < 1024 || b.drbdPort > 65535) {
            throw new IllegalArgumentException("drbdPort must be 1024..65535, got " + b.drbdPort);
        }
        if (b.resourceName == null || !RESOURCE_NAME.matcher(b.resourceName).matches()) {
            throw new IllegalArgumentException(
                    "resourceName must match " + RESOURCE_NAME.pattern() + ", got " + b.resourceName);
        }
        if (b.lifecycleHookTimeout == null) {
            throw new IllegalArgumentException("lifecycleHookTimeout must not be null");
        }
        double seconds = b.lifecycleHookTimeout.toSeconds().doubleValue();
        if (seconds < 30 || seconds > 7200) {
            throw new IllegalArgumentException("lifecycleHookTimeout must be 30..7200 seconds, got "
                    + b.lifecycleHookTimeout.toHumanString());
        }
        this.vpc = b.vpc;
        this.vpcSubnets = b.vpcSubnets;
        this.nodeCount = b.nodeCount;
        this.instanceType = b.instanceType;
        this.architecture = b.architecture;
        this.ubuntuRelease = b.ubuntuRelease;
        this.image = b.image;
        this.rootVolumeGiB = b.rootVolumeGiB;
        this.dataVolumeGiB = b.dataVolumeGiB;
        this.drbdPort = b.drbdPort;
        this.resourceName = b.resourceName;
        this.lifecycleHookTimeout = b.lifecycleHookTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public IVpc getVpc() {
        return vpc;
    }

    public SubnetSelection getVpcSubnets() {
        return vpcSubnets;
    }

    public int getNodeCount() {
        return nodeCount;
    }

    public InstanceType getInstanceType() {
        return instanceType;
    }

    public String getArchitecture() {
        return architecture;
    }

    public String getUbuntuRelease() {
        return ubuntuRelease;
    }

    /** @return {@value #IMAGE_PINNED}, {@value #IMAGE_LATEST} or an AMI id */
    public String getImage() {
        return image;
    }

    public int getRootVolumeGiB() {
        return rootVolumeGiB;
    }

    public int getDataVolumeGiB() {
        return dataVolumeGiB;
    }

    public int getDrbdPort() {
        return drbdPort;
    }

    public String getResourceName() {
        return resourceName;
    }

    public Duration getLifecycleHookTimeout() {
        return lifecycleHookTimeout;
    }

    /** Builder of {@link ReplicaNodesProps}. */
    public static final class Builder {
        private IVpc vpc;
        private SubnetSelection vpcSubnets =
                SubnetSelection.builder().subnetType(SubnetType.PRIVATE_WITH_EGRESS).build();
        private int nodeCount = 3;
        private InstanceType instanceType = new InstanceType("t3.medium");
        private String architecture = "amd64";
        private String ubuntuRelease = "24.04";
        private String image = IMAGE_PINNED;
        private int rootVolumeGiB = 20;
        private int dataVolumeGiB = 100;
        private int drbdPort = 7789;
        private String resourceName = "r0";
        private Duration lifecycleHookTimeout = Duration.minutes(60);

        private Builder() {
        }

        /** The VPC to launch the nodes in. Required. */
        public Builder vpc(IVpc value) {
            this.vpc = value;
            return this;
        }

        /** Subnets of the group; they must span three zones. Default: the private subnets with egress. */
        public Builder vpcSubnets(SubnetSelection value) {
            this.vpcSubnets = value;
            return this;
        }

        /** Nodes in the group (min = max = desired), odd, 3..15. Default: 3. */
        public Builder nodeCount(int value) {
            this.nodeCount = value;
            return this;
        }

        /** Instance type of the nodes. Default: t3.medium. */
        public Builder instanceType(InstanceType value) {
            this.instanceType = value;
            return this;
        }

        /** CPU architecture of the AMI, amd64 or arm64; must match the instance type. Default: amd64. */
        public Builder architecture(String value) {
            this.architecture = value;
            return this;
        }

        /** Ubuntu LTS release, 22.04 or 24.04. Default: 24.04. */
        public Builder ubuntuRelease(String value) {
            this.ubuntuRelease = value;
            return this;
        }

        /**
         * Which AMI the nodes run: {@value #IMAGE_PINNED} (Canonical's current AMI when the stack is
         * created, kept by every later deploy until the Ubuntu release or the architecture changes),
         * {@value #IMAGE_LATEST} (Canonical's current AMI on every deploy: a deploy after Canonical
         * published a new one replaces every node) or an AMI id. Default: pinned.
         */
        public Builder image(String value) {
            this.image = value;
            return this;
        }

        /** Root volume size in GiB (DKMS builds need headers and compilers). Default: 20. */
        public Builder rootVolumeGiB(int value) {
            this.rootVolumeGiB = value;
            return this;
        }

        /**
         * Size of the DRBD backing volume (/dev/sdf) in GiB, 20..16384. A change of this size alone
         * starts no rolling update: the group keeps its launch template version and the reconcile
         * grows the volumes in place. Default: 100.
         */
        public Builder dataVolumeGiB(int value) {
            this.dataVolumeGiB = value;
            return this;
        }

        /** TCP port of the DRBD resource, 1024..65535. Default: 7789. */
        public Builder drbdPort(int value) {
            this.drbdPort = value;
            return this;
        }

        /** DRBD resource name; part of the cluster tag. Default: r0. */
        public Builder resourceName(String value) {
            this.resourceName = value;
            return this;
        }

        /** Heartbeat timeout of the lifecycle hooks, 30 s..2 h. Default: 60 minutes. */
        public Builder lifecycleHookTimeout(Duration value) {
            this.lifecycleHookTimeout = value;
            return this;
        }

        public ReplicaNodesProps build() {
            return new ReplicaNodesProps(this);
        }
    }
}
