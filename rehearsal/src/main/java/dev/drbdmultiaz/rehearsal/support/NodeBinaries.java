package dev.drbdmultiaz.rehearsal.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Node.js binaries of a given major version, fetched from the npm registry once per JVM with
 * {@code npx -y -p node@<major>}: aws-local-stepfunctions needs Node 22, and the CDK Provider
 * framework's functions run on the Node version their template names (nodejs24.x).
 */
public final class NodeBinaries {

    /** What to tell a user without Node.js. */
    public static final String NODE_HINT = "Node.js with npm/npx is missing: install Node.js 20+ and npm"
        + " (apt-get install nodejs npm, or https://nodejs.org); the rehearsal fetches Node 22 and 24 with npx";

    private static final Map<Integer, Path> RESOLVED = new ConcurrentHashMap<>();

    private NodeBinaries() {
    }

    /** The {@code node} executable of {@code major}, resolved once. */
    public static Path node(int major, ChildProcesses processes) {
        return RESOLVED.computeIfAbsent(major, m -> resolve(m, processes));
    }

    private static Path resolve(int major, ChildProcesses processes) {
        try {
            Process process = processes.start(new ProcessBuilder("npx", "-y", "-p", "node@" + major, "node", "-p",
                "process.execPath").redirectError(ProcessBuilder.Redirect.DISCARD));
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(180, TimeUnit.SECONDS) || process.exitValue() != 0 || out.isEmpty()) {
                throw new IllegalStateException("`npx -y -p node@" + major + " node` failed (exit "
                    + (process.isAlive() ? "timeout" : process.exitValue()) + "): Node " + major
                    + " comes from the npm registry; check that npm can reach it");
            }
            String[] lines = out.split("\n");
            return Path.of(lines[lines.length - 1].trim());
        } catch (IOException e) {
            throw new IllegalStateException(NODE_HINT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while resolving Node " + major, e);
        }
    }
}
