package dev.drbdmultiaz.rehearsal.lambda.crac;

import java.util.ArrayList;
import java.util.List;

/**
 * The global context and the one checkpoint-and-restore of a SnapStart version's init: every
 * registered hook's {@code beforeCheckpoint} in the reverse order of registration, then (the
 * snapshot, which the rehearsal does not take) every {@code afterRestore} in the order of
 * registration, as the Lambda developer guide orders them ("Runtime hook registration and
 * execution").
 */
public final class Core {

    private static final GlobalContext GLOBAL = new GlobalContext();

    private Core() {
    }

    public static Context<Resource> getGlobalContext() {
        return GLOBAL;
    }

    /** Runs the hooks; the first phase that fails throws with every hook's failure suppressed. */
    public static void checkpointRestore() throws CheckpointException, RestoreException {
        List<Resource> hooks = GLOBAL.registered();
        CheckpointException checkpoint = new CheckpointException();
        for (int i = hooks.size() - 1; i >= 0; i--) {
            try {
                hooks.get(i).beforeCheckpoint(GLOBAL);
            } catch (Exception e) {
                checkpoint.addSuppressed(e);
            }
        }
        if (checkpoint.getSuppressed().length > 0) {
            throw checkpoint;
        }
        RestoreException restore = new RestoreException();
        for (Resource hook : hooks) {
            try {
                hook.afterRestore(GLOBAL);
            } catch (Exception e) {
                restore.addSuppressed(e);
            }
        }
        if (restore.getSuppressed().length > 0) {
            throw restore;
        }
    }

    private static final class GlobalContext extends Context<Resource> {

        private final List<Resource> resources = new ArrayList<>();

        @Override
        public synchronized void register(Resource resource) {
            resources.add(resource);
        }

        synchronized List<Resource> registered() {
            return List.copyOf(resources);
        }

        @Override
        public void beforeCheckpoint(Context<? extends Resource> context) {
            throw new UnsupportedOperationException("The global context is driven by Core.checkpointRestore");
        }

        @Override
        public void afterRestore(Context<? extends Resource> context) {
            throw new UnsupportedOperationException("The global context is driven by Core.checkpointRestore");
        }
    }
}
