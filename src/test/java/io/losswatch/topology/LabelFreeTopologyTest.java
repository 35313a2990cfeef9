package io.losswatch.topology;

import static io.losswatch.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * CONTRACT §9 through the whole topology: the prediction-metrics record of a window appears once the
 * predictions' event time has passed it, whatever its labels do; its estimate uses the calibration the
 * labelled predictions taught; psi compares with the first windows; the §6 record carries the estimate.
 * Expected values are worked out by hand in the comments.
 */
class LabelFreeTopologyTest {
    private static final long MINUTE = 60_000;

    private static void unlabelled(TopologyFixture f, String id, long t, double p) {
        f.prediction(t, String.format("{\"prediction_id\":\"%s\",\"model\":\"fraud\",\"model_version\":\"v4\","
                + "\"timestamp\":%d,\"prediction\":%s}", id, t, p));
    }

    @Test
    void aWindowIsPublishedWithoutWaitingForItsLabels() {
        try (TopologyFixture f = new TopologyFixture(Map.of("losswatch.join.window", "PT1H"))) {
            unlabelled(f, "a", T0 + 1_000, 0.2);
            unlabelled(f, "b", T0 + 2_000, 0.7);
            f.labelled("fraud", "v4", T0 + 3_000, 0.9, 1);
            f.advanceTo(T0 + MINUTE + 10_001); // past the window's end + grace (10 s)

            List<JsonNode> records = f.predictionMetrics();
            assertThat(records).hasSize(1);
            JsonNode r = records.get(0);
            assertThat(r.get("model").asText()).isEqualTo("fraud");
            assertThat(r.get("model_version").asText()).isEqualTo("v4");
            assertThat(r.get("loss_function").asText()).isEqualTo("log_loss");
            assertThat(r.get("window_start").asLong()).isEqualTo(T0);
            assertThat(r.get("window_end").asLong()).isEqualTo(T0 + MINUTE);
            assertThat(r.get("predictions").asLong()).isEqualTo(3);
            assertThat(r.get("labelled").asLong()).isEqualTo(1);
            assertThat(r.get("mean_prediction").asDouble()).isCloseTo((0.2 + 0.7 + 0.9) / 3, within(1e-12));
            assertThat(r.get("psi").isNull()).as("the first window is the reference").isTrue();
            assertThat(r.get("estimated_loss").isNull()).as("1 label < losswatch.estimate.min.labelled").isTrue();
            assertThat(r.get("estimated_loss_low").isNull()).isTrue();
            assertThat(r.get("calibration_count").asLong()).isEqualTo(1);
            assertThat(r.get("final").asBoolean()).isTrue();
            // the realized window still waits for the two labels (join window PT1H)
            assertThat(f.metrics()).isEmpty();
        }
    }

