package dev.drbdmultiaz.functions.reconcile.lifecycle;

import dev.drbdmultiaz.functions.common.AwsClients;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.reconcile.registry.MembershipRegistry;
import dev.drbdmultiaz.model.ReconcileSetting;
import java.time.Clock;
import java.time.Duration;

/**
 * Environment of the lifecycle functions.
 *
 * @param groupName AUTO_SCALING_GROUP_NAME
 * @param launchHookName LAUNCH_HOOK_NAME
 * @param terminateHookName TERMINATE_HOOK_NAME
 * @param tableName CLUSTER_TABLE_NAME
 * @param schedule from LIFECYCLE_HOOK_TIMEOUT_SECONDS
 * @param evictAfter EVICT_AFTER_SECONDS (0: never; drbd:evictAfterMinutes of the stack)
 */
public record LifecycleConfig(String groupName, String launchHookName, String terminateHookName, String tableName,
    HeartbeatSchedule schedule, Duration evictAfter) {

    public static LifecycleConfig from(Env env) {
        return new LifecycleConfig(env.require("AUTO_SCALING_GROUP_NAME"), env.require("LAUNCH_HOOK_NAME"),
            env.require("TERMINATE_HOOK_NAME"), env.require("CLUSTER_TABLE_NAME"),
            HeartbeatSchedule.from(env, Clock.systemUTC()),
            Duration.ofSeconds(env.settingInt(ReconcileSetting.EVICT_AFTER_SECONDS)));
    }

    LifecycleActions actions() {
        return new LifecycleActions(AwsClients.autoScaling(),
            new MembershipRegistry(AwsClients.dynamoDb(), tableName, Clock.systemUTC()),
            groupName, launchHookName, terminateHookName, schedule, evictAfter, Clock.systemUTC());
    }
}
