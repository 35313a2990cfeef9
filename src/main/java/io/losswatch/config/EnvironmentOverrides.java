package io.losswatch.config;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maps environment variables to settings, for containers where editing a file is awkward:
 * {@code LOSSWATCH_WINDOW_SIZE} sets {@code losswatch.window.size}, {@code LOSSWATCH_KAFKA_BOOTSTRAP_SERVERS}
 * sets the Kafka key {@code bootstrap.servers}. After the prefix, names are lower-cased and a run of
 * one, two or three underscores becomes '.', '_' or '-' respectively.
 */
public final class EnvironmentOverrides {
    static final String PREFIX = "LOSSWATCH_";
    static final String KAFKA_PREFIX = "LOSSWATCH_KAFKA_";

    private EnvironmentOverrides() {
    }

    /** The property key an environment variable sets, or null when the variable is not losswatch's. */
    public static String keyFor(String variable) {
        if (variable.startsWith(KAFKA_PREFIX) && variable.length() > KAFKA_PREFIX.length()) {
            return decode(variable, variable.substring(KAFKA_PREFIX.length()));
        }
        if (variable.startsWith(PREFIX) && variable.length() > PREFIX.length()) {
            return Settings.PREFIX + decode(variable, variable.substring(PREFIX.length()));
        }
        return null;
    }

    /** Every override in env, as property key → variable name, in a stable order. */
    public static Map<String, String> variablesByKey(Map<String, String> env) {
        Map<String, String> out = new TreeMap<>();
        for (String variable : new TreeMap<>(env).keySet()) {
            String key = keyFor(variable);
            if (key != null) {
                out.put(key, variable);
            }
        }
        return out;
    }

    private static String decode(String variable, String name) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < name.length()) {
            char c = name.charAt(i);
            if (c != '_') {
                out.append(Character.toLowerCase(c));
                i++;
                continue;
            }
            int run = 0;
            while (i < name.length() && name.charAt(i) == '_') {
                run++;
                i++;
            }
            switch (run) {
                case 1 -> out.append('.');
                case 2 -> out.append('_');
                case 3 -> out.append('-');
                default -> throw new ConfigException("environment variable " + variable
                        + ": a run of " + run + " underscores means nothing (use _ for '.', __ for '_', ___ for '-')");
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }
}
