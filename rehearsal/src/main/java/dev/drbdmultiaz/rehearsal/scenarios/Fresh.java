package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.nodes.CommandRecord;
import java.util.List;
import java.util.Map;

/** A cluster from nothing, and every command's output in CloudWatch Logs. */
final class Fresh implements Scenario {

    @Override
    public String name() {
        return "fresh";
    }

    @Override
    public String expectation() {
        return "a cluster from nothing: every launch action CONTINUEd, every disk UpToDate, every peer Connected;"
            + " every command's whole output in the stack's CloudWatch Logs group, and no LVM overprovisioning warning"
            + " in it";
    }

    @Override
    public void act(RehearsalRun run) {
        Steps.launchCluster(run, run.nodes(), null);
    }

    @Override
    public List<String> check(RehearsalRun run) {
        List<String> problems = Checks.converged(run);
        String logGroup = run.stack().commandLogGroup();
        if (logGroup == null) {
            problems.add("SendNodeCommand has no COMMAND_LOG_GROUP_NAME: command output reaches no CloudWatch Logs group");
            return problems;
        }
        Map<String, String> streams = run.commandLogStreams();
        streams.forEach((stream, text) -> text.lines()
            .filter(line -> line.contains("WARNING: Sum of all thin volume sizes"))
            .forEach(line -> problems.add("LVM overprovisions the thin pool (" + stream + "): " + line.strip())));
        for (CommandRecord command : run.commands()) {
            for (String instanceId : command.targets()) {
                String stdout = streams.entrySet().stream()
                    .filter(e -> e.getKey().startsWith(command.commandId() + "/" + instanceId + "/")
                        && e.getKey().endsWith("/stdout"))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
                if (stdout == null || !stdout.strip().endsWith("}")) {
                    problems.add("no stdout of " + command.documentFile() + " on " + instanceId + " in log group "
                        + logGroup);
                }
            }
        }
        return problems;
    }
}
