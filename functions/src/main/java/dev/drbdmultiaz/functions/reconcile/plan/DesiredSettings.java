package dev.drbdmultiaz.functions.reconcile.plan;

import dev.drbdmultiaz.functions.common.Backoff;
import java.util.List;
import java.util.Objects;

/**
 * What the cluster should look like apart from its members, and the bounds of the workflow.
 *
 * @param resourceName DRBD resource name
 * @param port DRBD TCP port
 * @param minor DRBD device minor
 * @param volumeGroup LVM volume group on the data disk
 * @param thinPool thin pool in it
 * @param logicalVolume thin LV that backs DRBD
 * @param maxPeers {@code create-md --max-peers}
 * @param secretId ARN of the Secrets Manager secret the node reads (never its value)
 * @param verifyAlg DRBD verify-alg
 * @param cramHmacAlg DRBD cram-hmac-alg
 * @param documents SSM document names
 * @param connectWaitMaxAttempts WaitForConnections rounds before giving up
 * @param maxMutatingRounds mutating commands in one execution before giving up
 * @param waitTimeScale factor on every wait: POLL_SECONDS / 5 (1 in AWS; the rehearsal shrinks waits)
 * @param maxResyncHours MAX_RESYNC_HOURS: how long one run waits for a joining member's resync
 * @param dataVolumeGiB DATA_VOLUME_GIB: the data volume size the launch template asks for
 */
public record DesiredSettings(
    String resourceName,
    int port,
    int minor,
    String volumeGroup,
    String thinPool,
    String logicalVolume,
    int maxPeers,
    String secretId,
    String verifyAlg,
    String cramHmacAlg,
    SsmDocuments documents,
    int connectWaitMaxAttempts,
    int maxMutatingRounds,
    double waitTimeScale,
    int maxResyncHours,
    int dataVolumeGiB) {

    /** WaitForCommand poll interval before scaling. */
    public static final int POLL_SECONDS = 5;
    /**
     * The waits for a resync, AWS seconds: soon for a small volume, then every 10 minutes for one
     * that takes hours (a third of the shortest hook timeout at most, so the heartbeats PlanNextStep
     * schedules between the waits keep the joining member's launch action alive).
     */
    static final Backoff RESYNC = new Backoff(List.of(15, 30, 60, 120, 300, 600));

    public DesiredSettings {
        Objects.requireNonNull(resourceName, "resourceName");
        Objects.requireNonNull(volumeGroup, "volumeGroup");
        Objects.requireNonNull(thinPool, "thinPool");
        Objects.requireNonNull(logicalVolume, "logicalVolume");
        Objects.requireNonNull(secretId, "secretId");
        Objects.requireNonNull(verifyAlg, "verifyAlg");
        Objects.requireNonNull(cramHmacAlg, "cramHmacAlg");
        Objects.requireNonNull(documents, "documents");
        if (connectWaitMaxAttempts < 1) {
            throw new IllegalArgumentException("connectWaitMaxAttempts must be >= 1, got " + connectWaitMaxAttempts);
        }
        if (maxMutatingRounds < 1) {
            throw new IllegalArgumentException("maxMutatingRounds must be >= 1, got " + maxMutatingRounds);
        }
        if (!(waitTimeScale > 0)) {
            throw new IllegalArgumentException("waitTimeScale must be > 0, got " + waitTimeScale);
        }
        if (maxResyncHours < 1) {
            throw new IllegalArgumentException("maxResyncHours must be >= 1, got " + maxResyncHours);
        }
    }

    /** The thin LV's device path, DRBD's backing disk. */
    public String backingDisk() {
        return "/dev/" + volumeGroup + "/" + logicalVolume;
    }

    /** {@code seconds} scaled, at least 1. */
    public int scaled(int seconds) {
        return Math.max(1, (int) Math.round(seconds * waitTimeScale));
    }

    /** Wait before observation number {@code attempt + 1} in WaitForConnections. */
    public int connectBackoffSeconds(int attempt) {
        return Backoff.CHECKS.seconds(attempt + 1, waitTimeScale);
    }

    /** Wait before resync observation number {@code attempt + 1} in WaitForResync. */
    public int resyncBackoffSeconds(int attempt) {
        return RESYNC.seconds(attempt + 1, waitTimeScale);
    }

    /** AWS seconds waited in the first {@code attempts} resync waits (unscaled, as the bound is). */
    public long resyncWaitedSeconds(int attempts) {
        long waited = 0;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            waited += RESYNC.seconds(attempt, 1.0);
        }
        return waited;
    }

    /** WaitForCommand's poll interval. */
    public int pollSeconds() {
        return scaled(POLL_SECONDS);
    }
}
