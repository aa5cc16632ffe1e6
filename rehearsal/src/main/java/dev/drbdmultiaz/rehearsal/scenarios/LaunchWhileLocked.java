package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.support.Net;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A replacement launched while the runs wait on offline agents is heartbeated until it joins. */
final class LaunchWhileLocked implements Scenario {

    @Override
    public String name() {
        return "launch-while-locked";
    }

    @Override
    public String expectation() {
        return "a replacement launched while the runs wait on two offline agents (longer than the hook timeout, so"
            + " across failed runs and their follow-ups) is heartbeated by each run and joins once the agents are back";
    }

    @Override
    public void act(RehearsalRun run) {
        List<String> ids = Steps.launchCluster(run, run.nodes(), null);
        run.phase("locked");
        List<String> unreachable = ids.subList(0, 2);
        unreachable.forEach(id -> run.setAgentOnline(id, false));
        Execution holder = run.publishReadjust();
        run.awaitLockHeldBy(holder, Steps.EXECUTION_TIMEOUT);
        run.note("holder", holder.name());
        String replaced = ids.get(2);
        run.role("replaced", replaced);
        run.role("replacement", run.terminate(replaced));
        // Longer than the hook timeout: only heartbeats keep the replacement's launch waiting.
        Duration hook = run.time().scaled(run.hook("launch").heartbeatTimeout());
        Net.sleep(hook.toMillis() * 3 / 2);
        unreachable.forEach(id -> run.setAgentOnline(id, true));
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        List<Execution> failed = run.reconcileExecutions().stream()
            .filter(e -> !Execution.SUCCEEDED.equals(e.status())).toList();
        failed.stream().filter(e -> !"AgentsOffline".equals(e.error()))
            .forEach(e -> problems.add("execution " + e.name() + " " + e.status() + ": " + e.error() + ": "
                + e.cause() + " (only the wait for the offline agents may fail)"));
        if (failed.isEmpty()) {
            problems.add("the runs should give up on the offline agents (AgentsOffline) while the hook runs out");
        }
        if (run.reconcileExecutions().stream().noneMatch(e -> e.name().startsWith("followup-")
            && Execution.SUCCEEDED.equals(e.status()))) {
            problems.add("no follow-up run converged once the agents were back");
        }
        String replacement = run.roles().get("replacement");
        if (run.heartbeats(replacement) < 2) {
            problems.add("the replacement's launch action got " + run.heartbeats(replacement)
                + " heartbeats while the runs waited, expected several");
        }
        problems.addAll(Checks.convergedCluster(run));
        return problems;
    }
}
