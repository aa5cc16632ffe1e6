package dev.drbdmultiaz.infra.workflow;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.List;
import software.constructs.IConstruct;

/** The cdk-nag vocabulary the workflow's constructs share when they justify a finding on their own resources. */
final class Nag {

    /** The managed policy every Lambda role gets, as cdk-nag names it in IAM4's appliesTo. */
    static final String LAMBDA_BASIC_EXECUTION_POLICY =
            "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
    /** A statement on {@code "*"}, as cdk-nag names it in IAM5's appliesTo. */
    static final String ANY_RESOURCE = "Resource::*";

    /** A statement on every EC2 volume of the stack's region (a tag condition narrows it), as IAM5 names it. */
    static final RegexAppliesTo ANY_VOLUME = RegexAppliesTo.builder()
            .regex("/^Resource::" + arnRegex("ec2") + "volume\\/\\*$/g").build();

    private Nag() {
    }

    static NagPackSuppression reason(String rule, String reason, Object... appliesTo) {
        NagPackSuppression.Builder builder = NagPackSuppression.builder().id(rule).reason(reason);
        if (appliesTo.length > 0) {
            builder.appliesTo(List.of(appliesTo));
        }
        return builder.build();
    }

    /**
     * Suppresses on the construct's CloudFormation resources that exist now: with
     * applyToChildren, call it after the construct's last grant (the grant creates the role's
     * default policy).
     */
    static void suppress(IConstruct construct, boolean applyToChildren, List<NagPackSuppression> suppressions) {
        NagSuppressions.addResourceSuppressions(construct, suppressions, applyToChildren);
    }

    static void suppress(IConstruct construct, boolean applyToChildren, NagPackSuppression... suppressions) {
        suppress(construct, applyToChildren, List.of(suppressions));
    }

    /**
     * The start of an ARN of this stack as cdk-nag prints it. Partition and region are literals in
     * a stack with a concrete region, tokens in an environment-agnostic one.
     */
    static String arnRegex(String service) {
        return "arn:(<AWS::Partition>|aws[a-z-]*):" + service + ":(<AWS::Region>|[a-z0-9-]+):<AWS::AccountId>:";
    }
}
