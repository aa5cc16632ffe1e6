package dev.drbdmultiaz.rehearsal.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.drbdmultiaz.functions.common.AwsClients;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A test function for the rehearsal's Lambda service: calls DynamoDB ListTables with the
 * project's client ({@code "chain"}) or with a client pinned to the access-key variables
 * ({@code "environment"}), the defect SnapStart functions must not have.
 */
public final class CredentialsProbeHandler implements RequestStreamHandler {

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String mode = new String(input.readAllBytes(), StandardCharsets.UTF_8).contains("environment")
            ? "environment" : "chain";
        DynamoDbClient client = mode.equals("chain") ? AwsClients.dynamoDb()
            : DynamoDbClient.builder().region(Region.of(System.getenv("AWS_REGION")))
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(EnvironmentVariableCredentialsProvider.create()).build();
        int tables = client.listTables().tableNames().size();
        output.write(("{\"mode\":\"" + mode + "\",\"tables\":" + tables + "}").getBytes(StandardCharsets.UTF_8));
    }
}
