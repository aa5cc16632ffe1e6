package dev.drbdmultiaz.rehearsal;

import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.model.Step;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.nodes.CommandRecord;
import dev.drbdmultiaz.rehearsal.nodes.NodeFaults;
import dev.drbdmultiaz.rehearsal.nodes.NodeFleet;
import dev.drbdmultiaz.rehearsal.nodes.NodeSnapshot;
import dev.drbdmultiaz.rehearsal.nodes.SimulatedNode;
import dev.drbdmultiaz.rehearsal.support.Net;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * The rehearsed situations (issue 5). Each one drives the emulated account through what AWS
 * would do (group launches, terminations, reboots, EventBridge events delivered to the real
 * TriggerReconcile function) and then checks, in its own words, that it ended as designed: the
 * driver's verdict. The scenario tests assert more on the same run.
 */
public enum Scenario {

    FRESH("fresh", 3, "a cluster from nothing: every launch action CONTINUEd, every disk UpToDate, every peer Connected;"
        + " every command's whole output in the stack's CloudWatch Logs group, and no LVM overprovisioning warning in it") {
        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = converged(run);
            if (run.stack().commandLogGroup() == null) {
                problems.add("SendNodeCommand has no COMMAND_LOG_GROUP_NAME: command output reaches no CloudWatch Logs group");
                return problems;
            }
            Map<String, String> streams = run.ssm().logStreams(run.stack().commandLogGroup());
            streams.forEach((stream, text) -> text.lines()
                .filter(line -> line.contains("WARNING: Sum of all thin volume sizes"))
                .forEach(line -> problems.add("LVM overprovisions the thin pool (" + stream + "): " + line.strip())));
            for (CommandRecord command : run.ssm().commands()) {
                for (String instanceId : command.targets()) {
                    String stdout = streams.entrySet().stream()
                        .filter(e -> e.getKey().startsWith(command.commandId() + "/" + instanceId + "/")
                            && e.getKey().endsWith("/stdout"))
                        .map(Map.Entry::getValue).findFirst().orElse(null);
                    if (stdout == null || !stdout.strip().endsWith("}")) {
                        problems.add("no stdout of " + command.documentFile() + " on " + instanceId + " in log group "
                            + run.stack().commandLogGroup());
                    }
                }
            }
            return problems;
        }
    },

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
            // The group's launch events go out as its instances enter Pending:Wait; a re-adjust joins them.
            CompletableFuture<Execution> readjust = CompletableFuture.supplyAsync(run::publishReadjust);
            run.createGroup(run.options().nodes(), null);
            readjust.join();
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

    SSM_FAILURE("ssm-failure", 3, "install fails on one node: the execution fails naming it, its launch is ABANDONed,"
        + " the group replaces it and a follow-up run builds the cluster with the replacement") {
        @Override
        void act(RehearsalRun run) {
            launchCluster(run, run.options().nodes(), index -> index == 1 ? NodeFaults.none().withInstallFailure()
                : NodeFaults.none());
        }

        @Override
        List<String> check(RehearsalRun run) {
            return failedThenReplaced(run, Step.InstallDrbd.name());
        }
    },

    FOREIGN_DISK("foreign-disk", 3, "a data disk with another filesystem is refused and left as it was; the node is"
        + " replaced and the cluster converges without it") {
        @Override
        void act(RehearsalRun run) {
            launchCluster(run, run.options().nodes(), index -> index == 1 ? NodeFaults.none().withForeignFilesystem("ext4")
                : NodeFaults.none());
        }

        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = failedThenReplaced(run, Step.PrepareLvm.name());
            NodeSnapshot faulty = run.fleet().snapshot(run.roles().get("faulty"));
            if (!faulty.lvm().physicalVolumes().isEmpty() || faulty.metadata()) {
                problems.add("the foreign disk was written: " + faulty.lvm() + ", metadata " + faulty.metadataDevices());
            }
            return problems;
        }
    },

    REPLACE_INSTALL_FAILS("replace-install-fails", 3, "a replacement whose install fails is ABANDONed and replaced in"
        + " turn; the cluster converges with the next one and no lifecycle action is left pending or timed out") {
        @Override
        void act(RehearsalRun run) {
            int nodes = run.options().nodes();
            List<String> ids = launchCluster(run, nodes, index -> index == nodes ? NodeFaults.none().withInstallFailure()
                : NodeFaults.none());
            run.phase("replace");
            String replaced = ids.get(ids.size() - 1);
            run.role("replaced", replaced);
            run.role("faulty", run.terminateInstance(replaced));
            run.awaitExecutions(EXECUTION_TIMEOUT);
        }

        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = failedThenReplaced(run, Step.InstallDrbd.name());
            if (run.fleet().isOnline(run.roles().get("replaced"))) {
                problems.add("the replaced instance still runs: its terminate action was not completed");
            }
            return problems;
        }
    },

    COALESCED_INTO_FAILURE("coalesced-into-failure", 3, "a re-adjust coalesced into a run that then fails is not"
        + " lost: a follow-up run starts after a backoff and repairs the cluster") {
        @Override
        void act(RehearsalRun run) {
            List<String> ids = launchCluster(run, run.options().nodes(), null);
            run.phase("failing-run");
            String rebooted = ids.get(1);
            run.role("rebooted", rebooted);
            run.reboot(rebooted);
            run.ssm().failNext(rebooted, NodeDocument.UP.baseName(), 4, "drbdadm: (injected) Failure: (102) Local address(port) already in use");
            Execution holder = run.publishReadjust();
            run.awaitLockHeldBy(holder, EXECUTION_TIMEOUT);
            run.note("holder", holder.name());
            run.note("coalesced", run.publishReadjust().name());
            run.awaitExecutions(EXECUTION_TIMEOUT);
        }

        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = new ArrayList<>();
            Map<String, Execution> byName = new java.util.LinkedHashMap<>();
            run.reconcileExecutions().forEach(e -> byName.put(e.name(), e));
            Execution holder = byName.get(run.notes().get("holder"));
            if (holder == null || !Execution.FAILED.equals(holder.status())) {
                problems.add("the run holding the lock should fail at UpOrAdjust: " + holder);
            }
            Execution coalesced = byName.get(run.notes().get("coalesced"));
            if (coalesced == null || coalesced.stateTransitions() > 6) {
                problems.add("the second re-adjust should coalesce into the holder: " + coalesced);
            }
            if (byName.values().stream().noneMatch(e -> e.name().startsWith("followup-1-")
                && Execution.SUCCEEDED.equals(e.status()) && holder != null && e.startDate().isAfter(holder.startDate()))) {
                problems.add("no follow-up run repaired the cluster after the failure: " + byName.keySet());
            }
            run.reconcileExecutions().stream().filter(e -> e != holder && !Execution.SUCCEEDED.equals(e.status()))
                .forEach(e -> problems.add("execution " + e.name() + " " + e.status() + ": " + e.cause()));
            problems.addAll(convergedCluster(run));
            return problems;
        }
    },

    LAUNCH_WHILE_LOCKED("launch-while-locked", 3, "a replacement launched while the runs wait on two offline agents"
        + " (longer than the hook timeout, so across failed runs and their follow-ups) is heartbeated by each run and"
        + " joins once the agents are back") {
        @Override
        void act(RehearsalRun run) {
            List<String> ids = launchCluster(run, run.options().nodes(), null);
            run.phase("locked");
            List<String> unreachable = ids.subList(0, 2);
            unreachable.forEach(id -> run.fleet().setAgentOnline(id, false));
            Execution holder = run.publishReadjust();
            run.awaitLockHeldBy(holder, EXECUTION_TIMEOUT);
            run.note("holder", holder.name());
            String replaced = ids.get(2);
            run.role("replaced", replaced);
            run.role("replacement", run.terminateInstance(replaced));
            // Longer than the hook timeout: only heartbeats keep the replacement's launch waiting.
            Duration hook = run.options().time().scaled(run.lifecycle().launchHook().heartbeatTimeout());
            Net.sleep(hook.toMillis() * 3 / 2);
            unreachable.forEach(id -> run.fleet().setAgentOnline(id, true));
            run.awaitExecutions(EXECUTION_TIMEOUT);
        }

        @Override
        List<String> check(RehearsalRun run) {
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
            if (run.lifecycle().heartbeats(replacement) < 2) {
                problems.add("the replacement's launch action got " + run.lifecycle().heartbeats(replacement)
                    + " heartbeats while the runs waited, expected several");
            }
            problems.addAll(convergedCluster(run));
            return problems;
        }
    },

    REPLACE_NO_CAPACITY("replace-no-capacity", 3, "a member terminated while the group cannot launch stays in the"
        + " config and in Terminating:Wait, heartbeated by every run (scheduled ones too) past its hook timeout, and is"
        + " let go once a replacement has joined") {
        @Override
        void act(RehearsalRun run) {
            List<String> ids = launchCluster(run, run.options().nodes(), null);
            run.phase("no-capacity");
            run.startSchedule();
            run.setCapacityAvailable(false);
            String replaced = ids.get(ids.size() - 1);
            run.role("replaced", replaced);
            if (run.terminateInstance(replaced) != null) {
                throw new IllegalStateException("the group launched a replacement without capacity");
            }
            // Longer than one heartbeat timeout: only heartbeats keep the departing member waiting.
            Duration hook = run.options().time().scaled(run.lifecycle().terminateHook().heartbeatTimeout());
            Net.sleep(hook.toMillis() * 3 / 2);
            run.awaitExecutions(EXECUTION_TIMEOUT);
            LifecycleModel.Instance kept = run.lifecycle().find(replaced).orElseThrow();
            run.note("kept", kept.state().api() + ", " + run.lifecycle().heartbeats(replaced) + " heartbeats, "
                + (run.fleet().isOnline(replaced) ? "running" : "terminated"));
            run.phase("capacity");
            run.setCapacityAvailable(true);
            run.awaitExecutions(EXECUTION_TIMEOUT);
            run.stopSchedule();
            run.awaitExecutions(EXECUTION_TIMEOUT);
        }

        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = converged(run);
            String kept = run.notes().get("kept");
            if (kept == null || !kept.startsWith(LifecycleModel.State.TERMINATING_WAIT.api()) || !kept.endsWith("running")
                || kept.contains(" 0 heartbeats") || kept.contains(" 1 heartbeats")) {
                problems.add("while the group could not launch, the departing member should have waited in"
                    + " Terminating:Wait, running, with heartbeats from several runs: " + kept);
            }
            String replaced = run.roles().get("replaced");
            List<LifecycleModel.Completion> ends = run.lifecycle().completions().stream()
                .filter(c -> c.instanceId().equals(replaced) && c.transition().equals("terminate")).toList();
            if (ends.size() != 1 || !LifecycleModel.CONTINUE.equals(ends.get(0).result())
                || ends.get(0).cause() != LifecycleModel.Cause.COMPLETED) {
                problems.add("the departing member's terminate action should end once, CONTINUEd by a run: " + ends);
            }
            return problems;
        }
    },

    NO_CONNECTION("no-connection", 3, "the DRBD port is blocked between the nodes: the run gives up after its"
        + " connection bound with ConvergenceTimeoutException, ABANDONs the launches that never connected and releases"
        + " the lock; once the port is open again the group's replacements converge") {
        @Override
        void act(RehearsalRun run) {
            run.phase("blocked");
            run.fleet().setPortBlocked(run.stack().drbdPort(), true);
            List<String> ids = run.createGroup(run.options().nodes(), null);
            for (int i = 0; i < ids.size(); i++) {
                run.role("faulty" + i, ids.get(i));
            }
            Net.await(EXECUTION_TIMEOUT, "no reconcile gave up on the blocked connections within "
                + EXECUTION_TIMEOUT.toMinutes() + " minutes", () -> run.reconcileExecutions().stream()
                .anyMatch(e -> !Execution.RUNNING.equals(e.status()) && !Execution.SUCCEEDED.equals(e.status())));
            run.phase("open");
            run.fleet().setPortBlocked(run.stack().drbdPort(), false);
            run.awaitExecutions(EXECUTION_TIMEOUT);
        }

        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = new ArrayList<>();
            List<Execution> failed = run.reconcileExecutions().stream()
                .filter(e -> !Execution.SUCCEEDED.equals(e.status())).toList();
            int bound = run.stack().connectWaitMaxAttempts();
            if (failed.size() != 1 || !Execution.FAILED.equals(failed.get(0).status())
                || !failed.get(0).error().endsWith("ConvergenceTimeoutException")
                || !failed.get(0).cause().contains("after " + bound + " observations")) {
                problems.add("one run should fail with ConvergenceTimeoutException after " + bound + " observations: "
                    + failed.stream().map(e -> e.name() + " " + e.status() + " " + e.error() + ": " + e.cause()).toList());
            }
            for (String role : List.of("faulty0", "faulty1", "faulty2")) {
                String id = run.roles().get(role);
                if (run.lifecycle().completions().stream().noneMatch(c -> c.instanceId().equals(id)
                    && c.transition().equals("launch") && LifecycleModel.ABANDON.equals(c.result())
                    && c.cause() == LifecycleModel.Cause.COMPLETED)) {
                    problems.add("the launch of " + id + ", which never connected, should be ABANDONed by the run");
                }
            }
            problems.addAll(convergedCluster(run));
            return problems;
        }
    },

    REPLACE_TWO("replace-two", 3, "two of three members terminated at once: the survivor frees their bitmap slots,"
        + " both replacements join UpToDate, resynced from the survivor, and the data written before is intact") {
        @Override
        void act(RehearsalRun run) {
            List<String> ids = launchCluster(run, run.options().nodes(), null);
            writeData(run, ids.get(0), 50);
            run.phase("replace-two");
            run.role("survivor", ids.get(0));
            run.role("replaced0", ids.get(1));
            run.role("replaced1", ids.get(2));
            run.role("replacement0", run.terminateInstance(ids.get(1)));
            run.role("replacement1", run.terminateInstance(ids.get(2)));
            run.awaitExecutions(EXECUTION_TIMEOUT);
        }

        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = converged(run);
            problems.addAll(dataIntact(run, List.of("survivor", "replacement0", "replacement1")));
            for (String role : List.of("replacement0", "replacement1")) {
                NodeSnapshot.Data data = run.fleet().snapshot(run.roles().get(role)).data();
                if (data == null || !"full".equals(data.lastResync())) {
                    problems.add(role + " should hold the data by a full resync from the survivor: " + data);
                }
            }
            return problems;
        }
    },

    REPLACE_FULL_VOLUME("replace-full-volume", 3, "the application fills 99% of the device, a node is replaced: the"
        + " resync completes and no thin pool on any node runs out of space") {
        @Override
        void act(RehearsalRun run) {
            List<String> ids = launchCluster(run, run.options().nodes(), null);
            writeData(run, ids.get(0), 99);
            run.phase("replace");
            run.role("replaced", ids.get(ids.size() - 1));
            run.role("replacement", run.terminateInstance(ids.get(ids.size() - 1)));
            run.awaitExecutions(EXECUTION_TIMEOUT);
        }

        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = new ArrayList<>();
            if (run.notes().containsKey("write-failed")) {
                problems.add("the application's write failed: " + run.notes().get("write-failed"));
            }
            problems.addAll(converged(run));
            List<String> live = run.fleet().nodes().stream().map(SimulatedNode::instanceId)
                .filter(run.fleet()::isOnline).toList();
            for (String id : live) {
                NodeSnapshot node = run.fleet().snapshot(id);
                node.pools().forEach((name, pool) -> {
                    if (pool.outOfDataSpace() || pool.usedKiB() > pool.dataKiB()) {
                        problems.add("thin pool " + name + " on " + id + " ran out of data space: " + pool);
                    }
                });
                node.kernelEvents().stream().filter(e -> e.contains("out-of-data-space") || e.contains("Detaching"))
                    .forEach(e -> problems.add(id + ": " + e));
            }
            problems.addAll(dataIntact(run, List.of("node0", "node1", "replacement")));
            return problems;
        }
    },

    AGENT_LOST("agent-lost", 3, "one member's SSM agent stays offline (DRBD still runs there): the others converge"
        + " without it and the run's output names it; once unreachable for drbd:evictAfterMinutes a run marks it"
        + " Unhealthy, the group replaces it and the cluster converges again with the data intact") {
        @Override
        void act(RehearsalRun run) {
            List<String> ids = launchCluster(run, run.options().nodes(), null);
            writeData(run, ids.get(0), 30);
            run.phase("lost");
            String lost = ids.get(ids.size() - 1);
            run.role("lost", lost);
            run.fleet().setAgentOnline(lost, false);
            run.publishReadjust();
            run.awaitExecutions(EXECUTION_TIMEOUT);
            run.phase("evict");
            Net.sleep(run.options().time().scaled(Duration.ofSeconds(run.stack().evictAfterSeconds())).toMillis());
            run.publishReadjust();
            run.role("replacement", awaitReplacementOf(run, lost));
            run.awaitExecutions(EXECUTION_TIMEOUT);
            run.awaitInSync(SYNC_TIMEOUT);
        }

        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = converged(run);
            String lost = run.roles().get("lost");
            List<String> inLostPhase = run.report(name, null, null, null, false).phase("lost").executions();
            List<Execution> lostRuns = run.reconcileExecutions().stream()
                .filter(e -> inLostPhase.contains(e.name())).toList();
            if (lostRuns.isEmpty() || lostRuns.stream().anyMatch(e -> e.output() == null
                || !e.output().contains("\"Reachable\"") || !e.output().contains(lost))) {
                problems.add("the runs while " + lost + " was unreachable should converge and name it in their output");
            }
            if (run.fleet().isOnline(lost)) {
                problems.add(lost + " still runs: it was not replaced after drbd:evictAfterMinutes");
            }
            if (run.lifecycle().completions().stream().noneMatch(c -> c.instanceId().equals(lost)
                && c.transition().equals("terminate") && LifecycleModel.CONTINUE.equals(c.result()))) {
                problems.add("the terminate action of the evicted " + lost + " should be CONTINUEd by a run");
            }
            problems.addAll(dataIntact(run, List.of("node0", "node1", "replacement")));
            return problems;
        }
    },

    AGENT_LOST_DURING_REPLACE("agent-lost-during-replace", 3, "one member's SSM agent is offline while another is"
        + " replaced: the replacement still joins (synced from the reachable survivor), and once the agent is back the"
        + " member learns the new configuration") {
        @Override
        void act(RehearsalRun run) {
            List<String> ids = launchCluster(run, run.options().nodes(), null);
            writeData(run, ids.get(0), 30);
            run.phase("replace");
            run.role("lost", ids.get(1));
            run.fleet().setAgentOnline(ids.get(1), false);
            run.role("replaced", ids.get(2));
            run.role("replacement", run.terminateInstance(ids.get(2)));
            run.awaitExecutions(EXECUTION_TIMEOUT);
            run.note("replacement-joined", String.valueOf(run.fleet().snapshot(run.roles().get("replacement")).disk()));
            run.phase("back");
            run.fleet().setAgentOnline(ids.get(1), true);
            run.publishReadjust();
            run.awaitExecutions(EXECUTION_TIMEOUT);
            run.awaitInSync(SYNC_TIMEOUT);
        }

        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = converged(run);
            String replacement = run.roles().get("replacement");
            if (run.lifecycle().completions().stream().noneMatch(c -> c.instanceId().equals(replacement)
                && c.transition().equals("launch") && LifecycleModel.CONTINUE.equals(c.result())
                && c.cause() == LifecycleModel.Cause.COMPLETED)) {
                problems.add("the replacement's launch should be CONTINUEd by a run while " + run.roles().get("lost")
                    + " was unreachable");
            }
            if (!"UpToDate".equals(run.notes().get("replacement-joined"))) {
                problems.add("the replacement should be UpToDate before the agent came back, was "
                    + run.notes().get("replacement-joined"));
            }
            if (!run.fleet().isOnline(run.roles().get("lost"))) {
                problems.add("the member whose agent was offline should not have been replaced in this scenario");
            }
            problems.addAll(dataIntact(run, List.of("node0", "lost", "replacement")));
            return problems;
        }
    },

    DEPLOY("deploy", 3, "cdk deploy through the CDK Provider framework's own code: Create answers once the cluster"
        + " converged; an Update with a new ConfigHash re-converges a node that went down; an Update whose reconcile"
        + " fails fails with the reconcile's reason and is rolled back; Delete answers at once and starts nothing") {
        @Override
        double minimumTimeScale() {
            return 0.05;
        }

        @Override
        void act(RehearsalRun run) {
            run.phase("create");
            List<String> ids = run.createGroup(run.options().nodes(), null);
            for (int i = 0; i < ids.size(); i++) {
                run.role("node" + i, ids.get(i));
            }
            run.createDeployResource();
            run.note("after-create", String.join("; ", convergedCluster(run)));
            run.awaitExecutions(EXECUTION_TIMEOUT);

            run.phase("update");
            String rebooted = ids.get(1);
            run.role("rebooted", rebooted);
            run.reboot(rebooted);
            run.updateDeployResource("7f3c1e0a9b2d4c6e8f1a3b5c7d9e0f2a4b6c8d0e1f3a5b7c9d2e4f6a8b0c1d3e");
            run.note("after-update", String.join("; ", convergedCluster(run)));
            run.awaitExecutions(EXECUTION_TIMEOUT);

            run.phase("failing-update");
            run.reboot(rebooted);
            run.ssm().failNext(rebooted, NodeDocument.UP.baseName(), 4, "drbdadm: (injected) Failure: (102) Local address(port) already in use");
            run.updateDeployResource("c41d9e7b2a6f0835d1e4b7a9c2f6e0d3b8a5c1f7e9d2b4a6c8e0f1d3a5b7c9e2");
            run.awaitExecutions(EXECUTION_TIMEOUT);

            run.phase("delete");
            int before = run.reconcileExecutions().size();
            run.deleteDeployResource();
            run.note("delete-started", Integer.toString(run.reconcileExecutions().size() - before));
            run.awaitExecutions(EXECUTION_TIMEOUT);
        }

        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = new ArrayList<>();
            List<RehearsalReport.Deploy> deploys = run.report(name, null, null, null, false).deploys();
            List<String> shape = deploys.stream().map(d -> d.requestType() + " " + d.status()).toList();
            if (!shape.equals(List.of("Create SUCCESS", "Update SUCCESS", "Update FAILED", "Update (rollback) SUCCESS",
                "Delete SUCCESS"))) {
                problems.add("CloudFormation's requests should end Create SUCCESS, Update SUCCESS, Update FAILED,"
                    + " its rollback SUCCESS, Delete SUCCESS; got " + shape);
                return problems;
            }
            for (String phase : List.of("after-create", "after-update")) {
                if (!run.notes().get(phase).isEmpty()) {
                    problems.add("the deploy answered before the cluster converged (" + phase + "): "
                        + run.notes().get(phase));
                }
            }
            String reason = deploys.get(2).reason();
            if (!reason.contains(Step.UpOrAdjust.name()) || !reason.contains(run.roles().get("rebooted"))) {
                problems.add("the failed deploy should carry the reconcile's reason (step UpOrAdjust on "
                    + run.roles().get("rebooted") + "): " + reason);
            }
            if (!"0".equals(run.notes().get("delete-started"))) {
                problems.add("Delete started " + run.notes().get("delete-started") + " reconcile executions, expected none");
            }
            if (deploys.get(4).seconds() > 15) {
                problems.add("Delete should answer at once, took " + deploys.get(4).seconds() + " s");
            }
            List<Execution> failed = run.reconcileExecutions().stream()
                .filter(e -> !Execution.SUCCEEDED.equals(e.status())).toList();
            if (failed.size() != 1 || !failed.get(0).name().startsWith("deploy-")) {
                problems.add("exactly the failing update's reconcile should fail: "
                    + failed.stream().map(e -> e.name() + " " + e.status()).toList());
            }
            problems.addAll(convergedCluster(run));
            return problems;
        }
    },

    DEPLOY_OUTLASTED("deploy-outlasted", 3, "a reconcile that outlasts the deploy's hour (every command delivered late):"
        + " the deploy fails in time with where the reconcile is, never with a bare timeout; the reconcile goes on and"
        + " converges") {
        @Override
        double minimumTimeScale() {
            return 0.02;
        }

        @Override
        void act(RehearsalRun run) {
            run.phase("deploy");
            // SSM delivers every command on its retry, 9 minutes late (within the 10-minute delivery timeout).
            run.ssm().setDeliveryDelays(1, 1.0, Duration.ofMinutes(9));
            List<String> ids = run.createGroup(run.options().nodes(), null);
            for (int i = 0; i < ids.size(); i++) {
                run.role("node" + i, ids.get(i));
            }
            run.createDeployResource();
            run.note("running-at-answer", Integer.toString(run.reconcileExecutions().stream()
                .filter(e -> Execution.RUNNING.equals(e.status())).toList().size()));
            run.ssm().setDeliveryDelays(1, 0, Duration.ZERO);
            run.awaitExecutions(EXECUTION_TIMEOUT);
        }

        @Override
        List<String> check(RehearsalRun run) {
            List<String> problems = new ArrayList<>();
            List<RehearsalReport.Deploy> deploys = run.report(name, null, null, null, false).deploys();
            if (deploys.isEmpty() || !"FAILED".equals(deploys.get(0).status())) {
                problems.add("the deploy should fail: it outlasts CloudFormation's wait: " + deploys);
                return problems;
            }
            String reason = deploys.get(0).reason();
            if (!reason.contains("still running") || !reason.contains("it is at ")) {
                problems.add("the deploy should fail saying the reconcile is still running and where: " + reason);
            }
            if (reason.contains("Operation timed out") || reason.contains("did not receive a response")) {
                problems.add("the deploy ended in a generic timeout: " + reason);
            }
            if ("0".equals(run.notes().get("running-at-answer"))) {
                problems.add("the reconcile had ended when the deploy gave up: it did not outlast the deploy");
            }
            problems.addAll(converged(run));
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

    /**
     * The smallest time scale the scenario is meaningful at. The deploy's hour shrinks with the
     * scale but the rehearsal's own latencies (a reconcile takes a minute of real time here) do
     * not: below 0.05 even a healthy reconcile outlasts the compressed deploy, and below 0.02 the
     * deploy's margin before CloudFormation's timeout (5 minutes, compressed) is shorter than a
     * Node cold start here.
     */
    double minimumTimeScale() {
        return 0;
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
     * TriggerReconcile as the instance enters Pending:Wait (sent by the rehearsal's Auto Scaling).
     * Waits for every execution.
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
        run.awaitExecutions(EXECUTION_TIMEOUT);
        if (faults == null) {
            run.awaitInSync(SYNC_TIMEOUT);
        }
        return ids;
    }

    /**
     * Every execution succeeded (but the one a failure scenario expects), no action pending or
     * timed out, the lock free, every disk UpToDate and every peer Connected.
     */
    static List<String> converged(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        boolean failureExpected = run.roles().keySet().stream().anyMatch(r -> r.startsWith("faulty"));
        run.reconcileExecutions().stream().filter(e -> !Execution.SUCCEEDED.equals(e.status()) && !failureExpected)
            .forEach(e -> problems.add("execution " + e.name() + " " + e.status() + ": " + e.error() + ": " + e.cause()));
        problems.addAll(convergedCluster(run));
        return problems;
    }

    /** No action pending or timed out, the lock free, every disk UpToDate and every peer Connected. */
    static List<String> convergedCluster(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        run.lifecycle().pendingActions().forEach(i -> problems.add("lifecycle action of " + i.instanceId()
            + " still pending (" + i.state().api() + ")"));
        Set<String> faulty = run.roles().entrySet().stream().filter(e -> e.getKey().startsWith("faulty"))
            .map(Map.Entry::getValue).collect(java.util.stream.Collectors.toSet());
        run.lifecycle().completions().stream().filter(c -> LifecycleModel.ABANDON.equals(c.result())
                && !faulty.contains(c.instanceId()))
            .forEach(c -> problems.add(c.transition() + " action of " + c.instanceId() + " ABANDONed"));
        run.lifecycle().completions().stream().filter(c -> c.cause() != LifecycleModel.Cause.COMPLETED)
            .forEach(c -> problems.add(c.transition() + " action of " + c.instanceId() + " ended by "
                + c.cause() + " (" + c.result() + "): nobody completed it in time (I4)"));
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

    /** Waits until the group launched an instance after {@code replaced} left it; returns its id. */
    static String awaitReplacementOf(RehearsalRun run, String replaced) {
        Set<String> before = run.lifecycle().all().stream().map(LifecycleModel.Instance::instanceId)
            .collect(java.util.stream.Collectors.toSet());
        java.util.function.Supplier<java.util.Optional<String>> added = () -> run.lifecycle().all().stream()
            .map(LifecycleModel.Instance::instanceId).filter(id -> !before.contains(id)).findFirst();
        Net.await(EXECUTION_TIMEOUT, "the group launched no replacement of " + replaced, () -> added.get().isPresent());
        return added.get().orElseThrow();
    }

    /**
     * The application on {@code instanceId} writes the first {@code percent} of the device; the
     * checksum it wrote is noted ("written"), a failed write as "write-failed".
     */
    static void writeData(RehearsalRun run, String instanceId, double percent) {
        run.phase("write");
        NodeFleet.WriteResult written = run.fleet().write(instanceId, percent);
        if (written.ok()) {
            run.note("written", written.checksum());
            run.progress().note(String.format("the application on %s wrote %.0f%% of the device (%d KiB, checksum %s),"
                + " replicated to node-ids %s", instanceId, percent, written.writtenKiB(), written.checksum(),
                written.replicatedTo()));
        } else {
            run.note("write-failed", written.error());
            run.progress().note("the application's write on " + instanceId + " failed: " + written.error());
        }
    }

    /** Every node of {@code roles} holds, UpToDate, exactly what the application wrote. */
    static List<String> dataIntact(RehearsalRun run, List<String> roles) {
        List<String> problems = new ArrayList<>();
        String written = run.notes().get("written");
        if (written == null) {
            problems.add("no write was acknowledged, so nothing can be compared");
            return problems;
        }
        for (String role : roles) {
            NodeSnapshot node = run.fleet().snapshot(run.roles().get(role));
            String held = node.data() == null ? null : node.data().checksum();
            if (!written.equals(held) || !"UpToDate".equals(node.disk())) {
                problems.add(role + " " + node.instanceId() + " holds checksum " + held + " (" + node.disk()
                    + "), the application wrote " + written);
            }
        }
        return problems;
    }

    /**
     * Exactly one execution failed, in {@code step}, naming the faulty node, whose launch alone was
     * ABANDONed; the group replaced it and the cluster converged without it (a follow-up run took
     * over what the failed run handed on).
     */
    static List<String> failedThenReplaced(RehearsalRun run, String step) {
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
        if (run.fleet().isOnline(faulty)) {
            problems.add("the abandoned instance " + faulty + " still runs: its terminate action was not completed");
        }
        List<Execution> all = run.reconcileExecutions();
        if (failed.size() == 1 && all.stream().noneMatch(e -> e.startDate().isAfter(failed.get(0).startDate())
            && Execution.SUCCEEDED.equals(e.status()) && e.name().startsWith("followup-"))) {
            problems.add("no follow-up run succeeded after the failure");
        }
        problems.addAll(converged(run));
        return problems;
    }
}
