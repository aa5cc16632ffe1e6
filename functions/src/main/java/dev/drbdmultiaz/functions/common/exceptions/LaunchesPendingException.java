package dev.drbdmultiaz.functions.common.exceptions;

/**
 * A deploy's run found the group listing fewer instances than its desired capacity: the instances
 * of a capacity increase (or a replacement) are not listed yet. DescribeCluster is retried until
 * they are, so {@code cdk deploy} answers only once they joined; if they never are (EC2 has no
 * capacity), the deploy fails with this message. Neither retryable everywhere nor terminal: only
 * DescribeCluster's own retrier retries it (about 9 minutes), then it is caught like a terminal error.
 */
public final class LaunchesPendingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LaunchesPendingException(String message) {
        super(message);
    }
}
