package dev.drbdmultiaz.functions.drbd;

import static dev.drbdmultiaz.functions.drbd.DrbdNodeSpec.show;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Everything {@link DrbdResFileRenderer} needs to render one DRBD resource file.
 *
 * <p>The record is canonical: {@link #nodes()} is an immutable copy sorted by node-id, so two
 * specs built from the same members in a different order are equal and render the same text.
 *
 * <p>At least {@value #MIN_NODES} nodes are required, and any count above is accepted: quorum is
 * a majority of the desired nodes ({@link #quorumVotes()}), so an even count is safe too (4 nodes
 * need 3 for quorum), and while the Auto Scaling group replaces a node the desired set can be even
 * for a moment.
 *
 * @param resourceName DRBD resource name, {@code ^[a-z][a-z0-9_-]{0,30}$}, not {@code all}
 * @param port TCP port every node listens on for this resource, 1..65535
 * @param minor DRBD device minor, 0..{@value #MAX_MINOR}; the device is {@code /dev/drbd<minor>}
 * @param backingDisk absolute path of the backing block device (the thin LV, {@code /dev/<vg>/<lv>})
 * @param nodes the desired members, at least {@value #MIN_NODES}, with unique node-ids,
 *     addresses and hostnames
 * @param verifyAlg online-verify digest, one of {@link #VERIFY_ALGS}
 * @param cramHmacAlg peer-authentication HMAC digest, one of {@link #CRAM_HMAC_ALGS}
 */
public record DrbdResourceSpec(
    String resourceName,
    int port,
    int minor,
    String backingDisk,
    List<DrbdNodeSpec> nodes,
    String verifyAlg,
    String cramHmacAlg) {

    /** Fewest nodes that still keep quorum with one node lost. */
    public static final int MIN_NODES = 3;
    /** Highest DRBD device minor (20 bits). */
    public static final int MAX_MINOR = 1_048_575;
    /** Default online-verify digest: fast and in every Ubuntu kernel. */
    public static final String DEFAULT_VERIFY_ALG = "crc32c";
    /** Default peer-authentication HMAC digest. */
    public static final String DEFAULT_CRAM_HMAC_ALG = "sha256";
    /**
     * Digests allowed for {@code verify-alg}. drbdadm does not check algorithm names (the kernel
     * does, at {@code up}), so the allowlist is what keeps a typo out of a node's config.
     */
    public static final List<String> VERIFY_ALGS = List.of("crc32c", "sha1", "sha256", "sha512");
    /** Digests allowed for {@code cram-hmac-alg}. */
    public static final List<String> CRAM_HMAC_ALGS = List.of("sha1", "sha256", "sha512");

    private static final Pattern RESOURCE_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,30}");
    /** /dev followed by path segments that cannot be "." or ".." and cannot start with '-'. */
    private static final Pattern BACKING_DISK =
        Pattern.compile("/dev(?:/[A-Za-z0-9_+][A-Za-z0-9_.+-]*)+");
    private static final int MAX_BACKING_DISK_LENGTH = 255;

    /** A spec with the default {@code verify-alg} and {@code cram-hmac-alg}. */
    public DrbdResourceSpec(
        String resourceName, int port, int minor, String backingDisk, List<DrbdNodeSpec> nodes) {
        this(resourceName, port, minor, backingDisk, nodes, DEFAULT_VERIFY_ALG, DEFAULT_CRAM_HMAC_ALG);
    }

    public DrbdResourceSpec {
        if (resourceName == null || !RESOURCE_NAME.matcher(resourceName).matches()
            || resourceName.equals("all")) {
            throw new IllegalArgumentException(
                "resourceName must match ^[a-z][a-z0-9_-]{0,30}$ and not be 'all' (drbdadm reads"
                    + " that as every resource), got " + show(resourceName));
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
        }
        if (minor < 0 || minor > MAX_MINOR) {
            throw new IllegalArgumentException(
                "minor must be between 0 and " + MAX_MINOR + ", got " + minor);
        }
        if (backingDisk == null || backingDisk.length() > MAX_BACKING_DISK_LENGTH
            || !BACKING_DISK.matcher(backingDisk).matches()) {
            throw new IllegalArgumentException(
                "backingDisk must be an absolute device path under /dev made of letters, digits"
                    + " and '_.+-' (e.g. /dev/drbdpool/r0), got " + show(backingDisk));
        }
        nodes = canonicalNodes(nodes);
        requireAllowed("verifyAlg", verifyAlg, VERIFY_ALGS);
        requireAllowed("cramHmacAlg", cramHmacAlg, CRAM_HMAC_ALGS);
    }

    /** The DRBD device path, {@code /dev/drbd<minor>}. */
    public String devicePath() {
        return "/dev/drbd" + minor;
    }

    private static List<DrbdNodeSpec> canonicalNodes(List<DrbdNodeSpec> nodes) {
        if (nodes == null || nodes.size() < MIN_NODES) {
            throw new IllegalArgumentException(String.format(
                "nodes must hold at least %d nodes for quorum majority, got %d",
                MIN_NODES, nodes == null ? 0 : nodes.size()));
        }
        List<DrbdNodeSpec> sorted = new ArrayList<>(nodes.size());
        for (DrbdNodeSpec node : nodes) {
            if (node == null) {
                throw new IllegalArgumentException("nodes must not contain null, got " + nodes);
            }
            sorted.add(node);
        }
        sorted.sort(Comparator.comparingInt(DrbdNodeSpec::nodeId));
        requireUnique("nodeId", sorted, node -> String.valueOf(node.nodeId()));
        requireUnique("address", sorted, DrbdNodeSpec::address);
        // DNS names are case-insensitive: two names that differ only in case are one host.
        requireUnique("hostname", sorted, node -> node.hostname().toLowerCase(Locale.ROOT));
        return List.copyOf(sorted);
    }

    private static void requireUnique(
        String field, List<DrbdNodeSpec> nodes, Function<DrbdNodeSpec, String> key) {
        Map<String, DrbdNodeSpec> seen = new HashMap<>();
        for (DrbdNodeSpec node : nodes) {
            DrbdNodeSpec first = seen.putIfAbsent(key.apply(node), node);
            if (first != null) {
                throw new IllegalArgumentException(String.format(
                    "every node needs a unique %s, but %s and %s share %s",
                    field, first, node, show(key.apply(node))));
            }
        }
    }

    private static void requireAllowed(String field, String value, List<String> allowed) {
        if (value == null || !allowed.contains(value)) {
            throw new IllegalArgumentException(
                field + " must be one of " + allowed + ", got " + show(value));
        }
    }

    /**
     * The votes a partition needs for quorum: more than half of the desired nodes, counting a node
     * and the peers it is connected to. Fixed by the desired membership, so it does not shrink while
     * a node's running config holds fewer peers (after forget-peer, before the new peers joined).
     */
    public int quorumVotes() {
        return nodes.size() / 2 + 1;
    }
}
