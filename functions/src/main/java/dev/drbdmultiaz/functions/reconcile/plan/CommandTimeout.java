package dev.drbdmultiaz.functions.reconcile.plan;

import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.model.ReconcileSetting;
import dev.drbdmultiaz.model.Step;

/**
 * How long RunNodeStep waits for its command's completion event before it falls back to polling
 * once (its {@code TimeoutSecondsPath}): the document's own execution timeout plus a minute for
 * delivery (CheckAgentsOnline saw every agent online just before), but never more than a third of
 * the shortest lifecycle hook timeout, because lifecycle heartbeats are recorded only between
 * steps and in the polling fallback: a heartbeat due while the task waits is then late by at most
 * that third, well inside the hook's timeout.
 */
public final class CommandTimeout {

    static final int DELIVERY_ALLOWANCE_SECONDS = 60;
    static final int LONGEST_WAIT_SECONDS = ReconcileSetting.MIN_AWS_LIFECYCLE_HOOK_TIMEOUT_SECONDS / 3;

    private CommandTimeout() {
    }

    /** The timeout of {@code step}, times {@code waitTimeScale} like every other wait; 0 without a document. */
    public static int seconds(Step step, double waitTimeScale) {
        return step.document().map(document -> scaled(awsSeconds(document), waitTimeScale)).orElse(0);
    }

    static int awsSeconds(NodeDocument document) {
        return Math.min(document.executionTimeoutSeconds() + DELIVERY_ALLOWANCE_SECONDS, LONGEST_WAIT_SECONDS);
    }

    private static int scaled(int seconds, double waitTimeScale) {
        return Math.max(1, (int) Math.ceil(seconds * waitTimeScale));
    }
}
