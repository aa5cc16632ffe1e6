import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Benchmark runner: in a fresh JVM, instantiates a handler by its no-arg constructor (as the
 * Lambda runtime does), handles one event, prints the wall-clock epoch millis right after the
 * first event (the caller subtracts its own launch time), then handles the same event again and
 * prints that warm invocation's duration.
 * Output: "first=<epochMillis> warmMicros=<n> bytes=<response length>".
 * Usage: java -cp JAR:DIR ColdRun HANDLER_CLASS EVENT_JSON
 */
public final class ColdRun {

    private ColdRun() {
    }

    public static void main(String[] args) throws Exception {
        byte[] event = args[1].getBytes(StandardCharsets.UTF_8);
        RequestStreamHandler handler = (RequestStreamHandler) Class.forName(args[0])
            .getDeclaredConstructor().newInstance();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        long first = System.currentTimeMillis();
        int firstBytes = out.size();
        out.reset();
        long start = System.nanoTime();
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        long warmMicros = (System.nanoTime() - start) / 1000;
        System.out.println("BENCH first=" + first + " warmMicros=" + warmMicros + " bytes=" + firstBytes
            + " response=" + out.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " "));
    }
}
