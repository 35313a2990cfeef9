package io.losswatch.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.losswatch.config.ConfigException;
import io.losswatch.config.LosswatchConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
        "losswatch.http.refresh|500ms|expected a duration from 1s to 1h (PT1S to PT1H)",
        "losswatch.http.refresh|PT0.5S|expected a duration from 1s to 1h (PT1S to PT1H)",
        "losswatch.http.refresh|5 s|expected a duration from 1s to 1h (PT1S to PT1H)",
        "losswatch.http.bind|no such host.invalid|expected a host name or IP address this machine can resolve",
        "losswatch.http.bind|' '|expected a host name or IP address",
    })
    void badValuesStopStartUpNamingTheKey(String key, String value, String expected) {
        assertThatThrownBy(() -> config(key, value))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(key + "=")
                .hasMessageContaining(expected);
    }

    @Test
    void noTokenByDefault() {
        assertThat(HttpSettings.from(config()).token()).isEmpty();
        assertThat(HttpSettings.from(config()).tokenRequired()).isFalse();
        assertThat(HttpSettings.from(config("losswatch.http.token", "")).tokenRequired()).isFalse();
    }

    @Test
    void tokenFromTheFileOrTheEnvironment(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("l.properties");
        Files.writeString(file, "losswatch.http.token=from-the-file-0123456789\n");
        assertThat(HttpSettings.from(LosswatchConfig.load(file, Map.of())).token()).isEqualTo("from-the-file-0123456789");
        LosswatchConfig env = LosswatchConfig.load(file, Map.of("LOSSWATCH_HTTP_TOKEN", "from-the-env-ABCDEFGHIJ"));
        assertThat(HttpSettings.from(env).token()).isEqualTo("from-the-env-ABCDEFGHIJ");
        assertThat(HttpSettings.from(env).tokenRequired()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "short-token|11",
        "has a space in it 0123|22",
        "tab\tinside-0123456789|21",
        "non-ascii-token-é-0123456|25",
    })
    void aBadTokenStopsStartUpWithoutShowingIt(String token, int length) {
        String expected = "losswatch.http.token=(hidden, " + length + " characters): expected empty (off) or at least 16 visible"
                + " ASCII characters (letters, digits, punctuation; no spaces)";
        assertThatThrownBy(() -> config("losswatch.http.token", token))
                .isInstanceOf(ConfigException.class)
                .hasMessage(expected)
                .message().doesNotContain(token);
    }

    @Test
    void theDefaultBindIsLoopbackOnly() throws Exception {
        HttpSettings defaults = HttpSettings.from(config("losswatch.http.port", "0"));
        assertThat(defaults.bind()).isEqualTo("127.0.0.1");
        Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(HttpSettingsTest::up)
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .findFirst();
        MetricsHistory history = MetricsHistory.of(defaults);
        LosswatchMetrics metrics = new LosswatchMetrics(history);
        HttpServer server = new HttpServer(defaults, history, metrics, () -> KafkaStreams.State.RUNNING, () -> true);
        try {
            int port = server.start();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                assertThat(s.isConnected()).isTrue();
            }
            Assumptions.assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to try");
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(external.get(), port), 5_000);
                }
            }).as("the same port on " + external.get()).isInstanceOf(ConnectException.class);
        } finally {
            server.close();
            metrics.close();
        }
    }

    private static boolean up(NetworkInterface i) {
        try {
            return i.isUp() && !i.isLoopback();
        } catch (java.net.SocketException e) {
            return false;
        }
    }

    private static LosswatchConfig config(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return LosswatchConfig.from(p);
    }
}
