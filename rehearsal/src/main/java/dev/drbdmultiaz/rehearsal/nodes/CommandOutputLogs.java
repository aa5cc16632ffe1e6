package dev.drbdmultiaz.rehearsal.nodes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The CloudWatch Logs output of commands sent with CloudWatchOutputConfig: the agent sends the
 * whole output (not the API's 24,000/8,000-character cut) to the command's group, one stream per
 * invocation and stream ({@code <command-id>/<instance-id>/<plugin>/stdout|stderr}).
 */
final class CommandOutputLogs {

    private volatile Set<String> logGroups = Set.of();
    private final Map<String, Map<String, String>> logStreams = new TreeMap<>();

    /**
     * The log groups that exist in the account: the agent writes command output only there. The
     * node role may not create groups (it writes only into the stack's own), so output sent to a
     * group that does not exist is lost, as the agent's would be.
     */
    void setLogGroups(Set<String> groups) {
        this.logGroups = Set.copyOf(groups);
    }

    /** The full output the agent published to one group, by stream. */
    Map<String, String> logStreams(String group) {
        synchronized (logStreams) {
            return Map.copyOf(logStreams.getOrDefault(group, Map.of()));
        }
    }

    /** Publishes the whole output of the command on one instance, if its group exists. */
    void publish(SsmCommand command, String instanceId) {
        if (command.logGroup == null || !logGroups.contains(command.logGroup)) {
            return;
        }
        String prefix = command.commandId + "/" + instanceId + "/" + command.step.name() + "/";
        synchronized (logStreams) {
            Map<String, String> streams = logStreams.computeIfAbsent(command.logGroup, g -> new TreeMap<>());
            streams.put(prefix + "stdout", whole(command.stdoutFile(instanceId)));
            streams.put(prefix + "stderr", whole(command.stderrFile(instanceId)));
        }
    }

    private static String whole(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
