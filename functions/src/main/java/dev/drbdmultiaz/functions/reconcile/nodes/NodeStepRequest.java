package dev.drbdmultiaz.functions.reconcile.nodes;

import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;

/**
 * The payload RunNodeStep hands SendNodeCommand ({@code lambda:invoke.waitForTaskToken}).
 *
 * @param taskToken {@code $$.Task.Token}: the completion reports the step's result to it
 * @param step {@code $.plan.step}, also shown in the console's task input
 * @param state the whole state document
 */
public record NodeStepRequest(String taskToken, String step, ReconcileState state) {
}
