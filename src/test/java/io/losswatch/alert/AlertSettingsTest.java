package io.losswatch.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.losswatch.config.ConfigException;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.config.Setting;
import io.losswatch.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class AlertSettingsTest {

    private static LosswatchConfig config(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return LosswatchConfig.from(p);
    }

    @Test
    void documentedDefaults() {
        AlertSettings d = AlertSettings.DEFAULTS;
        assertThat(d.enabled()).isTrue();
        assertThat(d.minCount()).isEqualTo(100);
        assertThat(d.warmupWindows()).isEqualTo(8);
        assertThat(d.consecutiveWindows()).isEqualTo(2);
        assertThat(d.resolveWindows()).isEqualTo(4);
        assertThat(d.baselineHalfLife()).isEqualTo(120.0);
        assertThat(d.absoluteEnabled()).isFalse();
        assertThat(d.absoluteResolveRatio()).isEqualTo(0.9);
        assertThat(d.relativeEnabled()).isTrue();
        assertThat(d.relativeMinIncrease()).isEqualTo(0.2);
        assertThat(d.relativeZ()).isEqualTo(2.75);
        assertThat(d.relativeResolveRatio()).isEqualTo(0.25);
        assertThat(d.sequentialEnabled()).isTrue();
        assertThat(d.sequentialDrift()).isEqualTo(0.15);
        assertThat(d.sequentialThreshold()).isEqualTo(65.0);
        assertThat(d.sequentialClip()).isEqualTo(8.0);
        assertThat(AlertSettings.forModel(config(), "any")).isEqualTo(d);
        // the modest model (200 labelled events a window) is watched: its windows count from the first
        assertThat(d.minCount()).isLessThanOrEqualTo(100);
        assertThat(d.warmupWindows()).isLessThanOrEqualTo(10);
    }

    @Test
    void everyAlertKeyIsInTheRegistryGloballyAndPerModel() {
        for (Setting s : AlertSettings.SETTINGS) {
            assertThat(Settings.find(s.key())).as(s.key()).isPresent();
            String suffix = s.key().substring("losswatch.".length());
            assertThat(Settings.PER_MODEL).contains(suffix);
            assertThat(Settings.parseModelKey("losswatch.model.fraud.eu." + suffix))
                    .contains(new Settings.ModelKey("fraud.eu", suffix));
        }
        assertThat(AlertSettings.SETTINGS).hasSize(16);
    }

    @Test
    void perModelOverridesTheGlobalSetting() {
        LosswatchConfig c = config("losswatch.alert.min.count", "500", "losswatch.model.churn.alert.min.count", "50",
                "losswatch.model.fraud.eu.alert.absolute.threshold", "0.69",
                "losswatch.model.fraud.eu.alert.sequential.enabled", "false");
        assertThat(AlertSettings.forModel(c, "churn").minCount()).isEqualTo(50);
        assertThat(AlertSettings.forModel(c, "other").minCount()).isEqualTo(500);
        AlertSettings fraud = AlertSettings.forModel(c, "fraud.eu");
        assertThat(fraud.absoluteThreshold()).isEqualTo(0.69);
        assertThat(fraud.sequentialEnabled()).isFalse();
        assertThat(fraud.minCount()).isEqualTo(500);
        assertThat(AlertSettings.forModel(c, "churn").absoluteEnabled()).isFalse();
    }

    @Test
    void badValuesAndUnknownKeysStopStartUpWithOneLine() {
        assertThatThrownBy(() -> config("losswatch.alert.min.count", "0"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("losswatch.alert.min.count='0': expected a whole number from 1 to 1000000000");
        assertThatThrownBy(() -> config("losswatch.alert.relative.z", "-1"))
                .hasMessageStartingWith("losswatch.alert.relative.z='-1': expected a number greater than 0");
        assertThatThrownBy(() -> config("losswatch.alert.relative.resolve.ratio", "1"))
                .hasMessageContaining("less than 1");
        assertThatThrownBy(() -> config("losswatch.alert.absolute.threshold", "high"))
                .hasMessage("losswatch.alert.absolute.threshold='high': expected none or a number greater than 0");
        assertThatThrownBy(() -> config("losswatch.alert.absolute.threshold", "0"))
                .hasMessageContaining("none or a number greater than 0");
        assertThatThrownBy(() -> config("losswatch.model.churn.alert.enabled", "yes"))
                .hasMessage("losswatch.model.churn.alert.enabled='yes': expected one of true, false");
        assertThatThrownBy(() -> config("losswatch.alert.consecutive", "2"))
                .hasMessageStartingWith("unknown setting losswatch.alert.consecutive");
        assertThatThrownBy(() -> config("losswatch.model.churn.alert.zz", "2"))
                .hasMessageStartingWith("unknown setting losswatch.model.churn.alert.zz");
        assertThat(config("losswatch.alert.absolute.threshold", "none").get("losswatch.alert.absolute.threshold"))
                .isEqualTo(Double.NaN);
    }

    @Test
    void fromRawParsesAndValidatesLikeTheConfig() {
        AlertSettings s = AlertSettings.fromRaw("churn", k -> switch (k) {
            case "losswatch.alert.consecutive.windows" -> "3";
            case "losswatch.model.churn.alert.consecutive.windows" -> "4";
            default -> null;
        });
        assertThat(s.consecutiveWindows()).isEqualTo(4);
        assertThatThrownBy(() -> AlertSettings.fromRaw("churn",
                k -> k.equals("losswatch.model.churn.alert.warmup.windows") ? "1" : null))
                .hasMessageStartingWith("losswatch.model.churn.alert.warmup.windows='1'");
    }

    @Test
    void theDocsExplainEveryAlertKey() throws IOException {
        String alerting = Files.readString(Path.of("docs/alerting.md"));
        for (Setting s : AlertSettings.SETTINGS) {
            assertThat(alerting).as(s.key()).contains("`" + s.key() + "`");
        }
        for (Setting s : LabelFreeRules.SETTINGS) {
            assertThat(alerting).as(s.key()).contains("`" + s.key() + "` | `" + s.defaultValue() + "`");
        }
    }
}
