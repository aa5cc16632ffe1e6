package dev.drbdmultiaz.test.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.infra.DrbdMultiAzStack;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.SynthesisMessage;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;

// Annotations.findError/findWarning return cxapi.SynthesisMessage, deprecated with no replacement
// in the assertions API yet.
@SuppressWarnings("deprecation")
@DisplayName("cdk-nag AwsSolutions checks")
class CdkNagTest {

    /**
     * cdk.json turns on @aws-cdk/core:annotationsInValidationReport, which makes synth throw one
     * "Validation failed" error for any error annotation. Off here, so the assertions API can list
     * the findings one by one; which findings exist does not depend on it.
     */
    private static App app(Map<String, Object> context) {
        Map<String, Object> withAnnotations = new HashMap<>(context);
        withAnnotations.put("@aws-cdk/core:annotationsInValidationReport", false);
        return TemplateFixture.app(withAnnotations);
    }

    static Stream<Map<String, Object>> configurations() {
        return Stream.of(
                Map.of(),
                Map.of("drbd:sshCidr", "203.0.113.0/24", "drbd:natGateways", 1,
                        "drbd:instanceType", "m7g.large", "drbd:architecture", "arm64",
                        "drbd:removalPolicy", "destroy", "drbd:ami", "ami-0123456789abcdef0"));
    }

    @ParameterizedTest(name = "context {0}")
    @MethodSource("configurations")
    @DisplayName("the stack has no unsuppressed AwsSolutions error or warning")
    void noUnsuppressedFindings(Map<String, Object> context) {
        App app = app(context);
        DrbdMultiAzStack stack = TemplateFixture.stack(app);
        Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
        Annotations annotations = Annotations.fromStack(stack);
        List<SynthesisMessage> errors = annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*"));
        List<SynthesisMessage> warnings = annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"));
        assertEquals(List.of(), describe(errors), "cdk-nag errors");
        assertEquals(List.of(), describe(warnings), "cdk-nag warnings");

        List<String> suppressions = suppressions(Template.fromStack(stack));
        assertFalse(suppressions.isEmpty(), "the template records its suppressions");
    }

    @Test
    @DisplayName("the checks are live: a world-open SSH rule added for this test is reported as AwsSolutions-EC23")
    void checksAreLive() {
        App app = app(Map.of());
        DrbdMultiAzStack stack = TemplateFixture.stack(app);
        stack.getReplicaNodes().getSecurityGroup().addIngressRule(Peer.anyIpv4(), Port.tcp(22), "test only");
        Aspects.of(app).add(new AwsSolutionsChecks());
        List<SynthesisMessage> errors = Annotations.fromStack(stack)
                .findError("*", Match.stringLikeRegexp("AwsSolutions-EC23.*"));
        assertEquals(1, errors.size(), () -> describe(errors).toString());
    }

    @ParameterizedTest(name = "context {0}")
    @MethodSource("configurations")
    @DisplayName("every suppression names an AwsSolutions rule and gives a reason a reviewer can check")
    void everySuppressionHasAReason(Map<String, Object> context) {
        Template t = TemplateFixture.template(context);
        for (String problem : suppressions(t)) {
            assertTrue(problem.isEmpty(), problem);
        }
    }

    /** @return one entry per suppression: empty when it is well-formed, else what is wrong */
    private static List<String> suppressions(Template t) {
        List<String> found = new ArrayList<>();
        TemplateFixture.map(t.toJSON().get("Resources")).forEach((id, resource) -> {
            Object metadata = TemplateFixture.map(resource).get("Metadata");
            if (metadata == null || TemplateFixture.map(metadata).get("cdk_nag") == null) {
                return;
            }
            Object rules = TemplateFixture.map(TemplateFixture.map(metadata).get("cdk_nag")).get("rules_to_suppress");
            for (Object r : TemplateFixture.list(rules)) {
                Map<String, Object> rule = TemplateFixture.map(r);
                String ruleId = String.valueOf(rule.get("id"));
                String reason = rule.get("reason") instanceof String s ? s.trim() : "";
                if (!ruleId.startsWith("AwsSolutions-")) {
                    found.add(id + ": suppression of a non-AwsSolutions rule " + ruleId);
                } else if (reason.length() < 40) {
                    found.add(id + ": " + ruleId + " has no real reason: '" + reason + "'");
                } else {
                    found.add("");
                }
            }
        });
        return found;
    }

    private static List<String> describe(List<SynthesisMessage> messages) {
        return messages.stream().map(m -> m.getId() + " " + m.getEntry().getData()).toList();
    }
}
