package dev.drbdmultiaz.functions.common.priming;

import dev.drbdmultiaz.functions.common.AwsClients;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.model.NodeDocument;
import java.util.function.Function;

/**
 * The priming reads a handler can ask for, each bound to the project's client and the names in
 * the function's environment when the checkpoint comes. A handler asks only for reads its role
 * allows (infra's WorkflowFunctions grants them).
 */
public enum PrimingRequest {
    DESCRIBE_TABLE(env -> Primer.describeTable(AwsClients.dynamoDb(), env.require("CLUSTER_TABLE_NAME"))),
    DESCRIBE_GROUP(env -> Primer.describeGroup(AwsClients.autoScaling(), env.require("AUTO_SCALING_GROUP_NAME"))),
    DESCRIBE_AGENTS(env -> Primer.describeAgents(AwsClients.ssm())),
    GET_COMMAND_INVOCATION(env -> Primer.getCommandInvocation(AwsClients.ssm())),
    DESCRIBE_STATUS_DOCUMENT(env -> Primer.describeDocument(AwsClients.ssm(),
        env.require(NodeDocument.STATUS.environmentVariable()))),
    DESCRIBE_EXECUTION(env -> Primer.describeExecution(AwsClients.sfn(), env.require("STATE_MACHINE_ARN"))),
    DESCRIBE_STATE_MACHINE(env -> Primer.describeStateMachine(AwsClients.sfn(), env.require("STATE_MACHINE_ARN")));

    private final Function<Env, Primer> binding;

    PrimingRequest(Function<Env, Primer> binding) {
        this.binding = binding;
    }

    Primer bind(Env env) {
        return binding.apply(env);
    }
}
