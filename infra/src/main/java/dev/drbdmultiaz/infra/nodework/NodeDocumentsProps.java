package dev.drbdmultiaz.infra.nodework;

import java.nio.file.Files;
import java.nio.file.Path;

/** Properties of {@link NodeDocuments}. Immutable; build with {@link #builder()}. */
public final class NodeDocumentsProps {

    private final Path documentsDirectory;

    private NodeDocumentsProps(Builder b) {
        if (b.documentsDirectory == null) {
            throw new IllegalArgumentException("documentsDirectory is required, got null");
        }
        if (!Files.isDirectory(b.documentsDirectory)) {
            throw new IllegalArgumentException("documentsDirectory must be a directory, got "
                    + b.documentsDirectory.toAbsolutePath().normalize());
        }
        this.documentsDirectory = b.documentsDirectory;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path getDocumentsDirectory() {
        return documentsDirectory;
    }

    /** Builder of {@link NodeDocumentsProps}. */
    public static final class Builder {
        private Path documentsDirectory;

        private Builder() {
        }

        /** Folder whose {@code *.yaml} files are SSM Command documents (schemaVersion 2.2). Required. */
        public Builder documentsDirectory(Path value) {
            this.documentsDirectory = value;
            return this;
        }

        public NodeDocumentsProps build() {
            return new NodeDocumentsProps(this);
        }
    }
}
