package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.nodes.NodeSnapshot;
import java.util.List;

/** Two of three members terminated at once: both replacements resync from the survivor. */
final class ReplaceTwo implements Scenario {

    @Override
    public String name() {
        return "replace-two";
    }

    @Override
    public String expectation() {
        return "two of three members terminated at once: the survivor frees their bitmap slots, both replacements"
            + " join UpToDate, resynced from the survivor, and the data written before is intact";
    }

    @Override
    public void act(RehearsalRun run) {
        List<String> ids = Steps.launchCluster(run, run.nodes(), null);
        Steps.writeData(run, ids.get(0), 50);
        run.phase("replace-two");
        run.role("survivor", ids.get(0));
        run.role("replaced0", ids.get(1));
        run.role("replaced1", ids.get(2));
        run.role("replacement0", run.terminate(ids.get(1)));
        run.role("replacement1", run.terminate(ids.get(2)));
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = Checks.converged(run);
        problems.addAll(Checks.dataIntact(run, List.of("survivor", "replacement0", "replacement1")));
        for (String role : List.of("replacement0", "replacement1")) {
            NodeSnapshot.Data data = run.snapshot(run.roles().get(role)).data();
            if (data == null || !"full".equals(data.lastResync())) {
                problems.add(role + " should hold the data by a full resync from the survivor: " + data);
            }
        }
        return problems;
    }
}
