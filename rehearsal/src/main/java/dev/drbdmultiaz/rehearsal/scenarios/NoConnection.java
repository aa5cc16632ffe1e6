package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.support.Net;
import java.util.ArrayList;
import java.util.List;

/** The DRBD port is blocked: the run gives up after its bound and lets the group replace the nodes. */
final class NoConnection implements Scenario {

    @Override
    public String name() {
        return "no-connection";
    }

    @Override
    public String expectation() {
        return "the DRBD port is blocked between the nodes: the run gives up after its connection bound with"
            + " ConvergenceTimeoutException, ABANDONs the launches that never connected and releases the lock; once"
            + " the port is open again the group's replacements converge";
    }

    /**
     * Its runs make 45 rounds while every launch waits: below 0.02 the compressed hook timeout (36 s
     * real at 0.01) is within reach of the rehearsal's own latencies on a loaded machine (a first
     * heartbeat 36 s after launch expired the launches in a CI run).
     */
    @Override
    public double minimumTimeScale() {
        return 0.02;
    }

    @Override
    public void act(RehearsalRun run) {
        run.phase("blocked");
        run.setDrbdPortBlocked(true);
        List<String> ids = run.launchGroup(run.nodes(), null);
        for (int i = 0; i < ids.size(); i++) {
            run.role("faulty" + i, ids.get(i));
        }
        Net.await(Steps.EXECUTION_TIMEOUT, "no reconcile gave up on the blocked connections within "
            + Steps.EXECUTION_TIMEOUT.toMinutes() + " minutes", () -> run.reconcileExecutions().stream()
            .anyMatch(e -> !Execution.RUNNING.equals(e.status()) && !Execution.SUCCEEDED.equals(e.status())));
        run.phase("open");
        run.setDrbdPortBlocked(false);
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        List<Execution> failed = run.reconcileExecutions().stream()
            .filter(e -> !Execution.SUCCEEDED.equals(e.status())).toList();
        int bound = run.stack().connectWaitMaxAttempts();
        if (failed.size() != 1 || !Execution.FAILED.equals(failed.get(0).status())
            || !failed.get(0).error().endsWith("ConvergenceTimeoutException")
            || !failed.get(0).cause().contains("after " + bound + " observations")) {
            problems.add("one run should fail with ConvergenceTimeoutException after " + bound + " observations: "
                + failed.stream().map(e -> e.name() + " " + e.status() + " " + e.error() + ": " + e.cause()).toList());
        }
        for (String role : List.of("faulty0", "faulty1", "faulty2")) {
            String id = run.roles().get(role);
            if (run.completions().stream().noneMatch(c -> c.instanceId().equals(id)
                && c.transition().equals("launch") && LifecycleModel.ABANDON.equals(c.result())
                && c.cause() == LifecycleModel.Cause.COMPLETED)) {
                problems.add("the launch of " + id + ", which never connected, should be ABANDONed by the run");
            }
        }
        problems.addAll(Checks.convergedCluster(run));
        return problems;
    }
}
