package dev.drbdmultiaz.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The SSM Command documents the reconcile sends to the nodes, one per file of
 * {@code ssm-documents/}. The construct creates each under a generated name and hands that name
 * to the functions in {@link #environmentVariable()}.
 */
public enum NodeDocument {
    INSTALL(1800),
    PREPARE_LVM(300),
    WRITE_CONFIG(120),
    CREATE_MD(300),
    UP(300),
    SKIP_INITIAL_SYNC(120),
    STATUS(60),
    FORGET_PEER(120),
    RESIZE(120),
    GROW_BACKING(300);

    private final int executionTimeoutSeconds;

    NodeDocument(int executionTimeoutSeconds) {
        this.executionTimeoutSeconds = executionTimeoutSeconds;
    }

    /**
     * The {@code timeoutSeconds} of the document's runShellScript step (the test module checks
     * that each file says the same): SSM stops the script after it.
     */
    public int executionTimeoutSeconds() {
        return executionTimeoutSeconds;
    }

    /** The file name without {@code .yaml}: {@code CREATE_MD} is {@code drbd-create-md}. */
    public String baseName() {
        return "drbd-" + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The file in {@code ssm-documents/}. */
    public String fileName() {
        return baseName() + ".yaml";
    }

    /** The functions' environment variable that holds the deployed document's name. */
    public String environmentVariable() {
        return "DOCUMENT_" + name();
    }

    /** Whether the document may change a node; only the status document is read-only. */
    public boolean mutating() {
        return this != STATUS;
    }

    /** The document of {@code baseName} (as {@link #baseName()} spells it). */
    public static Optional<NodeDocument> ofBaseName(String baseName) {
        return Arrays.stream(values()).filter(d -> d.baseName().equals(baseName)).findFirst();
    }
}
