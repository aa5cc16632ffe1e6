package dev.drbdmultiaz.functions.common;

import dev.drbdmultiaz.functions.common.exceptions.ConfigurationException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * SDK v2 clients, each built once per Lambda container on first use: region from
 * {@code AWS_REGION}, the credentials of {@link #credentials()}, and one shared
 * {@link UrlConnectionHttpClient}. The SDK's standard endpoint settings ({@code AWS_ENDPOINT_URL} and
 * the per-service {@code AWS_ENDPOINT_URL_<SERVICE>}, read by the SDK itself) point them at emulated
 * AWS in the rehearsal.
 */
public final class AwsClients {

    private AwsClients() {
    }

    public static AutoScalingClient autoScaling() {
        return AutoScalingHolder.CLIENT;
    }

    public static DynamoDbClient dynamoDb() {
        return DynamoDbHolder.CLIENT;
    }

    public static SfnClient sfn() {
        return SfnHolder.CLIENT;
    }

    public static SsmClient ssm() {
        return SsmHolder.CLIENT;
    }

    /**
     * The two ways Lambda hands a function its execution role's credentials, container first.
     * Under SnapStart the Java runtime offers them only through the container endpoint
     * ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI} + {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}), never
     * as access-key variables ("Working with SnapStart credentials", Lambda developer guide); without
     * SnapStart they are {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}/{@code AWS_SESSION_TOKEN}.
     * Nothing is resolved when the chain is built: each provider fetches on first use and refreshes
     * before expiry, so a SnapStart snapshot taken after init holds no credential that can go stale.
     */
    static AwsCredentialsProvider credentials() {
        return AwsCredentialsProviderChain.builder()
            .credentialsProviders(ContainerCredentialsProvider.builder().build(),
                EnvironmentVariableCredentialsProvider.create())
            .build();
    }

    /** The region the clients use; fails fast when {@code AWS_REGION} is unset. */
    static Region region() {
        String region = System.getenv("AWS_REGION");
        if (region == null || region.isBlank()) {
            throw new ConfigurationException(
                "Environment variable AWS_REGION is missing; Lambda sets it, set it when running elsewhere");
        }
        return Region.of(region);
    }

    /* Initialization-on-demand holders: the JVM builds each client once, thread-safely, and only
       the clients a function uses. */

    private static final class Shared {
        static final SdkHttpClient HTTP = UrlConnectionHttpClient.builder().build();
        static final Region REGION = region();
        static final AwsCredentialsProvider CREDENTIALS = credentials();
    }

    private static final class AutoScalingHolder {
        static final AutoScalingClient CLIENT = AutoScalingClient.builder()
            .httpClient(Shared.HTTP).region(Shared.REGION).credentialsProvider(Shared.CREDENTIALS).build();
    }

    private static final class DynamoDbHolder {
        static final DynamoDbClient CLIENT = DynamoDbClient.builder()
            .httpClient(Shared.HTTP).region(Shared.REGION).credentialsProvider(Shared.CREDENTIALS).build();
    }

    private static final class SfnHolder {
        static final SfnClient CLIENT = SfnClient.builder()
            .httpClient(Shared.HTTP).region(Shared.REGION).credentialsProvider(Shared.CREDENTIALS).build();
    }

    private static final class SsmHolder {
        static final SsmClient CLIENT = SsmClient.builder()
            .httpClient(Shared.HTTP).region(Shared.REGION).credentialsProvider(Shared.CREDENTIALS).build();
    }
}