    @Test
    void estimateFromALearnedCalibrationAndPsiAgainstTheFirstWindow() {
        try (TopologyFixture f = new TopologyFixture(Map.of("losswatch.estimate.min.labelled", "100",
                "losswatch.estimate.reference.windows", "1", "losswatch.estimate.reference.min.predictions", "100"))) {
            // window 0: 50 labelled at 0.2 of which 10 came true, 50 at 0.8 of which 40: calibrated exactly
            for (int i = 0; i < 50; i++) {
                f.labelled("fraud", "v4", T0 + i * 100L, 0.2, i < 10 ? 1 : 0);
                f.labelled("fraud", "v4", T0 + 5_000 + i * 100L, 0.8, i < 40 ? 1 : 0);
            }
            // window 1: four predictions without labels, three of them at 0.8
            unlabelled(f, "a", T0 + MINUTE + 1_000, 0.2);
            unlabelled(f, "b", T0 + MINUTE + 2_000, 0.8);
            unlabelled(f, "c", T0 + MINUTE + 3_000, 0.8);
            unlabelled(f, "d", T0 + MINUTE + 4_000, 0.8);
            f.advanceTo(T0 + 2 * MINUTE + 10_001);

            // a calibrated prediction p's expected log loss is −(p ln p + (1−p) ln(1−p)): 0.5004024235 for 0.2 and 0.8
            double expected = -(0.2 * Math.log(0.2) + 0.8 * Math.log(0.8));
            List<JsonNode> records = f.predictionMetrics();
            assertThat(records).hasSize(2);
            JsonNode w0 = records.get(0);
            assertThat(w0.get("predictions").asLong()).isEqualTo(100);
            assertThat(w0.get("labelled").asLong()).isEqualTo(100);
            assertThat(w0.get("calibration_count").asLong()).isEqualTo(100);
            assertThat(w0.get("estimated_loss").asDouble()).isCloseTo(expected, within(1e-9));
            assertThat(w0.get("psi").isNull()).isTrue();

            JsonNode w1 = records.get(1);
            assertThat(w1.get("predictions").asLong()).isEqualTo(4);
            assertThat(w1.get("labelled").asLong()).isZero();
            assertThat(w1.get("mean_prediction").asDouble()).isCloseTo((0.2 + 3 * 0.8) / 4, within(1e-12));
            assertThat(w1.get("estimated_loss").asDouble()).isCloseTo(expected, within(1e-9));
            // the outcomes alone: se = sqrt(Σ q(1−q)·ln(4)²) / 4 over 4 predictions of q(1−q) = 0.16
            double outcomeHalfWidth = 1.959963984540054 * Math.sqrt(4 * 0.16 * Math.pow(Math.log(4), 2)) / 4;
            assertThat(w1.get("estimated_loss_high").asDouble() - expected).isGreaterThanOrEqualTo(outcomeHalfWidth - 1e-9);
            assertThat(w1.get("estimated_loss_low").asDouble()).isLessThan(expected);
            // psi: groups below the reference, its two values, above it; shares smoothed by half a prediction:
            // reference (0.5, 50.5, 50.5, 0.5)/102, window (0.5, 1.5, 3.5, 0.5)/6
            double[] e = {0.5 / 102, 50.5 / 102, 50.5 / 102, 0.5 / 102};
            double[] a = {0.5 / 6, 1.5 / 6, 3.5 / 6, 0.5 / 6};
            double psi = 0;
            for (int g = 0; g < 4; g++) {
                psi += (a[g] - e[g]) * Math.log(a[g] / e[g]);
            }
            assertThat(w1.get("psi").asDouble()).isCloseTo(psi, within(1e-12));

            // the realized window 0 carries the estimate published for it
            JsonNode m0 = f.metrics().get(0);
            assertThat(m0.get("window_start").asLong()).isEqualTo(T0);
            assertThat(m0.get("estimated_loss").asDouble()).isCloseTo(expected, within(1e-9));
            // and its realized loss is that same expectation, as it is calibrated exactly
            assertThat(m0.get("mean_loss").asDouble()).isCloseTo(expected, within(1e-12));
        }
    }

    @Test
    void thePendingPredictionsOfASevenDayJoinWindowAreGoneOnceItHasPassed() {
        try (TopologyFixture f = new TopologyFixture(Map.of("losswatch.join.window", "P7D"))) {
            unlabelled(f, "never-labelled", T0 + 1_000, 0.3);
            f.advanceTo(T0 + MINUTE + 10_001);
            KeyValueStore<String, Object> pending = f.driver.getKeyValueStore(Names.JOIN_PREDICTIONS_STORE);
            assertThat(count(pending)).isEqualTo(1);
            assertThat(f.predictionMetrics()).hasSize(1);
            assertThat(f.metrics()).as("the realized window waits for the label").isEmpty();

            f.advanceTo(T0 + 6 * 24 * 3_600_000L);
            assertThat(count(pending)).as("still inside the join window").isEqualTo(1);
            // the prediction's time + 7 days + the join grace (1 minute), and the window grace after that
            f.advanceTo(T0 + 1_000 + 7 * 24 * 3_600_000L + MINUTE + 10_001);
            f.advanceTo(T0 + 1_000 + 7 * 24 * 3_600_000L + 2 * MINUTE + 20_002);
            assertThat(count(pending)).as("gone once the join window has passed").isZero();
            List<JsonNode> windows = f.metrics();
            assertThat(windows).hasSize(1);
            assertThat(windows.get(0).get("unlabelled").asLong()).isEqualTo(1);
            assertThat(windows.get(0).get("count").asLong()).isZero();
        }
    }

    private static long count(KeyValueStore<String, Object> store) {
        long n = 0;
        try (var it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }
}
