package dev.drbdmultiaz.functions.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.exceptions.InvalidDeployRequestException;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import java.util.Objects;

/** onEvent of the deploy trigger (CDK Provider framework) → {@code {"PhysicalResourceId","Data":{"ExecutionArn"}}}. */
public final class DeployReconcileOnEventHandler extends JsonHandler<JsonNode, DeployReconcile.OnEventResponse> {

    private final DeployReconcile deploy;

    public DeployReconcileOnEventHandler() {
        this(DeployConfig.from(Env.system()).deploy());
        Priming.register(PrimingRequest.DESCRIBE_STATE_MACHINE);
    }

    public DeployReconcileOnEventHandler(DeployReconcile deploy) {
        super(JsonNode.class);
        this.deploy = Objects.requireNonNull(deploy, "deploy");
    }

    @Override
    protected DeployReconcile.OnEventResponse handle(JsonNode event) {
        return deploy.onEvent(event);
    }

    @Override
    protected RuntimeException invalidInput(String message, Exception cause) {
        return new InvalidDeployRequestException(message);
    }
}
