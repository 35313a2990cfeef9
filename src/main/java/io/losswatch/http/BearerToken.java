package io.losswatch.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The check of {@code Authorization: Bearer <token>} (RFC 6750) against {@code losswatch.http.token}.
 * Both sides are compared as SHA-256 digests with {@link MessageDigest#isEqual}, so the time taken
 * depends neither on where the first difference is nor on the length of either.
 */
final class BearerToken {
    private static final String SCHEME = "bearer ";

    private final byte[] expected;

    BearerToken(String token) {
        if (token.isEmpty()) {
            throw new IllegalArgumentException("empty token");
        }
        this.expected = sha256(token);
    }

    enum Result { MISSING, INVALID, VALID }

    /** Checks the value of an Authorization header (null when there is none). */
    Result check(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return Result.MISSING;
        }
        if (authorization.length() <= SCHEME.length()
                || !authorization.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
            return Result.INVALID;
        }
        byte[] given = sha256(authorization.substring(SCHEME.length()).strip());
        return MessageDigest.isEqual(expected, given) ? Result.VALID : Result.INVALID;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
