package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import java.util.List;

/** A terminated member is forgotten; its replacement joins with a full resync. */
final class Replace implements Scenario {

    @Override
    public String name() {
        return "replace";
    }

    @Override
    public String expectation() {
        return "a terminated node is forgotten and its replacement joins with a new node-id and a full resync";
    }

    @Override
    public void act(RehearsalRun run) {
        List<String> ids = Steps.launchCluster(run, run.nodes(), null);
        run.phase("replace");
        String replaced = ids.get(ids.size() - 1);
        run.role("replaced", replaced);
        run.role("replacement", run.terminate(replaced));
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = Checks.converged(run);
        problems.addAll(Checks.replacedGone(run, "replaced"));
        return problems;
    }
}
