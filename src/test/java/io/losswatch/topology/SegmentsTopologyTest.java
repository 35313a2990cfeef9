package io.losswatch.topology;

import static io.losswatch.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/**
 * Segments (CONTRACT §11) under TopologyTestDriver: per-field slices, the missing value, the cap and
 * __other__ across a restart, and alerts per segment. Every expected figure is worked out here from the
 * events, with the binary cross-entropy written out, not taken from the code.
 */
class SegmentsTopologyTest {
    private static final long MINUTE = 60_000;

    /** −(y ln p + (1 − y) ln(1 − p)), as CONTRACT §1 defines it (no p here is near 0 or 1). */
    private static double logLoss(double p, int y) {
        return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
    }

    /** A labelled prediction with extra top-level fields (already JSON, e.g. "\"country\":\"DE\""). */
    private static void predict(TopologyFixture f, String id, long t, double p, int y, String extra) {
        f.prediction(t, "{\"prediction_id\":\"" + id + "\",\"model\":\"churn\",\"model_version\":\"v1\",\"timestamp\":" + t
                + ",\"prediction\":" + p + ",\"label\":" + y + (extra.isEmpty() ? "" : "," + extra) + "}");
    }

    /** "field=value" of a record, "" for the whole model's. */
    private static String segment(JsonNode record) {
        JsonNode s = record.get("segment");
        if (s == null) {
            return "";
        }
        assertThat(s.size()).as("one field per segment record").isEqualTo(1);
        Map.Entry<String, JsonNode> e = s.fields().next();
        return e.getKey() + "=" + e.getValue().asText();
    }

