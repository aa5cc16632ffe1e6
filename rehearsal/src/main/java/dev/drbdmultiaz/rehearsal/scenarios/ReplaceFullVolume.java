package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.nodes.NodeSnapshot;
import java.util.ArrayList;
import java.util.List;

/** A device written to 99% is resynced onto a replacement without a thin pool running full. */
final class ReplaceFullVolume implements Scenario {

    @Override
    public String name() {
        return "replace-full-volume";
    }

    @Override
    public String expectation() {
        return "the application fills 99% of the device, a node is replaced: the resync completes and no thin pool on"
            + " any node runs out of space";
    }

    @Override
    public void act(RehearsalRun run) {
        List<String> ids = Steps.launchCluster(run, run.nodes(), null);
        Steps.writeData(run, ids.get(0), 99);
        run.phase("replace");
        run.role("replaced", ids.get(ids.size() - 1));
        run.role("replacement", run.terminate(ids.get(ids.size() - 1)));
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        if (run.notes().containsKey("write-failed")) {
            problems.add("the application's write failed: " + run.notes().get("write-failed"));
        }
        problems.addAll(Checks.converged(run));
        List<String> live = run.instances().stream().filter(run::isOnline).toList();
        for (String id : live) {
            NodeSnapshot node = run.snapshot(id);
            node.pools().forEach((name, pool) -> {
                if (pool.outOfDataSpace() || pool.usedKiB() > pool.dataKiB()) {
                    problems.add("thin pool " + name + " on " + id + " ran out of data space: " + pool);
                }
            });
            node.kernelEvents().stream().filter(e -> e.contains("out-of-data-space") || e.contains("Detaching"))
                .forEach(e -> problems.add(id + ": " + e));
        }
        problems.addAll(Checks.dataIntact(run, List.of("node0", "node1", "replacement")));
        return problems;
    }
}
