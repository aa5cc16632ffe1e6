package dev.drbdmultiaz.model;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The settings of a cluster that the construct validates, writes into the functions' environment
 * (under the constant's name) and the functions read back: each limit and default is defined
 * here once. Where a setting is also a node document's parameter, its limit is that parameter's
 * allowedPattern (a test holds the documents to it), so a value the construct accepts is never
 * refused at SendCommand time.
 */
public enum ReconcileSetting {
    /** DRBD resource name; drbdadm takes it on the command line of every document. */
    RESOURCE_NAME(text("[a-z][a-z0-9_-]{0,30}", "a lower-case letter, then up to 30 of a-z 0-9 _ -"), "r0",
        "ResourceName"),
    DRBD_PORT(range(1024, 65_535), "7789", null),
    /** Replica nodes: odd, so that a majority (DRBD quorum) survives one AZ; the group's size, not the functions'. */
    NODE_COUNT(oddRange(3, 15), "3", null, ReadBack.CONSTRUCT_ONLY),
    /** {@code create-md --max-peers}; DRBD 9 allows 1..31 peers per volume. */
    MAX_PEERS(range(1, 31), null, "MaxPeers"),
    VOLUME_GROUP(lvmName(), "drbdpool", "VolumeGroup"),
    THIN_POOL(lvmName(), "thinpool", "ThinPool"),
    LOGICAL_VOLUME(lvmName(), "r0data", "LogicalVolume"),
    /** WaitForCommand's poll interval; every other wait of the workflow scales with it. */
    POLL_SECONDS(range(1, 300), "5", null),
    AGENT_WAIT_MAX_ATTEMPTS(range(1, 1000), "60", null),
    /** Auto Scaling's HeartbeatTimeout range. */
    LIFECYCLE_HOOK_TIMEOUT_SECONDS(range(30, 7200), "3600", null),
    CONNECT_WAIT_MAX_ATTEMPTS(range(1, 1000), "30", null),
    /** 0: never evict; at most a week. */
    EVICT_AFTER_SECONDS(range(0, 7 * 24 * 3600), "3600", null),
    /**
     * How long one run waits for a joining member's resync before it gives up on it (ABANDON). A
     * lifecycle action ends at its global timeout however often it is heartbeated (Auto Scaling API
     * reference, LifecycleHook.GlobalTimeout: "The maximum is 172800 seconds (48 hours) or 100 times
     * HeartbeatTimeout, whichever is smaller"); with the shortest hook timeout the stack accepts
     * (2400 s) that is still 48 hours, of which one is left for the steps before the resync.
     */
    MAX_RESYNC_HOURS(range(1, 47), "24", null),
    /**
     * Each member's data volume (GiB; gp3 allows 1..16384, and the thin pool, its metadata and
     * DRBD's own need room): the planner refuses a value below what the members' data already
     * holds, since a DRBD resource cannot shrink below its size.
     */
    DATA_VOLUME_GIB(range(20, 16_384), "100", null);

    /**
     * The shortest lifecycle hook timeout the stack accepts (AWS seconds): the longest a node step
     * can take, SendCommand's delivery timeout (600 s) plus the longest document execution timeout
     * (drbd-install, 1800 s). Heartbeats are recorded between steps, so a shorter hook could expire
     * during one step.
     */
    public static final int MIN_AWS_LIFECYCLE_HOOK_TIMEOUT_SECONDS = 2400;

    private final Limit limit;
    private final String defaultValue;
    private final String documentParameter;
    private final ReadBack readBack;

    ReconcileSetting(Limit limit, String defaultValue, String documentParameter) {
        this(limit, defaultValue, documentParameter, ReadBack.FUNCTIONS);
    }

    ReconcileSetting(Limit limit, String defaultValue, String documentParameter, ReadBack readBack) {
        this.limit = limit;
        this.defaultValue = defaultValue;
        this.documentParameter = documentParameter;
        this.readBack = readBack;
    }

    /** Whether the construct hands it to the functions in {@link #environmentVariable()}. */
    public boolean inEnvironment() {
        return readBack == ReadBack.FUNCTIONS;
    }

    /** The environment variable that carries it to the functions. */
    public String environmentVariable() {
        return name();
    }

    /** The value when none is given; empty where it has to be given or is derived. */
    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /** The default as a number; fails for a setting without one. */
    public int defaultInt() {
        return Integer.parseInt(defaultValue().orElseThrow(() -> new IllegalStateException(this + " has no default")));
    }

    /** The node documents' parameter that takes this value, if any. */
    public Optional<String> documentParameter() {
        return Optional.ofNullable(documentParameter);
    }

    /** What a valid value is, for messages: "1..31", or the pattern and its meaning. */
    public String describe() {
        return limit.describe();
    }

    /** Whether {@code value} is valid. */
    public boolean accepts(String value) {
        return value != null && limit.accepts(value);
    }

    /** Whether the number {@code value} is valid. */
    public boolean accepts(long value) {
        return accepts(Long.toString(value));
    }

    /**
     * {@code value} if valid, else an {@link IllegalArgumentException} naming {@code what} (the
     * prop, context key or variable the value came from), the value and the limit.
     */
    public String require(String what, String value) {
        if (!accepts(value)) {
            throw new IllegalArgumentException(what + " must be " + describe() + ", got "
                + (value == null ? "nothing" : "'" + value + "'"));
        }
        return value;
    }

    /** The number {@code value} if valid, else as {@link #require(String, String)}. */
    public int requireInt(String what, long value) {
        return Integer.parseInt(require(what, Long.toString(value)));
    }

    /** The valid value of this setting's variable in {@code environment}, or its default. */
    public String read(Function<String, String> environment) {
        String value = environment.apply(environmentVariable());
        if (value == null || value.isEmpty()) {
            if (defaultValue == null) {
                throw new IllegalArgumentException("Missing environment variable " + environmentVariable()
                    + " (" + describe() + ")");
            }
            return defaultValue;
        }
        return require("Environment variable " + environmentVariable(), value);
    }

    /** {@link #read} as a number. */
    public int readInt(Function<String, String> environment) {
        return Integer.parseInt(read(environment));
    }

    private static Limit range(long min, long max) {
        return new Limit(null, min, max, false, min + ".." + max);
    }

    private static Limit oddRange(long min, long max) {
        return new Limit(null, min, max, true, "an odd number " + min + ".." + max);
    }

    private static Limit text(String pattern, String meaning) {
        return new Limit(Pattern.compile(pattern), 0, 0, false, meaning + " (" + pattern + ")");
    }

    private static Limit lvmName() {
        return text("[A-Za-z][A-Za-z0-9_-]{0,62}", "an LVM name: a letter, then up to 62 of A-Z a-z 0-9 _ -");
    }

    /** Who reads a setting after the construct validated it. */
    private enum ReadBack {
        /** The functions, from their environment. */
        FUNCTIONS,
        /** Nobody: the construct alone uses it. */
        CONSTRUCT_ONLY
    }

    /** A pattern, or a whole-number range (odd numbers only, if so) written in plain decimal. */
    private record Limit(Pattern pattern, long min, long max, boolean odd, String description) {

        private static final Pattern DECIMAL = Pattern.compile("0|-?[1-9][0-9]{0,17}");

        Limit {
            Objects.requireNonNull(description, "description");
        }

        boolean accepts(String value) {
            if (pattern != null) {
                return pattern.matcher(value).matches();
            }
            if (!DECIMAL.matcher(value).matches()) {
                return false;
            }
            long number = Long.parseLong(value);
            return number >= min && number <= max && (!odd || number % 2 != 0);
        }

        String describe() {
            return description;
        }
    }
}
