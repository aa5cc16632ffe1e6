package dev.drbdmultiaz.rehearsal.lambda;

/** An error of the Lambda API itself (not of a function). */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    ApiError(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }
}
