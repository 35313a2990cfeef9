package io.losswatch.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.losswatch.config.ConfigException;
import io.losswatch.config.LosswatchConfig;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The losswatch.http.* keys, through the configuration registry. */
class HttpSettingsTest {

    @Test
    void defaultsListenOnLocalhost8080() {
        assertThat(HttpSettings.from(config())).isEqualTo(new HttpSettings("127.0.0.1", 8080, 1440, 100, Duration.ofSeconds(5)));
    }

    @Test
    void readsEveryKey() {
        HttpSettings s = HttpSettings.from(config("losswatch.http.bind", "0.0.0.0", "losswatch.http.port", " 0 ",
                "losswatch.http.history.windows", "10", "losswatch.http.history.alerts", "3",
                "losswatch.http.refresh", "PT30S"));
        assertThat(s).isEqualTo(new HttpSettings("0.0.0.0", 0, 10, 3, Duration.ofSeconds(30)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "losswatch.http.port|http|expected a whole number from 0 to 65535",
        "losswatch.http.port|65536|expected a whole number from 0 to 65535",
        "losswatch.http.port|-1|expected a whole number from 0 to 65535",
        "losswatch.http.history.windows|0|expected a whole number from 1 to 1000000",
        "losswatch.http.history.alerts|1.5|expected a whole number from 1 to 100000",
        "losswatch.http.refresh|5s|expected an ISO-8601 duration from PT1S to PT1H",
        "losswatch.http.refresh|PT0.5S|expected an ISO-8601 duration from PT1S to PT1H",
        "losswatch.http.bind|no such host.invalid|expected a host name or IP address this machine can resolve",
        "losswatch.http.bind|' '|expected a host name or IP address",
    })
    void badValuesStopStartUpNamingTheKey(String key, String value, String expected) {
        assertThatThrownBy(() -> config(key, value))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(key + "=")
                .hasMessageContaining(expected);
    }

    private static LosswatchConfig config(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return LosswatchConfig.from(p);
    }
}
