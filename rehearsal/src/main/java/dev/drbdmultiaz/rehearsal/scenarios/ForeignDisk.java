package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.model.Step;
import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.nodes.NodeFaults;
import dev.drbdmultiaz.rehearsal.nodes.NodeSnapshot;
import java.util.List;

/** A data disk that holds another filesystem is refused and left as it was. */
final class ForeignDisk implements Scenario {

    @Override
    public String name() {
        return "foreign-disk";
    }

    @Override
    public String expectation() {
        return "a data disk with another filesystem is refused and left as it was; the node is replaced and the"
            + " cluster converges without it";
    }

    @Override
    public void act(RehearsalRun run) {
        Steps.launchCluster(run, run.nodes(), index -> index == 1 ? NodeFaults.none().withForeignFilesystem("ext4")
            : NodeFaults.none());
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = Checks.failedThenReplaced(run, Step.PrepareLvm.name());
        NodeSnapshot faulty = run.snapshot(run.roles().get("faulty"));
        if (!faulty.lvm().physicalVolumes().isEmpty() || faulty.metadata()) {
            problems.add("the foreign disk was written: " + faulty.lvm() + ", metadata " + faulty.metadataDevices());
        }
        return problems;
    }
}
