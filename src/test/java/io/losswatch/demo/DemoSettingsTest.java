package io.losswatch.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.config.LosswatchConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The demo's settings as its command line gives them, and the console's lines for the label-free records. */
class DemoSettingsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DemoSettings parse(String... args) {
        DemoCommand command = new DemoCommand();
        new CommandLine(command).parseArgs(args);
        return command.settings();
    }

    @Test
    void theDefaultsAddChargebackWithLabelsTwoToThreeMinutesLateAndAJoinWindowThatCoversThem() {
        DemoSettings s = parse();
        assertThat(s.traffic().lateModel()).hasValueSatisfying(late -> {
            assertThat(late.labelDelayMin()).isEqualTo(Duration.ofMinutes(2));
            assertThat(late.labelDelayMax()).isEqualTo(Duration.ofMinutes(3));
            assertThat(late.shiftStart()).isEqualTo(Duration.ofSeconds(210));
        });
        Properties p = Demo.processorProperties(s, "localhost:9092", Path.of("/tmp/x"), 0);
        // a valid configuration, with the late labels inside the join window
        LosswatchConfig config = LosswatchConfig.from(p);
        assertThat(config.joinWindow()).isGreaterThan(Duration.ofMinutes(3));
        assertThat(p).containsEntry("losswatch.estimate.min.labelled", "300")
                .containsEntry("losswatch.model.chargeback.alert.warmup.windows", "2")
                .containsEntry("losswatch.alert.warmup.windows", "5");
    }

    @Test
    void theOverridesPrintedAreThoseThatDifferFromTheDefaults() {
        Map<String, String> changed = Demo.overrides(parse()).stream().filter(Demo.Change::changesDefault)
                .collect(Collectors.toMap(Demo.Change::key, Demo.Change::value));
        assertThat(changed).containsOnlyKeys("losswatch.window.size", "losswatch.window.grace", "losswatch.join.window",
                "losswatch.join.grace", "losswatch.alert.warmup.windows", "losswatch.estimate.min.labelled",
                "losswatch.model.chargeback.alert.warmup.windows");
        // 40/s over 4 models in 30 s windows: a third of 300 is the default min.count, so not an override
        assertThat(Demo.overrides(parse()).stream().filter(c -> c.key().equals("losswatch.alert.min.count")))
                .singleElement().satisfies(c -> assertThat(c.changesDefault()).isFalse());
        assertThat(Demo.overrides(parse("--window", "5s")).stream().filter(Demo.Change::changesDefault)
                .map(Demo.Change::key)).contains("losswatch.alert.min.count");
        // a per-model key compares with its global setting's default
        assertThat(Demo.overrides(parse("--window", "1m")).stream().filter(Demo.Change::changesDefault)
                .map(Demo.Change::key)).doesNotContain("losswatch.window.size");
    }

    @Test
    void aFormatAddsTheMappingsThatReadItAndAnUnknownOneIsAUsageError() {
        Properties kserve = Demo.processorProperties(parse("--format", "kserve"), "localhost:9092", Path.of("/tmp/x"), 0);
        assertThat(kserve).containsEntry("losswatch.input.predictions.format", "kserve")
                .containsEntry("losswatch.input.predictions.field.model_version", "/model_version");
        io.losswatch.event.InputMapping mapping = LosswatchConfig.from(kserve).inputMapping("predictions");
        assertThat(mapping.format()).isEqualTo(io.losswatch.event.InputMapping.Format.KSERVE);
        assertThat(mapping.fields()).containsOnlyKeys("model_version");

        Properties nested = Demo.processorProperties(parse("--format", "nested"), "localhost:9092", Path.of("/tmp/x"), 0);
        assertThat(LosswatchConfig.from(nested).inputMapping("predictions").fields()).containsOnlyKeys(
                "prediction_id", "timestamp", "model", "model_version", "prediction", "label");
        // printed with the other changes, since none is a default
        assertThat(Demo.overrides(parse("--format", "nested")).stream().filter(Demo.Change::changesDefault)
                .map(Demo.Change::key)).contains("losswatch.input.predictions.field.prediction");
        assertThat(Demo.processorProperties(parse(), "localhost:9092", Path.of("/tmp/x"), 0).stringPropertyNames())
                .noneMatch(k -> k.startsWith("losswatch.input."));

        assertThatThrownBy(() -> parse("--format", "csv")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--format: expected json, kserve or nested, got csv");
    }

    @Test
    void theConsolePrintsTheEstimateBeforeLabelsAndTheLabelFreeAlerts() throws Exception {
        long start = ZonedDateTime.of(2025, 12, 6, 13, 12, 0, 0, ZoneId.systemDefault()).toInstant().toEpochMilli();
        JsonNode estimate = JSON.readTree("{\"model\":\"chargeback\",\"model_version\":\"v3\",\"loss_function\":\"log_loss\","
                + "\"window_start\":" + start + ",\"window_end\":" + (start + 30_000) + ",\"predictions\":300,\"labelled\":0,"
                + "\"mean_prediction\":0.3,\"psi\":0.031,\"estimated_loss\":0.5212,\"estimated_loss_low\":0.4711,"
                + "\"estimated_loss_high\":0.5809,\"calibration_count\":900,\"final\":true}");
        assertThat(ConsoleReport.estimateLine(estimate, 300)).isEqualTo("chargeback   v3   window 13:12:00-13:12:30"
                + "  before labels: estimated log_loss 0.521 [0.471, 0.581]  psi 0.03  n=300, 0 labelled");
        JsonNode early = JSON.readTree("{\"model\":\"chargeback\",\"model_version\":\"v3\",\"loss_function\":\"log_loss\","
                + "\"window_start\":" + start + ",\"window_end\":" + (start + 30_000) + ",\"predictions\":120,\"labelled\":0,"
                + "\"psi\":null,\"estimated_loss\":null,\"calibration_count\":65,\"final\":true}");
        assertThat(ConsoleReport.estimateLine(early, 300)).endsWith("before labels: estimated log_loss -"
                + "  (calibration: 65 of 300 labels)  psi -  n=120, 0 labelled");

        JsonNode estimated = JSON.readTree("{\"model\":\"chargeback\",\"model_version\":\"v3\",\"status\":\"FIRING\","
                + "\"rule\":\"estimated_loss\",\"mean_loss\":0.66,\"baseline\":0.471,\"threshold\":0.566,"
                + "\"window_start\":" + start + ",\"window_end\":" + (start + 30_000) + "}");
        assertThat(ConsoleReport.alertLine(estimated)).isEqualTo("ALERT FIRING chargeback v3 estimated_loss: estimated"
                + " loss 0.660, baseline 0.471, threshold 0.566 (window 13:12:00-13:12:30)");
        JsonNode drift = JSON.readTree("{\"model\":\"chargeback\",\"model_version\":\"v3\",\"status\":\"FIRING\","
                + "\"rule\":\"prediction_drift\",\"mean_loss\":0.65,\"baseline\":null,\"threshold\":0.25,\"psi\":1.956,"
                + "\"window_start\":" + start + ",\"window_end\":" + (start + 30_000) + "}");
        assertThat(ConsoleReport.alertLine(drift)).isEqualTo("ALERT FIRING chargeback v3 prediction_drift: psi 1.956,"
                + " threshold 0.250 (window 13:12:00-13:12:30)");
        assertThat(List.of(ConsoleReport.estimateSuffix(JSON.readTree("{\"estimated_loss\":0.4671}")),
                ConsoleReport.estimateSuffix(JSON.readTree("{\"estimated_loss\":null}"))))
                .containsExactly("  (estimated 0.467 before labels)", "");
    }
}
