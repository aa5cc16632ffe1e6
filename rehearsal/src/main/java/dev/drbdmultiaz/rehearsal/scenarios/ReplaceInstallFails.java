package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.model.Step;
import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.nodes.NodeFaults;
import java.util.List;

/** A replacement whose install fails is ABANDONed and replaced in turn. */
final class ReplaceInstallFails implements Scenario {

    @Override
    public String name() {
        return "replace-install-fails";
    }

    @Override
    public String expectation() {
        return "a replacement whose install fails is ABANDONed and replaced in turn; the cluster converges with the"
            + " next one and no lifecycle action is left pending or timed out";
    }

    @Override
    public void act(RehearsalRun run) {
        int nodes = run.nodes();
        List<String> ids = Steps.launchCluster(run, nodes, index -> index == nodes
            ? NodeFaults.none().withInstallFailure() : NodeFaults.none());
        run.phase("replace");
        String replaced = ids.get(ids.size() - 1);
        run.role("replaced", replaced);
        run.role("faulty", run.terminate(replaced));
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = Checks.failedThenReplaced(run, Step.InstallDrbd.name());
        problems.addAll(Checks.replacedGone(run, "replaced"));
        return problems;
    }
}
