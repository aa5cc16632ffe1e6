package dev.drbdmultiaz.infra.workflow;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import software.amazon.awscdk.services.autoscaling.IAutoScalingGroup;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.logs.RetentionDays;

/** Props of {@link WorkflowFunctions}: immutable, built by {@link #builder()}; every prop is required. */
public final class WorkflowFunctionsProps {

    private final Path functionsJar;
    private final int memoryMiB;
    private final RetentionDays logRetention;
    private final Map<String, String> environment;
    private final ITable clusterTable;
    private final IAutoScalingGroup group;
    private final Map<String, String> documentNames;
    private final String clusterTagKey;
    private final String clusterId;
    private final String stateMachineName;

    private WorkflowFunctionsProps(Builder b) {
        this.functionsJar = Objects.requireNonNull(b.functionsJar, "functionsJar is required");
        this.memoryMiB = b.memoryMiB;
        this.logRetention = Objects.requireNonNull(b.logRetention, "logRetention is required");
        this.environment = Collections.unmodifiableMap(
                new TreeMap<>(Objects.requireNonNull(b.environment, "environment is required")));
        this.clusterTable = Objects.requireNonNull(b.clusterTable, "clusterTable is required");
        this.group = Objects.requireNonNull(b.group, "group is required");
        this.documentNames = Collections.unmodifiableMap(
                new TreeMap<>(Objects.requireNonNull(b.documentNames, "documentNames is required")));
        this.clusterTagKey = Objects.requireNonNull(b.clusterTagKey, "clusterTagKey is required");
        this.clusterId = Objects.requireNonNull(b.clusterId, "clusterId is required");
        this.stateMachineName = Objects.requireNonNull(b.stateMachineName, "stateMachineName is required");
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path getFunctionsJar() {
        return functionsJar;
    }

    public int getMemoryMiB() {
        return memoryMiB;
    }

    public RetentionDays getLogRetention() {
        return logRetention;
    }

    public Map<String, String> getEnvironment() {
        return environment;
    }

    public ITable getClusterTable() {
        return clusterTable;
    }

    public IAutoScalingGroup getGroup() {
        return group;
    }

    public Map<String, String> getDocumentNames() {
        return documentNames;
    }

    public String getClusterTagKey() {
        return clusterTagKey;
    }

    public String getClusterId() {
        return clusterId;
    }

    public String getStateMachineName() {
        return stateMachineName;
    }

    /** Builder of {@link WorkflowFunctionsProps}. */
    public static final class Builder {
        private Path functionsJar;
        private int memoryMiB;
        private RetentionDays logRetention;
        private Map<String, String> environment;
        private ITable clusterTable;
        private IAutoScalingGroup group;
        private Map<String, String> documentNames;
        private String clusterTagKey;
        private String clusterId;
        private String stateMachineName;

        private Builder() {
        }

        /** The shaded jar of the functions module, the code of every function. */
        public Builder functionsJar(Path value) {
            this.functionsJar = value;
            return this;
        }

        public Builder memoryMiB(int value) {
            this.memoryMiB = value;
            return this;
        }

        public Builder logRetention(RetentionDays value) {
            this.logRetention = value;
            return this;
        }

        /** The environment every function gets (a function may add its own variables). */
        public Builder environment(Map<String, String> value) {
            this.environment = value;
            return this;
        }

        /** The membership registry the lock, describe and complete functions read and write. */
        public Builder clusterTable(ITable value) {
            this.clusterTable = value;
            return this;
        }

        /** The replica group whose lifecycle actions the functions describe, heartbeat and complete. */
        public Builder group(IAutoScalingGroup value) {
            this.group = value;
            return this;
        }

        /** Document base name to SSM document name: the documents SendNodeCommand may send. */
        public Builder documentNames(Map<String, String> value) {
            this.documentNames = value;
            return this;
        }

        /** The tag SendNodeCommand's instances must carry, with {@link #clusterId} as value. */
        public Builder clusterTagKey(String value) {
            this.clusterTagKey = value;
            return this;
        }

        public Builder clusterId(String value) {
            this.clusterId = value;
            return this;
        }

        /** The state machine's deterministic name, from which the policies naming it are built. */
        public Builder stateMachineName(String value) {
            this.stateMachineName = value;
            return this;
        }

        public WorkflowFunctionsProps build() {
            return new WorkflowFunctionsProps(this);
        }
    }
}
