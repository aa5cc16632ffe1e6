package dev.drbdmultiaz.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drbdmultiaz.infra.workflow.DeployTrigger;
import dev.drbdmultiaz.model.CustomResourceTypes;
import dev.drbdmultiaz.rehearsal.aws.CustomResources;
import dev.drbdmultiaz.rehearsal.lambda.LambdaService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * CloudFormation's side of the deploy trigger (Custom::DrbdReconcile) and of the data-volume removal
 * (Custom::DrbdDataVolumeRemoval, only with drbd:removalPolicy destroy): sends Create, Update and
 * Delete to their ServiceToken as {@code cdk deploy} and {@code cdk destroy} make them, and keeps
 * what they got back for the report.
 */
final class CloudFormationDeploy {

    private final StackView view;
    private final LambdaService lambda;
    private final CustomResources customResources;
    private final Progress progress;
    private final List<CustomResources.Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    private final List<CustomResources.Outcome> removalOutcomes = Collections.synchronizedList(new ArrayList<>());
    private String physicalId;
    private JsonNode properties;
    private String removalPhysicalId;

    CloudFormationDeploy(EmulatedAccount account) {
        this.view = account.view();
        this.lambda = account.lambda();
        this.customResources = account.customResources();
        this.progress = account.progress();
    }

    /** See {@link RehearsalRun#createDeployResource}. */
    CustomResources.Outcome create() {
        lambda.publishSnapStartVersions();
        lambda.awaitVersionsPublished(Duration.ofMinutes(3));
        if (view.removesDataVolumes()) {
            // Created before the group in AWS (the group depends on it); its Create does nothing.
            CustomResources.Outcome removal = customResources.create(view.removalResourceLogicalId(),
                CustomResourceTypes.DATA_VOLUME_REMOVAL, view.removalResourceProperties());
            recordRemoval(removal);
            if (!removal.succeeded()) {
                return removal;
            }
            removalPhysicalId = removal.physicalResourceId();
        }
        JsonNode created = view.deployResourceProperties();
        CustomResources.Outcome outcome = customResources.create(view.deployResourceLogicalId(), DeployTrigger.RESOURCE_TYPE, created);
        record(outcome, created);
        return outcome;
    }

    /** See {@link RehearsalRun#updateDeployResource}. */
    CustomResources.Outcome update(String configHash) {
        JsonNode old = requireDeployed();
        ObjectNode updated = old.deepCopy();
        updated.put("ConfigHash", configHash);
        CustomResources.Outcome outcome = customResources.update(view.deployResourceLogicalId(), DeployTrigger.RESOURCE_TYPE,
            updated, old, physicalId);
        record(outcome, outcome.succeeded() ? updated : old);
        return outcome;
    }

    /** See {@link RehearsalRun#deleteDeployResource}. */
    CustomResources.Outcome delete() {
        CustomResources.Outcome outcome = customResources.delete(view.deployResourceLogicalId(), DeployTrigger.RESOURCE_TYPE,
            requireDeployed(), physicalId);
        record(outcome, null);
        properties = null;
        return outcome;
    }

    /** See {@link RehearsalRun#deleteRemovalResource}. */
    CustomResources.Outcome deleteRemoval() {
        if (removalPhysicalId == null) {
            throw new IllegalStateException("The stack has no data-volume removal resource, or it was not created");
        }
        CustomResources.Outcome outcome = customResources.delete(view.removalResourceLogicalId(),
            CustomResourceTypes.DATA_VOLUME_REMOVAL, view.removalResourceProperties(), removalPhysicalId);
        recordRemoval(outcome);
        return outcome;
    }

    /** What CloudFormation sent to the deploy trigger so far, with what it sent after each (rollback, cleanup). */
    List<RehearsalReport.Deploy> reports() {
        List<RehearsalReport.Deploy> reports = new ArrayList<>();
        synchronized (outcomes) {
            for (CustomResources.Outcome outcome : outcomes) {
                for (CustomResources.Outcome o = outcome; o != null; o = o.followUp()) {
                    String type = o == outcome ? o.requestType()
                        : o.requestType() + (outcome.succeeded() ? " (cleanup)" : " (rollback)");
                    reports.add(new RehearsalReport.Deploy(type, o.status(), o.reason(), o.took().toMillis() / 1000.0));
                }
            }
        }
        return reports;
    }

    /** What CloudFormation got back from the data-volume removal resource so far. */
    List<CustomResources.Outcome> removalOutcomes() {
        synchronized (removalOutcomes) {
            return List.copyOf(removalOutcomes);
        }
    }

    private JsonNode requireDeployed() {
        if (properties == null) {
            throw new IllegalStateException("The deploy trigger was not created (createDeployResource first)");
        }
        return properties;
    }

    private void recordRemoval(CustomResources.Outcome outcome) {
        removalOutcomes.add(outcome);
        progress.note("CloudFormation: " + CustomResourceTypes.DATA_VOLUME_REMOVAL + " " + outcome.requestType() + " "
            + outcome.status() + " in " + outcome.took().toMillis() + " ms"
            + (outcome.succeeded() ? "" : ": " + outcome.reason()));
    }

    private void record(CustomResources.Outcome outcome, JsonNode sent) {
        outcomes.add(outcome);
        for (CustomResources.Outcome o = outcome; o != null; o = o.followUp()) {
            progress.note("CloudFormation: " + o.requestType() + (o == outcome ? "" : " (after it)") + " " + o.status()
                + " in " + o.took().toMillis() + " ms" + (o.succeeded() ? "" : ": " + o.reason()));
        }
        if (outcome.succeeded()) {
            physicalId = outcome.physicalResourceId();
            properties = sent;
        }
    }
}
