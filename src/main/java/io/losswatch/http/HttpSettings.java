package io.losswatch.http;

import io.losswatch.config.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Function;

/**
 * Settings of the HTTP side (CONTRACT §8): where it listens, how much history the dashboard and API
 * keep, and how often the dashboard refreshes. Built from a key lookup so it does not depend on how
 * the configuration is stored; a bad value stops start-up with one line naming the key.
 *
 * @param bind           address to listen on ({@code losswatch.http.bind}); 127.0.0.1 keeps it local
 * @param port           TCP port ({@code losswatch.http.port}); 0 picks a free port
 * @param historyWindows final windows kept per model and version ({@code losswatch.http.history.windows})
 * @param historyAlerts  alert records kept per model and version ({@code losswatch.http.history.alerts})
 * @param refresh        how often the dashboard polls ({@code losswatch.http.refresh})
 */
public record HttpSettings(String bind, int port, int historyWindows, int historyAlerts, Duration refresh) {
    public static final String BIND = "losswatch.http.bind";
    public static final String PORT = "losswatch.http.port";
    public static final String HISTORY_WINDOWS = "losswatch.http.history.windows";
    public static final String HISTORY_ALERTS = "losswatch.http.history.alerts";
    public static final String REFRESH = "losswatch.http.refresh";

    /** Every key this record reads, for a configuration that rejects unknown keys. */
    public static final List<String> KEYS = List.of(BIND, PORT, HISTORY_WINDOWS, HISTORY_ALERTS, REFRESH);

    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    /** A day of one-minute windows. */
    public static final int DEFAULT_HISTORY_WINDOWS = 1440;
    public static final int DEFAULT_HISTORY_ALERTS = 100;
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(5);

    static final int MAX_HISTORY_WINDOWS = 1_000_000;
    static final int MAX_HISTORY_ALERTS = 100_000;
    static final Duration MIN_REFRESH = Duration.ofSeconds(1);
    static final Duration MAX_REFRESH = Duration.ofHours(1);

    public HttpSettings {
        if (bind == null || bind.isBlank()) {
            throw new ConfigException(BIND + ": expected a host name or IP address, got an empty value");
        }
        check(PORT, port, 0, 65_535, "a TCP port from 0 to 65535 (0 picks a free port)");
        check(HISTORY_WINDOWS, historyWindows, 1, MAX_HISTORY_WINDOWS, "a whole number from 1 to " + MAX_HISTORY_WINDOWS);
        check(HISTORY_ALERTS, historyAlerts, 1, MAX_HISTORY_ALERTS, "a whole number from 1 to " + MAX_HISTORY_ALERTS);
        if (refresh == null || refresh.compareTo(MIN_REFRESH) < 0 || refresh.compareTo(MAX_REFRESH) > 0) {
            throw new ConfigException(REFRESH + ": expected an ISO-8601 duration from PT1S to PT1H, got " + refresh);
        }
    }

    public static HttpSettings defaults() {
        return from(key -> null);
    }

    /** Reads the settings through lookup (null: not set, so the default). */
    public static HttpSettings from(Function<String, String> lookup) {
        String bind = value(lookup, BIND, DEFAULT_BIND);
        try {
            InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new ConfigException(BIND + ": expected a host name or IP address this machine can resolve, got '"
                    + bind + "'");
        }
        return new HttpSettings(bind,
                integer(lookup, PORT, DEFAULT_PORT),
                integer(lookup, HISTORY_WINDOWS, DEFAULT_HISTORY_WINDOWS),
                integer(lookup, HISTORY_ALERTS, DEFAULT_HISTORY_ALERTS),
                duration(lookup, REFRESH, DEFAULT_REFRESH));
    }

    private static String value(Function<String, String> lookup, String key, String fallback) {
        String v = lookup.apply(key);
        return v == null ? fallback : v.trim();
    }

    private static int integer(Function<String, String> lookup, String key, int fallback) {
        String v = lookup.apply(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": expected a whole number, got '" + v + "'");
        }
    }

    private static Duration duration(Function<String, String> lookup, String key, Duration fallback) {
        String v = lookup.apply(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Duration.parse(v.trim());
        } catch (DateTimeParseException e) {
            throw new ConfigException(key + ": expected an ISO-8601 duration such as PT5S, got '" + v + "'");
        }
    }

    private static void check(String key, int value, int min, int max, String expected) {
        if (value < min || value > max) {
            throw new ConfigException(key + ": expected " + expected + ", got " + value);
        }
    }
}
