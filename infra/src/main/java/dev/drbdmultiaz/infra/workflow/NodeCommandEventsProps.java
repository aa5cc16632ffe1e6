package dev.drbdmultiaz.infra.workflow;

import java.util.List;
import java.util.Objects;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sqs.IQueue;

/** Props of {@link NodeCommandEvents}: immutable, built by {@link #builder()}. */
public final class NodeCommandEventsProps {

    private final IFunction completionFunction;
    private final IQueue deadLetterQueue;
    private final List<String> documentNames;

    private NodeCommandEventsProps(Builder b) {
        this.completionFunction = Objects.requireNonNull(b.completionFunction, "completionFunction is required");
        this.deadLetterQueue = Objects.requireNonNull(b.deadLetterQueue, "deadLetterQueue is required");
        this.documentNames = List.copyOf(Objects.requireNonNull(b.documentNames, "documentNames is required"));
        if (documentNames.isEmpty()) {
            throw new IllegalArgumentException("documentNames must name the cluster's documents, got none");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public IFunction getCompletionFunction() {
        return completionFunction;
    }

    public IQueue getDeadLetterQueue() {
        return deadLetterQueue;
    }

    public List<String> getDocumentNames() {
        return documentNames;
    }

    /** Builder of {@link NodeCommandEventsProps}. */
    public static final class Builder {
        private IFunction completionFunction;
        private IQueue deadLetterQueue;
        private List<String> documentNames;

        private Builder() {
        }

        /** The function the rule targets (its alias). Required. */
        public Builder completionFunction(IFunction value) {
            this.completionFunction = value;
            return this;
        }

        /** Where the rule puts events it could not deliver. Required. */
        public Builder deadLetterQueue(IQueue value) {
            this.deadLetterQueue = value;
            return this;
        }

        /** The deployed names of the cluster's node documents; at least one. Required. */
        public Builder documentNames(List<String> value) {
            this.documentNames = value;
            return this;
        }

        public NodeCommandEventsProps build() {
            return new NodeCommandEventsProps(this);
        }
    }
}
