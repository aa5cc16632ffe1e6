package dev.drbdmultiaz.functions.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.exceptions.InvalidDeployRequestException;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import java.util.Objects;

/** isComplete of the deploy trigger and of the data-volume removal (one CDK Provider framework) → {@code {"IsComplete":bool,"Data":{…}}}. */
public final class DeployReconcileIsCompleteHandler extends JsonHandler<JsonNode, DeployReconcile.IsCompleteResponse> {

    private final DeployReconcile deploy;
    private final DataVolumeRemoval removal;

    public DeployReconcileIsCompleteHandler() {
        this(DeployConfig.from(Env.system()));
        Priming.register(PrimingRequest.DESCRIBE_EXECUTION);
    }

    private DeployReconcileIsCompleteHandler(DeployConfig config) {
        this(config.deploy(), config.removal());
    }

    public DeployReconcileIsCompleteHandler(DeployReconcile deploy, DataVolumeRemoval removal) {
        super(JsonNode.class);
        this.deploy = Objects.requireNonNull(deploy, "deploy");
        this.removal = Objects.requireNonNull(removal, "removal");
    }

    @Override
    protected DeployReconcile.IsCompleteResponse handle(JsonNode event) {
        return DataVolumeRemoval.handles(event) ? removal.isComplete(event) : deploy.isComplete(event);
    }

    @Override
    protected RuntimeException invalidInput(String message, Exception cause) {
        return new InvalidDeployRequestException(message);
    }
}
