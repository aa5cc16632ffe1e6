package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import java.util.List;

/** Five nodes from nothing (the scenario tests compare its SSM rounds with fresh's). */
final class Scale5 implements Scenario {

    @Override
    public String name() {
        return "scale-5";
    }

    @Override
    public String expectation() {
        return "5 nodes from nothing converge in as many SSM rounds as 3";
    }

    @Override
    public int defaultNodes() {
        return 5;
    }

    @Override
    public boolean fixedSize() {
        return true;
    }

    @Override
    public void act(RehearsalRun run) {
        Steps.launchCluster(run, run.nodes(), null);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        return Checks.converged(run);
    }
}
