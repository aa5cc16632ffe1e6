package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import java.util.List;

/** A replacement joins while another member's agent is offline; that member learns the config later. */
final class AgentLostDuringReplace implements Scenario {

    @Override
    public String name() {
        return "agent-lost-during-replace";
    }

    @Override
    public String expectation() {
        return "one member's SSM agent is offline while another is replaced: the replacement still joins (synced from"
            + " the reachable survivor), and once the agent is back the member learns the new configuration";
    }

    @Override
    public void act(RehearsalRun run) {
        List<String> ids = Steps.launchCluster(run, run.nodes(), null);
        Steps.writeData(run, ids.get(0), 30);
        run.phase("replace");
        run.role("lost", ids.get(1));
        run.setAgentOnline(ids.get(1), false);
        run.role("replaced", ids.get(2));
        run.role("replacement", run.terminate(ids.get(2)));
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
        run.note("replacement-joined", String.valueOf(run.snapshot(run.roles().get("replacement")).disk()));
        run.phase("back");
        run.setAgentOnline(ids.get(1), true);
        run.publishReadjust();
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
        run.awaitInSync(Steps.SYNC_TIMEOUT);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = Checks.converged(run);
        String replacement = run.roles().get("replacement");
        if (run.completions().stream().noneMatch(c -> c.instanceId().equals(replacement)
            && c.transition().equals("launch") && LifecycleModel.CONTINUE.equals(c.result())
            && c.cause() == LifecycleModel.Cause.COMPLETED)) {
            problems.add("the replacement's launch should be CONTINUEd by a run while " + run.roles().get("lost")
                + " was unreachable");
        }
        if (!"UpToDate".equals(run.notes().get("replacement-joined"))) {
            problems.add("the replacement should be UpToDate before the agent came back, was "
                + run.notes().get("replacement-joined"));
        }
        if (!run.isOnline(run.roles().get("lost"))) {
            problems.add("the member whose agent was offline should not have been replaced in this scenario");
        }
        problems.addAll(Checks.dataIntact(run, List.of("node0", "lost", "replacement")));
        return problems;
    }
}
