package dev.drbdmultiaz.infra.workflow;

import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awscdk.services.logs.RetentionDays;

/** Props of {@link DataVolumeRemoval}: immutable, built by {@link #builder()}; every prop is required. */
public final class DataVolumeRemovalProps {

    private final Path definitionFile;
    private final String clusterTagKey;
    private final String clusterId;
    private final RetentionDays logRetention;

    private DataVolumeRemovalProps(Builder b) {
        if (b.definitionFile == null || !Files.isRegularFile(b.definitionFile)) {
            throw new IllegalArgumentException("definitionFile must be an existing ASL file, got " + b.definitionFile);
        }
        if (b.clusterTagKey == null || b.clusterTagKey.isBlank()) {
            throw new IllegalArgumentException("clusterTagKey must not be blank, got '" + b.clusterTagKey + "'");
        }
        if (b.clusterId == null || b.clusterId.isBlank()) {
            throw new IllegalArgumentException("clusterId must not be blank, got '" + b.clusterId + "'");
        }
        if (b.logRetention == null) {
            throw new IllegalArgumentException("logRetention must not be null");
        }
        this.definitionFile = b.definitionFile;
        this.clusterTagKey = b.clusterTagKey;
        this.clusterId = b.clusterId;
        this.logRetention = b.logRetention;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path getDefinitionFile() {
        return definitionFile;
    }

    public String getClusterTagKey() {
        return clusterTagKey;
    }

    public String getClusterId() {
        return clusterId;
    }

    public RetentionDays getLogRetention() {
        return logRetention;
    }

    /** Builder of {@link DataVolumeRemovalProps}. */
    public static final class Builder {
        private Path definitionFile;
        private String clusterTagKey;
        private String clusterId;
        private RetentionDays logRetention;

        private Builder() {
        }

        /** The ASL definition ({@code state-machines/remove-data-volumes.asl.json}). */
        public Builder definitionFile(Path value) {
            this.definitionFile = value;
            return this;
        }

        /** The key of the tag every data volume of the cluster carries. */
        public Builder clusterTagKey(String value) {
            this.clusterTagKey = value;
            return this;
        }

        /** The cluster id, that tag's value: the only volumes the removal may delete. */
        public Builder clusterId(String value) {
            this.clusterId = value;
            return this;
        }

        /** Retention of the removal's execution logs. */
        public Builder logRetention(RetentionDays value) {
            this.logRetention = value;
            return this;
        }

        public DataVolumeRemovalProps build() {
            return new DataVolumeRemovalProps(this);
        }
    }
}
