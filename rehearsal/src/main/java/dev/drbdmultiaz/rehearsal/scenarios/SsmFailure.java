package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.model.Step;
import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.nodes.NodeFaults;
import java.util.List;

/** The install fails on one node: it is ABANDONed and replaced. */
final class SsmFailure implements Scenario {

    @Override
    public String name() {
        return "ssm-failure";
    }

    @Override
    public String expectation() {
        return "install fails on one node: the execution fails naming it, its launch is ABANDONed, the group replaces"
            + " it and a follow-up run builds the cluster with the replacement";
    }

    @Override
    public void act(RehearsalRun run) {
        Steps.launchCluster(run, run.nodes(), index -> index == 1 ? NodeFaults.none().withInstallFailure()
            : NodeFaults.none());
    }

    @Override
    public List<String> check(RehearsalRun run) {
        return Checks.failedThenReplaced(run, Step.InstallDrbd.name());
    }
}
