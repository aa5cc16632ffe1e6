package dev.drbdmultiaz.rehearsal.chaos;

import dev.drbdmultiaz.infra.workflow.WorkflowHandler;
import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.support.Net;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Injects the faults of the {@link FaultKind} catalog through the {@link RehearsalRun} facade.
 * Each injection answers how to heal it (a no-op for a fault that happens once) and a line for
 * the log; one that found nothing to hit (no member, no running execution) says so and does nothing.
 */
final class Faults {

    /** A fault as injected: what it did, and how to undo it when its hold is over. */
    record Injected(String what, Runnable heal, boolean skipped) {
        Injected(String what, Runnable heal) {
            this(what, heal, false);
        }

        /** A fault that happens once: nothing to heal. */
        static Injected once(String what) {
            return new Injected(what, () -> { });
        }

        static Injected skipped(String why) {
            return new Injected("skipped: " + why, () -> { }, true);
        }
    }

    /**
     * The documents a timeout fault hangs: their timeoutSeconds are at most 120 (ssm-documents/),
     * and the rehearsal's SSM keeps real seconds for a document timeout, so a hang costs at most two
     * real minutes (install's 1800 s would stall a chaos run for half an hour).
     */
    static final List<NodeDocument> TIMING_OUT = List.of(NodeDocument.WRITE_CONFIG, NodeDocument.FORGET_PEER,
        NodeDocument.STATUS);
    static final List<NodeDocument> FAILING = Arrays.stream(NodeDocument.values()).filter(NodeDocument::mutating).toList();
    private static final int BURST = 5;

    private final ChaosCluster cluster;
    private final RehearsalRun run;
    private final Duration terminateGuard;
    private final Map<String, Integer> holders = new HashMap<>();
    private final Set<String> losing = ConcurrentHashMap.newKeySet();
    private final Set<String> doubling = ConcurrentHashMap.newKeySet();
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private volatile int launchesToLose;
    private volatile int launchesToDouble;

    /**
     * @param terminateGuard how long a terminating fault waits for every other member to be UpToDate
     *     (one data-destroying failure at a time: the cluster keeps N-1 copies, not N-2)
     */
    Faults(ChaosCluster cluster, Duration terminateGuard) {
        this.cluster = cluster;
        this.run = cluster.run();
        this.terminateGuard = terminateGuard;
        run.loseLifecycleEvents(matching(losing, true));
        run.duplicateLifecycleEvents(matching(doubling, false));
    }

    /** Injects {@code fault}. */
    Injected inject(PlannedFault fault) {
        return switch (fault.kind()) {
            case TERMINATE -> terminate(fault, null);
            case TERMINATE_TWO -> terminateTwo(fault);
            case LOST_EVENT -> terminate(fault, losing);
            case DUPLICATED_EVENT -> terminate(fault, doubling);
            case REBOOT -> onMember(fault, m -> {
                run.reboot(m);
                return Injected.once("rebooted " + m);
            });
            case AGENT_OFFLINE -> onMember(fault, m -> {
                Runnable heal = hold("agent " + m, on -> run.setAgentOnline(m, !on));
                return new Injected("agent of " + m + " offline", heal);
            });
            case PARTITION -> onMember(fault, a -> cluster.otherMember(a, fault.other()).map(b -> {
                Runnable heal = blockLink(a, b);
                return new Injected("partition " + a + " | " + b, heal);
            }).orElse(Injected.skipped("no second member")));
            case ISOLATE -> onMember(fault, a -> {
                List<String> others = new ArrayList<>(cluster.members());
                others.remove(a);
                List<Runnable> heals = others.stream().map(b -> blockLink(a, b)).toList();
                return new Injected("isolated " + a + " from " + others, () -> heals.forEach(Runnable::run));
            });
            case COMMAND_FAILS -> onMember(fault, m -> {
                NodeDocument document = FAILING.get(Math.floorMod(fault.other(), FAILING.size()));
                run.failNext(m, document, 1, "chaos: injected failure of " + document.baseName());
                return Injected.once("next " + document.baseName() + " on " + m + " exits 1");
            });
            case COMMAND_TIMES_OUT -> onMember(fault, m -> {
                NodeDocument document = TIMING_OUT.get(Math.floorMod(fault.other(), TIMING_OUT.size()));
                run.timeOutNext(m, document);
                return Injected.once("next " + document.baseName() + " on " + m + " times out");
            });
            case THROTTLE_AUTO_SCALING -> throttle(RehearsalRun.ThrottledApi.AUTO_SCALING);
            case THROTTLE_SSM -> throttle(RehearsalRun.ThrottledApi.SSM);
            case READJUST_BURST -> {
                for (int i = 0; i < BURST; i++) {
                    run.publishReadjust();
                }
                yield Injected.once(BURST + " re-adjust events");
            }
            case HANDLER_THROWS -> {
                List<WorkflowHandler> handlers = WorkflowHandler.stateMachineHandlers();
                String function = handlers.get(Math.floorMod(fault.other(), handlers.size())).id();
                run.failNextInvocation(function);
                yield Injected.once("next " + function + " throws");
            }
            case STOP_LOCK_HOLDER -> stopLockHolder(fault);
            case TWO_AT_ONCE -> throw new IllegalArgumentException("a plan holds two-at-once as two faults at one moment");
        };
    }

