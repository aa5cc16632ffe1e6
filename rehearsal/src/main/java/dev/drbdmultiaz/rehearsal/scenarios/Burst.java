package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalReport;
import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Every launch event and a re-adjust at once coalesce into one reconcile. */
final class Burst implements Scenario {

    @Override
    public String name() {
        return "burst";
    }

    @Override
    public String expectation() {
        return "launch events of every node and a re-adjust at once: one reconcile at a time, every action completed";
    }

    @Override
    public void act(RehearsalRun run) {
        run.phase("burst");
        // The group's launch events go out as its instances enter Pending:Wait; a re-adjust joins them.
        CompletableFuture<Execution> readjust = CompletableFuture.supplyAsync(run::publishReadjust);
        run.launchGroup(run.nodes(), null);
        readjust.join();
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
        run.awaitInSync(Steps.SYNC_TIMEOUT);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = Checks.converged(run);
        long holders = run.report().executions().stream().filter(RehearsalReport.ExecutionReport::lockAcquired).count();
        if (holders != 1) {
            problems.add(holders + " executions took the lock; the burst should coalesce into one");
        }
        return problems;
    }
}
