package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalReport;
import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code drbd:nodeCount} 3 -> 5 -> 3 by {@code cdk deploy} while an application writes on one
 * member, which is therefore DRBD Primary. The Primary is the instance the group's termination
 * policy would pick first (the oldest launch in the fullest zone), so only its scale-in protection
 * keeps it.
 */
final class ScaleOutIn implements Scenario {

    private static final int BLOCKS = 64;

    @Override
    public String name() {
        return "scale-out-in";
    }

    @Override
    public String expectation() {
        return "drbd:nodeCount 3 -> 5 -> 3 by cdk deploy while an application writes on one member (its Primary):"
            + " each deploy answers once the cluster converged; the two new members join with node-ids of their own"
            + " and the first three keep theirs; the Primary is protected from scale-in, so the group terminates two"
            + " others; every write the application got acknowledged is on every member that stays";
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
        Steps.writeAndProtectPrimary(run, primary, BLOCKS);
        run.note("node-ids-before", nodeIds(run, ids));

        run.phase("scale-out");
        run.deploy(Map.of("drbd:nodeCount", 5));
        // What the deploy answered for: checked before anything else can finish the work.
        run.note("members-after-out", String.join(",", run.members()));
        run.note("after-out", String.join("; ", Checks.convergedCluster(run)));
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
        run.note("node-ids-after-out", nodeIds(run, run.members()));
        Steps.appWrite(run, "second-write", primary, BLOCKS, BLOCKS);

        run.phase("scale-in");
        run.deploy(Map.of("drbd:nodeCount", 3));
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
        run.note("members-after-in", String.join(",", run.members()));
        run.note("node-ids-after-in", nodeIds(run, run.members()));
    }

    /** instance=node-id pairs of {@code instanceIds}, from the registry. */
    private static String nodeIds(RehearsalRun run, List<String> instanceIds) {
        Map<String, Integer> all = run.registryNodeIds();
        return String.join(",", instanceIds.stream().map(id -> id + "=" + all.get(id)).toList());
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        String primary = run.roles().get("primary");
        problems.addAll(Checks.deployRequests(run, List.of("Create SUCCESS", "Update SUCCESS", "Update SUCCESS"),
            "the updates to 5, then 3 nodes answered " + run.report().deploys().stream()
                .map(RehearsalReport.Deploy::reason).toList()));
        problems.addAll(Checks.primaryProtected(run, primary));
        List<String> out = List.of(run.notes().get("members-after-out").split(","));
        if (out.size() != 5) {
            problems.add("the scale-out deploy answered with " + out.size() + " members listed: " + out);
        }
        if (!run.notes().get("after-out").isEmpty()) {
            problems.add("the scale-out deploy answered before the 5 members converged: " + run.notes().get("after-out"));
        }
        String before = run.notes().get("node-ids-before");
        for (String pair : before.split(",")) {
            if (!run.notes().get("node-ids-after-out").contains(pair)) {
                problems.add("a first member's node-id changed when the cluster grew: before " + before + ", after "
                    + run.notes().get("node-ids-after-out"));
            }
        }
        List<String> nodeIds = List.of(run.notes().get("node-ids-after-out").split(",")).stream()
            .map(p -> p.substring(p.indexOf('=') + 1)).distinct().toList();
        if (nodeIds.size() != 5 || nodeIds.contains("null")) {
            problems.add("the 5 members should hold 5 distinct node-ids: " + run.notes().get("node-ids-after-out"));
        }
        if (!run.notes().get("second-write").startsWith("true")) {
            problems.add("the application could not write on 5 members: " + run.notes().get("second-write"));
        }
        List<String> in = List.of(run.notes().get("members-after-in").split(","));
        if (in.size() != 3) {
            problems.add("scaling in to 3 left " + in.size() + " members: " + in);
        }
        if (!in.contains(primary)) {
            problems.add("the group terminated the Primary " + primary + " when it scaled in: members " + in);
        }
        problems.addAll(Checks.convergedCluster(run));
        problems.addAll(Checks.acknowledgedOnEveryMember(run, 2 * BLOCKS));
        run.appClose(primary);
        return problems;
    }
}
