package dev.drbdmultiaz.functions.common.priming;

import dev.drbdmultiaz.functions.common.ExecutionArns;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * One side-effect-free request through one SDK client, made before the SnapStart snapshot so the
 * first real event finds the client's classes loaded (marshallers, signer, HTTP, credentials).
 * Every request asks the server to close the connection ({@code Connection: close}, RFC 9112
 * section 9.6), so no kept-alive socket is in the snapshot: the JDK's HttpURLConnection, under
 * the SDK's UrlConnectionHttpClient, keeps a connection for reuse only when the response does
 * not carry that option.
 *
 * @param action the IAM action the request needs (the function's role must allow it)
 * @param request makes the request; an answer with a service error (e.g. not found) still primed the path
 */
public record Primer(String action, Runnable request) {

    /** The header that keeps the priming connection out of the JDK's keep-alive cache. */
    static final AwsRequestOverrideConfiguration CLOSE_CONNECTION =
        AwsRequestOverrideConfiguration.builder().putHeader("Connection", "close").build();

    /** A command id and instance id that name nothing: GetCommandInvocation answers InvocationDoesNotExist. */
    static final String NO_COMMAND_ID = "00000000-0000-0000-0000-000000000000";
    static final String NO_INSTANCE_ID = "i-00000000000000000";
    /** The execution name DescribeExecution is asked about; executions are named per run, never so. */
    static final String NO_EXECUTION_NAME = "snapstart-priming";

    public static Primer describeTable(DynamoDbClient dynamoDb, String tableName) {
        return new Primer("dynamodb:DescribeTable", () -> dynamoDb.describeTable(b -> b.tableName(tableName)
            .overrideConfiguration(CLOSE_CONNECTION)));
    }

    public static Primer describeGroup(AutoScalingClient autoScaling, String groupName) {
        return new Primer("autoscaling:DescribeAutoScalingGroups", () -> autoScaling.describeAutoScalingGroups(b -> b
            .autoScalingGroupNames(groupName).overrideConfiguration(CLOSE_CONNECTION)));
    }

    /** DescribeInstanceInformation with its smallest page (MaxResults 5). */
    public static Primer describeAgents(SsmClient ssm) {
        return new Primer("ssm:DescribeInstanceInformation", () -> ssm.describeInstanceInformation(b -> b
            .maxResults(5).overrideConfiguration(CLOSE_CONNECTION)));
    }

    public static Primer getCommandInvocation(SsmClient ssm) {
        return new Primer("ssm:GetCommandInvocation", () -> ssm.getCommandInvocation(b -> b
            .commandId(NO_COMMAND_ID).instanceId(NO_INSTANCE_ID).overrideConfiguration(CLOSE_CONNECTION)));
    }

    public static Primer describeDocument(SsmClient ssm, String documentName) {
        return new Primer("ssm:DescribeDocument", () -> ssm.describeDocument(b -> b.name(documentName)
            .overrideConfiguration(CLOSE_CONNECTION)));
    }

    /** DescribeExecution of an execution of {@code stateMachineArn} that does not exist. */
    public static Primer describeExecution(SfnClient sfn, String stateMachineArn) {
        String executionArn = ExecutionArns.of(stateMachineArn, NO_EXECUTION_NAME);
        return new Primer("states:DescribeExecution", () -> sfn.describeExecution(b -> b.executionArn(executionArn)
            .overrideConfiguration(CLOSE_CONNECTION)));
    }

    public static Primer describeStateMachine(SfnClient sfn, String stateMachineArn) {
        return new Primer("states:DescribeStateMachine", () -> sfn.describeStateMachine(b -> b
            .stateMachineArn(stateMachineArn).overrideConfiguration(CLOSE_CONNECTION)));
    }
}
