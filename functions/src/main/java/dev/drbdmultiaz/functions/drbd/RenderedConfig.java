package dev.drbdmultiaz.functions.drbd;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A rendered DRBD resource file and its content hash.
 *
 * <p>{@code sha256} is the lowercase hex SHA-256 of the UTF-8 bytes of {@code text}, i.e. what
 * {@code sha256sum} prints for the file the node decodes from {@link #base64()} before it
 * substitutes the shared secret. Nodes report that hash as {@code configSha256}; the planner
 * compares it with this one to decide whether a node needs the config.
 *
 * @param text the resource file, ending with a newline
 * @param sha256 lowercase hex SHA-256 of {@code text}
 */
public record RenderedConfig(String text, String sha256) {

    public RenderedConfig {
        Objects.requireNonNull(text, "text");
        if (!sha256Hex(text).equals(sha256)) {
            throw new IllegalArgumentException(
                "sha256 must be the SHA-256 of text, got '" + sha256 + "'");
        }
    }

    /** Wraps {@code text} with its hash. */
    public static RenderedConfig of(String text) {
        return new RenderedConfig(text, sha256Hex(text));
    }

    /** The text as standard Base64 of its UTF-8 bytes (the {@code ConfigBase64} parameter). */
    public String base64() {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Lowercase hex SHA-256 of the UTF-8 bytes of {@code text}. */
    public static String sha256Hex(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime provides SHA-256", e);
        }
    }
}
