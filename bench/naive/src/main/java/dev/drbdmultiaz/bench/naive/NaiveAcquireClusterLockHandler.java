package dev.drbdmultiaz.bench.naive;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.reconcile.lock.AcquireClusterLockHandler;
import dev.drbdmultiaz.functions.reconcile.lock.ClusterLock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * Baseline: the project's AcquireClusterLock logic, with its clients built the naive way inside
 * handleRequest: default builders, default HTTP client (apache), default region and credential
 * provider chains.
 */
public final class NaiveAcquireClusterLockHandler implements RequestStreamHandler {

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        DynamoDbClient dynamoDb = DynamoDbClient.builder().build();
        SfnClient sfn = SfnClient.builder().build();
        ClusterLock lock = new ClusterLock(dynamoDb, sfn, System.getenv("CLUSTER_TABLE_NAME"), Clock.systemUTC());
        JsonHandler<?, ?> handler = new AcquireClusterLockHandler(lock);
        handler.handleRequest(input, output, context);
    }
}
