package dev.drbdmultiaz.functions.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.exceptions.InvalidDeployRequestException;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import java.util.Objects;

/** onEvent of the deploy trigger and of the data-volume removal (one CDK Provider framework) → {@code {"PhysicalResourceId","Data":{"ExecutionArn"}}}. */
public final class DeployReconcileOnEventHandler extends JsonHandler<JsonNode, DeployReconcile.OnEventResponse> {

    private final DeployReconcile deploy;
    private final DataVolumeRemoval removal;

    public DeployReconcileOnEventHandler() {
        this(DeployConfig.from(Env.system()));
        Priming.register(PrimingRequest.DESCRIBE_STATE_MACHINE);
    }

    private DeployReconcileOnEventHandler(DeployConfig config) {
        this(config.deploy(), config.removal());
    }

    public DeployReconcileOnEventHandler(DeployReconcile deploy, DataVolumeRemoval removal) {
        super(JsonNode.class);
        this.deploy = Objects.requireNonNull(deploy, "deploy");
        this.removal = Objects.requireNonNull(removal, "removal");
    }

    @Override
    protected DeployReconcile.OnEventResponse handle(JsonNode event) {
        return DataVolumeRemoval.handles(event) ? removal.onEvent(event) : deploy.onEvent(event);
    }

    @Override
    protected RuntimeException invalidInput(String message, Exception cause) {
        return new InvalidDeployRequestException(message);
    }
}
