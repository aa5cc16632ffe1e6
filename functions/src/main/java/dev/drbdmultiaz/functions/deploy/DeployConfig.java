package dev.drbdmultiaz.functions.deploy;

import dev.drbdmultiaz.functions.common.AwsClients;
import dev.drbdmultiaz.functions.common.Env;
import java.time.Clock;

/**
 * Environment of the deploy trigger functions.
 *
 * @param stateMachineArn STATE_MACHINE_ARN
 */
public record DeployConfig(String stateMachineArn) {

    public static DeployConfig from(Env env) {
        return new DeployConfig(env.require("STATE_MACHINE_ARN"));
    }

    DeployReconcile deploy() {
        return new DeployReconcile(AwsClients.sfn(), stateMachineArn, Clock.systemUTC());
    }
}
