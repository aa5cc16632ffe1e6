package dev.drbdmultiaz.functions.reconcile.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.DepartingMember;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;
import software.amazon.awssdk.services.autoscaling.model.SetInstanceProtectionRequest;
import software.amazon.awssdk.services.autoscaling.model.SetInstanceProtectionResponse;

@DisplayName("Scale-in protection follows the Primary")
class ScaleInProtectionTest {

    private final AutoScalingClient autoScaling = mock(AutoScalingClient.class);
    private final List<SetInstanceProtectionRequest> calls = new ArrayList<>();
    private final ScaleInProtection protection = new ScaleInProtection(autoScaling, "drbd-asg");

    private static ClusterSnapshot cluster(List<String> scaleInProtected) {
        return new ClusterSnapshot("drbd-asg", 1, List.of(
            new Member("i-a", "eu-west-1a", "InService", 0, "ip-a", "10.0.1.1", null),
            new Member("i-b", "eu-west-1b", "InService", 1, "ip-b", "10.0.2.1", null),
            new Member("i-c", "eu-west-1c", "InService", 2, "ip-c", "10.0.3.1", null)),
            List.of(new DepartingMember("i-gone", 3, "ip-d", "10.0.1.9", DepartingMember.TERMINATE)),
            null, scaleInProtected);
    }

    @SuppressWarnings("unchecked")
    private void recordCalls() {
        when(autoScaling.setInstanceProtection(any(Consumer.class))).thenAnswer(invocation -> {
            SetInstanceProtectionRequest.Builder b = SetInstanceProtectionRequest.builder();
            ((Consumer<SetInstanceProtectionRequest.Builder>) invocation.getArgument(0)).accept(b);
            calls.add(b.build());
            return SetInstanceProtectionResponse.builder().build();
        });
    }

    private List<String> shown() {
        return calls.stream().map(c -> c.autoScalingGroupName() + ":" + c.instanceIds() + ":" + c.protectedFromScaleIn())
            .toList();
    }

    @Test
    @DisplayName("protects a new Primary and takes the protection off the member that was Primary")
    void movesToTheNewPrimary() {
        recordCalls();

        ScaleInProtection.Outcome outcome = protection.apply(cluster(List.of("i-a")), List.of("i-b"), "arn:exec");

        assertEquals(List.of("drbd-asg:[i-b]:true", "drbd-asg:[i-a]:false"), shown());
        assertEquals(List.of("i-b"), outcome.protectedNow());
        assertEquals(List.of("i-a"), outcome.unprotectedNow());
        assertNull(outcome.error());
    }

    @Test
    @DisplayName("calls nothing when the protection already follows the Primary, and leaves departing instances alone")
    void nothingToChange() {
        protection.apply(cluster(List.of("i-c", "i-gone")), List.of("i-c", "i-gone"), "arn:exec");

        verifyNoInteractions(autoScaling);
    }

    @Test
    @DisplayName("no Primary: every protected member loses its protection")
    void noPrimary() {
        recordCalls();

        protection.apply(cluster(List.of("i-a", "i-c")), List.of(), "arn:exec");

        assertEquals(List.of("drbd-asg:[i-a, i-c]:false"), shown());
    }

    @SuppressWarnings("unchecked")
    @Test
    @DisplayName("a failed call is reported, not thrown (the lifecycle actions are completed already)")
    void failureIsReported() {
        when(autoScaling.setInstanceProtection(any(Consumer.class)))
            .thenThrow(AutoScalingException.builder().message("Rate exceeded").build());

        ScaleInProtection.Outcome outcome = protection.apply(cluster(List.of()), List.of("i-a"), "arn:exec");

        assertTrue(outcome.error().contains("Rate exceeded"), outcome.error());
        assertEquals(List.of(), outcome.protectedNow());
    }
}
