package dev.drbdmultiaz.functions.common;

/** Execution ARNs of a standard state machine, built as StartExecution gives them. */
public final class ExecutionArns {

    private ExecutionArns() {
    }

    /** {@code arn:…:execution:<state machine name>:<name>} for {@code arn:…:stateMachine:<state machine name>}. */
    public static String of(String stateMachineArn, String name) {
        return stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + name;
    }
}
