package dev.drbdmultiaz.rehearsal.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.functions.common.AwsErrors;
import dev.drbdmultiaz.functions.common.exceptions.TransientAwsException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;

/**
 * A throttled Auto Scaling front answers as Auto Scaling does past the account's request rate
 * (Query protocol, HTTP 400, code Throttling, "Rate exceeded"): the SDK sees a throttling error,
 * retries it on its own, and the functions' AwsErrors makes it a TransientAwsException.
 */
class AutoScalingThrottlingTest {

    private static final String INSTANCE = "i-0123456789abcdef0";

    @Test
    @DisplayName("while throttled every call answers Throttling / 400 / Rate exceeded, which the SDK retries; then calls pass again")
    void throttledCallsAnswerThrottling() {
        CredentialAuthority authority = new CredentialAuthority();
        CredentialAuthority.Issued issued = authority.issue("fn");
        LifecycleModel model = new LifecycleModel("g", "g-launch", "g-terminate", List.of("z-1a", "z-1b", "z-1c"));
        model.launched(INSTANCE, "10.0.0.1");
        AtomicInteger attempts = new AtomicInteger();
        try (AutoScalingFront front = AutoScalingFront.start(URI.create("http://127.0.0.1:1"), model, authority);
             AutoScalingClient client = AutoScalingClient.builder().endpointOverride(front.endpoint())
                 .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                 .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                     issued.accessKeyId(), issued.secretAccessKey(), issued.sessionToken())))
                 .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                     @Override
                     public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                         attempts.incrementAndGet();
                     }
                 })).build()) {
            front.setThrottled(true);
            AutoScalingException throttled = assertThrows(AutoScalingException.class, () -> client
                .recordLifecycleActionHeartbeat(b -> b.autoScalingGroupName("g").lifecycleHookName("g-launch")
                    .instanceId(INSTANCE)));
            assertEquals(400, throttled.statusCode());
            assertEquals("Throttling", throttled.awsErrorDetails().errorCode());
            assertEquals("Rate exceeded", throttled.awsErrorDetails().errorMessage());
            assertTrue(throttled.isThrottlingException(), "the SDK classifies it as throttling");
            assertTrue(attempts.get() > 1, "the SDK retried the throttled call: " + attempts.get() + " attempt(s)");
            assertEquals(attempts.get(), throttled.numAttempts());
            assertInstanceOf(TransientAwsException.class, AwsErrors.translate(throttled));
            assertEquals(0, model.heartbeats(INSTANCE), "a throttled call changes nothing");

            front.setThrottled(false);
            client.recordLifecycleActionHeartbeat(b -> b.autoScalingGroupName("g").lifecycleHookName("g-launch")
                .instanceId(INSTANCE));
            assertEquals(1, model.heartbeats(INSTANCE));
        }
    }
}
