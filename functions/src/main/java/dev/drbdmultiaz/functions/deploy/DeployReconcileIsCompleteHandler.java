package dev.drbdmultiaz.functions.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.exceptions.InvalidDeployRequestException;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import java.util.Objects;

/** isComplete of the deploy trigger (CDK Provider framework) → {@code {"IsComplete":bool,"Data":{…}}}. */
public final class DeployReconcileIsCompleteHandler extends JsonHandler<JsonNode, DeployReconcile.IsCompleteResponse> {

    private final DeployReconcile deploy;

    public DeployReconcileIsCompleteHandler() {
        this(DeployConfig.from(Env.system()).deploy());
        Priming.register(PrimingRequest.DESCRIBE_EXECUTION);
    }

    public DeployReconcileIsCompleteHandler(DeployReconcile deploy) {
        super(JsonNode.class);
        this.deploy = Objects.requireNonNull(deploy, "deploy");
    }

    @Override
    protected DeployReconcile.IsCompleteResponse handle(JsonNode event) {
        return deploy.isComplete(event);
    }

    @Override
    protected RuntimeException invalidInput(String message, Exception cause) {
        return new InvalidDeployRequestException(message);
    }
}
