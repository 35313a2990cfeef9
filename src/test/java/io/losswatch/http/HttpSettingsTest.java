package io.losswatch.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.losswatch.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpSettingsTest {

    @Test
    void defaultsListenOnLocalhost8080() {
        HttpSettings s = HttpSettings.defaults();
        assertThat(s.bind()).isEqualTo("127.0.0.1");
        assertThat(s.port()).isEqualTo(8080);
        assertThat(s.historyWindows()).isEqualTo(1440);
        assertThat(s.historyAlerts()).isEqualTo(100);
        assertThat(s.refresh()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void readsEveryKey() {
        HttpSettings s = HttpSettings.from(Map.of(
                "losswatch.http.bind", "0.0.0.0", "losswatch.http.port", " 0 ",
                "losswatch.http.history.windows", "10", "losswatch.http.history.alerts", "3",
                "losswatch.http.refresh", "PT30S")::get);
        assertThat(s).isEqualTo(new HttpSettings("0.0.0.0", 0, 10, 3, Duration.ofSeconds(30)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "losswatch.http.port|http|losswatch.http.port: expected a whole number, got 'http'",
        "losswatch.http.port|65536|losswatch.http.port: expected a TCP port from 0 to 65535 (0 picks a free port), got 65536",
        "losswatch.http.port|-1|losswatch.http.port: expected a TCP port",
        "losswatch.http.history.windows|0|losswatch.http.history.windows: expected a whole number from 1",
        "losswatch.http.history.alerts|1.5|losswatch.http.history.alerts: expected a whole number, got '1.5'",
        "losswatch.http.refresh|5s|losswatch.http.refresh: expected an ISO-8601 duration such as PT5S, got '5s'",
        "losswatch.http.refresh|PT0.5S|losswatch.http.refresh: expected an ISO-8601 duration from PT1S to PT1H",
        "losswatch.http.bind|no such host.invalid|losswatch.http.bind: expected a host name or IP address",
    })
    void badValuesNameTheKey(String key, String value, String message) {
        assertThatThrownBy(() -> HttpSettings.from(Map.of(key, value)::get))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(message);
    }
}
