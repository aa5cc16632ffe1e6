package dev.drbdmultiaz.functions.common;

import dev.drbdmultiaz.functions.common.exceptions.AwsRequestFailedException;
import dev.drbdmultiaz.functions.common.exceptions.RetryableException;
import dev.drbdmultiaz.functions.common.exceptions.TerminalException;
import dev.drbdmultiaz.functions.common.exceptions.TransientAwsException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Sorts SDK failures into the two exception families the state machine knows. */
public final class AwsErrors {

    private AwsErrors() {
    }

    /** {@link TransientAwsException} for throttling, 5xx and network errors, else terminal. */
    public static RuntimeException translate(SdkException e) {
        if (e instanceof AwsServiceException service) {
            String code = errorCode(service);
            String message = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorMessage();
            String what = String.format("%s call failed with HTTP %d%s%s", serviceName(service),
                service.statusCode(), code.isEmpty() ? "" : " " + code,
                message == null || message.isBlank() ? "" : ": " + message);
            if (service.isThrottlingException() || service.statusCode() >= 500 || service.retryable()) {
                return new TransientAwsException(what, e);
            }
            return new AwsRequestFailedException(what, e);
        }
        if (e instanceof SdkClientException || e.retryable()) {
            return new TransientAwsException("AWS call failed before an answer: " + e.getMessage(), e);
        }
        return new AwsRequestFailedException("AWS call failed: " + e.getMessage(), e);
    }

    /** Whether {@code e} belongs to one of the two families already. */
    public static boolean isTyped(Throwable e) {
        return e instanceof RetryableException || e instanceof TerminalException;
    }

    /** The AWS error code of {@code e}, or an empty string. */
    public static String errorCode(AwsServiceException e) {
        return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null
            ? "" : e.awsErrorDetails().errorCode();
    }

    private static String serviceName(AwsServiceException e) {
        return e.awsErrorDetails() == null || e.awsErrorDetails().serviceName() == null
            ? "AWS" : e.awsErrorDetails().serviceName();
    }
}
