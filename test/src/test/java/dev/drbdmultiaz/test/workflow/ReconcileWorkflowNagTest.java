package dev.drbdmultiaz.test.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;

/**
 * cdk-nag AwsSolutions on the workflow: nothing unsuppressed. The fixture's own VPC, group and
 * role are not the construct's concern and are left out by path.
 */
@DisplayName("ReconcileWorkflow cdk-nag")
class ReconcileWorkflowNagTest {

    @Test
    @SuppressWarnings("deprecation") // Annotations.find* still returns cxapi.SynthesisMessage in aws-cdk-lib 2.263
    @DisplayName("AwsSolutions reports no unsuppressed error or warning inside the workflow")
    void noUnsuppressedFindings() {
        WorkflowFixture.Synth synth = WorkflowFixture.create(Duration.minutes(15));
        Aspects.of(synth.app()).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
        Annotations annotations = Annotations.fromStack(synth.stack());

        String prefix = "/" + WorkflowFixture.STACK_ID + "/" + WorkflowFixture.WORKFLOW_ID + "/";
        List<String> findings = new ArrayList<>();
        List<SynthesisMessage> all = new ArrayList<>();
        all.addAll(annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*")));
        all.addAll(annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*")));
        for (SynthesisMessage message : all) {
            if (message.getId().startsWith(prefix)) {
                findings.add(message.getId() + ": " + message.getEntry().getData());
            }
        }
        assertEquals(List.of(), findings);
        // The check did run: the fixture outside the workflow has findings of its own (e.g. VPC flow logs).
        assertFalse(all.isEmpty(), "cdk-nag produced no finding at all; did the aspect run?");
    }
}
