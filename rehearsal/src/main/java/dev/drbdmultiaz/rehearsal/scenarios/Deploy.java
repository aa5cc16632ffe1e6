package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.model.Step;
import dev.drbdmultiaz.rehearsal.RehearsalReport;
import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import java.util.ArrayList;
import java.util.List;

/** cdk deploy and cdk destroy through the CDK Provider framework's own code. */
final class Deploy implements Scenario {

    @Override
    public String name() {
        return "deploy";
    }

    @Override
    public String expectation() {
        return "cdk deploy through the CDK Provider framework's own code: Create answers once the cluster converged;"
            + " an Update with a new ConfigHash re-converges a node that went down; an Update whose reconcile fails"
            + " fails with the reconcile's reason and is rolled back; Delete answers at once and starts nothing";
    }

    @Override
    public double minimumTimeScale() {
        return Steps.DEPLOY_MINIMUM_TIME_SCALE;
    }

    @Override
    public void act(RehearsalRun run) {
        run.phase("create");
        List<String> ids = run.launchGroup(run.nodes(), null);
        Steps.nameNodes(run, ids);
        run.createDeployResource();
        run.note("after-create", String.join("; ", Checks.convergedCluster(run)));
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);

        run.phase("update");
        String rebooted = ids.get(1);
        run.role("rebooted", rebooted);
        run.reboot(rebooted);
        run.updateDeployResource("7f3c1e0a9b2d4c6e8f1a3b5c7d9e0f2a4b6c8d0e1f3a5b7c9d2e4f6a8b0c1d3e");
        run.note("after-update", String.join("; ", Checks.convergedCluster(run)));
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);

        run.phase("failing-update");
        run.reboot(rebooted);
        run.failNext(rebooted, NodeDocument.UP, 4, "drbdadm: (injected) Failure: (102) Local address(port) already in use");
        run.updateDeployResource("c41d9e7b2a6f0835d1e4b7a9c2f6e0d3b8a5c1f7e9d2b4a6c8e0f1d3a5b7c9e2");
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);

        run.phase("delete");
        int before = run.reconcileExecutions().size();
        run.deleteDeployResource();
        run.note("delete-started", Integer.toString(run.reconcileExecutions().size() - before));
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        List<RehearsalReport.Deploy> deploys = run.report().deploys();
        problems.addAll(Checks.deployRequests(run, List.of("Create SUCCESS", "Update SUCCESS", "Update FAILED",
            "Update (rollback) SUCCESS", "Delete SUCCESS"), "the failed update is rolled back"));
        if (!problems.isEmpty()) {
            return problems;
        }
        for (String phase : List.of("after-create", "after-update")) {
            if (!run.notes().get(phase).isEmpty()) {
                problems.add("the deploy answered before the cluster converged (" + phase + "): "
                    + run.notes().get(phase));
            }
        }
        String reason = deploys.get(2).reason();
        if (!reason.contains(Step.UpOrAdjust.name()) || !reason.contains(run.roles().get("rebooted"))) {
            problems.add("the failed deploy should carry the reconcile's reason (step UpOrAdjust on "
                + run.roles().get("rebooted") + "): " + reason);
        }
        if (!"0".equals(run.notes().get("delete-started"))) {
            problems.add("Delete started " + run.notes().get("delete-started") + " reconcile executions, expected none");
        }
        if (deploys.get(4).seconds() > 15) {
            problems.add("Delete should answer at once, took " + deploys.get(4).seconds() + " s");
        }
        List<Execution> failed = run.reconcileExecutions().stream()
            .filter(e -> !Execution.SUCCEEDED.equals(e.status())).toList();
        if (failed.size() != 1 || !failed.get(0).name().startsWith("deploy-")) {
            problems.add("exactly the failing update's reconcile should fail: "
                + failed.stream().map(e -> e.name() + " " + e.status()).toList());
        }
        problems.addAll(Checks.convergedCluster(run));
        return problems;
    }
}
