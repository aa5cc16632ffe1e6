package dev.drbdmultiaz.rehearsal.aws;

import com.sun.net.httpserver.Headers;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The emulated IAM of the rehearsal: it issues temporary credentials (access key id, secret,
 * session token, expiration) to each principal, as STS does for a Lambda function's execution
 * role, and every emulated endpoint asks it whether a request carries one of them, unexpired.
 *
 * <p>A request is accepted only when the SigV4 {@code Authorization} header names an access key
 * this authority issued, {@code X-Amz-Security-Token} is that key's session token, and the key
 * has not expired. So a handler that signs with anything else (the static keys of a developer
 * machine, or access-key variables Lambda does not give a SnapStart function) is refused exactly
 * as AWS refuses it. Signatures are not recomputed: the identity, not the HMAC, is what the
 * rehearsal checks.
 */
public final class CredentialAuthority {

    /** How long issued credentials live, like the role sessions Lambda hands out (harsher: short). */
    public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(15);

    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([A-Z0-9]+)/");
    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private final Map<String, Issued> byAccessKey = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    public CredentialAuthority(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public CredentialAuthority() {
        this(Clock.systemUTC());
    }

    /**
     * Temporary credentials of one principal.
     *
     * @param principal who they belong to (a function name, "states.amazonaws.com", ...)
     * @param accessKeyId ASIA… like STS session keys
     * @param secretAccessKey the secret
     * @param sessionToken the session token
     * @param expiration when they stop working
     */
    public record Issued(String principal, String accessKeyId, String secretAccessKey, String sessionToken,
        Instant expiration) {
    }

    /** Why a request is refused, in the terms AWS uses (the front renders it in its protocol). */
    public enum Rejection {
        MISSING("MissingAuthenticationToken", "Missing Authentication Token"),
        UNRECOGNIZED("UnrecognizedClient", "The security token included in the request is invalid."),
        EXPIRED("ExpiredToken", "The security token included in the request is expired");

        private final String code;
        private final String message;

        Rejection(String code, String message) {
            this.code = code;
            this.message = message;
        }

        /** The error code stem: JSON protocols append {@code Exception}, the Query protocol does not. */
        public String code() {
            return code;
        }

        public String message() {
            return message;
        }
    }

    /** New credentials for {@code principal}, valid for {@code lifetime}. */
    public Issued issue(String principal, Duration lifetime) {
        Issued issued = new Issued(principal, "ASIA" + token(16), token(40), token(120),
            clock.instant().plus(lifetime));
        byAccessKey.put(issued.accessKeyId(), issued);
        return issued;
    }

    /** New credentials for {@code principal}, valid for {@link #DEFAULT_LIFETIME}. */
    public Issued issue(String principal) {
        return issue(principal, DEFAULT_LIFETIME);
    }

    /** Why the request must be refused, or empty when it carries valid issued credentials. */
    public Optional<Rejection> check(Headers headers) {
        return check(headers.getFirst("Authorization"), headers.getFirst("X-Amz-Security-Token"));
    }

    /** {@link #check(Headers)} on the two header values. */
    public Optional<Rejection> check(String authorization, String securityToken) {
        if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256 ")) {
            return Optional.of(Rejection.MISSING);
        }
        Matcher m = CREDENTIAL.matcher(authorization);
        Issued issued = m.find() ? byAccessKey.get(m.group(1)) : null;
        if (issued == null || !issued.sessionToken().equals(securityToken)) {
            return Optional.of(Rejection.UNRECOGNIZED);
        }
        if (!clock.instant().isBefore(issued.expiration())) {
            return Optional.of(Rejection.EXPIRED);
        }
        return Optional.empty();
    }

    /** The principal a valid request is signed for, or empty. */
    public Optional<String> principal(Headers headers) {
        if (check(headers).isPresent()) {
            return Optional.empty();
        }
        Matcher m = CREDENTIAL.matcher(headers.getFirst("Authorization"));
        return m.find() ? Optional.of(byAccessKey.get(m.group(1)).principal()) : Optional.empty();
    }

    private String token(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
        }
        return s.toString();
    }
}
