package io.losswatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.topology.LosswatchTopology;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three examples of README "Reading your own topics" run as written: each properties block, taken
 * from the README itself, configures the whole topology, which reads a record of the shape the README
 * describes (the nested one is the README's own JSON) and gives the loss worked out by hand.
 */
class ReadmeMappingExamplesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** 2026-11-24T06:00:00.250Z, the nested example's time. */
    private static final long AT = 1_795_500_000_250L;

    @TempDir
    Path stateDir;

    private static String section() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("## Reading your own topics");
        return readme.substring(start, readme.indexOf("\n## ", start + 3));
    }

    private static List<String> blocks(String section, String language) {
        List<String> blocks = new ArrayList<>();
        String fence = "```" + language + "\n";
        for (int i = section.indexOf(fence); i >= 0; i = section.indexOf(fence, i + 1)) {
            int from = i + fence.length();
            blocks.add(section.substring(from, section.indexOf("```", from)));
        }
        return blocks;
    }

    private static Properties settings(String block) throws IOException {
        Properties props = new Properties();
        props.load(new StringReader(block));
        return props;
    }

    @Test
    void theSectionHasItsThreeExamples() throws IOException {
        List<String> blocks = blocks(section(), "properties");
        assertThat(blocks).hasSize(3);
        for (String block : blocks) {
            assertThat(settings(block)).isNotEmpty();
            LosswatchConfig.from(settings(block));
        }
    }

    @Test
    void theNestedExampleReadsTheReadmesOwnRecord() throws IOException {
        String record = blocks(section(), "json").get(0);
        try (Run run = new Run(settings(blocks(section(), "properties").get(0)))) {
            run.predictions.pipeInput(new TestRecord<>(null, bytes(record), null, 0L));
            JsonNode loss = run.losses().get(0);
            assertThat(loss.get("prediction_id").asText()).isEqualTo("r-81");
            assertThat(loss.get("model").asText()).isEqualTo("churn");
            assertThat(loss.get("model_version").asText()).isEqualTo("v7");
            assertThat(loss.get("event_time").asLong()).isEqualTo(AT);
            assertThat(loss.get("prediction").asDouble()).isEqualTo(0.93);
            assertThat(loss.get("label").asInt()).isEqualTo(1);
            // -ln(0.93)
            assertThat(loss.get("loss").asDouble()).isCloseTo(0.07257069283483537, within(1e-12));

            // the dead letter's message ends with the mapping, as the README says
            run.predictions.pipeInput(new TestRecord<>(null, bytes("{\"request\": {\"id\": \"r-82\"}, \"meta\": {},"
                    + " \"output\": {\"probabilities\": [0.5, 0.5]}}"), null, AT));
            JsonNode dead = run.deadLetters().get(0);
            assertThat(dead.get("message").asText()).isEqualTo(
                    "field 'model' is required (read by losswatch.input.predictions.field.model=/meta/model)");
        }
    }

    @Test
    void theHeaderExampleReadsModelAndVersionFromHeadersAndTheIdFromTheKey() throws IOException {
        try (Run run = new Run(settings(blocks(section(), "properties").get(1)))) {
            RecordHeaders headers = new RecordHeaders();
            headers.add("x-model", bytes("ranker"));
            headers.add("x-model-version", bytes("v3"));
            run.predictions.pipeInput(new TestRecord<>(bytes("q-17"), bytes("{\"score\": 0.8}"), headers, AT));
            run.labels.pipeInput(new TestRecord<>(bytes("q-17"), bytes("{\"converted\": true}"), null, AT + 1_000));
            JsonNode loss = run.losses().get(0);
            assertThat(loss.get("prediction_id").asText()).isEqualTo("q-17");
            assertThat(loss.get("model").asText()).isEqualTo("ranker");
            assertThat(loss.get("model_version").asText()).isEqualTo("v3");
            // no timestamp mapped or present: the record's time
            assertThat(loss.get("event_time").asLong()).isEqualTo(AT);
            // -ln(0.8)
            assertThat(loss.get("loss").asDouble()).isCloseTo(0.2231435513142097, within(1e-12));
            assertThat(run.deadLetters()).isEmpty();
        }
    }

    @Test
    void theKserveExampleReadsSklearnsV2ProbabilitiesWithTheEndpointAsVersionAndSkipsTheRequest() throws IOException {
        String id = "5e4ad3a9-7f0e-4f3c-9a51-2d8f1c6b0e42";
        try (Run run = new Run(settings(blocks(section(), "properties").get(2)))) {
            run.predictions.pipeInput(new TestRecord<>(null, bytes("{\"inputs\":[{\"name\":\"input-0\",\"shape\":[2,3],"
                    + "\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6]}]}"), kserveHeaders(id, "request"), AT));
            // what KServe's sklearn runtime answers on V2 with PREDICT_PROBA: no version, rows [P(y=0), P(y=1)]
            run.predictions.pipeInput(new TestRecord<>(null, bytes("{\"model_name\":\"churn\",\"model_version\":null,"
                    + "\"id\":\"" + id + "\",\"parameters\":null,\"outputs\":[{\"name\":\"output-0\",\"shape\":[2,2],"
                    + "\"datatype\":\"FP64\",\"parameters\":null,\"data\":[0.1,0.9,0.7,0.3]}]}"), kserveHeaders(id, "response"), AT));
            // the README's label record, for each of the two predictions
            run.labels.pipeInput(new TestRecord<>(null, bytes("{\"prediction_id\": \"" + id + "-0\", \"label\": 1}"), null, AT + 1_000));
            run.labels.pipeInput(new TestRecord<>(null, bytes("{\"prediction_id\": \"" + id + "-1\", \"label\": 0}"), null, AT + 1_000));
            List<JsonNode> losses = run.losses();
            assertThat(losses).hasSize(2);
            assertThat(losses).allSatisfy(l -> {
                assertThat(l.get("model").asText()).isEqualTo("churn");
                // ce_endpoint
                assertThat(l.get("model_version").asText()).isEqualTo("default");
                assertThat(l.get("loss_function").asText()).isEqualTo("cross_entropy");
                // ce_time 2026-11-24T06:00:00.250123456Z, truncated to the millisecond
                assertThat(l.get("event_time").asLong()).isEqualTo(AT);
            });
            assertThat(losses.get(0).get("prediction_id").asText()).isEqualTo(id + "-0");
            // -ln P(y=1) = -ln(0.9), then -ln P(y=0) = -ln(0.7): the binary log loss
            assertThat(losses.get(0).get("loss").asDouble()).isCloseTo(0.10536051565782628, within(1e-12));
            assertThat(losses.get(1).get("prediction_id").asText()).isEqualTo(id + "-1");
            assertThat(losses.get(1).get("loss").asDouble()).isCloseTo(0.35667494393873245, within(1e-12));
            assertThat(run.deadLetters()).as("the request is skipped, not dead-lettered").isEmpty();
        }
    }

    /** The headers KServe's logger gives a response or request, as a KafkaSink in binary mode writes them. */
    private static RecordHeaders kserveHeaders(String id, String kind) {
        RecordHeaders h = new RecordHeaders();
        h.add("ce_specversion", bytes("1.0"));
        h.add("ce_id", bytes(id));
        h.add("ce_type", bytes("org.kubeflow.serving.inference." + kind));
        h.add("ce_source", bytes("http://localhost:9081/"));
        h.add("ce_time", bytes("2026-11-24T06:00:00.250123456Z"));
        h.add("ce_inferenceservicename", bytes("churn"));
        h.add("ce_namespace", bytes("models"));
        h.add("ce_component", bytes("predictor"));
        h.add("ce_endpoint", bytes("default"));
        h.add("ce_metadata", bytes("{}"));
        h.add("content-type", bytes("application/json"));
        return h;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The whole topology with a README block's settings (short join wait, so labels join at once). */
    private final class Run implements AutoCloseable {
        final TopologyTestDriver driver;
        final TestInputTopic<byte[], byte[]> predictions;
        final TestInputTopic<byte[], byte[]> labels;

        Run(Properties block) throws IOException {
            LosswatchConfig config = LosswatchConfig.from(block);
            Properties streams = new Properties();
            streams.put("application.id", "readme-examples");
            streams.put("bootstrap.servers", "dummy:9092");
            streams.put("state.dir", Files.createTempDirectory(stateDir, "state").toString());
            driver = new TopologyTestDriver(LosswatchTopology.build(config),
                    LosswatchTopology.streamsProperties(streams, config.topics().dlq()));
            predictions = driver.createInputTopic(config.topics().predictions(), new ByteArraySerializer(), new ByteArraySerializer());
            labels = driver.createInputTopic(config.topics().labels(), new ByteArraySerializer(), new ByteArraySerializer());
        }

        List<JsonNode> losses() throws IOException {
            return read("prediction-losses");
        }

        List<JsonNode> deadLetters() throws IOException {
            List<JsonNode> out = new ArrayList<>();
            var topic = driver.createOutputTopic("losswatch-dlq", new StringDeserializer(), new StringDeserializer());
            for (TestRecord<String, String> r : topic.readRecordsToList()) {
                var message = r.headers().lastHeader("losswatch.error.message");
                out.add(JSON.createObjectNode().put("message", message == null ? null
                        : new String(message.value(), StandardCharsets.UTF_8)));
            }
            return out;
        }

        private List<JsonNode> read(String topic) throws IOException {
            List<JsonNode> out = new ArrayList<>();
            for (String v : driver.createOutputTopic(topic, new StringDeserializer(), new StringDeserializer()).readValuesToList()) {
                out.add(JSON.readTree(v));
            }
            return out;
        }

        @Override
        public void close() {
            driver.close();
        }
    }
}
