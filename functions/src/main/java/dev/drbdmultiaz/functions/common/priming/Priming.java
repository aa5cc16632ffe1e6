package dev.drbdmultiaz.functions.common.priming;

import dev.drbdmultiaz.functions.common.Env;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.crac.Core;

/**
 * Registers a function's priming with the CRaC global context, from the handler's production
 * (no-arg) constructor: Lambda runs {@code beforeCheckpoint} when it publishes a SnapStart
 * version, before the snapshot ("Lambda SnapStart runtime hooks for Java", Lambda developer
 * guide). Without a CRaC implementation (a plain JVM, tests) registering does nothing.
 */
public final class Priming {

    /* org.crac holds a registered resource only weakly: these strong references keep it alive. */
    private static final List<PrimingResource> REGISTERED = new CopyOnWriteArrayList<>();

    private Priming() {
    }

    /**
     * The reads this function's role allows, bound to the environment at the checkpoint, plus one
     * Jackson round trip of a state document; no request for a function without AWS calls.
     */
    public static void register(PrimingRequest... requests) {
        List<PrimingRequest> reads = List.of(requests);
        Env env = Env.system();
        PrimingResource resource = new PrimingResource(() -> reads.stream().map(r -> r.bind(env)).toList());
        REGISTERED.add(resource);
        Core.getGlobalContext().register(resource);
    }
}
