package dev.drbdmultiaz.functions.common.priming;

import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.crac.Context;
import org.crac.Resource;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * The runtime hook of one function. {@code beforeCheckpoint} makes each primer's read and one
 * Jackson round trip of a representative state document; it takes no lock and writes nothing.
 * A failing request is logged, never thrown: the snapshot is then only less warm, while an
 * exception would fail the version's publication. {@code afterRestore} has nothing to rebuild:
 * the priming connections were closed before the snapshot, and the credentials providers
 * refresh by expiry time, which the restored clock reads afresh.
 */
public final class PrimingResource implements Resource {

    private static final StructuredLog LOG = StructuredLog.of(PrimingResource.class);
    static final String STATE_DOCUMENT = "reconcile-state.json";

    private final Supplier<List<Primer>> primers;

    PrimingResource(Supplier<List<Primer>> primers) {
        this.primers = Objects.requireNonNull(primers, "primers");
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        List<Primer> bound;
        try {
            bound = primers.get();
        } catch (RuntimeException e) {
            LOG.warn("Failed to bind priming requests", "errorType", e.getClass().getName(),
                "errorMessage", e.getMessage());
            bound = List.of();
        }
        bound.forEach(PrimingResource::prime);
        roundTripStateDocument();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to restore: see the class comment.
    }

    private static void prime(Primer primer) {
        long start = System.nanoTime();
        try {
            primer.request().run();
            LOG.info("Primed SDK client", "action", primer.action(), "millis", millisSince(start));
        } catch (AwsServiceException e) {
            // The service answered: the request path is primed, the answer (e.g. not found) is expected.
            LOG.info("Primed SDK client", "action", primer.action(), "millis", millisSince(start),
                "answer", e.awsErrorDetails() == null ? e.getClass().getSimpleName() : e.awsErrorDetails().errorCode());
        } catch (RuntimeException e) {
            LOG.warn("Failed priming request", "action", primer.action(), "millis", millisSince(start),
                "errorType", e.getClass().getName(), "errorMessage", e.getMessage());
        }
    }

    /** Reads the state document into its records and writes it again, as every task does per event. */
    static String roundTripStateDocument() {
        long start = System.nanoTime();
        try (InputStream in = PrimingResource.class.getResourceAsStream(STATE_DOCUMENT)) {
            if (in == null) {
                throw new IOException(STATE_DOCUMENT + " is not on the classpath");
            }
            String written = Json.write(Json.mapper().readValue(in, ReconcileState.class));
            LOG.info("Primed JSON mapping", "type", ReconcileState.class.getSimpleName(), "millis", millisSince(start));
            return written;
        } catch (IOException | RuntimeException e) {
            LOG.warn("Failed JSON priming", "errorType", e.getClass().getName(), "errorMessage", e.getMessage());
            return null;
        }
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
