package dev.drbdmultiaz.rehearsal.nodes;

import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/**
 * Delivery retries drawn at SendCommand: some invocations report Delayed before they start even
 * though the agent is online, as when SSM's first delivery attempt fails and it tries again
 * (StatusDetails Delayed: "The system will try to send the command again"). Off until
 * {@link #set} turns it on.
 */
final class DeliveryRetries {

    private final CompressedTime time;
    private Random draws;
    private double probability;
    private Duration delay = Duration.ZERO;

    DeliveryRetries(CompressedTime time) {
        this.time = time;
    }

    /** See {@link SsmEmulator#setDeliveryDelays}. */
    synchronized void set(long seed, double probability, Duration delay) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("probability must be in [0, 1], got " + probability);
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        this.draws = new Random(seed);
        this.probability = probability;
        this.delay = delay;
    }

    /** When a delivery retry drawn for a new invocation ends, or null. */
    synchronized Instant until(Instant requestedAt) {
        if (draws == null || probability == 0 || draws.nextDouble() >= probability) {
            return null;
        }
        return requestedAt.plus(time.scaled(delay));
    }
}
