package dev.drbdmultiaz.infra.workflow;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import software.amazon.awscdk.services.logs.RetentionDays;

/** Props of {@link WorkflowFunction}: immutable, built by {@link #builder()}; every prop is required. */
public final class WorkflowFunctionProps {

    private final WorkflowHandler handler;
    private final Path functionsJar;
    private final int memoryMiB;
    private final RetentionDays logRetention;
    private final Map<String, String> environment;

    private WorkflowFunctionProps(Builder b) {
        this.handler = Objects.requireNonNull(b.handler, "handler is required");
        this.functionsJar = Objects.requireNonNull(b.functionsJar, "functionsJar is required");
        this.memoryMiB = b.memoryMiB;
        this.logRetention = Objects.requireNonNull(b.logRetention, "logRetention is required");
        this.environment = Collections.unmodifiableMap(
                new TreeMap<>(Objects.requireNonNull(b.environment, "environment is required")));
    }

    public static Builder builder() {
        return new Builder();
    }

    public WorkflowHandler getHandler() {
        return handler;
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

    /** Builder of {@link WorkflowFunctionProps}. */
    public static final class Builder {
        private WorkflowHandler handler;
        private Path functionsJar;
        private int memoryMiB;
        private RetentionDays logRetention;
        private Map<String, String> environment;

        private Builder() {
        }

        /** The handler class the function runs; its id names the function. */
        public Builder handler(WorkflowHandler value) {
            this.handler = value;
            return this;
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

        /** The function's environment variables. */
        public Builder environment(Map<String, String> value) {
            this.environment = value;
            return this;
        }

        public WorkflowFunctionProps build() {
            return new WorkflowFunctionProps(this);
        }
    }
}
