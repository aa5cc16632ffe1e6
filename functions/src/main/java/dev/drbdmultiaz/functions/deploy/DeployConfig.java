package dev.drbdmultiaz.functions.deploy;

import dev.drbdmultiaz.functions.common.AwsClients;
import dev.drbdmultiaz.functions.common.Env;
import java.time.Clock;
import java.time.Duration;

/**
 * Environment of the deploy trigger functions.
 *
 * @param stateMachineArn STATE_MACHINE_ARN
 * @param waitSeconds DEPLOY_WAIT_SECONDS: how long a deploy waits for its reconcile (at most CloudFormation's
 *     3600-second limit of a custom resource)
 */
public record DeployConfig(String stateMachineArn, int waitSeconds) {

    public static DeployConfig from(Env env) {
        return new DeployConfig(env.require("STATE_MACHINE_ARN"), env.requireInt("DEPLOY_WAIT_SECONDS", 1, 3600));
    }

    DeployReconcile deploy() {
        return new DeployReconcile(AwsClients.sfn(), stateMachineArn, Duration.ofSeconds(waitSeconds),
            Clock.systemUTC());
    }
}
