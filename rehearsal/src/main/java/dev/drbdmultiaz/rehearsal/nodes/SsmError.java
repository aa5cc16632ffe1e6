package dev.drbdmultiaz.rehearsal.nodes;

/** An error answer of the SSM API: its {@code __type} code and message. */
final class SsmError extends RuntimeException {

    private final String code;

    SsmError(String code, String message) {
        super(message);
        this.code = code;
    }

    String code() {
        return code;
    }
}
