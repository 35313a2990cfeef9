package io.losswatch.topology;

import static io.losswatch.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** CONTRACT §7: every unusable record reaches the dead-letter topic, as it arrived, with the reason. */
class RejectedInputTopologyTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "not json at all                                                          | invalid_json",
        "[1, 2, 3]                                                                | invalid_json",
        "{\"model\": \"m\", \"prediction\": 0.5, \"label\": 1} trailing               | invalid_json",
        "{\"model\": \"m\", \"model\": \"n\", \"prediction\": 0.5, \"label\": 1}     | invalid_json",
        "{\"prediction\": 0.5, \"label\": 1}                                         | missing_field",
        "{\"model\": 7, \"prediction\": 0.5, \"label\": 1}                           | wrong_type",
        "{\"model\": \"m\", \"label\": 1}                                            | missing_field",
        "{\"model\": \"m\", \"prediction\": \"0.5\", \"label\": 1}                   | wrong_type",
        "{\"model\": \"m\", \"prediction\": NaN, \"label\": 1}                       | invalid_number",
        "{\"model\": \"m\", \"prediction\": 1e400, \"label\": 1}                     | invalid_number",
        "{\"model\": \"m\", \"prediction\": 1.5, \"label\": 1}                       | out_of_range",
        "{\"model\": \"m\", \"prediction\": -0.1, \"label\": 0}                      | out_of_range",
        "{\"model\": \"m\", \"prediction\": {\"a\": -1, \"b\": 2}, \"label\": \"a\"} | out_of_range",
        "{\"model\": \"m\", \"prediction\": {\"a\": 0.4, \"b\": 0.6}, \"label\": \"c\"} | invalid_label",
        "{\"model\": \"m\", \"prediction\": 0.5, \"label\": [1]}                     | wrong_type",
        "{\"model\": \"m\", \"prediction\": 0.5}                                     | missing_field",
        "{\"model\": \"m\", \"prediction\": 0.5, \"label\": 1, \"timestamp\": \"1764000000000\"} | invalid_timestamp",
        "{\"model\": \"m\", \"prediction\": 0.5, \"label\": 1, \"timestamp\": \"yesterday\"}     | invalid_timestamp",
        "{\"model\": \"m\", \"prediction\": 0.5, \"label\": 1, \"timestamp\": -5}                | invalid_timestamp",
        "{\"model\": \"m\", \"prediction\": 0.5, \"label\": 1, \"timestamp\": 253402300800000}   | invalid_timestamp",
        "{\"model\": \"m\", \"prediction\": 0.5, \"label\": 1, \"timestamp\": \"+20000-01-01T00:00:00Z\"} | invalid_timestamp",
    })
    void badPredictionIsDeadLetteredWithItsReason(String json, String reason) {
        try (TopologyFixture f = new TopologyFixture()) {
            byte[] key = "the-key".getBytes(StandardCharsets.UTF_8);
            byte[] value = json.getBytes(StandardCharsets.UTF_8);
            f.prediction(key, value, T0);
            List<TestRecord<byte[], byte[]>> dead = f.deadLetters();
            assertThat(dead).hasSize(1);
            TestRecord<byte[], byte[]> d = dead.get(0);
            assertThat(d.key()).isEqualTo(key);
            assertThat(d.value()).isEqualTo(value);
            assertThat(TopologyFixture.header(d, "losswatch.error.reason")).isEqualTo(reason);
            assertThat(TopologyFixture.header(d, "losswatch.error.message")).isNotBlank();
            assertThat(TopologyFixture.header(d, "losswatch.source.topic")).isEqualTo("predictions");
            assertThat(TopologyFixture.header(d, "losswatch.source.partition")).isEqualTo("0");
            assertThat(TopologyFixture.header(d, "losswatch.source.offset")).isEqualTo("0");
            assertThat(f.losses()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"label\": 1}                                  | missing_field",
        "{\"prediction_id\": \"p\"}                      | missing_field",
        "{\"prediction_id\": \"p\", \"label\": {}}       | wrong_type",
        "{\"prediction_id\": [\"p\"], \"label\": 1}      | wrong_type",
        "{\"prediction_id\": \"p\", \"label\": 1, \"timestamp\": true} | invalid_timestamp",
        "12                                              | invalid_json",
    })
    void badLabelIsDeadLetteredWithItsReason(String json, String reason) {
        try (TopologyFixture f = new TopologyFixture()) {
            f.label(T0, json);
            List<TestRecord<byte[], byte[]>> dead = f.deadLetters();
            assertThat(dead).extracting(d -> TopologyFixture.header(d, "losswatch.error.reason")).containsExactly(reason);
            assertThat(TopologyFixture.header(dead.get(0), "losswatch.source.topic")).isEqualTo("labels");
        }
    }

    /**
     * An event dated further ahead of the wall clock than losswatch.input.max.future is refused before
     * anything carries its time: a Kafka 4 broker refuses records dated over an hour ahead, and one such
     * loss record failed its whole batch and stopped the application (HostileInputIT's flipped digit).
     */
    @Test
    void eventsDatedTooFarAheadOfTheClockAreDeadLettered() {
        try (TopologyFixture f = new TopologyFixture(Map.of("losswatch.input.max.future", "PT5M"))) {
            long now = System.currentTimeMillis(); // TopologyTestDriver's wall clock starts at the real one
            long farAhead = now + 3_600_000;
            f.prediction(now, "{\"prediction_id\": \"a\", \"model\": \"m\", \"prediction\": 0.5, \"label\": 1, \"timestamp\": "
                    + farAhead + "}");
            f.label(now, "{\"prediction_id\": \"b\", \"label\": 1, \"timestamp\": " + farAhead + "}");
            // a minute ahead is within the setting: scored as usual
            f.prediction(now, "{\"prediction_id\": \"c\", \"model\": \"m\", \"prediction\": 0.5, \"label\": 1, \"timestamp\": "
                    + (now + 60_000) + "}");
            List<TestRecord<byte[], byte[]>> dead = f.deadLetters();
            assertThat(dead).extracting(d -> TopologyFixture.header(d, "losswatch.error.reason"))
                    .containsExactly("invalid_timestamp", "invalid_timestamp");
            assertThat(dead).extracting(d -> TopologyFixture.header(d, "losswatch.source.topic"))
                    .containsExactly("predictions", "labels");
            assertThat(TopologyFixture.header(dead.get(0), "losswatch.error.message"))
                    .contains("more than PT5M after this instance's clock", "losswatch.input.max.future");
            assertThat(f.losses()).extracting(l -> l.get("prediction_id").asText()).containsExactly("c");
        }
    }

    @Test
    void oversizedRecordIsDeadLetteredWhole() {
        try (TopologyFixture f = new TopologyFixture(Map.of("losswatch.input.max.bytes", "1000"))) {
            char[] padding = new char[5000];
            Arrays.fill(padding, 'x');
            byte[] value = ("{\"model\": \"m\", \"prediction\": 0.5, \"label\": 1, \"note\": \"" + new String(padding) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            f.prediction(null, value, T0);
            TestRecord<byte[], byte[]> d = f.deadLetters().get(0);
            assertThat(TopologyFixture.header(d, "losswatch.error.reason")).isEqualTo("oversized");
            assertThat(d.value()).isEqualTo(value);
        }
    }

    @Test
    void deeplyNestedJsonIsRejectedByTheParserLimitNotAStackOverflow() {
        try (TopologyFixture f = new TopologyFixture()) {
            String nested = "[".repeat(200_000) + "]".repeat(200_000);
            f.prediction(T0, "{\"model\": \"m\", \"prediction\": 0.5, \"label\": 1, \"extra\": " + nested + "}");
            TestRecord<byte[], byte[]> d = f.deadLetters().get(0);
            assertThat(TopologyFixture.header(d, "losswatch.error.reason")).isEqualTo("invalid_json");
            assertThat(TopologyFixture.header(d, "losswatch.error.message")).containsIgnoringCase("nesting");
        }
    }

    @Test
    void emptyValueIsDeadLettered() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.prediction("k".getBytes(StandardCharsets.UTF_8), null, T0);
            assertThat(f.deadLetters()).extracting(d -> TopologyFixture.header(d, "losswatch.error.reason"))
                    .containsExactly("invalid_json");
        }
    }

    @Test
    void theApplicationKeepsGoingAfterBadInput() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.prediction(T0, "garbage");
            f.labelled("churn", "v1", T0 + 1, 0.93, 1);
            assertThat(f.deadLetters()).hasSize(1);
            assertThat(f.losses()).hasSize(1);
        }
    }
}
