package dev.drbdmultiaz.functions.deploy;

import dev.drbdmultiaz.functions.common.AwsClients;
import dev.drbdmultiaz.functions.common.Env;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Environment of the deploy trigger functions.
 *
 * @param stateMachineArn STATE_MACHINE_ARN
 * @param waitSeconds DEPLOY_WAIT_SECONDS: how long a deploy waits for its reconcile (at most CloudFormation's
 *     3600-second limit of a custom resource)
 * @param groupName AUTO_SCALING_GROUP_NAME: the cluster's group (the data-volume removal waits for it to be gone)
 * @param removalStateMachineArn REMOVAL_STATE_MACHINE_ARN: the data-volume removal, set only with
 *     drbd:removalPolicy destroy
 */
public record DeployConfig(String stateMachineArn, int waitSeconds, String groupName,
    Optional<String> removalStateMachineArn) {

    public static DeployConfig from(Env env) {
        return new DeployConfig(env.require("STATE_MACHINE_ARN"), env.requireInt("DEPLOY_WAIT_SECONDS", 1, 3600),
            env.require("AUTO_SCALING_GROUP_NAME"), env.optional("REMOVAL_STATE_MACHINE_ARN"));
    }

    DeployReconcile deploy() {
        return new DeployReconcile(AwsClients.sfn(), stateMachineArn, Duration.ofSeconds(waitSeconds),
            Clock.systemUTC());
    }

    DataVolumeRemoval removal() {
        return new DataVolumeRemoval(AwsClients.sfn(), AwsClients.autoScaling(), removalStateMachineArn, groupName,
            Clock.systemUTC());
    }
}
