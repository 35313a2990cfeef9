package io.losswatch.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One losswatch setting: its key, its default (as written in a properties file, {@code null} when
 * it has none) and how its value is checked. Parsing a value either gives the typed value or throws
 * {@link ConfigException} with one line naming the key and what is expected. A secret setting's
 * value is never repeated in that line.
 */
public record Setting(String key, String defaultValue, String expected, Function<String, Object> parser,
                      String description, boolean secret) {

    public Setting(String key, String defaultValue, String expected, Function<String, Object> parser,
                   String description) {
        this(key, defaultValue, expected, parser, description, false);
    }

    /** Parses value for this setting, or says in one line why it cannot. */
    public Object parse(String value, String origin) {
        try {
            return parser.apply(value.trim());
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new ConfigException(key + "=" + (secret ? "(hidden, " + value.length() + " characters)" : quote(value))
                    + origin + ": expected " + expected);
        }
    }

    private static String quote(String value) {
        return "'" + value + "'";
    }

    // ---- value kinds ---------------------------------------------------------------------------

    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public static Setting duration(String key, String def, boolean allowZero, String description) {
        String expected = Durations.FORM + (allowZero ? "" : ", greater than zero");
        return new Setting(key, def, expected, v -> {
            Duration d = Durations.parse(v);
            if (d.isNegative() || (!allowZero && d.isZero())) {
                throw new IllegalArgumentException("out of range");
            }
            return d;
        }, description);
    }

    /** A duration from min to max, both included. */
    public static Setting durationBetween(String key, String def, Duration min, Duration max, String description) {
        return new Setting(key, def, "a duration from " + Durations.format(min) + " to " + Durations.format(max)
                + " (" + min + " to " + max + ")", v -> {
            Duration d = Durations.parse(v);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException("out of range");
            }
            return d;
        }, description);
    }

    /** A host name or IP address that resolves on this machine (an address to listen on). */
    public static Setting host(String key, String def, String description) {
        return new Setting(key, def, "a host name or IP address this machine can resolve, such as 127.0.0.1 or 0.0.0.0", v -> {
            if (v.isEmpty()) {
                throw new IllegalArgumentException("empty");
            }
            try {
                InetAddress.getByName(v);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("unknown host", e);
            }
            return v;
        }, description);
    }

    public static Setting integer(String key, String def, long min, long max, String description) {
        return new Setting(key, def, "a whole number from " + min + " to " + max, v -> {
            long n = Long.parseLong(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException("out of range");
            }
            return n;
        }, description);
    }

    /** A double in the open interval (minExclusive, maxExclusive). */
    public static Setting decimal(String key, String def, double minExclusive, double maxExclusive, String description) {
        return new Setting(key, def, "a number greater than " + minExclusive + " and less than " + maxExclusive, v -> {
            double d = Double.parseDouble(v);
            if (!(d > minExclusive && d < maxExclusive)) {
                throw new IllegalArgumentException("out of range");
            }
            return d;
        }, description);
    }

    public static Setting oneOf(String key, String def, List<String> allowed, String description) {
        return new Setting(key, def, "one of " + String.join(", ", allowed), v -> {
            if (!allowed.contains(v)) {
                throw new IllegalArgumentException("not allowed");
            }
            return v;
        }, description);
    }

    public static Setting bool(String key, String def, String description) {
        return oneOf(key, def, List.of("true", "false"), description);
    }

    public static Setting topic(String key, String def, String description) {
        return new Setting(key, def, "a Kafka topic name (letters, digits, '.', '_', '-'; at most 249)", v -> {
            if (!TOPIC.matcher(v).matches() || v.equals(".") || v.equals("..")) {
                throw new IllegalArgumentException("bad topic");
            }
            return v;
        }, description);
    }

    public static Setting text(String key, String def, String description) {
        return new Setting(key, def, "a non-empty value", v -> {
            if (v.isEmpty()) {
                throw new IllegalArgumentException("empty");
            }
            return v;
        }, description);
    }

    /**
     * A secret such as a bearer token: empty (off) or at least minLength visible ASCII characters
     * (what an HTTP header carries unchanged). Errors never repeat the value.
     */
    public static Setting secret(String key, int minLength, String description) {
        return new Setting(key, "", "empty (off) or at least " + minLength
                + " visible ASCII characters (letters, digits, punctuation; no spaces)", v -> {
            if (v.isEmpty()) {
                return v;
            }
            if (v.length() < minLength || !v.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
                throw new IllegalArgumentException("bad secret");
            }
            return v;
        }, description, true);
    }
}
