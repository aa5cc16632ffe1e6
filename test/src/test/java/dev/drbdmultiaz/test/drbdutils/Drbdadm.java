package dev.drbdmultiaz.test.drbdutils;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the real {@code drbdadm} (Debian drbd-utils) against a config file, pretending to be one
 * of its hosts. No kernel module is needed for {@code dump} and for the dry run {@code -d up}.
 */
final class Drbdadm {

    /** drbdadm's exit code for a config it cannot parse. */
    static final int PARSE_ERROR = 10;

    private static final List<Path> SBIN_DIRS = List.of(Path.of("/usr/sbin"), Path.of("/sbin"));
    private static final long TIMEOUT_SECONDS = 30;

    private final Path executable;

    private Drbdadm(Path executable) {
        this.executable = executable;
    }

    /** Finds drbdadm on PATH or in the sbin directories; fails the test when it is missing. */
    static Drbdadm locate() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(
                Stream.of(path.split(java.io.File.pathSeparator)).filter(dir -> !dir.isEmpty()).map(Path::of),
                SBIN_DIRS.stream())
            .map(dir -> dir.resolve("drbdadm"))
            .filter(Files::isExecutable)
            .findFirst()
            .map(Drbdadm::new)
            .orElseGet(() -> fail("drbdadm was not found on PATH nor in /usr/sbin or /sbin."
                + " These checks need the real drbd-utils: apt-get install drbd-utils"));
    }

    /** {@code drbdadm -c config dump resource} as host {@code node}. */
    Result dump(Path config, String node, String resource) {
        return run(node, "-c", config.toString(), "dump", resource);
    }

    /** {@code drbdadm -c config -d up resource} as host {@code node}: prints the drbdsetup calls. */
    Result dryRunUp(Path config, String node, String resource) {
        return run(node, "-c", config.toString(), "-d", "up", resource);
    }

    private Result run(String node, String... args) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("DRBD_DONT_WARN_ON_VERSION_MISMATCH", "1");
        builder.environment().put("__DRBD_NODE__", node);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            CompletableFuture<String> stdout = readAsync(process.getInputStream());
            CompletableFuture<String> stderr = readAsync(process.getErrorStream());
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return fail("drbdadm did not finish within " + TIMEOUT_SECONDS + " s: " + command);
            }
            return new Result(String.join(" ", command), node, process.exitValue(), stdout.join(), stderr.join());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + command, e);
        }
    }

    private static CompletableFuture<String> readAsync(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** What one drbdadm call did. */
    record Result(String command, String node, int exitCode, String stdout, String stderr) {

        /** A message for a failed assertion: the call, the exit code and drbdadm's own words. */
        String describe() {
            return String.format("%s (as __DRBD_NODE__=%s) exited %d%nstderr:%n%s%nstdout:%n%s",
                command, node, exitCode, stderr.strip(), stdout.strip());
        }
    }
}
