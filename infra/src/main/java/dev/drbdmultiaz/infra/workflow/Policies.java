package dev.drbdmultiaz.infra.workflow;

import java.util.List;
import software.amazon.awscdk.services.iam.PolicyStatement;

/** IAM statements of the workflow's roles. */
final class Policies {

    private Policies() {
    }

    static PolicyStatement statement(String sid, List<String> resources, String... actions) {
        return PolicyStatement.Builder.create()
                .sid(sid).actions(List.of(actions)).resources(resources).build();
    }
}
