package dev.drbdmultiaz.bench.naive;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.reconcile.cluster.ClusterDescriber;
import dev.drbdmultiaz.functions.reconcile.cluster.DescribeClusterHandler;
import dev.drbdmultiaz.functions.reconcile.registry.MembershipRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Baseline: the project's DescribeCluster logic, with its clients built the naive way inside
 * handleRequest: default builders, default HTTP client (apache), default region and credential
 * provider chains.
 */
public final class NaiveDescribeClusterHandler implements RequestStreamHandler {

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        AutoScalingClient autoScaling = AutoScalingClient.builder().build();
        DynamoDbClient dynamoDb = DynamoDbClient.builder().build();
        ClusterDescriber describer = new ClusterDescriber(autoScaling,
            new MembershipRegistry(dynamoDb, System.getenv("CLUSTER_TABLE_NAME"), Clock.systemUTC()),
            System.getenv("AUTO_SCALING_GROUP_NAME"));
        JsonHandler<?, ?> handler = new DescribeClusterHandler(describer);
        handler.handleRequest(input, output, context);
    }
}
