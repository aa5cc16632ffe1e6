package dev.drbdmultiaz.rehearsal.nodes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A command's Status and StatusDetails from its invocations', as ListCommands and the "EC2 Command
 * Status-change Notification" report them (Command.StatusDetails in the SSM API reference,
 * "Understanding command statuses"): Pending until one invocation leaves Pending; In Progress "has
 * been sent to at least one managed node but hasn't reached a final state on all managed nodes";
 * terminal only when every invocation is. With MaxErrors 0 (what SendCommand here answers): any
 * Failed or Execution Timed Out invocation makes it Failed (TimedOut / Execution Timed Out when all
 * errors are execution timeouts); else a Delivery Timed Out one makes it TimedOut / Delivery Timed
 * Out; Cancelled makes it Cancelled; Undeliverable invocations (a node gone before delivery) "don't
 * count against the parent command's MaxErrors limit and don't contribute to whether the parent
 * command status is Success", so a command whose other invocations succeeded is Success: the
 * harsher reading for a caller, which must look at each invocation.
 *
 * @param status CommandStatus: Pending, InProgress, Success, Failed, TimedOut, Cancelled
 * @param details StatusDetails
 * @param completed invocations in a terminal status (CompletedCount)
 * @param errors Failed or Execution Timed Out invocations (ErrorCount)
 * @param deliveryTimedOut DeliveryTimedOutCount
 */
record CommandStatus(String status, String details, int completed, int errors, int deliveryTimedOut) {

    boolean terminal() {
        return !status.equals("Pending") && !status.equals("InProgress");
    }

    /** The command's status now, reading each invocation under its own lock (one at a time). */
    static CommandStatus of(SsmCommand command) {
        List<String[]> each = new ArrayList<>();
        for (SsmInvocation invocation : command.invocations.values()) {
            synchronized (invocation) {
                each.add(new String[] {invocation.status, invocation.statusDetails});
            }
        }
        return of(each);
    }

    /** The status of a command whose invocations have these {Status, StatusDetails}. */
    static CommandStatus of(Collection<String[]> each) {
        int completed = 0;
        int failed = 0;
        int executionTimedOut = 0;
        int deliveryTimedOut = 0;
        int cancelled = 0;
        boolean allPending = true;
        for (String[] s : each) {
            allPending &= s[0].equals("Pending");
            if (SsmInvocation.TERMINAL.contains(s[0])) {
                completed++;
            }
            if (s[0].equals("Failed") && !s[1].equals("Undeliverable")) {
                failed++;
            } else if (s[1].equals("Execution Timed Out")) {
                executionTimedOut++;
            } else if (s[1].equals("Delivery Timed Out")) {
                deliveryTimedOut++;
            } else if (s[0].equals("Cancelled")) {
                cancelled++;
            }
        }
        int errors = failed + executionTimedOut;
        if (completed < each.size()) {
            return allPending ? new CommandStatus("Pending", "Pending", completed, errors, deliveryTimedOut)
                : new CommandStatus("InProgress", "In Progress", completed, errors, deliveryTimedOut);
        }
        if (cancelled > 0) {
            return new CommandStatus("Cancelled", "Cancelled", completed, errors, deliveryTimedOut);
        }
        if (failed > 0) {
            return new CommandStatus("Failed", "Failed", completed, errors, deliveryTimedOut);
        }
        if (executionTimedOut > 0) {
            return new CommandStatus("TimedOut", "Execution Timed Out", completed, errors, deliveryTimedOut);
        }
        if (deliveryTimedOut > 0) {
            return new CommandStatus("TimedOut", "Delivery Timed Out", completed, errors, deliveryTimedOut);
        }
        return new CommandStatus("Success", "Success", completed, errors, deliveryTimedOut);
    }
}
