package dev.drbdmultiaz.rehearsal.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.aws.CustomResources;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code drbd:instanceType} changed by {@code cdk deploy} while an application writes on one member
 * (its Primary, protected from scale-in): the group's instance refresh replaces the members one at
 * a time, launch before terminate, each new member UpToDate at its launch CONTINUE; it waits for the
 * Primary, the report names it, the operator demotes it and sends the re-adjust event, and only then
 * is it replaced. The Primary is the instance the refresh would pick first (the oldest launch in the
 * first zone), so only its protection keeps it.
 */
final class RollingUpdate implements Scenario {

    private static final int BLOCKS = 64;
    private static final String NEW_TYPE = "m6i.large";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "rolling-update";
    }

    @Override
    public String expectation() {
        return "drbd:instanceType changed by cdk deploy while an application writes on one member (its Primary):"
            + " the group's instance refresh replaces the three members one at a time, each new member UpToDate"
            + " before an old one leaves; it waits for the Primary, whose report names it to demote; once the"
            + " operator demoted it and sent the re-adjust event it is replaced last; the deploy answers after the"
            + " refresh; every member runs the new type and holds every acknowledged write";
    }

    @Override
    public boolean fixedSize() {
        return true;
    }

    @Override
    public double minimumTimeScale() {
        return Steps.DEPLOY_MINIMUM_TIME_SCALE;
    }

    @Override
    public void act(RehearsalRun run) {
        List<String> ids = Steps.deployCluster(run);
        String primary = ids.get(0);
        run.role("primary", primary);
        run.note("original", String.join(",", ids));
        Steps.writeAndProtectPrimary(run, primary, BLOCKS);

        run.phase("rolling-update");
        CompletableFuture<CustomResources.Outcome> deploying =
            CompletableFuture.supplyAsync(() -> run.deploy(Map.of("drbd:instanceType", NEW_TYPE)));
        // The operator watches the reports for what the refresh waits for.
        String advice = awaitDemoteAdvice(run, deploying);
        run.note("demote-advice", advice == null ? "" : advice);
        if (advice != null) {
            run.note("members-at-advice", String.join(",", run.members()));
            run.appClose(primary);
            run.publishReadjust();
        }
        CustomResources.Outcome outcome = deploying.join();
        run.note("deploy", outcome.status() + " " + outcome.reason());
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
        List<String> members = run.members();
        run.note("members-after", String.join(",", members));
        run.note("types-after", String.join(",", members.stream().map(id -> id + "=" + run.instanceType(id)).toList()));
        if (!members.isEmpty()) {
            Steps.appWrite(run, "second-write", members.get(0), BLOCKS, BLOCKS);
            run.role("new-primary", members.get(0));
        }
    }

    /**
     * The message of the first LaunchTemplateCurrent condition with reason DemotePrimary in a reconcile
     * report, or {@code null} if the deploy ended first.
     */
    private static String awaitDemoteAdvice(RehearsalRun run, CompletableFuture<?> deploying) {
        while (!deploying.isDone()) {
            for (Execution execution : run.reconcileExecutions()) {
                String advice = demoteAdvice(execution.output());
                if (advice != null) {
                    return advice;
                }
            }
            Steps.sleep(run, Duration.ofSeconds(20));
        }
        return null;
    }

    private static String demoteAdvice(String output) {
        if (output == null || output.isBlank()) {
            return null;
        }
        try {
            for (JsonNode condition : JSON.readTree(output).path("conditions")) {
                if ("LaunchTemplateCurrent".equals(condition.path("type").asText())
                    && "DemotePrimary".equals(condition.path("reason").asText())) {
                    return condition.path("message").asText();
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        String primary = run.roles().get("primary");
        List<String> original = List.of(run.notes().get("original").split(","));
        problems.addAll(Checks.deployRequests(run, List.of("Create SUCCESS", "Update SUCCESS"),
            "the rolling update's deploy (it answers after the refresh): " + run.notes().get("deploy")));
        problems.addAll(Checks.primaryProtected(run, primary));
        if (run.refreshes().size() != 1 || !run.refreshes().get(0).startsWith("Successful replaced [")
            || !run.refreshes().get(0).endsWith(", " + primary + "]")
            || original.stream().anyMatch(id -> !run.refreshes().get(0).contains(id))) {
            problems.add("one instance refresh should replace the other members, then the Primary " + primary
                + " last; got " + run.refreshes());
        }
        String advice = run.notes().get("demote-advice");
        if (advice.isEmpty() || !advice.contains(primary)) {
            problems.add("no reconcile report told the operator to demote the Primary " + primary + ": '" + advice + "'");
        } else if (run.notes().get("members-at-advice").split(",").length != original.size()
            || original.stream().filter(id -> !id.equals(primary))
                .anyMatch(id -> run.notes().get("members-at-advice").contains(id))) {
            problems.add("the report named the Primary to demote before the refresh had replaced every other member:"
                + " members then " + run.notes().get("members-at-advice"));
        }
        run.roleAtTerminate().forEach((instanceId, role) -> {
            if (original.contains(instanceId) && !"Secondary".equals(role)) {
                problems.add(instanceId + " entered Terminating:Wait as " + role + ": the refresh may replace a member"
                    + " only while it is Secondary");
            }
        });
        List<String> members = List.of(run.notes().get("members-after").split(","));
        if (members.size() != original.size() || members.stream().anyMatch(original::contains)) {
            problems.add("after the rolling update the members should be " + original.size() + " new instances: "
                + members);
        }
        for (String pair : run.notes().get("types-after").split(",")) {
            if (!pair.endsWith("=" + NEW_TYPE)) {
                problems.add("a member does not run " + NEW_TYPE + ": " + pair);
            }
        }
        if (!run.notes().getOrDefault("second-write", "").startsWith("true")) {
            problems.add("the application could not write on a new member: " + run.notes().get("second-write"));
        }
        problems.addAll(Checks.convergedCluster(run));
        problems.addAll(Checks.acknowledgedOnEveryMember(run, 2 * BLOCKS));
        String newPrimary = run.roles().get("new-primary");
        if (newPrimary != null) {
            run.appClose(newPrimary);
        }
        return problems;
    }
}
