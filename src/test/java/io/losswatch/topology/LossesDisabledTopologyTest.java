package io.losswatch.topology;

import static io.losswatch.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * losswatch.losses.enabled=false: no record on the losses topic, and every other output exactly what
 * the default (true) publishes for the same input: window metrics, label-free metrics, alerts and dead
 * letters, value for value (the JSON compared as written, keys and record times included).
 */
class LossesDisabledTopologyTest {
    private static final long MINUTE = 60_000;

    /** What one run published, but for the loss records. */
    record Outputs(List<String> metrics, List<String> predictionMetrics, List<JsonNode> alerts,
                   List<String> deadLetters, int lossRecords) {
    }

    @Test
    void withoutLossRecordsTheWindowsEstimatesAndAlertsAreTheSame() {
        Outputs on = run("true");
        Outputs off = run("false");

        assertThat(off.lossRecords()).as("losses.enabled=false writes no loss record").isZero();
        // the default's loss records: 6 models × 4 windows × 12 labelled in the intake, 2 joined, 1 late
        assertThat(on.lossRecords()).isEqualTo(6 * 4 * 12 + 2 + 1 + 1);
        assertThat(on.metrics()).as("the input gives window records").hasSize(6 * 4);
        assertThat(on.predictionMetrics()).isNotEmpty();
        assertThat(on.alerts()).as("the input makes a model fire").isNotEmpty();
        assertThat(on.deadLetters()).as("invalid JSON, a late event, an unmatched label").hasSize(3);

        assertThat(off.metrics()).containsExactlyElementsOf(on.metrics());
        assertThat(off.predictionMetrics()).containsExactlyElementsOf(on.predictionMetrics());
        assertThat(off.alerts()).containsExactlyElementsOf(on.alerts());
        assertThat(off.deadLetters()).containsExactlyElementsOf(on.deadLetters());
    }

    @Test
    void anInvalidValueIsRefusedNamingTheKey() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> io.losswatch.config.LosswatchConfig.from(
                props(Map.of("losswatch.losses.enabled", "no")))))
                .isInstanceOf(io.losswatch.config.ConfigException.class)
                .hasMessage("losswatch.losses.enabled='no': expected one of true, false");
    }

    private static java.util.Properties props(Map<String, String> settings) {
        java.util.Properties p = new java.util.Properties();
        p.putAll(settings);
        return p;
    }

    /**
     * Six models over four windows, one drifting upward in the last two; two predictions labelled
     * separately, a label with no prediction, an invalid record, a late event.
     */
    private static Outputs run(String lossesEnabled) {
        Map<String, String> settings = new HashMap<>(Map.of("losswatch.losses.enabled", lossesEnabled,
                "losswatch.alert.absolute.threshold", "1.0", "losswatch.alert.consecutive.windows", "1",
                "losswatch.alert.min.count", "2", "losswatch.estimate.min.labelled", "20",
                "losswatch.estimate.reference.windows", "1", "losswatch.estimate.reference.min.predictions", "10",
                "losswatch.join.window", "PT2M"));
        try (TopologyFixture f = new TopologyFixture(settings)) {
            for (int w = 0; w < 4; w++) {
                long start = T0 + w * MINUTE;
                for (int m = 0; m < 6; m++) {
                    for (int i = 0; i < 12; i++) {
                        double p = 0.05 + 0.9 * ((i * 7 + m * 3 + w) % 12) / 11.0;
                        int y = (i + m) % 3 == 0 ? 0 : 1;
                        if (m == 0 && w >= 2) {
                            p = 0.02 + 0.01 * i; // model-0 goes wrong: confident and mostly mistaken
                            y = i % 6 == 0 ? 0 : 1;
                        }
                        f.labelled("model-" + m, "v" + (m % 2), start + 1_000 + i * 4_000 + m, Math.round(p * 1e4) / 1e4, y);
                    }
                }
            }
            // two predictions whose labels come separately (the join), one label that finds none
            f.prediction(T0 + 3 * MINUTE + 5_000, "{\"prediction_id\":\"sep-1\",\"model\":\"model-1\",\"model_version\":\"v1\","
                    + "\"timestamp\":" + (T0 + 3 * MINUTE + 5_000) + ",\"prediction\":0.3}");
            f.prediction(T0 + 3 * MINUTE + 6_000, "{\"prediction_id\":\"sep-2\",\"model\":\"model-1\",\"model_version\":\"v1\","
                    + "\"timestamp\":" + (T0 + 3 * MINUTE + 6_000) + ",\"prediction\":0.8}");
            f.label(T0 + 3 * MINUTE + 20_000, "{\"prediction_id\":\"sep-1\",\"label\":0,\"timestamp\":"
                    + (T0 + 3 * MINUTE + 20_000) + "}");
            f.label(T0 + 3 * MINUTE + 21_000, "{\"prediction_id\":\"sep-2\",\"label\":1,\"timestamp\":"
                    + (T0 + 3 * MINUTE + 21_000) + "}");
            f.label(T0 + 3 * MINUTE + 22_000, "{\"prediction_id\":\"nobody\",\"label\":1,\"timestamp\":"
                    + (T0 + 3 * MINUTE + 22_000) + "}");
            f.prediction(T0 + 3 * MINUTE + 23_000, "{not json");
            // a late event: window 0 is final by now; it still has its loss record
            f.labelled("model-2", "v0", T0 + 500, 0.4, 1);
            f.advanceTo(T0 + 10 * MINUTE);

            List<String> metrics = f.metricRecords().stream().map(LossesDisabledTopologyTest::describe).toList();
            List<String> predictionMetrics = f.predictionMetrics().stream().map(JsonNode::toString).toList();
            List<JsonNode> alerts = f.alerts();
            List<String> deadLetters = f.deadLetters().stream().map(r -> TopologyFixture.header(r, "losswatch.error.reason")
                    + " " + new String(r.value(), StandardCharsets.UTF_8)).toList();
            return new Outputs(metrics, predictionMetrics, alerts, deadLetters, f.lossRecords().size());
        }
    }

    private static String describe(TestRecord<String, String> r) {
        return r.key() + " @" + r.timestamp() + " " + r.value();
    }
}
