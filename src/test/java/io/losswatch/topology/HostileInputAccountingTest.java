package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Nothing is lost (CONTRACT §7): under random hostile traffic every input record ends as a loss, a
 * dead letter with a reason, or a counted unlabelled prediction, and the topology never stops.
 */
class HostileInputAccountingTest {
    private static final long FAR = HostileInput.T0 + 24 * 3_600_000L;

    @Property(tries = 25)
    void everyInputRecordIsAccountedForExactlyOnce(@ForAll long seed) {
        Map<String, String> settings = Map.of("losswatch.join.window", "PT1M", "losswatch.join.grace", "PT30S");
        accountFor(new HostileInput(seed).generate(300), settings, UnaryOperator.identity(), UnaryOperator.identity());
    }

    /**
     * The same with two segment fields (CONTRACT §11) and a cap of 3 values: each record that is a JSON object
     * gets a country of 6 (or none, or null; now and then an object, which is dead-lettered) and a device of
     * 2, the country mapped by a pointer into a nested object. Every input is still accounted for once, and
     * each field's segment records add up to the whole model's, with at most 3 tracked values per field.
     */
    @Property(tries = 10)
    void everyInputRecordIsAccountedForWithSegments(@ForAll long seed) {
        Map<String, String> settings = new HashMap<>(Map.of("losswatch.join.window", "PT1M", "losswatch.join.grace", "PT30S",
                "losswatch.segment.fields", "country,device", "losswatch.segment.max.values", "3",
                "losswatch.input.predictions.field.country", "/geo/country"));
        java.util.Random random = new java.util.Random(seed);
        accountFor(new HostileInput(seed).generate(300), settings, v -> withSegments(v, random), UnaryOperator.identity());
    }

    private static byte[] withSegments(byte[] value, java.util.Random random) {
        JsonNode node;
        try {
            node = LENIENT.readTree(value);
        } catch (Exception e) {
            return value;
        }
        if (node == null || !node.isObject() || node.has("geo") || node.has("device")
                || node.path("model").asText().equals("clock")) {
            return value; // the clock records that end the test are not inputs: they must stay valid
        }
        ObjectNode out = ((ObjectNode) node).deepCopy();
        int c = random.nextInt(9);
        if (c < 6) {
            out.set("geo", LENIENT.createObjectNode().put("country", "C" + c));
        } else if (c == 6) {
            out.set("geo", LENIENT.createObjectNode().putNull("country"));
        } else if (c == 7 && random.nextInt(4) == 0) {
            out.set("geo", LENIENT.createObjectNode().set("country", LENIENT.createObjectNode().put("x", 1)));
        }
        if (random.nextBoolean()) {
            out.put("device", random.nextBoolean() ? "ios" : "web");
        }
        try {
            return LENIENT.writeValueAsBytes(out);
        } catch (Exception e) {
            return value;
        }
    }

    /**
     * The same through field mappings (CONTRACT §10): each record that is a JSON object is reshaped into a
     * nested form the mappings read back, its values (hostile ones included) kept as they are.
     */
    @Property(tries = 10)
    void everyMappedInputRecordIsAccountedForExactlyOnce(@ForAll long seed) {
        Map<String, String> settings = new HashMap<>(Map.of("losswatch.join.window", "PT1M", "losswatch.join.grace", "PT30S"));
        settings.put("losswatch.input.predictions.field.prediction_id", "/id");
        settings.put("losswatch.input.predictions.field.model", "/meta/model");
        settings.put("losswatch.input.predictions.field.model_version", "/meta/version");
        settings.put("losswatch.input.predictions.field.timestamp", "/meta/t~1s");
        settings.put("losswatch.input.predictions.field.prediction", "/out/0");
        settings.put("losswatch.input.predictions.field.label", "/y");
        settings.put("losswatch.input.labels.field.prediction_id", "/ref/id");
        accountFor(new HostileInput(seed).generate(300), settings, v -> nest(v, false), v -> nest(v, true));
    }

