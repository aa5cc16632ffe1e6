package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A re-adjust coalesced into a run that then fails is not lost. */
final class CoalescedIntoFailure implements Scenario {

    @Override
    public String name() {
        return "coalesced-into-failure";
    }

    @Override
    public String expectation() {
        return "a re-adjust coalesced into a run that then fails is not lost: a follow-up run starts after a backoff"
            + " and repairs the cluster";
    }

    @Override
    public void act(RehearsalRun run) {
        List<String> ids = Steps.launchCluster(run, run.nodes(), null);
        run.phase("failing-run");
        String rebooted = ids.get(1);
        run.role("rebooted", rebooted);
        run.reboot(rebooted);
        run.failNext(rebooted, NodeDocument.UP, 4, "drbdadm: (injected) Failure: (102) Local address(port) already in use");
        Execution holder = run.publishReadjust();
        run.awaitLockHeldBy(holder, Steps.EXECUTION_TIMEOUT);
        run.note("holder", holder.name());
        run.note("coalesced", run.publishReadjust().name());
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        Map<String, Execution> byName = new LinkedHashMap<>();
        run.reconcileExecutions().forEach(e -> byName.put(e.name(), e));
        Execution holder = byName.get(run.notes().get("holder"));
        if (holder == null || !Execution.FAILED.equals(holder.status())) {
            problems.add("the run holding the lock should fail at UpOrAdjust: " + holder);
        }
        if (!Objects.equals(run.notes().get("coalesced"), run.notes().get("holder"))) {
            problems.add("the second re-adjust should coalesce into the holder " + run.notes().get("holder")
                + " without an execution of its own, but it is " + run.notes().get("coalesced"));
        }
        if (byName.values().stream().noneMatch(e -> e.name().startsWith("followup-1-")
            && Execution.SUCCEEDED.equals(e.status()) && holder != null && e.startDate().isAfter(holder.startDate()))) {
            problems.add("no follow-up run repaired the cluster after the failure: " + byName.keySet());
        }
        run.reconcileExecutions().stream().filter(e -> e != holder && !Execution.SUCCEEDED.equals(e.status()))
            .forEach(e -> problems.add("execution " + e.name() + " " + e.status() + ": " + e.cause()));
        problems.addAll(Checks.convergedCluster(run));
        return problems;
    }
}
