package io.losswatch.topology;

import static io.losswatch.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline under TopologyTestDriver. Expected losses are −ln of the probability given to
 * the true class, worked out separately (Python's math.log), not read back from the code.
 */
class PipelineTopologyTest {
    // −ln 0.93, −ln 0.8, −ln 0.6
    static final double L93 = 0.07257069283483537;
    static final double L80 = 0.2231435513142097;
    static final double L60 = 0.5108256237659907;
    static final long MINUTE = 60_000;

    @Test
    void labelledPredictionGivesItsLossAtOnce() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.prediction(T0, "{\"prediction_id\": \"p-1\", \"model\": \"churn\", \"model_version\": \"v7\","
                    + " \"timestamp\": 1764000000000, \"prediction\": 0.93, \"label\": 1}");

            List<TestRecord<String, String>> records = f.lossRecords();
            assertThat(records).hasSize(1);
            assertThat(records.get(0).key()).isEqualTo("churn");
            JsonNode loss = TopologyFixture.parse(records.get(0).value());
            assertThat(loss.get("prediction_id").asText()).isEqualTo("p-1");
            assertThat(loss.get("model").asText()).isEqualTo("churn");
            assertThat(loss.get("model_version").asText()).isEqualTo("v7");
            assertThat(loss.get("loss_function").asText()).isEqualTo("log_loss");
            assertThat(loss.get("loss").asDouble()).isCloseTo(0.0725706928, within(1e-10));
            assertThat(loss.get("prediction").asDouble()).isEqualTo(0.93);
            assertThat(loss.get("label").asInt()).isEqualTo(1);
            assertThat(loss.get("event_time").asLong()).isEqualTo(1764000000000L);
        }
    }

    @Test
    void windowIsFinalOnlyOnceStreamTimePassesEndPlusGrace() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.labelled("churn", "v7", T0 + 1_000, 0.93, 1);
            f.labelled("churn", "v7", T0 + 20_000, 0.2, 0);
            f.labelled("churn", "v7", T0 + 59_999, 0.6, 1);
            f.advanceTo(T0 + MINUTE + 9_999); // end + grace not yet passed
            assertThat(f.metrics()).isEmpty();

            f.advanceTo(T0 + MINUTE + 10_000);
            List<JsonNode> metrics = f.metrics();
            assertThat(metrics).hasSize(1);
            JsonNode m = metrics.get(0);
            assertThat(m.get("model").asText()).isEqualTo("churn");
            assertThat(m.get("model_version").asText()).isEqualTo("v7");
            assertThat(m.get("loss_function").asText()).isEqualTo("log_loss");
            assertThat(m.get("window_start").asLong()).isEqualTo(T0);
            assertThat(m.get("window_end").asLong()).isEqualTo(T0 + MINUTE);
            assertThat(m.get("count").asLong()).isEqualTo(3);
            assertThat(m.get("mean_loss").asDouble()).isCloseTo(0.26884662263834525, within(1e-12));
            assertThat(m.get("min_loss").asDouble()).isCloseTo(L93, within(1e-12));
            assertThat(m.get("max_loss").asDouble()).isCloseTo(L60, within(1e-12));
            assertThat(m.get("stddev_loss").asDouble()).isCloseTo(0.1818120351126628, within(1e-12));
            assertThat(m.get("unlabelled").asLong()).isZero();
            assertThat(m.get("final").asBoolean()).isTrue();
            // binary extras: predictions .93→1, .2→0, .6→1 are all right at 0.5
            assertThat(m.get("mean_prediction").asDouble()).isCloseTo((0.93 + 0.2 + 0.6) / 3, within(1e-12));
            assertThat(m.get("positive_rate").asDouble()).isCloseTo(2.0 / 3, within(1e-12));
            assertThat(m.get("accuracy").asDouble()).isEqualTo(1.0);
            assertThat(m.get("expected_calibration_error").asDouble()).isCloseTo(0.2233333333333333, within(1e-12));
            assertThat(m.get("clipped").asLong()).isZero();
            assertThat(m.get("label_delay_mean_ms").isNull()).isTrue();

            f.advanceTo(T0 + 10 * MINUTE);
            assertThat(f.metrics()).as("a final window is emitted once").isEmpty();
        }
    }

    @Test
    void predictionThenLabelJoinsAndReportsTheLabelDelay() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.prediction(T0, "{\"prediction_id\": \"p-1\", \"model\": \"churn\", \"model_version\": \"v7\","
                    + " \"timestamp\": 1764000000000, \"prediction\": 0.93}");
            assertThat(f.losses()).isEmpty();
            f.label(T0 + 30_000, "{\"prediction_id\": \"p-1\", \"label\": 1, \"timestamp\": 1764000030000}");

            List<JsonNode> losses = f.losses();
            assertThat(losses).hasSize(1);
            assertThat(losses.get(0).get("loss").asDouble()).isCloseTo(L93, within(1e-12));
            assertThat(losses.get(0).get("event_time").asLong()).as("placed at the prediction's time").isEqualTo(T0);

            f.advanceTo(T0 + MINUTE + 10_000);
            JsonNode m = single(f.metrics());
            assertThat(m.get("count").asLong()).isEqualTo(1);
            assertThat(m.get("joined_labels").asLong()).isEqualTo(1);
            assertThat(m.get("label_delay_mean_ms").asDouble()).isEqualTo(30_000.0);
            assertThat(m.get("label_delay_max_ms").asLong()).isEqualTo(30_000);
            assertThat(f.deadLetters()).isEmpty();
        }
    }

    @Test
    void labelBeforeItsPredictionStillJoins() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.label(T0 + 5_000, "{\"prediction_id\": \"p-9\", \"label\": 0, \"timestamp\": " + (T0 + 5_000) + "}");
            f.prediction(T0 + 5_000, "{\"prediction_id\": \"p-9\", \"model\": \"fraud\", \"timestamp\": " + T0
                    + ", \"prediction\": 0.2}");

            List<JsonNode> losses = f.losses();
            assertThat(losses).hasSize(1);
            assertThat(losses.get(0).get("loss").asDouble()).isCloseTo(L80, within(1e-12));
            assertThat(losses.get(0).get("model_version").asText()).isEmpty();
            assertThat(f.deadLetters()).isEmpty();
        }
    }

    @Test
    void labelOutsideTheJoinWindowIsUnmatchedAndThePredictionCountsAsUnlabelled() {
        Map<String, String> settings = Map.of("losswatch.join.window", "PT2M", "losswatch.join.grace", "PT1M");
        try (TopologyFixture f = new TopologyFixture(settings)) {
            f.prediction(T0, "{\"prediction_id\": \"p-1\", \"model\": \"churn\", \"timestamp\": " + T0
                    + ", \"prediction\": 0.93}");
            f.labelled("churn", "", T0 + 1_000, 0.6, 1);
            // 2m01s after the prediction: one ms beyond the join window
            String late = "{\"prediction_id\": \"p-1\", \"label\": 1, \"timestamp\": " + (T0 + 2 * MINUTE + 1) + "}";
            f.label(T0 + 2 * MINUTE + 1, late);
            assertThat(f.losses()).hasSize(1); // only the labelled one

            // the window [T0, T0+1m) is past end + grace but waits for p-1 until its join expires
            f.advanceTo(T0 + 2 * MINUTE + 1);
            assertThat(f.metrics()).isEmpty();

            // prediction expires once stream time passes T0 + 2m + 1m; the label once it passes its time + 1m
            f.advanceTo(T0 + 3 * MINUTE + 2_000);
            JsonNode m = single(f.metrics());
            assertThat(m.get("count").asLong()).isEqualTo(1);
            assertThat(m.get("mean_loss").asDouble()).isCloseTo(L60, within(1e-12));
            assertThat(m.get("unlabelled").asLong()).isEqualTo(1);

            List<TestRecord<byte[], byte[]>> dead = f.deadLetters();
            assertThat(dead).hasSize(1);
            assertThat(TopologyFixture.header(dead.get(0), "losswatch.error.reason")).isEqualTo("unmatched_label");
            assertThat(TopologyFixture.header(dead.get(0), "losswatch.source.topic")).isEqualTo("labels");
            assertThat(TopologyFixture.header(dead.get(0), "losswatch.source.offset")).isEqualTo("0");
            assertThat(new String(dead.get(0).value(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(late);
        }
    }

    @Test
    void aPredictionReachingTheJoinAfterItsWaitIsOverCountsAsUnlabelledWithoutWaitingForAnotherRecord() {
        Map<String, String> settings = Map.of("losswatch.join.window", "PT2M", "losswatch.join.grace", "PT1M");
        try (TopologyFixture f = new TopologyFixture(settings)) {
            // the labels ran ahead: the join's stream time is T0 + 10m
            f.label(T0 + 10 * MINUTE, "{\"prediction_id\": \"p-2\", \"label\": 1, \"timestamp\": " + (T0 + 10 * MINUTE) + "}");
            // p-1's wait ends at T0 + 2m + 1m, long before it arrives
            f.prediction(T0, "{\"prediction_id\": \"p-1\", \"model\": \"churn\", \"timestamp\": " + T0
                    + ", \"prediction\": 0.93}");
            // the predictions' event time moves on; nothing more reaches the join
            f.advanceTo(T0 + 5 * MINUTE);
            JsonNode m = single(f.metrics());
            assertThat(m.get("window_start").asLong()).isEqualTo(T0);
            assertThat(m.get("count").asLong()).isZero();
            assertThat(m.get("unlabelled").asLong()).isEqualTo(1);
            assertThat(f.deadLetters()).isEmpty(); // p-2's label still waits, until T0 + 11m
        }
    }

    @Test
    void aPredictionThatNeverGetsALabelIsCountedOnceOnlyLabelledTrafficMovesTimeOn() {
        Map<String, String> settings = Map.of("losswatch.join.window", "PT2M", "losswatch.join.grace", "PT1M");
        try (TopologyFixture f = new TopologyFixture(settings)) {
            f.prediction(T0, "{\"prediction_id\": \"p-1\", \"model\": \"churn\", \"timestamp\": " + T0
                    + ", \"prediction\": 0.93}");
            f.labelled("churn", "", T0 + 1_000, 0.6, 1);
            // nothing else will ever reach the join: only inline-labelled predictions, whose event time
            // passes p-1's wait (T0 + 2m + 1m) through the intake's watermarks
            f.advanceTo(T0 + 3 * MINUTE + 1);
            f.flush();
            JsonNode m = single(f.metrics());
            assertThat(m.get("window_start").asLong()).isEqualTo(T0);
            assertThat(m.get("count").asLong()).isEqualTo(1);
            assertThat(m.get("mean_loss").asDouble()).isCloseTo(L60, within(1e-12));
            assertThat(m.get("unlabelled").asLong()).isEqualTo(1);
            assertThat(f.deadLetters()).isEmpty();
        }
    }

    @Test
    void aLabelReachingTheJoinAfterItsWaitIsOverIsUnmatchedAtOnce() {
        try (TopologyFixture f = new TopologyFixture()) {
            // a prediction waiting for its label moves the join's stream time to T0 + 10m
            f.prediction(T0 + 10 * MINUTE, "{\"prediction_id\": \"p-9\", \"model\": \"churn\", \"timestamp\": "
                    + (T0 + 10 * MINUTE) + ", \"prediction\": 0.93}");
            // a label with no prediction, whose grace (1m) ended at T0 + 1m
            String label = "{\"prediction_id\": \"p-1\", \"label\": 1, \"timestamp\": " + T0 + "}";
            f.label(T0, label);
            List<TestRecord<byte[], byte[]>> dead = f.deadLetters();
            assertThat(dead).hasSize(1);
            assertThat(TopologyFixture.header(dead.get(0), "losswatch.error.reason")).isEqualTo("unmatched_label");
            assertThat(new String(dead.get(0).value(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(label);
        }
    }

    @Test
    void labelBeforeThePredictionTimeDoesNotMatch() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.prediction(T0 + 10_000, "{\"prediction_id\": \"p-1\", \"model\": \"churn\", \"timestamp\": " + (T0 + 10_000)
                    + ", \"prediction\": 0.93}");
            f.label(T0 + 10_000, "{\"prediction_id\": \"p-1\", \"label\": 1, \"timestamp\": " + (T0 + 9_999) + "}");
            assertThat(f.losses()).isEmpty();
        }
    }

    @Test
    void hoppingWindowsCountAnEventInEveryWindowThatHoldsIt() {
        Map<String, String> settings = Map.of("losswatch.window.size", "PT1M", "losswatch.window.advance", "PT30S");
        try (TopologyFixture f = new TopologyFixture(settings)) {
            f.labelled("churn", "v1", T0 + 40_000, 0.93, 1); // in [T0, T0+1m) and [T0+30s, T0+90s)
            f.labelled("churn", "v1", T0 + 70_000, 0.2, 0);  // in [T0+30s, T0+90s) and [T0+60s, T0+120s)
            f.advanceTo(T0 + 3 * MINUTE);
            List<JsonNode> metrics = f.metrics();
            assertThat(metrics).extracting(m -> m.get("window_start").asLong())
                    .containsExactly(T0, T0 + 30_000, T0 + 60_000);
            assertThat(metrics).extracting(m -> m.get("count").asLong()).containsExactly(1L, 2L, 1L);
            assertThat(metrics.get(0).get("mean_loss").asDouble()).isCloseTo(L93, within(1e-12));
            assertThat(metrics.get(1).get("mean_loss").asDouble()).isCloseTo((L93 + L80) / 2, within(1e-12));
            assertThat(metrics.get(2).get("mean_loss").asDouble()).isCloseTo(L80, within(1e-12));
            assertThat(metrics).allSatisfy(m ->
                    assertThat(m.get("window_end").asLong() - m.get("window_start").asLong()).isEqualTo(MINUTE));
        }
    }

    @Test
    void modelsAndVersionsHaveTheirOwnWindows() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.labelled("churn", "v1", T0 + 1, 0.93, 1);
            f.labelled("churn", "v2", T0 + 2, 0.2, 0);
            f.labelled("fraud", "v1", T0 + 3, 0.6, 1);
            f.labelled("churn", "v1", T0 + 4, 0.6, 1);
            f.advanceTo(T0 + 2 * MINUTE);
            List<JsonNode> metrics = f.metrics();
            assertThat(metrics).hasSize(3);
            JsonNode churnV1 = find(metrics, "churn", "v1");
            assertThat(churnV1.get("count").asLong()).isEqualTo(2);
            assertThat(churnV1.get("mean_loss").asDouble()).isCloseTo((L93 + L60) / 2, within(1e-12));
            assertThat(find(metrics, "churn", "v2").get("mean_loss").asDouble()).isCloseTo(L80, within(1e-12));
            assertThat(find(metrics, "fraud", "v1").get("mean_loss").asDouble()).isCloseTo(L60, within(1e-12));
        }
    }

    @Test
    void updateModeAlsoEmitsInterimRecords() {
        try (TopologyFixture f = new TopologyFixture(Map.of("losswatch.metrics.emit", "update"))) {
            f.labelled("churn", "v1", T0 + 1, 0.93, 1);
            f.labelled("churn", "v1", T0 + 2, 0.2, 0);
            List<JsonNode> interim = f.metrics();
            assertThat(interim).extracting(m -> m.get("final").asBoolean()).containsExactly(false, false);
            assertThat(interim).extracting(m -> m.get("count").asLong()).containsExactly(1L, 2L);
            f.advanceTo(T0 + 2 * MINUTE);
            List<JsonNode> last = f.metrics();
            assertThat(last).hasSize(1);
            assertThat(last.get(0).get("final").asBoolean()).isTrue();
            assertThat(last.get(0).get("mean_loss").asDouble()).isCloseTo((L93 + L80) / 2, within(1e-12));
        }
    }

    @Test
    void eventForAWindowAlreadyFinalIsDeadLetteredAsLateButKeepsItsLoss() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.labelled("churn", "v1", T0 + 1, 0.93, 1);
            f.advanceTo(T0 + 2 * MINUTE);
            assertThat(f.metrics()).hasSize(1);
            f.labelled("churn", "v1", T0 + 2, 0.2, 0);
            assertThat(f.losses()).hasSize(2);
            List<TestRecord<byte[], byte[]>> dead = f.deadLetters();
            assertThat(dead).hasSize(1);
            assertThat(TopologyFixture.header(dead.get(0), "losswatch.error.reason")).isEqualTo("late_event");
            assertThat(f.metrics()).isEmpty();
        }
    }

    @Test
    void latePredictionWithASeparateLabelIsOneLateEventAndHoldsNoWindowOpen() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.labelled("churn", "v1", T0 + 1, 0.93, 1);
            f.advanceTo(T0 + 2 * MINUTE);
            assertThat(f.metrics()).hasSize(1);
            // a prediction for the final window 0, whose label then comes on time
            f.prediction(T0 + 2 * MINUTE, "{\"prediction_id\": \"late-1\", \"model\": \"churn\", \"model_version\": \"v1\","
                    + " \"timestamp\": " + (T0 + 5_000) + ", \"prediction\": 0.93}");
            f.label(T0 + 2 * MINUTE, "{\"prediction_id\": \"late-1\", \"label\": 1, \"timestamp\": " + (T0 + 6_000) + "}");
            assertThat(f.losses()).extracting(l -> l.get("prediction_id").asText()).endsWith("late-1").hasSize(2);
            List<TestRecord<byte[], byte[]>> dead = f.deadLetters();
            assertThat(dead).as("one dead letter for the one late input").hasSize(1);
            assertThat(TopologyFixture.header(dead.get(0), "losswatch.error.reason")).isEqualTo("late_event");
            assertThat(new String(dead.get(0).value())).contains("\"count\":1");
            // a later window of the same model still closes: nothing is left pending
            f.labelled("churn", "v1", T0 + 3 * MINUTE, 0.5, 1);
            f.advanceTo(T0 + 5 * MINUTE);
            assertThat(f.metrics()).extracting(m -> m.get("window_start").asLong()).contains(T0 + 3 * MINUTE);
        }
    }

    @Test
    void latePredictionThatNeverGetsItsLabelIsOneLateUnlabelledEvent() {
        Map<String, String> settings = Map.of("losswatch.join.window", "PT1M", "losswatch.join.grace", "PT10S");
        try (TopologyFixture f = new TopologyFixture(settings)) {
            f.labelled("churn", "v1", T0 + 1, 0.93, 1);
            f.advanceTo(T0 + 2 * MINUTE);
            f.prediction(T0 + 2 * MINUTE, "{\"prediction_id\": \"late-2\", \"model\": \"churn\", \"timestamp\": "
                    + (T0 + 5_000) + ", \"prediction\": 0.5}");
            // the join's clock moves on past the prediction's join window
            f.label(T0 + 10 * MINUTE, "{\"prediction_id\": \"tick\", \"label\": 1, \"timestamp\": " + (T0 + 10 * MINUTE) + "}");
            List<TestRecord<byte[], byte[]>> dead = f.deadLetters();
            assertThat(dead).hasSize(1);
            assertThat(TopologyFixture.header(dead.get(0), "losswatch.error.reason")).isEqualTo("late_event");
            assertThat(new String(dead.get(0).value())).contains("\"unlabelled\":1");
        }
    }

    @Test
    void clippedPredictionsAreCountedAndTheirLossIsFinite() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.labelled("churn", "v1", T0 + 1, 0.0, 1);
            f.labelled("churn", "v1", T0 + 2, 1.0, 1);
            List<JsonNode> losses = f.losses();
            assertThat(losses.get(0).get("loss").asDouble()).isCloseTo(34.538776394910684, within(1e-9));
            assertThat(losses.get(1).get("loss").asDouble()).isBetween(0.0, 1e-14);
            f.advanceTo(T0 + 2 * MINUTE);
            JsonNode m = single(f.metrics());
            assertThat(m.get("clipped").asLong()).isEqualTo(2);
            assertThat(m.get("accuracy").asDouble()).isEqualTo(0.5);
        }
    }

    @Test
    void duplicatePredictionAndDuplicateLabelAreDeadLettered() {
        try (TopologyFixture f = new TopologyFixture()) {
            String p = "{\"prediction_id\": \"p-1\", \"model\": \"churn\", \"timestamp\": " + T0 + ", \"prediction\": 0.93}";
            f.prediction(T0, p);
            f.prediction(T0, p);
            String l = "{\"prediction_id\": \"p-2\", \"label\": 1, \"timestamp\": " + T0 + "}";
            f.label(T0, l);
            f.label(T0, l);
            assertThat(f.deadLetters()).extracting(r -> TopologyFixture.header(r, "losswatch.error.reason"))
                    .containsExactly("duplicate_prediction", "duplicate_label");
        }
    }

    @Test
    void aDuplicatePredictionDoesNotHoldItsWindowOpen() {
        try (TopologyFixture f = new TopologyFixture()) {
            String p = "{\"prediction_id\": \"p-1\", \"model\": \"churn\", \"timestamp\": " + T0 + ", \"prediction\": 0.93}";
            f.prediction(T0, p);
            f.prediction(T0, p);
            f.label(T0 + 1_000, "{\"prediction_id\": \"p-1\", \"label\": 1, \"timestamp\": " + (T0 + 1_000) + "}");
            f.advanceTo(T0 + MINUTE + 10_000);
            JsonNode m = single(f.metrics());
            assertThat(m.get("count").asLong()).isEqualTo(1);
            assertThat(m.get("mean_loss").asDouble()).isCloseTo(L93, within(1e-12));
            assertThat(m.get("unlabelled").asLong()).isZero();
        }
    }

    @Test
    void predictionRejectedAtJoinTimeDeadLettersBothRecordsAndFreesItsWindow() {
        try (TopologyFixture f = new TopologyFixture()) {
            // 1.7 is a fine regression value, but with a 0/1 label auto picks log_loss
            f.prediction(T0, "{\"prediction_id\": \"p-1\", \"model\": \"churn\", \"timestamp\": " + T0 + ", \"prediction\": 1.7}");
            f.labelled("churn", "", T0 + 1, 0.6, 1);
            f.label(T0 + 2, "{\"prediction_id\": \"p-1\", \"label\": 1, \"timestamp\": " + (T0 + 2) + "}");
            assertThat(f.deadLetters()).extracting(r -> TopologyFixture.header(r, "losswatch.error.reason"))
                    .containsExactly("out_of_range", "rejected_prediction");
            f.advanceTo(T0 + MINUTE + 10_000);
            JsonNode m = single(f.metrics());
            assertThat(m.get("count").asLong()).isEqualTo(1);
            assertThat(m.get("unlabelled").asLong()).isZero();
        }
    }

    @Test
    void badLabelIsDeadLetteredAndThePredictionKeepsWaitingForAGoodOne() {
        try (TopologyFixture f = new TopologyFixture(Map.of("losswatch.loss", "log_loss"))) {
            f.prediction(T0, "{\"prediction_id\": \"p-1\", \"model\": \"churn\", \"timestamp\": " + T0 + ", \"prediction\": 0.93}");
            f.label(T0 + 1, "{\"prediction_id\": \"p-1\", \"label\": 0.5, \"timestamp\": " + (T0 + 1) + "}");
            assertThat(f.deadLetters()).extracting(r -> TopologyFixture.header(r, "losswatch.error.reason"))
                    .containsExactly("invalid_label");
            f.label(T0 + 2, "{\"prediction_id\": \"p-1\", \"label\": 1, \"timestamp\": " + (T0 + 2) + "}");
            assertThat(f.losses()).hasSize(1);
        }
    }

    static JsonNode single(List<JsonNode> nodes) {
        assertThat(nodes).hasSize(1);
        return nodes.get(0);
    }

    static JsonNode find(List<JsonNode> metrics, String model, String version) {
        return metrics.stream()
                .filter(m -> m.get("model").asText().equals(model) && m.get("model_version").asText().equals(version))
                .findFirst().orElseThrow();
    }

    /**
     * An interim record of a long window is dated no later than the wall clock, not at the window's
     * end: a Kafka 4 broker refuses records dated over an hour ahead, and the application would stop.
     */
    @Test
    void interimRecordsOfALongWindowAreNotDatedInTheFuture() {
        try (TopologyFixture f = new TopologyFixture(Map.of("losswatch.metrics.emit", "update", "losswatch.window.size", "P1D"))) {
            long now = System.currentTimeMillis(); // TopologyTestDriver's wall clock starts at the real one
            f.prediction(now, "{\"prediction_id\": \"a\", \"model\": \"m\", \"prediction\": 0.5, \"label\": 1, \"timestamp\": "
                    + now + "}");
            List<org.apache.kafka.streams.test.TestRecord<String, String>> interim = f.metricRecords();
            assertThat(interim).isNotEmpty();
            for (org.apache.kafka.streams.test.TestRecord<String, String> r : interim) {
                assertThat(TopologyFixture.parse(r.value()).get("final").asBoolean()).isFalse();
                // the day's window ends hours after the clock (unless this runs in a day's last second)
                assertThat(r.timestamp()).as("dated no later than the wall clock")
                        .isBetween(now - 60_000, System.currentTimeMillis() + 1_000);
            }
        }
    }
}
