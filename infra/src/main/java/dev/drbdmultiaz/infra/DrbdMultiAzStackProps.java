package dev.drbdmultiaz.infra;

import java.nio.file.Path;
import java.util.Optional;

/** Properties of {@link DrbdMultiAzStack}. Immutable; build with {@link #builder()}. */
public final class DrbdMultiAzStackProps {

    private final Path projectRoot;
    private final ClusterSettings settings;
    private final Path ssmDocumentsDirectory;

    private DrbdMultiAzStackProps(Builder b) {
        if (b.projectRoot == null) {
            throw new IllegalArgumentException("projectRoot is required, got null");
        }
        if (b.settings == null) {
            throw new IllegalArgumentException("settings is required, got null");
        }
        this.projectRoot = b.projectRoot;
        this.settings = b.settings;
        this.ssmDocumentsDirectory = b.ssmDocumentsDirectory;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** @return the repository root, from which functions/, state-machines/ and ssm-documents/ resolve */
    public Path getProjectRoot() {
        return projectRoot;
    }

    public ClusterSettings getSettings() {
        return settings;
    }

    /** @return the folder of the SSM documents */
    public Path getSsmDocumentsDirectory() {
        return Optional.ofNullable(ssmDocumentsDirectory).orElse(projectRoot.resolve("ssm-documents"));
    }

    /** Builder of {@link DrbdMultiAzStackProps}. */
    public static final class Builder {
        private Path projectRoot;
        private ClusterSettings settings;
        private Path ssmDocumentsDirectory;

        private Builder() {
        }

        /** The repository root. Required. */
        public Builder projectRoot(Path value) {
            this.projectRoot = value;
            return this;
        }

        /** The validated cluster settings (see {@link ClusterSettings#fromContext}). Required. */
        public Builder settings(ClusterSettings value) {
            this.settings = value;
            return this;
        }

        /** Folder of the SSM documents. Default: {@code <projectRoot>/ssm-documents}. */
        public Builder ssmDocumentsDirectory(Path value) {
            this.ssmDocumentsDirectory = value;
            return this;
        }

        public DrbdMultiAzStackProps build() {
            return new DrbdMultiAzStackProps(this);
        }
    }
}
