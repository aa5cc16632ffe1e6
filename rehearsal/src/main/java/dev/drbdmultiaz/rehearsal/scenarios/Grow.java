package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.model.DataVolume;
import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.aws.CustomResources;
import dev.drbdmultiaz.rehearsal.nodes.NodeSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A larger {@code drbd:dataVolumeGiB} by {@code cdk deploy}, in place: a size change starts no
 * instance refresh (the group's launch template version follows only what needs new instances), so
 * the deploy's reconcile grows every member's EBS volume (ModifyVolume; the rehearsal's EC2 applies
 * the size only once the modification is optimizing, as EBS does), then each member's physical
 * volume, thin pool and LV (drbd-grow-backing), then the DRBD device once (drbd-resize), and waits
 * until the added space is resynchronized. The members stay; the application's data survives and
 * it can write into the added space.
 */
final class Grow implements Scenario {

    private static final int BLOCKS = 64;
    private static final int LARGER_GIB = 120;

    @Override
    public String name() {
        return "grow";
    }

    @Override
    public String expectation() {
        return "drbd:dataVolumeGiB 100 -> " + LARGER_GIB + " by cdk deploy, in place: no instance refresh; the"
            + " deploy's reconcile grows each member's EBS volume once (ModifyVolume), then its LVM (drbd-grow-backing),"
            + " then the DRBD device once (drbd-resize) and waits for the added space's resync; the same members then"
            + " have " + LARGER_GIB + " GiB volumes and the larger device, are UpToDate and hold every acknowledged"
            + " write, and the application writes into the added space; a replacement launched afterwards comes with"
            + " the old size (the group keeps its launch template version) and is grown before it joins";
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
        run.note("original", String.join(",", ids));
        // Written, then closed: a Secondary again, so no scale-in protection holds the refresh.
        Steps.appWrite(run, "first-write", ids.get(0), 0, BLOCKS);
        run.appClose(ids.get(0));
        long before = run.snapshot(ids.get(0)).data().sizeKiB();
        run.note("size-before", Long.toString(before));

        run.phase("grow");
        CustomResources.Outcome outcome = run.deploy(Map.of("drbd:dataVolumeGiB", LARGER_GIB));
        run.note("deploy", outcome.status() + " " + outcome.reason());
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
        List<String> members = run.members();
        run.note("members-after", String.join(",", members));
        run.note("volumes-after", String.join(",", run.clusterVolumes().stream()
            .filter(v -> members.contains(v.attachedTo()) && DataVolume.DEVICE_NAME.equals(v.device()))
            .map(v -> v.attachedTo() + "=" + v.sizeGiB()).sorted().toList()));
        run.note("sizes-after", String.join(",", members.stream().map(id -> {
            NodeSnapshot.Data data = run.snapshot(id).data();
            return id + "=" + data.sizeKiB() + "/" + data.capacityKiB();
        }).toList()));
        if (!members.isEmpty()) {
            // Into the added space: past the end of the device as it was.
            Steps.appWrite(run, "grown-write", members.get(0), (int) (before / 4), BLOCKS);
            run.appClose(members.get(0));
        }
        run.note("growth-modifications", String.join(",", run.volumeModifications()));

        // The group still launches from the version before the size change: its replacement comes
        // with the old size and is grown before it joins.
        run.phase("replace-after-growth");
        String replaced = members.get(members.size() - 1);
        run.note("replaced", replaced);
        run.note("replacement", run.terminate(replaced));
        run.awaitExecutions(Steps.EXECUTION_TIMEOUT);
        run.note("modifications", String.join(",", run.volumeModifications()));
        run.note("volumes-final", String.join(",", run.clusterVolumes().stream()
            .filter(v -> v.attachedTo() != null && DataVolume.DEVICE_NAME.equals(v.device()))
            .map(v -> v.attachedTo() + "=" + v.sizeGiB()).sorted().toList()));
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = new ArrayList<>();
        List<String> original = List.of(run.notes().get("original").split(","));
        problems.addAll(Checks.deployRequests(run, List.of("Create SUCCESS", "Update SUCCESS"),
            "the growth's deploy: " + run.notes().get("deploy")));
        List<String> members = List.of(run.notes().get("members-after").split(","));
        if (!run.refreshes().isEmpty() || !new TreeSet<>(members).equals(new TreeSet<>(original))) {
            problems.add("a size change should replace no member (no instance refresh): refreshes " + run.refreshes()
                + ", members " + original + " -> " + members);
        }
        List<String> volumes = List.of(run.notes().get("volumes-after").split(","));
        if (volumes.size() != original.size() || !volumes.stream().allMatch(v -> v.endsWith("=" + LARGER_GIB))) {
            problems.add("every member's data volume should have grown to " + LARGER_GIB + " GiB in place: " + volumes);
        }
        List<String> growth = List.of(run.notes().get("growth-modifications").split(","));
        if (growth.size() != original.size() || !growth.stream().allMatch(m -> m.endsWith(": 100 -> " + LARGER_GIB))) {
            problems.add("EC2 should have been asked once per member to grow its volume 100 -> " + LARGER_GIB + ": " + growth);
        }
        List<String> modifications = List.of(run.notes().get("modifications").split(","));
        if (modifications.size() != original.size() + 1
            || !modifications.get(original.size()).endsWith(": 100 -> " + LARGER_GIB)) {
            problems.add("the replacement of " + run.notes().get("replaced") + " should launch from the group's launch"
                + " template version before the size change (100 GiB) and be grown once before it joins: " + modifications);
        }
        String replacement = run.notes().get("replacement");
        if (!run.notes().get("volumes-final").contains(replacement + "=" + LARGER_GIB)) {
            problems.add("the replacement " + replacement + " should have a " + LARGER_GIB + " GiB data volume: "
                + run.notes().get("volumes-final"));
        }
        long growths = run.commands().stream()
            .filter(c -> NodeDocument.GROW_BACKING.baseName().equals(c.documentFile()))
            .mapToLong(c -> c.targets().size()).sum();
        if (growths != original.size()) {
            problems.add("drbd-grow-backing should run once on each member; ran " + growths + " times");
        }
        long before = Long.parseLong(run.notes().get("size-before"));
        for (String entry : run.notes().get("sizes-after").split(",")) {
            String[] sizes = entry.substring(entry.indexOf('=') + 1).split("/");
            long size = Long.parseLong(sizes[0]);
            long capacity = Long.parseLong(sizes[1]);
            if (size <= before || size != capacity) {
                problems.add("a member's DRBD device should have grown from " + before + " KiB to all its backing"
                    + " device holds: " + entry + " (size/capacity KiB)");
            }
        }
        long resizes = run.commands().stream()
            .filter(c -> NodeDocument.RESIZE.baseName().equals(c.documentFile())).count();
        if (resizes != 1) {
            problems.add("drbd-resize should run once, after every member's LVM grew; ran "
                + resizes + " times");
        }
        if (!run.notes().getOrDefault("grown-write", "").startsWith("true")) {
            problems.add("the application could not write into the added space: " + run.notes().get("grown-write"));
        }
        problems.addAll(Checks.convergedCluster(run));
        problems.addAll(Checks.acknowledgedOnEveryMember(run, 2 * BLOCKS));
        return problems;
    }
}
