package io.losswatch.http;

import io.losswatch.config.LosswatchConfig;
import java.time.Duration;

/**
 * Settings of the HTTP side (CONTRACT §8). The keys, defaults and their validation are in the
 * configuration registry ({@code io.losswatch.config.Settings}, the {@code losswatch.http.*} block);
 * this is their typed view.
 *
 * @param bind           address to listen on ({@code losswatch.http.bind}, default 127.0.0.1)
 * @param port           TCP port ({@code losswatch.http.port}, default 8080; 0 picks a free port)
 * @param historyWindows final windows kept per model and version ({@code losswatch.http.history.windows})
 * @param historyAlerts  alert records kept per model and version ({@code losswatch.http.history.alerts})
 * @param refresh        how often the dashboard polls ({@code losswatch.http.refresh})
 * @param token          bearer token the data needs ({@code losswatch.http.token}); empty: no authentication
 */
public record HttpSettings(String bind, int port, int historyWindows, int historyAlerts, Duration refresh, String token) {
    public static final String BIND = "losswatch.http.bind";
    public static final String PORT = "losswatch.http.port";
    public static final String HISTORY_WINDOWS = "losswatch.http.history.windows";
    public static final String HISTORY_ALERTS = "losswatch.http.history.alerts";
    public static final String REFRESH = "losswatch.http.refresh";
    public static final String TOKEN = "losswatch.http.token";

    public HttpSettings {
        token = token == null ? "" : token;
    }

    /** Without a token: no authentication. */
    public HttpSettings(String bind, int port, int historyWindows, int historyAlerts, Duration refresh) {
        this(bind, port, historyWindows, historyAlerts, refresh, "");
    }

    public static HttpSettings from(LosswatchConfig config) {
        return new HttpSettings((String) config.get(BIND), whole(config, PORT), whole(config, HISTORY_WINDOWS),
                whole(config, HISTORY_ALERTS), (Duration) config.get(REFRESH), (String) config.get(TOKEN));
    }

    public boolean tokenRequired() {
        return !token.isEmpty();
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "HttpSettings[bind=" + bind + ", port=" + port + ", historyWindows=" + historyWindows
                + ", historyAlerts=" + historyAlerts + ", refresh=" + refresh
                + ", token=" + (token.isEmpty() ? "none" : "(set)") + "]";
    }

    private static int whole(LosswatchConfig config, String key) {
        return Math.toIntExact((Long) config.get(key));
    }
}
