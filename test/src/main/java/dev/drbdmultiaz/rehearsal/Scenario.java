package dev.drbdmultiaz.rehearsal;

import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.nodes.NodeFaults;
import dev.drbdmultiaz.rehearsal.nodes.NodeSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * The rehearsed situations (issue 5). Each one drives the emulated account through what AWS
 * would do (group launches, terminations, reboots, EventBridge events delivered to the real
 * TriggerReconcile function) and then checks, in its own words, that it ended as designed: the
 * driver's verdict. The scenario tests assert more on the same run.
 */
public enum Scenario {

    FRESH("fresh", 3, "a cluster from nothing: every launch action CONTINUEd, every disk UpToDate, every peer Connected"),

    READJUST_NOOP("readjust-noop", 3, "a re-adjust right after a fresh cluster sends no mutating SSM command") {
        @Override
        void act(RehearsalRun run) {
            launchCluster(run, run.options().nodes(), null);
            run.phase("readjust");
            run.publishReadjust();
            run.awaitExecutions(EXECUTION_TIMEOUT);
        }

        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = converged(run);
            RehearsalReport report = run.report(name, null, null, null, false);
            int mutating = report.phase("readjust").mutatingSsmCommands();
            if (mutating != 0) {
                problems.add("the re-adjust sent " + mutating + " mutating SSM commands");
            }
            return problems;
        }
    },

    REBOOT("reboot", 3, "a rebooted node (resource down, metadata kept) comes up again without create-md") {
        @Override
        void act(RehearsalRun run) {
            List<String> ids = launchCluster(run, run.options().nodes(), null);
            run.phase("reboot");
            run.role("rebooted", ids.get(1));
            run.reboot(ids.get(1));
            run.publishReadjust();
            run.awaitExecutions(EXECUTION_TIMEOUT);
        }

        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = converged(run);
            NodeSnapshot rebooted = run.fleet().snapshot(run.roles().get("rebooted"));
            if (rebooted.createMdCount() != 1) {
                problems.add("create-md ran " + rebooted.createMdCount() + " times on the rebooted node");
            }
            return problems;
        }
    },

    REPLACE("replace", 3, "a terminated node is forgotten and its replacement joins with a new node-id and a full resync") {
        @Override
        void act(RehearsalRun run) {
            List<String> ids = launchCluster(run, run.options().nodes(), null);
            run.phase("replace");
            String replaced = ids.get(ids.size() - 1);
            run.role("replaced", replaced);
            String replacement = run.terminateInstance(replaced);
            run.role("replacement", replacement);
            run.publishLifecycleEvent("terminate", replaced);
            run.publishLifecycleEvent("launch", replacement);
            run.awaitExecutions(EXECUTION_TIMEOUT);
        }

        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = converged(run);
            if (run.fleet().isOnline(run.roles().get("replaced"))) {
                problems.add("the replaced instance still runs: its terminate action was not completed");
            }
            return problems;
        }
    },

    SCALE_5("scale-5", 5, "5 nodes from nothing converge in as many SSM rounds as 3"),

    BURST("burst", 3, "launch events of every node and a re-adjust at once: one reconcile at a time, every action completed") {
        @Override
        void act(RehearsalRun run) {
            run.phase("burst");
            List<String> ids = run.createGroup(run.options().nodes(), null);
            List<CompletableFuture<Execution>> triggers = new ArrayList<>();
            ids.forEach(id -> triggers.add(CompletableFuture.supplyAsync(() -> run.publishLifecycleEvent("launch", id))));
            triggers.add(CompletableFuture.supplyAsync(run::publishReadjust));
            triggers.forEach(CompletableFuture::join);
            run.awaitExecutions(EXECUTION_TIMEOUT);
            run.awaitInSync(SYNC_TIMEOUT);
        }

        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = converged(run);
            long holders = run.report(name, null, null, null, false).executions().stream()
                .filter(RehearsalReport.ExecutionReport::lockAcquired).count();
            if (holders != 1) {
                problems.add(holders + " executions took the lock; the burst should coalesce into one");
            }
            return problems;
        }
    },

    SSM_FAILURE("ssm-failure", 3, "install fails on one node: its launch ABANDONed, the lock released, the execution"
        + " failed naming the node") {
        @Override
        void act(RehearsalRun run) {
            launchCluster(run, run.options().nodes(), index -> index == 1 ? NodeFaults.none().withInstallFailure()
                : NodeFaults.none());
        }

        @Override
        List<String> check(RehearsalRun run) {
            return failedOn(run, "InstallDrbd");
        }
    },

    FOREIGN_DISK("foreign-disk", 3, "a data disk with another filesystem is refused and left as it was") {
        @Override
        void act(RehearsalRun run) {
            launchCluster(run, run.options().nodes(), index -> index == 1 ? NodeFaults.none().withForeignFilesystem("ext4")
                : NodeFaults.none());
        }

        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = failedOn(run, "PrepareLvm");
            NodeSnapshot faulty = run.fleet().snapshot(run.roles().get("faulty"));
            if (!faulty.lvm().physicalVolumes().isEmpty() || faulty.metadata()) {
                problems.add("the foreign disk was written: " + faulty.lvm() + ", metadata " + faulty.metadataDevices());
            }
            return problems;
        }
    };

    static final Duration EXECUTION_TIMEOUT = Duration.ofMinutes(5);
    static final Duration SYNC_TIMEOUT = Duration.ofSeconds(90);

    final String name;
    private final int defaultNodes;
    private final String expectation;

    Scenario(String name, int defaultNodes, String expectation) {
        this.name = name;
        this.defaultNodes = defaultNodes;
        this.expectation = expectation;
    }

    public String scenarioName() {
        return name;
    }

    public int defaultNodes() {
        return defaultNodes;
    }

    /** Whether the scenario fixes the cluster size (scale-5). */
    public boolean fixedSize() {
        return this == SCALE_5;
    }

    public String expectation() {
        return expectation;
    }

    /**
     * Drives the emulated account; returns when every execution it caused has ended. Default: the
     * group launches the configured number of nodes.
     */
    void act(RehearsalRun run) {
        launchCluster(run, run.options().nodes(), null);
    }

    /** What did not end as designed (empty: passed). Default: the cluster converged. */
    List<String> check(RehearsalRun run) {
        return converged(run);
    }

    public static Scenario named(String name) {
        return Arrays.stream(values()).filter(s -> s.name.equals(name.toLowerCase(Locale.ROOT))).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("Unknown scenario '" + name + "'; one of "
                + Arrays.stream(values()).map(s -> s.name).toList()));
    }

    /**
     * The group launches {@code nodes} instances; each launch action's EventBridge event reaches
     * TriggerReconcile as the instance enters Pending:Wait. Waits for every execution.
     */
    static List<String> launchCluster(RehearsalRun run, int nodes, IntFunction<NodeFaults> faults) {
        run.phase("launch");
        List<String> ids = run.createGroup(nodes, faults);
        for (int i = 0; i < ids.size(); i++) {
            run.role("node" + i, ids.get(i));
        }
        if (faults != null) {
            for (int i = 0; i < ids.size(); i++) {
                if (!NodeFaults.none().equals(faults.apply(i))) {
                    run.role("faulty", ids.get(i));
                }
            }
        }
        ids.forEach(id -> run.publishLifecycleEvent("launch", id));
        run.awaitExecutions(EXECUTION_TIMEOUT);
        if (faults == null) {
            run.awaitInSync(SYNC_TIMEOUT);
        }
        return ids;
    }

    /** Every execution succeeded, no action pending, the lock free, every disk UpToDate and every peer Connected. */
    static List<String> converged(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        run.reconcileExecutions().stream().filter(e -> !Execution.SUCCEEDED.equals(e.status()))
            .forEach(e -> problems.add("execution " + e.name() + " " + e.status() + ": " + e.error() + ": " + e.cause()));
        run.lifecycle().pendingActions().forEach(i -> problems.add("lifecycle action of " + i.instanceId()
            + " still pending (" + i.state().api() + ")"));
        run.lifecycle().completions().stream().filter(c -> LifecycleModel.ABANDON.equals(c.result()))
            .forEach(c -> problems.add(c.transition() + " action of " + c.instanceId() + " ABANDONed"));
        if (run.lockHolder() != null) {
            problems.add("the cluster lock is still held by " + run.lockHolder());
        }
        if (!run.awaitInSync(SYNC_TIMEOUT)) {
            run.fleet().nodes().stream().filter(n -> run.fleet().isOnline(n.instanceId()))
                .map(n -> run.fleet().snapshot(n.instanceId()))
                .forEach(s -> problems.add(s.instanceId() + " is " + s.disk() + " with peers " + s.peers()));
        }
        problems.addAll(run.asyncFailures());
        return problems;
    }

    /**
     * The execution that held the lock failed in {@code step} naming the faulty node, whose
     * launch was ABANDONed; the other launches were not abandoned; the lock is free.
     */
    static List<String> failedOn(RehearsalRun run, String step) {
        List<String> problems = new ArrayList<>();
        String faulty = run.roles().get("faulty");
        List<Execution> failed = run.reconcileExecutions().stream()
            .filter(e -> Execution.FAILED.equals(e.status())).toList();
        if (failed.size() != 1) {
            problems.add(failed.size() + " executions failed, expected exactly the one holding the lock");
        } else if (failed.get(0).cause() == null || !failed.get(0).cause().contains(faulty)
            || !failed.get(0).cause().contains(step)) {
            problems.add("the failed execution's cause does not name " + step + " and " + faulty + ": "
                + failed.get(0).cause());
        }
        List<LifecycleModel.Completion> abandoned = run.lifecycle().completions().stream()
            .filter(c -> LifecycleModel.ABANDON.equals(c.result())).toList();
        if (abandoned.size() != 1 || !abandoned.get(0).instanceId().equals(faulty)) {
            problems.add("expected only " + faulty + "'s launch ABANDONed, got " + abandoned);
        }
        if (run.lockHolder() != null) {
            problems.add("the cluster lock is still held by " + run.lockHolder());
        }
        problems.addAll(run.asyncFailures());
        return problems;
    }
}
