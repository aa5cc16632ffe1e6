package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import java.util.List;

/** A re-adjust of a converged cluster changes nothing. */
final class ReadjustNoop implements Scenario {

    @Override
    public String name() {
        return "readjust-noop";
    }

    @Override
    public String expectation() {
        return "a re-adjust right after a fresh cluster sends no mutating SSM command";
    }

    @Override
    public void act(RehearsalRun run) {
        Steps.launchCluster(run, run.nodes(), null);
        run.phase("readjust");
        run.publishReadjust();
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = Checks.converged(run);
        int mutating = run.report().phase("readjust").mutatingSsmCommands();
        if (mutating != 0) {
            problems.add("the re-adjust sent " + mutating + " mutating SSM commands");
        }
        return problems;
    }
}