    private Injected onMember(PlannedFault fault, Function<String, Injected> action) {
        return cluster.member(fault.member()).map(action).orElse(Injected.skipped("no member"));
    }

    private Injected throttle(RehearsalRun.ThrottledApi api) {
        return new Injected(api + " throttled", hold("throttle " + api, on -> run.setApiThrottled(api, on)));
    }

    private Runnable blockLink(String a, String b) {
        String pair = a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
        return hold("link " + pair, on -> run.setLinkBlocked(a, b, on));
    }

    /**
     * Turns a lasting condition on (the first fault holding it) and answers its heal, which turns it
     * off once no fault holds it any more: two overlapping partitions of one pair heal when the
     * second one ends, not the first.
     */
    private Runnable hold(String condition, Consumer<Boolean> set) {
        synchronized (holders) {
            if (holders.merge(condition, 1, Integer::sum) == 1) {
                set.accept(true);
            }
        }
        return () -> {
            synchronized (holders) {
                if (holders.merge(condition, -1, Integer::sum) == 0) {
                    holders.remove(condition);
                    set.accept(false);
                }
            }
        };
    }

    private Injected terminate(PlannedFault fault, Set<String> events) {
        Optional<String> victim = cluster.member(fault.member());
        if (victim.isEmpty()) {
            return Injected.skipped("no member");
        }
        String m = victim.get();
        if (cluster.members().size() < 2 || !awaitOthersUpToDate(Set.of(m))) {
            return Injected.skipped("the other members were not all UpToDate within " + terminateGuard.toSeconds()
                + " s, terminating " + m + " could destroy the last copy of a write");
        }
        known.addAll(run.lifecycleStates().stream().map(i -> i.instanceId()).toList());
        String note = "";
        if (events == losing) {
            losing.add(m);
            launchesToLose++;
            note = " (its events lost)";
        } else if (events == doubling) {
            doubling.add(m);
            launchesToDouble++;
            note = " (its events delivered twice)";
        }
        String replacement = run.terminate(m);
        return Injected.once("terminated " + m + note + ", replacement " + replacement);
    }

    private Injected terminateTwo(PlannedFault fault) {
        Optional<String> first = cluster.member(fault.member());
        Optional<String> second = first.flatMap(m -> cluster.otherMember(m, fault.other()));
        if (second.isEmpty() || cluster.members().size() < 3) {
            return Injected.skipped("fewer than three members");
        }
        Set<String> victims = Set.of(first.get(), second.get());
        if (!awaitOthersUpToDate(victims)) {
            return Injected.skipped("the other members were not all UpToDate within " + terminateGuard.toSeconds()
                + " s, terminating " + victims + " could destroy the last copy of a write");
        }
        String a = run.terminate(first.get());
        String b = run.terminate(second.get());
        return Injected.once("terminated " + first.get() + " and " + second.get() + " at once, replacements " + a
            + ", " + b);
    }

    /** Waits up to the guard for every member but {@code victims} to be UpToDate; whether they were. */
    private boolean awaitOthersUpToDate(Set<String> victims) {
        Instant deadline = Instant.now().plus(terminateGuard);
        while (!cluster.othersUpToDate(victims) && Instant.now().isBefore(deadline)) {
            Net.sleep(250);
        }
        return cluster.othersUpToDate(victims);
    }

    /**
     * The terminate events of {@code victims}, and as many launch events of new instances as
     * terminations were planned with it; {@code lose}: the events {@link #losing} matches, else
     * {@link #doubling}.
     */
    private BiPredicate<String, String> matching(Set<String> victims, boolean lose) {
        return (instanceId, transition) -> {
            if ("terminate".equals(transition)) {
                return victims.contains(instanceId);
            }
            if (known.contains(instanceId)) {
                return false;
            }
            synchronized (this) {
                if (lose && launchesToLose > 0) {
                    launchesToLose--;
                    known.add(instanceId);
                    return true;
                }
                if (!lose && launchesToDouble > 0) {
                    launchesToDouble--;
                    known.add(instanceId);
                    return true;
                }
            }
            return false;
        };
    }

    private Injected stopLockHolder(PlannedFault fault) {
        if (run.lockHolder() == null) {
            run.publishReadjust();
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (run.lockHolder() == null && Instant.now().isBefore(deadline)) {
                Net.sleep(50);
            }
        }
        Net.sleep(run.time().scaled(Duration.ofSeconds(Math.floorMod(fault.other(), 60))).toMillis());
        String holder = run.lockHolder();
        Optional<Execution> execution = run.reconcileExecutions().stream().filter(e -> e.arn().equals(holder)).findFirst();
        if (execution.isEmpty()) {
            return Injected.skipped("no execution held the lock");
        }
        boolean stopped = run.stopExecution(execution.get());
        return stopped ? Injected.once("stopped " + execution.get().name() + " holding the lock")
            : Injected.skipped(execution.get().name() + " had ended before StopExecution");
    }
}
