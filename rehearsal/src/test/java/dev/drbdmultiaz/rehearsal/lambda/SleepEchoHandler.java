package dev.drbdmultiaz.rehearsal.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test function for the rehearsal's Lambda service: sleeps {@code sleepMillis} of its input
 * (none when absent), then answers {@code {"echo": <input>}}.
 */
public final class SleepEchoHandler implements RequestStreamHandler {

    private static final Pattern SLEEP = Pattern.compile("\"sleepMillis\"\\s*:\\s*(\\d+)");

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String event = new String(input.readAllBytes(), StandardCharsets.UTF_8);
        Matcher sleep = SLEEP.matcher(event);
        if (sleep.find()) {
            try {
                Thread.sleep(Long.parseLong(sleep.group(1)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        output.write(("{\"echo\":" + (event.isBlank() ? "null" : event) + "}").getBytes(StandardCharsets.UTF_8));
    }
}
