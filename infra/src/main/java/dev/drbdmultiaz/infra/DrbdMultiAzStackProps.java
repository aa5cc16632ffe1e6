package dev.drbdmultiaz.infra;

import java.nio.file.Path;
import java.util.Optional;

/** Properties of {@link DrbdMultiAzStack}. Immutable; build with {@link #builder()}. */
public final class DrbdMultiAzStackProps {

    private final Path projectRoot;
    private final ClusterSettings settings;
    private final Path ssmDocumentsDirectory;
    private final Path functionsJar;

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
        this.functionsJar = b.functionsJar;
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

    /** @return the shaded jar of the Lambda handlers */
    public Path getFunctionsJar() {
        return Optional.ofNullable(functionsJar).orElse(projectRoot.resolve("functions/target/functions.jar"));
    }

    /** @return the reconcile state machine definition */
    public Path getReconcileDefinition() {
        return projectRoot.resolve("state-machines/reconcile.asl.json");
    }

    /** @return the data-volume removal state machine definition (drbd:removalPolicy destroy) */
    public Path getDataVolumeRemovalDefinition() {
        return projectRoot.resolve("state-machines/remove-data-volumes.asl.json");
    }

    /** Builder of {@link DrbdMultiAzStackProps}. */
    public static final class Builder {
        private Path projectRoot;
        private ClusterSettings settings;
        private Path ssmDocumentsDirectory;
        private Path functionsJar;

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

        /** The shaded Lambda jar. Default: {@code <projectRoot>/functions/target/functions.jar}. */
        public Builder functionsJar(Path value) {
            this.functionsJar = value;
            return this;
        }

        public DrbdMultiAzStackProps build() {
            return new DrbdMultiAzStackProps(this);
        }
    }
}