    /**
     * KServe responses (CONTRACT §10): batches of 1–4 predictions, requests and other event types (skipped
     * and counted), records with no ce_type or a hostile body (dead-lettered), and labels for the batches'
     * ids among hostile ones. Every prediction of a batch ends as a loss or an unlabelled count, every other
     * record as one dead letter or one counted skip.
     */
    @Property(tries = 10)
    void everyKserveRecordAndPredictionIsAccountedFor(@ForAll long seed) {
        java.util.Random random = new java.util.Random(seed);
        List<HostileInput.Input> hostile = new HostileInput(seed).generate(300);
        int[] skipped = {0};
        PipelineListener listener = new PipelineListener() {
            @Override
            public void inputSkipped(String topic, String reason) {
                skipped[0]++;
            }
        };
        Map<String, String> settings = Map.of("losswatch.join.window", "PT1M", "losswatch.join.grace", "PT30S",
                "losswatch.input.predictions.format", "kserve");
        try (TopologyFixture f = new TopologyFixture(settings, listener)) {
            List<String> ids = new java.util.ArrayList<>();
            int batchPredictions = 0;
            int expectSkipped = 0;
            int expectDead = 0;
            int labels = 0;
            for (int i = 0; i < hostile.size(); i++) {
                HostileInput.Input in = hostile.get(i);
                long t = in.recordTime();
                if (in.label()) {
                    byte[] value = !ids.isEmpty() && random.nextBoolean()
                            ? utf8("{\"prediction_id\":\"" + ids.get(random.nextInt(ids.size())) + "\",\"label\":"
                                    + random.nextInt(2) + ",\"timestamp\":" + (t + random.nextInt(20_000)) + "}")
                            : in.value();
                    f.label(null, value, t);
                    labels++;
                    continue;
                }
                String id = "k-" + i;
                String type = "org.kubeflow.serving.inference.response";
                byte[] body;
                switch (random.nextInt(8)) {
                    case 0 -> {
                        type = "org.kubeflow.serving.inference.request";
                        body = utf8("{\"instances\":[[1,2]]}");
                        expectSkipped++;
                    }
                    case 1 -> {
                        type = random.nextBoolean() ? "com.example.other" : null;
                        body = in.value();
                        if (type == null) {
                            expectDead++;
                        } else {
                            expectSkipped++;
                        }
                    }
                    case 2 -> {
                        body = in.value();
                        expectDead++;
                    }
                    default -> {
                        int n = 1 + random.nextInt(4);
                        StringBuilder data = new StringBuilder();
                        for (int j = 0; j < n; j++) {
                            data.append(j == 0 ? "" : ",").append(random.nextDouble());
                            ids.add(id + "-" + j);
                        }
                        body = utf8(random.nextBoolean() ? "{\"predictions\":[" + data + "]}"
                                : "{\"outputs\":[{\"name\":\"p\",\"shape\":[" + n + ",1],\"datatype\":\"FP64\",\"data\":[" + data + "]}]}");
                        batchPredictions += n;
                    }
                }
                org.apache.kafka.common.header.internals.RecordHeaders headers = new org.apache.kafka.common.header.internals.RecordHeaders();
                if (type != null) {
                    headers.add("ce_type", utf8(type));
                }
                headers.add("ce_id", utf8(id));
                headers.add("ce_time", utf8(java.time.Instant.ofEpochMilli(t).toString()));
                headers.add("ce_inferenceservicename", utf8("m" + random.nextInt(3)));
                f.prediction(new TestRecord<>(null, body, headers, t));
            }
            org.apache.kafka.common.header.internals.RecordHeaders clock = new org.apache.kafka.common.header.internals.RecordHeaders();
            clock.add("ce_type", utf8("org.kubeflow.serving.inference.response"));
            clock.add("ce_id", utf8("clock"));
            clock.add("ce_inferenceservicename", utf8("clock"));
            f.prediction(new TestRecord<>(null, utf8("{\"predictions\":[0.5]}"), clock, FAR));
            f.label(null, utf8("{\"prediction_id\":\"clock-l\",\"label\":1}"), FAR);
            clock.remove("ce_id");
            clock.add("ce_id", utf8("clock2"));
            f.prediction(new TestRecord<>(null, utf8("{\"predictions\":[0.5]}"), clock, FAR + 1));

            List<JsonNode> losses = f.losses();
            long unlabelled = f.metrics().stream().mapToLong(m -> m.get("unlabelled").asLong()).sum();
            Map<String, Set<Long>> deadByTopic = new HashMap<>();
            int lateUnlabelled = 0;
            List<String> why = new java.util.ArrayList<>();
            for (TestRecord<byte[], byte[]> d : f.deadLetters()) {
                String reason = TopologyFixture.header(d, "losswatch.error.reason");
                why.add(TopologyFixture.header(d, "losswatch.source.topic") + " " + reason + ": " + TopologyFixture.header(d, "losswatch.error.message"));
                assertThat(reason).isNotEqualTo("processing_error");
                String topic = TopologyFixture.header(d, "losswatch.source.topic");
                if (reason.equals("late_event")) {
                    JsonNode stats = TopologyFixture.parse(new String(d.value(), StandardCharsets.UTF_8)).get("stats");
                    lateUnlabelled += stats.path("unlabelled").asInt(0);
                    continue;
                }
                long offset = Long.parseLong(TopologyFixture.header(d, "losswatch.source.offset"));
                assertThat(deadByTopic.computeIfAbsent(topic, t -> new HashSet<>()).add(offset))
                        .as("one dead letter per input record (%s offset %d, %s)", topic, offset, reason).isTrue();
            }
            assertThat(skipped[0]).as("skipped and counted").isEqualTo(expectSkipped);
            assertThat(deadByTopic.getOrDefault("predictions", Set.of())).as("dead-lettered prediction records %s", why).hasSize(expectDead);
            assertThat(losses.size() + unlabelled + lateUnlabelled).as("batch predictions: losses + unlabelled")
                    .isEqualTo(batchPredictions);
            assertThat(losses.size() + deadByTopic.getOrDefault("labels", Set.of()).size()).as("labels: joined + dead letters")
                    .isEqualTo(labels); // the clock label still waits: stream time does not pass it
        }
    }

