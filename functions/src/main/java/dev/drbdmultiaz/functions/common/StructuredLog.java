package dev.drbdmultiaz.functions.common;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Collection;

/**
 * One JSON object per line on stdout: {@code timestamp}, {@code level}, {@code logger},
 * {@code message} and key=value fields such as {@code executionArn} and {@code instanceId}.
 * Lambda's JSON log format passes such lines through as they are, so CloudWatch Logs Insights can
 * filter on every field.
 *
 * <p>Messages start with a capital letter, use the past tense and name the object type
 * ("Acquired cluster lock"). Never pass a secret or a config text as a field.
 */
public final class StructuredLog {

    private static volatile PrintStream out = System.out;
    private static volatile Clock clock = Clock.systemUTC();

    private final String logger;

    private StructuredLog(String logger) {
        this.logger = logger;
    }

    /** A logger named after {@code type}'s simple name. */
    public static StructuredLog of(Class<?> type) {
        return new StructuredLog(type.getSimpleName());
    }

    /** Redirects every logger (tests). */
    public static void redirect(PrintStream stream, Clock time) {
        out = stream;
        clock = time;
    }

    public void info(String message, Object... fields) {
        write("INFO", message, fields);
    }

    public void warn(String message, Object... fields) {
        write("WARN", message, fields);
    }

    public void error(String message, Object... fields) {
        write("ERROR", message, fields);
    }

    private void write(String level, String message, Object... fields) {
        if (fields.length % 2 != 0) {
            throw new IllegalArgumentException("Log fields must be key, value pairs: " + message);
        }
        ObjectNode line = Json.mapper().createObjectNode();
        line.put("timestamp", clock.instant().toString());
        line.put("level", level);
        line.put("logger", logger);
        line.put("message", message);
        for (int i = 0; i < fields.length; i += 2) {
            String key = String.valueOf(fields[i]);
            Object value = fields[i + 1];
            if (value == null) {
                continue;
            }
            if (value instanceof Number || value instanceof Boolean || value instanceof Collection<?>
                || value instanceof java.util.Map<?, ?>) {
                line.set(key, Json.mapper().valueToTree(value));
            } else {
                line.put(key, String.valueOf(value));
            }
        }
        out.println(Json.write(line));
    }
}
