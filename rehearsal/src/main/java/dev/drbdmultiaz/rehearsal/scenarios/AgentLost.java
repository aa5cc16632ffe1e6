package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import java.time.Duration;
import java.util.List;

/** A member whose SSM agent stays offline is left out, then evicted and replaced. */
final class AgentLost implements Scenario {

    @Override
    public String name() {
        return "agent-lost";
    }

    @Override
    public String expectation() {
        return "one member's SSM agent stays offline (DRBD still runs there): the others converge without it and the"
            + " run's output names it; once unreachable for drbd:evictAfterMinutes a run marks it Unhealthy, the"
            + " group replaces it and the cluster converges again with the data intact";
    }

    @Override
    public void act(RehearsalRun run) {
        List<String> ids = Steps.launchCluster(run, run.nodes(), null);
        Steps.writeData(run, ids.get(0), 30);
        run.phase("lost");
        String lost = ids.get(ids.size() - 1);
        run.role("lost", lost);
        run.setAgentOnline(lost, false);
        run.publishReadjust();
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
        run.phase("evict");
        Steps.sleep(run, Duration.ofSeconds(run.stack().evictAfterSeconds()));
        run.publishReadjust();
        run.role("replacement", Steps.awaitReplacementOf(run, lost));
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
        run.awaitInSync(Steps.SYNC_TIMEOUT);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = Checks.converged(run);
        String lost = run.roles().get("lost");
        List<String> inLostPhase = run.report().phase("lost").executions();
        List<Execution> lostRuns = run.reconcileExecutions().stream()
            .filter(e -> inLostPhase.contains(e.name())).toList();
        if (lostRuns.isEmpty() || lostRuns.stream().anyMatch(e -> e.output() == null
            || !e.output().contains("\"Reachable\"") || !e.output().contains(lost))) {
            problems.add("the runs while " + lost + " was unreachable should converge and name it in their output");
        }
        if (run.isOnline(lost)) {
            problems.add(lost + " still runs: it was not replaced after drbd:evictAfterMinutes");
        }
        if (run.completions().stream().noneMatch(c -> c.instanceId().equals(lost)
            && c.transition().equals("terminate") && LifecycleModel.CONTINUE.equals(c.result()))) {
            problems.add("the terminate action of the evicted " + lost + " should be CONTINUEd by a run");
        }
        problems.addAll(Checks.dataIntact(run, List.of("node0", "node1", "replacement")));
        return problems;
    }
}
