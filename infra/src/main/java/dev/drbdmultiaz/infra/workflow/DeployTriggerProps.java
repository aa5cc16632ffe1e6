package dev.drbdmultiaz.infra.workflow;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.IConstruct;

/** Props of {@link DeployTrigger}: immutable, built by {@link #builder()}; every prop but dataVolumeRemoval is required. */
public final class DeployTriggerProps {

    private final IFunction onEventHandler;
    private final IFunction isCompleteHandler;
    private final RetentionDays logRetention;
    private final String configHash;
    private final List<IConstruct> reconcileDependencies;
    private final DataVolumeRemoval dataVolumeRemoval;

    private DeployTriggerProps(Builder b) {
        this.onEventHandler = Objects.requireNonNull(b.onEventHandler, "onEventHandler is required");
        this.isCompleteHandler = Objects.requireNonNull(b.isCompleteHandler, "isCompleteHandler is required");
        this.logRetention = Objects.requireNonNull(b.logRetention, "logRetention is required");
        this.configHash = Objects.requireNonNull(b.configHash, "configHash is required");
        this.reconcileDependencies = List.copyOf(
                Objects.requireNonNull(b.reconcileDependencies, "reconcileDependencies is required"));
        this.dataVolumeRemoval = b.dataVolumeRemoval;
    }

    public static Builder builder() {
        return new Builder();
    }

    public IFunction getOnEventHandler() {
        return onEventHandler;
    }

    public IFunction getIsCompleteHandler() {
        return isCompleteHandler;
    }

    public RetentionDays getLogRetention() {
        return logRetention;
    }

    public String getConfigHash() {
        return configHash;
    }

    public List<IConstruct> getReconcileDependencies() {
        return reconcileDependencies;
    }

    public Optional<DataVolumeRemoval> getDataVolumeRemoval() {
        return Optional.ofNullable(dataVolumeRemoval);
    }

    /** Builder of {@link DeployTriggerProps}. */
    public static final class Builder {
        private IFunction onEventHandler;
        private IFunction isCompleteHandler;
        private RetentionDays logRetention;
        private String configHash;
        private List<IConstruct> reconcileDependencies;
        private DataVolumeRemoval dataVolumeRemoval;

        private Builder() {
        }

        /** Starts the reconcile when the resource is created or its config hash changes. */
        public Builder onEventHandler(IFunction value) {
            this.onEventHandler = value;
            return this;
        }

        /** Tells the framework whether the reconcile ended, and how. */
        public Builder isCompleteHandler(IFunction value) {
            this.isCompleteHandler = value;
            return this;
        }

        /** Retention of the framework's and its waiter's logs. */
        public Builder logRetention(RetentionDays value) {
            this.logRetention = value;
            return this;
        }

        /** The resource's only property: a new value is a new deploy reconcile. */
        public Builder configHash(String value) {
            this.configHash = value;
            return this;
        }

        /** What the deploy's reconcile needs deployed first. */
        public Builder reconcileDependencies(List<? extends IConstruct> value) {
            this.reconcileDependencies = List.copyOf(value);
            return this;
        }

        /**
         * The data-volume removal the Provider also serves (its own custom resource). Default: none,
         * stack deletion keeps the data volumes.
         */
        public Builder dataVolumeRemoval(DataVolumeRemoval value) {
            this.dataVolumeRemoval = value;
            return this;
        }

        public DeployTriggerProps build() {
            return new DeployTriggerProps(this);
        }
    }
}
