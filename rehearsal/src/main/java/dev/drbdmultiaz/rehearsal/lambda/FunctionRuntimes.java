package dev.drbdmultiaz.rehearsal.lambda;

import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import dev.drbdmultiaz.rehearsal.support.Net;
import dev.drbdmultiaz.rehearsal.support.NodeBinaries;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The functions' runtime processes, one per function (a JVM for the Java functions, Node for the
 * Provider framework's), each started when first needed and started again once discarded.
 */
final class FunctionRuntimes implements AutoCloseable {

    /** A started runtime process. */
    record Running(Process process, URI endpoint) {
    }

    private final ChildProcesses processes;
    private final FunctionEnvironment environment;
    private final Path projectRoot;
    private final Path sandbox;
    private final List<Path> extraClasspath;
    private final Map<String, String> nodeRoutes;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Map<String, Object> startLocks = new ConcurrentHashMap<>();

    FunctionRuntimes(ChildProcesses processes, FunctionEnvironment environment, Path projectRoot, Path sandbox,
        List<Path> extraClasspath, Map<String, String> nodeRoutes) {
        this.processes = processes;
        this.environment = environment;
        this.projectRoot = projectRoot;
        this.sandbox = sandbox;
        this.extraClasspath = List.copyOf(extraClasspath);
        this.nodeRoutes = Map.copyOf(nodeRoutes);
    }

    /** The function's live process, started now if it has none. */
    Running running(FunctionSpec spec) {
        Running existing = running.get(spec.name());
        if (existing != null && existing.process().isAlive()) {
            return existing;
        }
        synchronized (startLocks.computeIfAbsent(spec.name(), n -> new Object())) {
            existing = running.get(spec.name());
            if (existing != null && existing.process().isAlive()) {
                return existing;
            }
            Running started = start(spec);
            running.put(spec.name(), started);
            return started;
        }
    }

    /**
     * The function's configuration changed: its next invocation starts a new process; an invocation
     * in flight finishes on the old one, which ends with the rehearsal (ChildProcesses).
     */
    void retire(String name) {
        running.remove(name);
    }

    /** Kills the process and all it started: the next invocation gets a fresh one. */
    void discard(String name, Running process) {
        running.remove(name, process);
        process.process().descendants().forEach(ProcessHandle::destroyForcibly);
        process.process().destroyForcibly();
    }

    private Running start(FunctionSpec spec) {
        Path dir = sandbox.resolve("lambda").resolve(spec.name());
        Path portFile = dir.resolve("port");
        Path log = dir.resolve("runtime.log");
        List<String> command = new ArrayList<>();
        if (spec.java()) {
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx" + spec.memoryMiB() + "m"));
            ClassDataSharing sharing = ClassDataSharing.forJar(spec.code());
            if (sharing != null) {
                command.addAll(sharing.options());
            }
            command.addAll(List.of("-cp", classpath(spec), LambdaHostMain.class.getName(), "--port-file", portFile.toString(),
                "--handler", spec.handler(), "--timeout-seconds", Integer.toString(spec.timeoutSeconds())));
        } else if (spec.runtime().startsWith("nodejs")) {
            int major = Integer.parseInt(spec.runtime().replaceAll("[^0-9]", ""));
            command.addAll(List.of(NodeBinaries.node(major, processes).toString(),
                projectRoot.resolve("rehearsal/runtime/lambda-node-runtime.mjs").toString(),
                "--port-file", portFile.toString(), "--code", spec.code().toString(), "--handler", spec.handler(),
                "--timeout-seconds", Integer.toString(spec.timeoutSeconds())));
            nodeRoutes.forEach((host, target) -> {
                command.add("--route");
                command.add(host + "=" + target);
            });
        } else {
            throw new ApiError(500, "InvalidRuntimeException", "The rehearsal runs no " + spec.runtime() + " functions");
        }
        Map<String, String> env = environment.forProcess(spec);
        if (!spec.java()) {
            env.put("NODE_PATH", projectRoot.resolve("node_modules").toString());
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process;
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(portFile);
            process = processes.start(builder);
        } catch (IOException e) {
            throw new ApiError(500, "ServiceException", "Could not start the runtime of " + spec.name() + ": " + e);
        }
        Net.await(Duration.ofSeconds(90), "The runtime of " + spec.name() + " did not start (see " + log + ")", () -> {
            if (!process.isAlive()) {
                throw new ApiError(500, "ServiceException", "The runtime of " + spec.name() + " exited with code "
                    + process.exitValue() + " during init; see " + log);
            }
            return Files.isRegularFile(portFile);
        });
        try {
            return new Running(process, URI.create("http://127.0.0.1:" + Files.readString(portFile).trim()));
        } catch (IOException e) {
            throw new ApiError(500, "ServiceException", "Could not read the port of " + spec.name());
        }
    }

    /** The code asset, plus this module's classes for LambdaHostMain itself. */
    private String classpath(FunctionSpec spec) {
        List<String> entries = new ArrayList<>(List.of(spec.code().toString(), ownClasses()));
        extraClasspath.forEach(p -> entries.add(p.toString()));
        return String.join(File.pathSeparator, entries);
    }

    private static String ownClasses() {
        try {
            return Path.of(LambdaHostMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops every process and waits a little for each. */
    @Override
    public void close() {
        running.values().forEach(r -> r.process().destroy());
        for (Running r : running.values()) {
            try {
                r.process().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }
}
