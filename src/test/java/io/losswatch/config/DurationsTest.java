package io.losswatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One duration parser for the properties file, the environment and the command line (issue 19, point 8). */
class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "500ms, 500",
        "30s, 30000",
        "1m, 60000",
        "2h, 7200000",
        "1d, 86400000",
        "0s, 0",
        "1h30m, 5400000",
        "1m30s, 90000",
        "1d2h3m4s5ms, 93784005",
        "PT30S, 30000",
        "PT1M30S, 90000",
        "P1D, 86400000",
        "PT0.5S, 500",
        "pt30s, 30000",
        "30S, 30000",
        "1M, 60000",
        "' 30s ', 30000",
    })
    void readsTheShortAndTheIsoForm(String value, long millis) {
        assertThat(Durations.parse(value)).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void negativeIsoDurationsParseAndAreLeftToTheCallersRange() {
        assertThat(Durations.parse("-PT1M")).isEqualTo(Duration.ofMinutes(-1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "soon", "5 minutes", "30", "1.5h", "-30s", "30sec", "1w", "1y", "s", "30s1m",
        "1m1m", "PT", "P", "99999999999999999999s", "9999999999999999d", "PT30S junk"})
    void anythingElseIsOneClearError(String value) {
        assertThatThrownBy(() -> Durations.parse(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + value + "' is not a duration such as 30s, 5m, 1h30m or PT30S (units ms, s, m, h, d)");
    }

    @Test
    void formatGivesWhatParseReadsBack() {
        for (Duration d : new Duration[] {Duration.ZERO, Duration.ofMillis(1500), Duration.ofSeconds(90),
            Duration.ofHours(26), Duration.ofMinutes(61)}) {
            assertThat(Durations.parse(Durations.format(d))).as(Durations.format(d)).isEqualTo(d);
        }
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    }

    @Test
    void everyDurationSettingTakesBothForms(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("l.properties");
        Files.writeString(file, "losswatch.window.size=30s\nlosswatch.window.grace=PT5S\nlosswatch.join.window=2h\n"
                + "losswatch.join.grace=500ms\nlosswatch.connect.timeout=1m\nlosswatch.http.refresh=PT10S\n"
                + "losswatch.input.idle.timeout=1d\n");
        LosswatchConfig c = LosswatchConfig.load(file, Map.of("LOSSWATCH_INPUT_MAX_FUTURE", "2m"));
        assertThat(c.windowSize()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.get("losswatch.window.grace")).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.get("losswatch.join.window")).isEqualTo(Duration.ofHours(2));
        assertThat(c.get("losswatch.join.grace")).isEqualTo(Duration.ofMillis(500));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.get("losswatch.http.refresh")).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.get("losswatch.input.idle.timeout")).isEqualTo(Duration.ofDays(1));
        assertThat(c.get("losswatch.input.max.future")).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void aBadDurationSettingSaysWhatADurationIs() {
        Properties p = new Properties();
        p.setProperty("losswatch.window.size", "5 minutes");
        assertThatThrownBy(() -> LosswatchConfig.from(p)).hasMessage("losswatch.window.size='5 minutes': expected"
                + " a duration such as 30s, 5m, 1h30m or PT30S (units ms, s, m, h, d), greater than zero");
        p.setProperty("losswatch.window.size", "0s");
        assertThatThrownBy(() -> LosswatchConfig.from(p)).hasMessageEndingWith("greater than zero");
        p.setProperty("losswatch.window.size", "1m");
        p.setProperty("losswatch.connect.timeout", "500ms");
        assertThatThrownBy(() -> LosswatchConfig.from(p))
                .hasMessage("losswatch.connect.timeout='500ms': expected a duration from 1s to 10m (PT1S to PT10M)");
    }
}
