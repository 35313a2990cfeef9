package io.losswatch.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way losswatch reads a duration, in a properties file, an environment variable and on the
 * command line alike: a whole number with a unit, {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h},
 * {@code 1d}, units combined from the largest down ({@code 1h30m}, {@code 1m30s}), or an ISO-8601
 * duration ({@code PT30S}, {@code PT1M30S}, {@code P1D}). Letters may be upper or lower case
 * ({@code m} is always minutes). Ranges (greater than zero, at most an hour) are the caller's.
 */
public final class Durations {

    /** What a duration looks like, in the words of every error about one. */
    public static final String FORM = "a duration such as 30s, 5m, 1h30m or PT30S (units ms, s, m, h, d)";

    private static final Pattern SHORT =
            Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?");

    private Durations() {
    }

    /**
     * Parses value (surrounding blanks ignored).
     *
     * @throws IllegalArgumentException naming the value and {@link #FORM} when it is not a duration
     */
    public static Duration parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            Matcher m = SHORT.matcher(v);
            if (!v.isEmpty() && m.matches()) {
                Duration d = Duration.ZERO;
                d = d.plus(Duration.ofDays(number(m.group(1))));
                d = d.plus(Duration.ofHours(number(m.group(2))));
                d = d.plus(Duration.ofMinutes(number(m.group(3))));
                d = d.plus(Duration.ofSeconds(number(m.group(4))));
                return d.plus(Duration.ofMillis(number(m.group(5))));
            }
            if (v.startsWith("p") || v.startsWith("-p") || v.startsWith("+p")) {
                return Duration.parse(v.toUpperCase(Locale.ROOT));
            }
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            // falls through to the one message below (too large, or not ISO-8601 after all)
        }
        throw new IllegalArgumentException("'" + value + "' is not " + FORM);
    }

    private static long number(String digits) {
        return digits == null ? 0 : Long.parseLong(digits);
    }

    /** A duration in the short form {@link #parse} reads back: 90 s as "1m30s", 1.5 s as "1500ms", zero as "0s". */
    public static String format(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        StringBuilder out = new StringBuilder();
        if (s >= 3600) {
            out.append(s / 3600).append('h');
            s %= 3600;
        }
        if (s >= 60) {
            out.append(s / 60).append('m');
            s %= 60;
        }
        if (s > 0 || out.length() == 0) {
            out.append(s).append('s');
        }
        return out.toString();
    }
}