    private static final ObjectMapper LENIENT = new ObjectMapper();

    /** A §4-shaped object reshaped for the mappings above; anything else as it is. */
    private static byte[] nest(byte[] value, boolean label) {
        JsonNode node;
        try {
            node = LENIENT.readTree(value);
        } catch (Exception e) {
            return value;
        }
        if (node == null || !node.isObject()) {
            return value;
        }
        ObjectNode out = LENIENT.createObjectNode();
        ObjectNode meta = LENIENT.createObjectNode();
        node.fields().forEachRemaining(e -> {
            switch (e.getKey()) {
                case "prediction_id" -> {
                    if (label) {
                        out.set("ref", LENIENT.createObjectNode().set("id", e.getValue()));
                    } else {
                        out.set("id", e.getValue());
                    }
                }
                case "model" -> meta.set("model", e.getValue());
                case "model_version" -> meta.set("version", e.getValue());
                case "timestamp" -> {
                    if (label) {
                        out.set("timestamp", e.getValue());
                    } else {
                        meta.set("t/s", e.getValue());
                    }
                }
                case "prediction" -> out.set("out", LENIENT.createArrayNode().add(e.getValue()));
                case "label" -> out.set(label ? "label" : "y", e.getValue());
                default -> out.set(e.getKey(), e.getValue());
            }
        });
        if (!meta.isEmpty()) {
            out.set("meta", meta);
        }
        try {
            return LENIENT.writeValueAsBytes(out);
        } catch (Exception e) {
            return value;
        }
    }

    private static void accountFor(List<HostileInput.Input> inputs, Map<String, String> settings,
                                   UnaryOperator<byte[]> predictionShape, UnaryOperator<byte[]> labelShape) {
        try (TopologyFixture f = new TopologyFixture(settings)) {
            int predictions = 0;
            int labels = 0;
            for (HostileInput.Input in : inputs) {
                if (in.label()) {
                    f.label(null, labelShape.apply(in.value()), in.recordTime());
                    labels++;
                } else {
                    f.prediction(null, predictionShape.apply(in.value()), in.recordTime());
                    predictions++;
                }
            }
            // move every step's stream time far on: all joins expire, all windows close
            f.prediction(null, predictionShape.apply(utf8("{\"prediction_id\":\"clock-p\",\"model\":\"clock\",\"prediction\":0.5}")), FAR);
            f.label(null, labelShape.apply(utf8("{\"prediction_id\":\"clock-l\",\"label\":1}")), FAR);
            f.prediction(null, predictionShape.apply(utf8("{\"prediction_id\":\"clock-x\",\"model\":\"clock\",\"prediction\":0.5,"
                    + "\"label\":1,\"timestamp\":" + FAR + "}")), FAR);

            List<JsonNode> losses = f.losses();
            List<JsonNode> all = f.metrics();
            // the whole models' records; with segments (CONTRACT §11) each field's records add up to them
            List<JsonNode> metrics = all.stream().filter(m -> !m.has("segment")).toList();
            segmentsAddUp(metrics, all, settings);
            Map<String, Set<Long>> deadByTopic = new HashMap<>();
            int lateUnlabelled = 0;
            int lateCount = 0;
            int lateJoined = 0;
            for (TestRecord<byte[], byte[]> d : f.deadLetters()) {
                String reason = TopologyFixture.header(d, "losswatch.error.reason");
                assertThat(reason).isNotBlank();
                // a record the prediction intake forwards to the wrong child (its losses sink takes only loss
                // records) would end here as processing_error; so would any other failure inside the topology
                assertThat(reason).as("nothing fails inside the topology").isNotEqualTo("processing_error");
                assertThat(TopologyFixture.header(d, "losswatch.error.message")).isNotBlank();
                String topic = TopologyFixture.header(d, "losswatch.source.topic");
                long offset = Long.parseLong(TopologyFixture.header(d, "losswatch.source.offset"));
                if (reason.equals("late_event")) {
                    // a late contribution: its loss record was written, or it is an unlabelled count that missed its window
                    JsonNode stats = TopologyFixture.parse(new String(d.value(), StandardCharsets.UTF_8)).get("stats");
                    lateUnlabelled += stats.path("unlabelled").asInt(0);
                    lateCount += stats.path("count").asInt(0);
                    lateJoined += stats.path("joined").asInt(0);
                    continue;
                }
                assertThat(deadByTopic.computeIfAbsent(topic, t -> new HashSet<>()).add(offset))
                        .as("one dead letter per input record (%s offset %d, %s)", topic, offset, reason).isTrue();
            }
            long unlabelled = metrics.stream().mapToLong(m -> m.get("unlabelled").asLong()).sum();
            long joinedLabels = metrics.stream().mapToLong(m -> m.get("joined_labels").asLong()).sum();
            long windowCounts = metrics.stream().mapToLong(m -> m.get("count").asLong()).sum();
            long lossesOfJoinedLabels = losses.size() - inlineLabelled(losses, inputs);
            int deadPredictions = deadByTopic.getOrDefault("predictions", Set.of()).size();
            int deadLabels = deadByTopic.getOrDefault("labels", Set.of()).size();

            assertThat(losses.size() + deadPredictions + unlabelled + lateUnlabelled)
                    .as("predictions: losses + dead letters + unlabelled").isEqualTo(predictions);
            assertThat(lossesOfJoinedLabels + deadLabels).as("labels: joined + dead letters").isEqualTo(labels);
            assertThat(windowCounts + lateCount).as("every loss in a window, or dead-lettered as late").isEqualTo(losses.size());
            assertThat(joinedLabels + lateJoined).as("every joined label in a window's joined_labels, or late")
                    .isEqualTo(lossesOfJoinedLabels);
        }
    }

