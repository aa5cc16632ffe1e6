package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalReport;
import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A reconcile that outlasts the deploy's hour: the deploy fails in time, saying where it is. */
final class DeployOutlasted implements Scenario {

    @Override
    public String name() {
        return "deploy-outlasted";
    }

    @Override
    public String expectation() {
        return "a reconcile that outlasts the deploy's hour (every command delivered late): the deploy fails in time"
            + " with where the reconcile is, never with a bare timeout; the reconcile goes on and converges";
    }

    /**
     * Below 0.02 the deploy's margin before CloudFormation's timeout (5 minutes, compressed) is
     * shorter than a Node cold start here.
     */
    @Override
    public double minimumTimeScale() {
        return 0.02;
    }

    @Override
    public void act(RehearsalRun run) {
        run.phase("deploy");
        // SSM delivers every command on its retry, 9 minutes late (within the 10-minute delivery timeout).
        run.setDeliveryDelays(1, 1.0, Duration.ofMinutes(9));
        List<String> ids = run.launchGroup(run.nodes(), null);
        Steps.nameNodes(run, ids);
        run.createDeployResource();
        run.note("running-at-answer", Integer.toString(run.reconcileExecutions().stream()
            .filter(e -> Execution.RUNNING.equals(e.status())).toList().size()));
        run.setDeliveryDelays(1, 0, Duration.ZERO);
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        List<RehearsalReport.Deploy> deploys = run.report().deploys();
        if (deploys.isEmpty() || !"FAILED".equals(deploys.get(0).status())) {
            problems.add("the deploy should fail: it outlasts CloudFormation's wait: " + deploys);
            return problems;
        }
        String reason = deploys.get(0).reason();
        if (!reason.contains("still running") || !reason.contains("it is at ")) {
            problems.add("the deploy should fail saying the reconcile is still running and where: " + reason);
        }
        if (reason.contains("Operation timed out") || reason.contains("did not receive a response")) {
            problems.add("the deploy ended in a generic timeout: " + reason);
        }
        if ("0".equals(run.notes().get("running-at-answer"))) {
            problems.add("the reconcile had ended when the deploy gave up: it did not outlast the deploy");
        }
        problems.addAll(Checks.converged(run));
        return problems;
    }
}
