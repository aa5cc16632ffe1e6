package dev.drbdmultiaz.rehearsal.lambda;

import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Application class-data sharing for the Java functions' runtimes, one archive per code jar and
 * JVM: the first runtimes record the classes they load ({@code -XX:DumpLoadedClassList}), the
 * first {@link #build} turns those lists into an archive ({@code -Xshare:dump}), and every later
 * runtime maps it ({@code -XX:SharedArchiveFile}), which halves a function's init here (about 1 s
 * to 0.5 s). It changes no behaviour a handler can see: the same classes from the same jar. A
 * failed dump leaves the runtimes as they were.
 */
final class ClassDataSharing {

    /** How many runtimes record their class lists before an archive is built. */
    private static final int RECORDED_RUNTIMES = 24;
    private static final Map<Path, ClassDataSharing> BY_JAR = new ConcurrentHashMap<>();

    private final Path jar;
    private final Path dir;
    private final AtomicInteger recorded = new AtomicInteger();
    private volatile Path archive;
    private boolean built;

    private ClassDataSharing(Path jar) {
        this.jar = jar;
        try {
            this.dir = Files.createTempDirectory("drbd-rehearsal-cds-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::delete));
    }

    /**
     * The archive of {@code jar}'s runtimes, or {@code null} when sharing is off: it pays only
     * where one JVM runs many rehearsals (the tests set {@code rehearsal.classDataSharing=true}).
     */
    static ClassDataSharing forJar(Path jar) {
        if (!Boolean.getBoolean("rehearsal.classDataSharing")) {
            return null;
        }
        return BY_JAR.computeIfAbsent(jar.toAbsolutePath().normalize(), ClassDataSharing::new);
    }

    private void delete() {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }

    /** JVM options of a new runtime: map the archive, or record the classes it loads. */
    List<String> options() {
        Path ready = archive;
        if (ready != null) {
            return List.of("-XX:SharedArchiveFile=" + ready, "-Xshare:auto", "-Xlog:cds=off");
        }
        int n = recorded.incrementAndGet();
        return n > RECORDED_RUNTIMES ? List.of()
            : List.of("-XX:DumpLoadedClassList=" + dir.resolve("runtime-" + n + ".classlist"));
    }

    /** Builds the archive from the lists recorded so far, once; the {@code java} of this JVM dumps it. */
    synchronized void build(ChildProcesses processes) {
        if (built) {
            return;
        }
        built = true;
        Set<String> classes = new LinkedHashSet<>();
        try (Stream<Path> lists = Files.list(dir)) {
            for (Path list : lists.filter(p -> p.toString().endsWith(".classlist")).sorted().toList()) {
                classes.addAll(Files.readAllLines(list));
            }
            if (classes.isEmpty()) {
                return;
            }
            Path merged = Files.write(dir.resolve("merged.classlist"), classes);
            Path target = dir.resolve("functions.jsa");
            Process dump = processes.start(new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:dump",
                "-XX:SharedClassListFile=" + merged, "-XX:SharedArchiveFile=" + target, "-cp", jar.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("dump.log").toFile()));
            if (dump.waitFor(120, TimeUnit.SECONDS) && dump.exitValue() == 0 && Files.isRegularFile(target)) {
                archive = target;
            }
        } catch (IOException e) {
            // no archive: the runtimes start as before
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