    /**
     * For each segment field: per (model, version, window) its records' count, unlabelled and joined labels
     * add up to the whole model's record, and no more than losswatch.segment.max.values values other than ""
     * and __other__ appear per (model, version).
     */
    private static void segmentsAddUp(List<JsonNode> whole, List<JsonNode> all, Map<String, String> settings) {
        String fields = settings.getOrDefault("losswatch.segment.fields", "");
        if (fields.isEmpty()) {
            assertThat(all).hasSameSizeAs(whole);
            return;
        }
        int cap = Integer.parseInt(settings.getOrDefault("losswatch.segment.max.values", "100"));
        for (String field : fields.split(",")) {
            Map<String, long[]> sums = new HashMap<>();
            Map<String, Set<String>> values = new HashMap<>();
            for (JsonNode m : all) {
                JsonNode segment = m.get("segment");
                if (segment == null || !segment.has(field)) {
                    continue;
                }
                String series = m.get("model").asText() + "/" + m.get("model_version").asText();
                long[] sum = sums.computeIfAbsent(series + "/" + m.get("window_start").asLong(), k -> new long[3]);
                sum[0] += m.get("count").asLong();
                sum[1] += m.get("unlabelled").asLong();
                sum[2] += m.get("joined_labels").asLong();
                String value = segment.get(field).asText();
                if (!value.isEmpty() && !value.equals("__other__")) {
                    values.computeIfAbsent(series, k -> new HashSet<>()).add(value);
                }
            }
            for (JsonNode m : whole) {
                String key = m.get("model").asText() + "/" + m.get("model_version").asText() + "/" + m.get("window_start").asLong();
                long[] sum = sums.remove(key);
                assertThat(sum).as("%s's records of %s", field, key).isNotNull();
                assertThat(sum).as("%s: count, unlabelled, joined labels of %s", field, key).containsExactly(
                        m.get("count").asLong(), m.get("unlabelled").asLong(), m.get("joined_labels").asLong());
            }
            assertThat(sums).as("%s's records without a whole model's", field).isEmpty();
            values.forEach((series, v) -> assertThat(v).as("%s values of %s", field, series).hasSizeLessThanOrEqualTo(cap));
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Loss records of predictions that carried their own label. */
    private static long inlineLabelled(List<JsonNode> losses, List<HostileInput.Input> inputs) {
        Set<String> inline = new HashSet<>();
        for (HostileInput.Input in : inputs) {
            String s = new String(in.value(), StandardCharsets.UTF_8);
            if (!in.label() && s.startsWith("{\"prediction_id\":\"") && s.contains("\"label\":")) {
                inline.add(s.substring(18, s.indexOf('"', 18)));
            }
        }
        return losses.stream().filter(l -> inline.contains(l.get("prediction_id").asText())).count();
    }
}
