package dev.drbdmultiaz.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The fingerprint of everything that decides what the nodes should look like: the cluster
 * settings, the node documents and the workflow definition. The deploy reconcile carries it as a
 * property, so a {@code cdk deploy} that changes any of them re-runs the reconcile, and one that
 * changes nothing does not. The Lambda jar is left out on purpose: its bytes change with every
 * build (timestamps), which would start a reconcile on every deploy.
 */
final class ConfigHash {

    private ConfigHash() {
    }

    /**
     * @param settings the validated cluster settings
     * @param documentsDirectory the folder of the SSM documents (every *.yaml counts)
     * @param definition the state machine definition file
     * @return lowercase hex SHA-256
     */
    static String of(ClusterSettings settings, Path documentsDirectory, Path definition) {
        MessageDigest digest = sha256();
        digest.update(settings.toString().getBytes(StandardCharsets.UTF_8));
        for (Path file : inputs(documentsDirectory, definition)) {
            digest.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            digest.update(read(file));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static List<Path> inputs(Path documentsDirectory, Path definition) {
        try (Stream<Path> files = Files.list(documentsDirectory)) {
            return Stream.concat(
                    files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted(),
                    Stream.of(definition)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list " + documentsDirectory, e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + file, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