    private static Map<String, JsonNode> bySegment(List<JsonNode> records) {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode r : records) {
            assertThat(out.put(segment(r), r)).as("one record per segment: " + segment(r)).isNull();
        }
        return out;
    }

    @Test
    void everyWindowPerValueOfEachFieldWithTheMissingValueAsEmpty() {
        double[] p = {0.9, 0.2, 0.7, 0.4};
        int[] y = {1, 1, 0, 0};
        try (TopologyFixture f = new TopologyFixture(Map.of("losswatch.segment.fields", "country,device"))) {
            predict(f, "e1", T0 + 1_000, p[0], y[0], "\"country\":\"DE\",\"device\":\"ios\"");
            predict(f, "e2", T0 + 2_000, p[1], y[1], "\"country\":\"DE\"");
            predict(f, "e3", T0 + 3_000, p[2], y[2], "\"device\":\"ios\",\"country\":\"FR\"");
            predict(f, "e4", T0 + 4_000, p[3], y[3], "\"device\":null");
            f.advanceTo(T0 + MINUTE + 10_000);

            double[] l = new double[4];
            for (int i = 0; i < 4; i++) {
                l[i] = logLoss(p[i], y[i]);
            }
            // which events each record holds, by hand from the four events above
            Map<String, int[]> members = Map.of(
                    "", new int[] {0, 1, 2, 3},
                    "country=DE", new int[] {0, 1},
                    "country=FR", new int[] {2},
                    "country=", new int[] {3},
                    "device=ios", new int[] {0, 2},
                    "device=", new int[] {1, 3});
            Map<String, JsonNode> metrics = bySegment(f.metrics());
            assertThat(metrics).containsOnlyKeys(members.keySet());
            members.forEach((segment, events) -> {
                JsonNode m = metrics.get(segment);
                double sum = 0;
                double min = Double.MAX_VALUE;
                double max = 0;
                for (int i : events) {
                    sum += l[i];
                    min = Math.min(min, l[i]);
                    max = Math.max(max, l[i]);
                }
                assertThat(m.get("count").asLong()).as(segment).isEqualTo(events.length);
                assertThat(m.get("mean_loss").asDouble()).as(segment).isCloseTo(sum / events.length, within(1e-12));
                assertThat(m.get("min_loss").asDouble()).as(segment).isCloseTo(min, within(1e-12));
                assertThat(m.get("max_loss").asDouble()).as(segment).isCloseTo(max, within(1e-12));
                assertThat(m.get("window_start").asLong()).isEqualTo(T0);
                assertThat(m.get("final").asBoolean()).isTrue();
            });
            // the whole model's record has exactly the §6 fields it always had, in their order: no segment
            List<String> names = new ArrayList<>();
            metrics.get("").fieldNames().forEachRemaining(names::add);
            assertThat(names).containsExactly("model", "model_version", "loss_function", "window_start", "window_end",
                    "count", "mean_loss", "min_loss", "max_loss", "stddev_loss", "unlabelled", "final", "clipped",
                    "joined_labels", "label_delay_mean_ms", "label_delay_max_ms", "mean_prediction", "positive_rate",
                    "accuracy", "expected_calibration_error", "estimated_loss");
            List<String> segmentNames = new ArrayList<>();
            metrics.get("country=DE").fieldNames().forEachRemaining(segmentNames::add);
            assertThat(segmentNames.subList(0, 3)).containsExactly("model", "model_version", "segment");

            // the label-free records (CONTRACT §9) per segment too
            Map<String, JsonNode> predictions = bySegment(f.predictionMetrics());
            assertThat(predictions).containsOnlyKeys(members.keySet());
            members.forEach((segment, events) -> {
                double mean = 0;
                for (int i : events) {
                    mean += p[i] / events.length;
                }
                assertThat(predictions.get(segment).get("predictions").asLong()).as(segment).isEqualTo(events.length);
                assertThat(predictions.get(segment).get("labelled").asLong()).as(segment).isEqualTo(events.length);
                assertThat(predictions.get(segment).get("mean_prediction").asDouble()).as(segment)
                        .isCloseTo(mean, within(1e-12));
            });
            assertThat(f.deadLetters()).isEmpty();
        }
    }

    @Test
    void aSegmentValueOfAWrongTypeIsDeadLettered() {
        try (TopologyFixture f = new TopologyFixture(Map.of("losswatch.segment.fields", "country"))) {
            predict(f, "e1", T0 + 1_000, 0.9, 1, "\"country\":{\"code\":\"DE\"}");
            predict(f, "e2", T0 + 2_000, 0.9, 1, "\"country\":49");
            f.advanceTo(T0 + MINUTE + 10_000);
            assertThat(f.deadLetters()).singleElement().satisfies(d -> {
                assertThat(TopologyFixture.header(d, Names.HEADER_REASON)).isEqualTo("wrong_type");
                assertThat(TopologyFixture.header(d, Names.HEADER_MESSAGE)).contains("segment field 'country'");
            });
            // a number is its JSON text
            assertThat(f.metrics()).extracting(SegmentsTopologyTest::segment).containsExactlyInAnyOrder("", "country=49");
        }
    }

    @Test
    void theFirstValuesAreKeptForGoodAndLaterOnesGoToOtherAcrossARestart() {
        Map<String, String> settings = Map.of("losswatch.segment.fields", "country", "losswatch.segment.max.values", "2");
        Map<String, List<KeyValue<Object, Object>>> stores;
        try (TopologyFixture f = new TopologyFixture(settings)) {
            predict(f, "a1", T0 + 1_000, 0.9, 1, "\"country\":\"A\"");
            predict(f, "m1", T0 + 2_000, 0.9, 1, ""); // missing: "", which takes no place
            predict(f, "b1", T0 + 3_000, 0.9, 1, "\"country\":\"B\"");
            predict(f, "c1", T0 + 4_000, 0.8, 1, "\"country\":\"C\"");
            predict(f, "a2", T0 + 5_000, 0.9, 1, "\"country\":\"A\"");
            predict(f, "d1", T0 + 6_000, 0.6, 1, "\"country\":\"D\"");
            predict(f, "o1", T0 + 7_000, 0.7, 1, "\"country\":\"__other__\"");
            f.advanceTo(T0 + MINUTE + 10_000);
            Map<String, JsonNode> first = bySegment(f.metrics());
            assertThat(first).containsOnlyKeys("", "country=A", "country=B", "country=", "country=__other__");
            assertThat(first.get("country=A").get("count").asLong()).isEqualTo(2);
            assertThat(first.get("country=").get("count").asLong()).isEqualTo(1);
            // C, D and a value that is "__other__" itself
            JsonNode other = first.get("country=__other__");
            assertThat(other.get("count").asLong()).isEqualTo(3);
            assertThat(other.get("mean_loss").asDouble())
                    .isCloseTo((logLoss(0.8, 1) + logLoss(0.6, 1) + logLoss(0.7, 1)) / 3, within(1e-12));
            assertThat(first.get("").get("count").asLong()).isEqualTo(7);
            stores = f.snapshot();
        }
        // a new instance with the stores restored, as from their changelogs
        try (TopologyFixture f = new TopologyFixture(settings)) {
            f.restore(stores);
            long w = T0 + 2 * MINUTE;
            predict(f, "c2", w + 1_000, 0.8, 1, "\"country\":\"C\"");
            predict(f, "b2", w + 2_000, 0.9, 1, "\"country\":\"B\"");
            predict(f, "e1", w + 3_000, 0.5, 1, "\"country\":\"E\"");
            f.advanceTo(w + MINUTE + 10_000);
            Map<String, JsonNode> second = bySegment(f.metrics().stream()
                    .filter(m -> m.get("window_start").asLong() == w).collect(Collectors.toList()));
            // C would be tracked by a fresh instance (the first value it sees): here A and B still hold the places
            assertThat(second).containsOnlyKeys("", "country=B", "country=__other__");
            assertThat(second.get("country=__other__").get("count").asLong()).isEqualTo(2);
            assertThat(second.get("country=__other__").get("mean_loss").asDouble())
                    .isCloseTo((logLoss(0.8, 1) + logLoss(0.5, 1)) / 2, within(1e-12));
        }
    }

    @Test
    void aDegradingSegmentFiresAloneWithItsSegment() {
        Map<String, String> settings = Map.of("losswatch.segment.fields", "country",
                "losswatch.alert.absolute.threshold", "1.0", "losswatch.alert.consecutive.windows", "1",
                "losswatch.alert.min.count", "2", "losswatch.alert.relative.enabled", "false",
                "losswatch.alert.sequential.enabled", "false", "losswatch.alert.estimated.enabled", "false",
                "losswatch.alert.drift.enabled", "false");
        try (TopologyFixture f = new TopologyFixture(settings)) {
            for (int w = 0; w < 2; w++) {
                long t = T0 + w * MINUTE;
                double de = w == 0 ? 0.5 : 0.1; // DE's predictions go wrong in the second window
                predict(f, "de-" + w + "-1", t + 1_000, de, 1, "\"country\":\"DE\"");
                predict(f, "de-" + w + "-2", t + 2_000, de, 1, "\"country\":\"DE\"");
                for (int i = 0; i < 6; i++) {
                    predict(f, "fr-" + w + "-" + i, t + 3_000 + i, 0.9, 1, "\"country\":\"FR\"");
                }
            }
            f.advanceTo(T0 + 2 * MINUTE + 10_000);
            // the whole model's second window: (2 × 2.303 + 6 × 0.105) / 8 = 0.65, under the threshold
            assertThat(bySegment(f.metrics().stream().filter(m -> m.get("window_start").asLong() == T0 + MINUTE)
                    .toList()).get("").get("mean_loss").asDouble())
                    .isCloseTo((2 * logLoss(0.1, 1) + 6 * logLoss(0.9, 1)) / 8, within(1e-12));
            List<JsonNode> alerts = f.alerts();
            assertThat(alerts).singleElement().satisfies(a -> {
                assertThat(a.get("status").asText()).isEqualTo("FIRING");
                assertThat(a.get("rule").asText()).isEqualTo("absolute_threshold");
                assertThat(a.get("segment").toString()).isEqualTo("{\"country\":\"DE\"}");
                assertThat(a.get("mean_loss").asDouble()).isCloseTo(logLoss(0.1, 1), within(1e-12));
                assertThat(a.get("threshold").asDouble()).isEqualTo(1.0);
                assertThat(a.get("window_start").asLong()).isEqualTo(T0 + MINUTE);
                assertThat(a.get("message").asText()).startsWith("segment country=DE: ");
            });
        }
    }
}
