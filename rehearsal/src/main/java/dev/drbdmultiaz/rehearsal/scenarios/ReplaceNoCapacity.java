package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.support.Net;
import java.time.Duration;
import java.util.List;

/** A member terminated while the group cannot launch is kept until a replacement joined. */
final class ReplaceNoCapacity implements Scenario {

    @Override
    public String name() {
        return "replace-no-capacity";
    }

    @Override
    public String expectation() {
        return "a member terminated while the group cannot launch stays in the config and in Terminating:Wait,"
            + " heartbeated by every run (scheduled ones too) past its hook timeout, and is let go once a replacement"
            + " has joined";
    }

    @Override
    public void act(RehearsalRun run) {
        List<String> ids = Steps.launchCluster(run, run.nodes(), null);
        run.phase("no-capacity");
        run.startSchedule();
        run.setCapacityAvailable(false);
        String replaced = ids.get(ids.size() - 1);
        run.role("replaced", replaced);
        if (run.terminate(replaced) != null) {
            throw new IllegalStateException("the group launched a replacement without capacity");
        }
        // Longer than one heartbeat timeout: only heartbeats keep the departing member waiting.
        Duration hook = run.time().scaled(run.hook("terminate").heartbeatTimeout());
        Net.sleep(hook.toMillis() * 3 / 2);
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
        LifecycleModel.Instance kept = run.lifecycleState(replaced).orElseThrow();
        run.note("kept", kept.state().api() + ", " + run.heartbeats(replaced) + " heartbeats, "
            + (run.isOnline(replaced) ? "running" : "terminated"));
        run.phase("capacity");
        run.setCapacityAvailable(true);
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
        run.stopSchedule();
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = Checks.converged(run);
        String kept = run.notes().get("kept");
        if (kept == null || !kept.startsWith(LifecycleModel.State.TERMINATING_WAIT.api()) || !kept.endsWith("running")
            || kept.contains(" 0 heartbeats") || kept.contains(" 1 heartbeats")) {
            problems.add("while the group could not launch, the departing member should have waited in"
                + " Terminating:Wait, running, with heartbeats from several runs: " + kept);
        }
        String replaced = run.roles().get("replaced");
        List<LifecycleModel.Completion> ends = run.completions().stream()
            .filter(c -> c.instanceId().equals(replaced) && c.transition().equals("terminate")).toList();
        if (ends.size() != 1 || !LifecycleModel.CONTINUE.equals(ends.get(0).result())
            || ends.get(0).cause() != LifecycleModel.Cause.COMPLETED) {
            problems.add("the departing member's terminate action should end once, CONTINUEd by a run: " + ends);
        }
        return problems;
    }
}
