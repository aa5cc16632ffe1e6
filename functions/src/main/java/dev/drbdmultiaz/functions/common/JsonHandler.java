package dev.drbdmultiaz.functions.common;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JacksonException;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The thin shell of every handler: JSON in → input record → {@link #handle} → output record →
 * JSON out. SDK failures leave as {@link dev.drbdmultiaz.functions.common.exceptions.TransientAwsException}
 * or {@link dev.drbdmultiaz.functions.common.exceptions.AwsRequestFailedException}, so the state
 * machine can retry or catch them by name.
 *
 * @param <I> the input record (or {@code JsonNode} when the handler validates a foreign event)
 * @param <O> the output record
 */
public abstract class JsonHandler<I, O> implements RequestStreamHandler {

    private static final StructuredLog LOG = StructuredLog.of(JsonHandler.class);

    private final Class<I> inputType;

    protected JsonHandler(Class<I> inputType) {
        this.inputType = Objects.requireNonNull(inputType, "inputType");
    }

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context)
        throws IOException {
        byte[] bytes = input.readAllBytes();
        I request = parse(bytes);
        O response;
        try {
            response = handle(request);
        } catch (SdkException e) {
            RuntimeException typed = AwsErrors.translate(e);
            logFailure(typed);
            throw typed;
        } catch (RuntimeException e) {
            logFailure(e);
            throw e;
        }
        output.write(Json.write(response).getBytes(StandardCharsets.UTF_8));
        output.flush();
    }

    /** Runs the task; SDK exceptions may escape, the shell translates them. */
    protected abstract O handle(I input);

    /** The exception for input that is not JSON or does not map to the input record. */
    protected RuntimeException invalidInput(String message, Exception cause) {
        return new InvalidStateDocumentException(message, cause);
    }

    private I parse(byte[] bytes) {
        if (bytes.length == 0) {
            throw invalidInput(getClass().getSimpleName() + " received an empty input; it expects a JSON object", null);
        }
        try {
            I request = Json.mapper().readValue(bytes, inputType);
            if (request == null) {
                throw invalidInput(getClass().getSimpleName() + " received JSON null; it expects a JSON object", null);
            }
            return request;
        } catch (JacksonException e) {
            throw invalidInput(getClass().getSimpleName() + " received input that is not the expected JSON: "
                + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw invalidInput(getClass().getSimpleName() + " could not read its input: " + e.getMessage(), e);
        }
    }

    private void logFailure(RuntimeException e) {
        LOG.error("Failed task", "handler", getClass().getSimpleName(),
            "errorType", e.getClass().getName(), "errorMessage", e.getMessage());
    }
}
