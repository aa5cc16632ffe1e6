package dev.drbdmultiaz.infra.workflow;

import dev.drbdmultiaz.model.ClusterTags;
import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.model.ReconcileSetting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.TimeConversionOptions;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.services.autoscaling.IAutoScalingGroup;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.logs.RetentionDays;

/**
 * Props of {@link ReconcileWorkflow}: immutable, built and validated by {@link #builder()}.
 *
 * <p>Flat by design (CDK design guidelines): the cluster settings the Lambdas need are plain
 * props with units in their names; every optional prop documents its default.
 */
public final class ReconcileWorkflowProps {

    /** Base names (file name without {@code .yaml}) of the SSM documents the workflow sends. */
    public static final List<String> REQUIRED_DOCUMENTS = Arrays.stream(NodeDocument.values())
            .map(NodeDocument::baseName).toList();

    /** The tag every replica instance carries, with the cluster id as value. */
    public static final String DEFAULT_CLUSTER_TAG_KEY = ClusterTags.CLUSTER;

    private static final Pattern HOOK_NAME = Pattern.compile("[A-Za-z0-9\\-_/]{1,255}");
    private static final Pattern TAG_VALUE = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]{1,256}");
    private static final Pattern TAG_KEY = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]{1,128}");
    private static final Pattern SSM_DOCUMENT_NAME = Pattern.compile("[A-Za-z0-9_.\\-]{3,128}");
    private static final TimeConversionOptions FRACTIONAL = TimeConversionOptions.builder().integral(false).build();

    private final IAutoScalingGroup group;
    private final String launchHookName;
    private final String terminateHookName;
    private final IRole nodeRole;
    private final Map<String, String> documentNames;
    private final String clusterTagKey;
    private final String clusterId;
    private final String resourceName;
    private final int drbdPort;
    private final int nodeCount;
    private final int maxPeers;
    private final String volumeGroup;
    private final String thinPool;
    private final String logicalVolume;
    private final Duration pollInterval;
    private final Duration lifecycleHookTimeout;
    private final Duration evictAfter;
    private final Duration maxResync;
    private final int dataVolumeGiB;
    private final int agentWaitMaxAttempts;
    private final int connectWaitMaxAttempts;
    private final Path functionsJar;
    private final Path definitionFile;
    private final Path dataVolumeRemovalDefinition;
    private final Duration readjustSchedule;
    private final String configHash;
    private final int functionMemoryMiB;
    private final RetentionDays logRetention;
    private final RemovalPolicy registryRemovalPolicy;

    private ReconcileWorkflowProps(Builder b) {
        this.group = b.group;
        this.launchHookName = b.launchHookName;
        this.terminateHookName = b.terminateHookName;
        this.nodeRole = b.nodeRole;
        this.documentNames = Collections.unmodifiableMap(new TreeMap<>(b.documentNames));
        this.clusterTagKey = b.clusterTagKey;
        this.clusterId = b.clusterId;
        this.resourceName = b.resourceName;
        this.drbdPort = b.drbdPort;
        this.nodeCount = b.nodeCount;
        this.maxPeers = b.maxPeers != null ? b.maxPeers : defaultMaxPeers(b.nodeCount);
        this.volumeGroup = b.volumeGroup;
        this.thinPool = b.thinPool;
        this.logicalVolume = b.logicalVolume;
        this.pollInterval = b.pollInterval;
        this.lifecycleHookTimeout = b.lifecycleHookTimeout;
        this.evictAfter = b.evictAfter;
        this.maxResync = b.maxResync;
        this.dataVolumeGiB = b.dataVolumeGiB;
        this.agentWaitMaxAttempts = b.agentWaitMaxAttempts;
        this.connectWaitMaxAttempts = b.connectWaitMaxAttempts;
        this.functionsJar = b.functionsJar;
        this.definitionFile = b.definitionFile;
        this.dataVolumeRemovalDefinition = b.dataVolumeRemovalDefinition;
        this.readjustSchedule = b.readjustSchedule;
        this.configHash = b.configHash;
        this.functionMemoryMiB = b.functionMemoryMiB;
        this.logRetention = b.logRetention;
        this.registryRemovalPolicy = b.registryRemovalPolicy;
    }

    /** Bitmap slots by default: two spare beyond the peers of a full group, at most DRBD's 31. */
    public static int defaultMaxPeers(int nodeCount) {
        return Math.min(31, nodeCount + 2);
    }

    /**
     * The values of the settings the functions read back, written into their environment under
     * {@link ReconcileSetting#environmentVariable()}.
     */
    public Map<ReconcileSetting, String> getFunctionSettings() {
        Map<ReconcileSetting, String> values = new EnumMap<>(ReconcileSetting.class);
        values.put(ReconcileSetting.RESOURCE_NAME, resourceName);
        values.put(ReconcileSetting.DRBD_PORT, Integer.toString(drbdPort));
        values.put(ReconcileSetting.MAX_PEERS, Integer.toString(maxPeers));
        values.put(ReconcileSetting.VOLUME_GROUP, volumeGroup);
        values.put(ReconcileSetting.THIN_POOL, thinPool);
        values.put(ReconcileSetting.LOGICAL_VOLUME, logicalVolume);
        values.put(ReconcileSetting.POLL_SECONDS, Long.toString(pollInterval.toSeconds().longValue()));
        values.put(ReconcileSetting.AGENT_WAIT_MAX_ATTEMPTS, Integer.toString(agentWaitMaxAttempts));
        values.put(ReconcileSetting.LIFECYCLE_HOOK_TIMEOUT_SECONDS,
                Long.toString(lifecycleHookTimeout.toSeconds().longValue()));
        values.put(ReconcileSetting.CONNECT_WAIT_MAX_ATTEMPTS, Integer.toString(connectWaitMaxAttempts));
        values.put(ReconcileSetting.EVICT_AFTER_SECONDS, Long.toString(evictAfter.toSeconds().longValue()));
        values.put(ReconcileSetting.MAX_RESYNC_HOURS, Long.toString(maxResync.toHours().longValue()));
        values.put(ReconcileSetting.DATA_VOLUME_GIB, Integer.toString(dataVolumeGiB));
        return Collections.unmodifiableMap(values);
    }

    public static Builder builder() {
        return new Builder();
    }

    public IAutoScalingGroup getGroup() {
        return group;
    }

    public String getLaunchHookName() {
        return launchHookName;
    }

    public String getTerminateHookName() {
        return terminateHookName;
    }

    public IRole getNodeRole() {
        return nodeRole;
    }

    /** SSM document names by file base name; holds exactly {@link #REQUIRED_DOCUMENTS}. */
    public Map<String, String> getDocumentNames() {
        return documentNames;
    }

    public String getClusterTagKey() {
        return clusterTagKey;
    }

    public String getClusterId() {
        return clusterId;
    }

    public String getResourceName() {
        return resourceName;
    }

    public int getDrbdPort() {
        return drbdPort;
    }

    public int getNodeCount() {
        return nodeCount;
    }

    public int getMaxPeers() {
        return maxPeers;
    }

    public String getVolumeGroup() {
        return volumeGroup;
    }

    public String getThinPool() {
        return thinPool;
    }

    public String getLogicalVolume() {
        return logicalVolume;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public int getAgentWaitMaxAttempts() {
        return agentWaitMaxAttempts;
    }

    public int getConnectWaitMaxAttempts() {
        return connectWaitMaxAttempts;
    }

    public Path getFunctionsJar() {
        return functionsJar;
    }

    public Path getDefinitionFile() {
        return definitionFile;
    }

    /** The data-volume removal's ASL, if stack deletion deletes the data volumes. */
    public Optional<Path> getDataVolumeRemovalDefinition() {
        return Optional.ofNullable(dataVolumeRemovalDefinition);
    }

    /** The re-adjust schedule, or null when the schedule rule is off. */
    public Duration getReadjustSchedule() {
        return readjustSchedule;
    }

    public String getConfigHash() {
        return configHash;
    }

    public int getFunctionMemoryMiB() {
        return functionMemoryMiB;
    }

    /** HeartbeatTimeout of the group's lifecycle hooks: the heartbeats and follow-ups are paced by it. */
    public Duration getEvictAfter() {
        return evictAfter;
    }

    /** The members' data volume size the launch template asks for (GiB). */
    public int getDataVolumeGiB() {
        return dataVolumeGiB;
    }

    /** How long a run waits for a joining member's resync before it abandons its launch. */
    public Duration getMaxResync() {
        return maxResync;
    }

    public Duration getLifecycleHookTimeout() {
        return lifecycleHookTimeout;
    }

    public RetentionDays getLogRetention() {
        return logRetention;
    }

    public RemovalPolicy getRegistryRemovalPolicy() {
        return registryRemovalPolicy;
    }

    /** Builder; {@link #build()} validates and throws {@link IllegalArgumentException}. */
    public static final class Builder {
        private IAutoScalingGroup group;
        private String launchHookName;
        private String terminateHookName;
        private IRole nodeRole;
        private Map<String, String> documentNames = Map.of();
        private String clusterTagKey = DEFAULT_CLUSTER_TAG_KEY;
        private String clusterId;
        private String resourceName = ReconcileSetting.RESOURCE_NAME.defaultValue().orElseThrow();
        private int drbdPort = ReconcileSetting.DRBD_PORT.defaultInt();
        private int nodeCount = ReconcileSetting.NODE_COUNT.defaultInt();
        private Integer maxPeers;
        private String volumeGroup = ReconcileSetting.VOLUME_GROUP.defaultValue().orElseThrow();
        private String thinPool = ReconcileSetting.THIN_POOL.defaultValue().orElseThrow();
        private String logicalVolume = ReconcileSetting.LOGICAL_VOLUME.defaultValue().orElseThrow();
        private Duration pollInterval = Duration.seconds(ReconcileSetting.POLL_SECONDS.defaultInt());
        private Duration lifecycleHookTimeout =
                Duration.seconds(ReconcileSetting.LIFECYCLE_HOOK_TIMEOUT_SECONDS.defaultInt());
        private Duration evictAfter = Duration.seconds(ReconcileSetting.EVICT_AFTER_SECONDS.defaultInt());
        private Duration maxResync = Duration.hours(ReconcileSetting.MAX_RESYNC_HOURS.defaultInt());
        private int dataVolumeGiB = ReconcileSetting.DATA_VOLUME_GIB.defaultInt();
        private int agentWaitMaxAttempts = ReconcileSetting.AGENT_WAIT_MAX_ATTEMPTS.defaultInt();
        private int connectWaitMaxAttempts = ReconcileSetting.CONNECT_WAIT_MAX_ATTEMPTS.defaultInt();
        private Path functionsJar;
        private Path definitionFile;
        private Path dataVolumeRemovalDefinition;
        private Duration readjustSchedule;
        private String configHash;
        private int functionMemoryMiB = 1024;
        private RetentionDays logRetention = RetentionDays.THREE_MONTHS;
        private RemovalPolicy registryRemovalPolicy = RemovalPolicy.DESTROY;

        private Builder() {
        }

        /** The replica nodes' Auto Scaling group. Required. */
        public Builder group(IAutoScalingGroup group) {
            this.group = group;
            return this;
        }

        /** Name of the group's launch lifecycle hook (EC2_INSTANCE_LAUNCHING). Required. */
        public Builder launchHookName(String launchHookName) {
            this.launchHookName = launchHookName;
            return this;
        }

        /** Name of the group's terminate lifecycle hook (EC2_INSTANCE_TERMINATING). Required. */
        public Builder terminateHookName(String terminateHookName) {
            this.terminateHookName = terminateHookName;
            return this;
        }

        /** The replica nodes' instance role; it gets read access to the peer secret. Required. */
        public Builder nodeRole(IRole nodeRole) {
            this.nodeRole = nodeRole;
            return this;
        }

        /**
         * SSM document names keyed by file base name (see {@link #REQUIRED_DOCUMENTS}); every
         * one of the eight must be present, no other key. Required.
         */
        public Builder documentNames(Map<String, String> documentNames) {
            this.documentNames = documentNames == null ? Map.of() : Map.copyOf(documentNames);
            return this;
        }

        /**
         * Tag key that every replica instance carries with {@link #clusterId} as value; SendCommand
         * is allowed only on instances with this tag. Default: {@value #DEFAULT_CLUSTER_TAG_KEY}.
         */
        public Builder clusterTagKey(String clusterTagKey) {
            this.clusterTagKey = clusterTagKey;
            return this;
        }

        /** Cluster identity: the value of the cluster tag and of {@code detail.clusterId}. Required. */
        public Builder clusterId(String clusterId) {
            this.clusterId = clusterId;
            return this;
        }

        /** DRBD resource name. Default: {@code r0}. */
        public Builder resourceName(String resourceName) {
            this.resourceName = resourceName;
            return this;
        }

        /** TCP port of the DRBD resource. Default: 7789. */
        public Builder drbdPort(int drbdPort) {
            this.drbdPort = drbdPort;
            return this;
        }

        /** Desired number of replica nodes (odd, 3..31). Default: 3. */
        public Builder nodeCount(int nodeCount) {
            this.nodeCount = nodeCount;
            return this;
        }

        /**
         * DRBD {@code --max-peers} for create-md: bitmap slots in each node's metadata. Default:
         * {@code nodeCount + 2} (at most 31), so replacements find free slots while departed peers
         * still hold theirs. A slot costs 1 bit per 4 KiB of data: 32 KiB per GiB (docs/CONTRACTS.md).
         */
        public Builder maxPeers(int maxPeers) {
            this.maxPeers = maxPeers;
            return this;
        }

        /** LVM volume group on the data disk. Default: {@code drbdpool}. */
        public Builder volumeGroup(String volumeGroup) {
            this.volumeGroup = volumeGroup;
            return this;
        }

        /** LVM thin pool. Default: {@code thinpool}. */
        public Builder thinPool(String thinPool) {
            this.thinPool = thinPool;
            return this;
        }

        /** Thin logical volume backing DRBD. Default: {@code r0data}. */
        public Builder logicalVolume(String logicalVolume) {
            this.logicalVolume = logicalVolume;
            return this;
        }

        /**
         * How long the workflow waits between two polls of an SSM command (the planner copies it
         * to {@code $.plan.pollSeconds}). Whole seconds, 1..300. Default: 5 seconds.
         */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
            return this;
        }

        /**
         * HeartbeatTimeout of the group's launch and terminate hooks (the same value the group
         * declares them with): the workflow heartbeats every third of it. 30..7200 s. Default: 1 hour.
         */
        public Builder lifecycleHookTimeout(Duration lifecycleHookTimeout) {
            this.lifecycleHookTimeout = lifecycleHookTimeout;
            return this;
        }

        /**
         * How long a member may stay unreachable (its SSM agent offline while the others go on)
         * before a reconcile marks it Unhealthy so the group replaces it; never while that would
         * leave fewer than a majority of UpToDate members. Whole minutes, 0 (never) to 7 days.
         * Default: 1 hour.
         */
        public Builder evictAfter(Duration evictAfter) {
            this.evictAfter = evictAfter;
            return this;
        }

        /**
         * How long a run waits for a joining member's disk to become UpToDate (its resync) before it
         * gives up and abandons the member's launch. Whole hours, 1 to 47: a lifecycle action waits
         * at most 48 hours (its global timeout). Default: 24 hours.
         */
        public Builder maxResync(Duration maxResync) {
            this.maxResync = maxResync;
            return this;
        }

        /**
         * The members' data volume size (GiB) the launch template asks for: a run refuses a value
         * below what the members' data volumes hold, before it changes anything. 20..16384.
         * Default: 100.
         */
        public Builder dataVolumeGiB(int dataVolumeGiB) {
            this.dataVolumeGiB = dataVolumeGiB;
            return this;
        }

        /** Checks of the SSM agents before the reconcile fails with AgentsOffline. Default: 60. */
        public Builder agentWaitMaxAttempts(int agentWaitMaxAttempts) {
            this.agentWaitMaxAttempts = agentWaitMaxAttempts;
            return this;
        }

        /** Waits for peer connections before the planner gives up. Default: 30. */
        public Builder connectWaitMaxAttempts(int connectWaitMaxAttempts) {
            this.connectWaitMaxAttempts = connectWaitMaxAttempts;
            return this;
        }

        /** The shaded functions jar ({@code functions/target/functions.jar}). Required, must exist. */
        public Builder functionsJar(Path functionsJar) {
            this.functionsJar = functionsJar;
            return this;
        }

        /** The ASL definition ({@code state-machines/reconcile.asl.json}). Required, must exist. */
        public Builder definitionFile(Path definitionFile) {
            this.definitionFile = definitionFile;
            return this;
        }

        /**
         * The ASL of the data-volume removal ({@code state-machines/remove-data-volumes.asl.json}):
         * when set, {@code cdk destroy} deletes every data volume of the cluster once the group is
         * gone. Default: null, the data volumes outlive the stack. Must exist when set.
         */
        public Builder dataVolumeRemovalDefinition(Path dataVolumeRemovalDefinition) {
            this.dataVolumeRemovalDefinition = dataVolumeRemovalDefinition;
            return this;
        }

        /**
         * Rate of the scheduled re-adjust, in whole minutes (at least 1). Default: null, no
         * schedule rule (the custom re-adjust event still works).
         */
        public Builder readjustSchedule(Duration readjustSchedule) {
            this.readjustSchedule = readjustSchedule;
            return this;
        }

        /**
         * Hash of the cluster configuration, a property of the deploy custom resource: when it
         * changes, {@code cdk deploy} runs the reconcile again. Required.
         */
        public Builder configHash(String configHash) {
            this.configHash = configHash;
            return this;
        }

        /** Memory of every workflow Lambda, in MiB (128..10240). Default: 1024. */
        public Builder functionMemoryMiB(int functionMemoryMiB) {
            this.functionMemoryMiB = functionMemoryMiB;
            return this;
        }

        /** Retention of the Lambda and state machine log groups. Default: three months. */
        public Builder logRetention(RetentionDays logRetention) {
            this.logRetention = logRetention;
            return this;
        }

        /**
         * Removal policy of the membership registry table. Default: DESTROY, because the
         * registry only means something together with the nodes' DRBD metadata, which goes away
         * with the stack's instances; a retained table would be an orphan that no later stack
         * reads. Point-in-time recovery protects it while the stack lives.
         */
        public Builder registryRemovalPolicy(RemovalPolicy registryRemovalPolicy) {
            this.registryRemovalPolicy = registryRemovalPolicy;
            return this;
        }

        /** Validates every prop and builds the props. */
        public ReconcileWorkflowProps build() {
            require(group != null, "group is required (the replica nodes' Auto Scaling group)");
            requireMatch("launchHookName", launchHookName, HOOK_NAME, "1-255 of [A-Za-z0-9-_/]");
            requireMatch("terminateHookName", terminateHookName, HOOK_NAME, "1-255 of [A-Za-z0-9-_/]");
            require(Token.isUnresolved(launchHookName) || !Objects.equals(launchHookName, terminateHookName),
                    "launchHookName and terminateHookName must differ, both are '" + launchHookName + "'");
            require(nodeRole != null, "nodeRole is required (the replica nodes' instance role)");
            validateDocuments();
            requireMatch("clusterTagKey", clusterTagKey, TAG_KEY, "a tag key of 1-128 characters");
            require(Token.isUnresolved(clusterTagKey) || !clusterTagKey.startsWith("aws:"), "clusterTagKey must not start with 'aws:', got '"
                    + clusterTagKey + "'");
            requireMatch("clusterId", clusterId, TAG_VALUE, "a tag value of 1-256 characters");
            requireSetting("resourceName", resourceName, ReconcileSetting.RESOURCE_NAME);
            ReconcileSetting.DRBD_PORT.requireInt("drbdPort", drbdPort);
            ReconcileSetting.NODE_COUNT.requireInt("nodeCount", nodeCount);
            int peers = ReconcileSetting.MAX_PEERS.requireInt("maxPeers",
                    maxPeers != null ? maxPeers : defaultMaxPeers(nodeCount));
            require(peers >= nodeCount - 1,
                    "maxPeers must be at least " + (nodeCount - 1) + " for nodeCount " + nodeCount + ", got " + peers);
            requireSetting("volumeGroup", volumeGroup, ReconcileSetting.VOLUME_GROUP);
            requireSetting("thinPool", thinPool, ReconcileSetting.THIN_POOL);
            requireSetting("logicalVolume", logicalVolume, ReconcileSetting.LOGICAL_VOLUME);
            require(pollInterval != null, "pollInterval must not be null");
            double pollSeconds = pollInterval.toSeconds(FRACTIONAL).doubleValue();
            require(ReconcileSetting.POLL_SECONDS.accepts((long) pollSeconds) && pollSeconds == Math.floor(pollSeconds),
                    "pollInterval must be whole seconds " + ReconcileSetting.POLL_SECONDS.describe() + ", got "
                            + pollInterval.toHumanString());
            require(evictAfter != null, "evictAfter must not be null");
            double evictMinutes = evictAfter.toMinutes(FRACTIONAL).doubleValue();
            require(ReconcileSetting.EVICT_AFTER_SECONDS.accepts((long) (evictMinutes * 60))
                            && evictMinutes == Math.floor(evictMinutes),
                    "evictAfter must be whole minutes 0..10080 (0: never), got " + evictAfter.toHumanString());
            ReconcileSetting.DATA_VOLUME_GIB.requireInt("dataVolumeGiB", dataVolumeGiB);
            require(maxResync != null, "maxResync must not be null");
            double resyncHours = maxResync.toHours(FRACTIONAL).doubleValue();
            require(ReconcileSetting.MAX_RESYNC_HOURS.accepts((long) resyncHours) && resyncHours == Math.floor(resyncHours),
                    "maxResync must be whole hours " + ReconcileSetting.MAX_RESYNC_HOURS.describe()
                            + " (under a lifecycle action's 48-hour global timeout), got " + maxResync.toHumanString());
            require(lifecycleHookTimeout != null, "lifecycleHookTimeout must not be null");
            double hookSeconds = lifecycleHookTimeout.toSeconds(FRACTIONAL).doubleValue();
            require(ReconcileSetting.LIFECYCLE_HOOK_TIMEOUT_SECONDS.accepts((long) hookSeconds)
                            && hookSeconds == Math.floor(hookSeconds),
                    "lifecycleHookTimeout must be whole seconds "
                            + ReconcileSetting.LIFECYCLE_HOOK_TIMEOUT_SECONDS.describe()
                            + " (Auto Scaling's HeartbeatTimeout range), got "
                            + lifecycleHookTimeout.toHumanString());
            ReconcileSetting.AGENT_WAIT_MAX_ATTEMPTS.requireInt("agentWaitMaxAttempts", agentWaitMaxAttempts);
            ReconcileSetting.CONNECT_WAIT_MAX_ATTEMPTS.requireInt("connectWaitMaxAttempts", connectWaitMaxAttempts);
            require(functionsJar != null && Files.isRegularFile(functionsJar),
                    "functionsJar must be an existing file (build it with `mvn -pl functions package`), got "
                            + functionsJar);
            require(definitionFile != null && Files.isRegularFile(definitionFile),
                    "definitionFile must be an existing ASL file, got " + definitionFile);
            require(dataVolumeRemovalDefinition == null || Files.isRegularFile(dataVolumeRemovalDefinition),
                    "dataVolumeRemovalDefinition must be an existing ASL file or null, got "
                            + dataVolumeRemovalDefinition);
            if (readjustSchedule != null) {
                double minutes = readjustSchedule.toMinutes(FRACTIONAL).doubleValue();
                require(minutes >= 1 && minutes == Math.floor(minutes),
                        "readjustSchedule must be whole minutes, at least 1 (or null for no schedule), got "
                                + readjustSchedule.toHumanString());
            }
            require(configHash != null && !configHash.isBlank(), "configHash must not be blank");
            require(functionMemoryMiB >= 128 && functionMemoryMiB <= 10240,
                    "functionMemoryMiB must be 128..10240, got " + functionMemoryMiB);
            require(logRetention != null, "logRetention must not be null");
            require(registryRemovalPolicy != null, "registryRemovalPolicy must not be null");
            return new ReconcileWorkflowProps(this);
        }

        private void validateDocuments() {
            var missing = new TreeSet<>(REQUIRED_DOCUMENTS);
            missing.removeAll(documentNames.keySet());
            require(missing.isEmpty(), "documentNames misses " + missing + "; it needs exactly "
                    + REQUIRED_DOCUMENTS + ", got " + new TreeSet<>(documentNames.keySet()));
            var unknown = new TreeSet<>(documentNames.keySet());
            REQUIRED_DOCUMENTS.forEach(unknown::remove);
            require(unknown.isEmpty(), "documentNames has unknown keys " + unknown + "; allowed: "
                    + REQUIRED_DOCUMENTS);
            documentNames.forEach((key, name) -> requireMatch("documentNames." + key, name,
                    SSM_DOCUMENT_NAME, "an SSM document name ([A-Za-z0-9_.-]{3,128})"));
        }

        /** Checks a literal value of a setting; a token (resolved at deploy time) passes. */
        private static void requireSetting(String prop, String value, ReconcileSetting setting) {
            if (!Token.isUnresolved(value)) {
                setting.require(prop, value);
            }
        }

        /** Checks a literal value; a token (a name CloudFormation resolves at deploy time) passes. */
        private static void requireMatch(String prop, String value, Pattern pattern, String allowed) {
            require(value != null && (Token.isUnresolved(value) || pattern.matcher(value).matches()),
                    prop + " must be " + allowed + ", got " + (value == null ? "null" : "'" + value + "'"));
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
