package dev.drbdmultiaz.rehearsal.support;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * application/x-www-form-urlencoded, as the AWS query protocols (EC2, Auto Scaling) send their
 * bodies and as Lambda's Invoke API reads its query string.
 */
public final class FormEncoding {

    private FormEncoding() {
    }

    /** The pairs of {@code encoded} in order; a name without {@code =} has the empty value; null is none. */
    public static Map<String, String> decode(String encoded) {
        Map<String, String> values = new LinkedHashMap<>();
        if (encoded == null) {
            return values;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            values.put(key, value);
        }
        return values;
    }
}
