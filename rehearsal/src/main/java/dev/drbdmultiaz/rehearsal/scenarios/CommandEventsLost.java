package dev.drbdmultiaz.rehearsal.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import java.util.List;

/**
 * A cluster from nothing while EventBridge loses SSM's events and delivers others twice: its
 * delivery is best effort and at least once (EventBridge user guide, "Event delivery"), so a node
 * step must complete through the polling fallback when its event is lost, and exactly once when
 * its event comes twice.
 */
final class CommandEventsLost implements Scenario {

    static final String COMMAND_EVENT = "EC2 Command Status-change Notification";

    @Override
    public String name() {
        return "command-events-lost";
    }

    @Override
    public String expectation() {
        return "a cluster from nothing although every third SSM event is lost and every second delivered twice:"
            + " a step whose completion event is lost times out into the polling fallback, a duplicate changes"
            + " nothing, and the cluster converges with every launch CONTINUEd";
    }

    @Override
    public void act(RehearsalRun run) {
        run.ssmEvents().loseOneIn(3);
        run.ssmEvents().duplicateOneIn(2);
        Steps.launchCluster(run, run.nodes(), null);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = Checks.converged(run);
        long emitted = terminalCommandEvents(run.ssmEvents().emitted());
        long delivered = terminalCommandEvents(run.ssmEvents().delivered());
        if (emitted == 0) {
            problems.add("SSM emitted no terminal command event: the scenario tested nothing");
        }
        if (delivered == 0) {
            problems.add("no terminal command event was delivered: the event path was not tested");
        }
        long fallbacks = run.reconcileExecutions().stream().mapToLong(CommandEventsLost::fallbacks).sum();
        if (fallbacks == 0) {
            problems.add("no step went through CollectCommandResults although events were lost ("
                + delivered + " of " + emitted + " terminal command events delivered)");
        }
        run.note("terminal command events emitted / delivered", emitted + " / " + delivered);
        run.note("polling fallbacks", Long.toString(fallbacks));
        run.reconcileExecutions().stream().filter(e -> !Execution.SUCCEEDED.equals(e.status()))
            .forEach(e -> problems.add(e.name() + " ended " + e.status() + ": " + e.error() + ": " + e.cause()));
        return problems;
    }

    private static long terminalCommandEvents(List<JsonNode> events) {
        return events.stream().filter(e -> COMMAND_EVENT.equals(e.path("detail-type").asText())
            && List.of("Success", "Failed", "Cancelled", "TimedOut").contains(e.path("detail").path("status").asText()))
            .count();
    }

    private static long fallbacks(Execution execution) {
        return execution.events().stream().filter(e -> "StateEntered".equals(e.path("type").asText())
            && "CollectCommandResults".equals(e.path("state").asText())).count();
    }
}
