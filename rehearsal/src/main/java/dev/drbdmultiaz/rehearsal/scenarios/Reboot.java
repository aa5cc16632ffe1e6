package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.nodes.NodeSnapshot;
import java.util.List;

/** A rebooted node comes up again with its metadata. */
final class Reboot implements Scenario {

    @Override
    public String name() {
        return "reboot";
    }

    @Override
    public String expectation() {
        return "a rebooted node (resource down, metadata kept) comes up again without create-md";
    }

    @Override
    public void act(RehearsalRun run) {
        List<String> ids = Steps.launchCluster(run, run.nodes(), null);
        run.phase("reboot");
        run.role("rebooted", ids.get(1));
        run.reboot(ids.get(1));
        run.publishReadjust();
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = Checks.converged(run);
        NodeSnapshot rebooted = run.snapshot(run.roles().get("rebooted"));
        if (rebooted.createMdCount() != 1) {
            problems.add("create-md ran " + rebooted.createMdCount() + " times on the rebooted node");
        }
        return problems;
    }
}
