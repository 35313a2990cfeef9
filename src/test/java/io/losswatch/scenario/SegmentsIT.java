package io.losswatch.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.it.EmbeddedKafkaBroker;
import io.losswatch.it.KafkaTestClients;
import io.losswatch.it.LosswatchProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jar on a real broker with a segment field (CONTRACT §11): three countries over three windows,
 * one of which degrades in the last window and fires alone. Every window record, the whole model's and
 * each country's, and the alert are checked against an oracle computed here from the events sent.
 */
class SegmentsIT {
    @RegisterExtension
    static final EmbeddedKafkaBroker KAFKA = new EmbeddedKafkaBroker();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0 = 1_764_000_000_000L;
    private static final long MINUTE = 60_000;
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final List<String> COUNTRIES = List.of("DE", "FR", "US");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    /** One labelled prediction of the test's traffic. */
    record Event(String id, String country, long time, double p, int y) {
        double loss() {
            return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
        }
    }

    /** Four events per country and window; DE's predictions are confidently wrong in the third window. */
    static List<Event> traffic() {
        List<Event> events = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            for (String c : COUNTRIES) {
                for (int k = 0; k < 4; k++) {
                    int y = k % 2 == 0 ? 1 : 0;
                    double right = 0.8 + 0.05 * (k % 3); // the probability given to what happens
                    double given = w == 2 && c.equals("DE") ? 1.1 - right : right; // 0.3, 0.25, 0.2: wrong
                    double p = y == 1 ? given : 1 - given;
                    events.add(new Event(c + "-" + w + "-" + k, c,
                            T0 + w * MINUTE + 1_000 * (1 + k) + 100 * COUNTRIES.indexOf(c), Math.round(p * 1e4) / 1e4, y));
                }
            }
        }
        return events;
    }

    @Test
    void threeCountriesOneDegradesAndFiresAlone() throws Exception {
        String prefix = "s" + UUID.randomUUID().toString().substring(0, 8) + "-";
        String bootstrap = KAFKA.bootstrapServers();
        Map<String, String> config = LosswatchProcess.isolatedConfig(bootstrap, prefix, work.resolve("state"));
        config.put("losswatch.topic.partitions", "1");
        config.put("losswatch.segment.fields", "country");
        config.put("losswatch.alert.absolute.threshold", "1.0");
        config.put("losswatch.alert.consecutive.windows", "1");
        config.put("losswatch.alert.min.count", "4");
        config.put("losswatch.alert.relative.enabled", "false");
        config.put("losswatch.alert.sequential.enabled", "false");
        config.put("losswatch.alert.estimated.enabled", "false");
        config.put("losswatch.alert.drift.enabled", "false");
        List<Event> events = traffic();
        LosswatchProcess app = LosswatchProcess.start(LosswatchProcess.writeConfig(work, config), work);
        try {
            app.waitUntilRunning(WAIT);
            List<ProducerRecord<String, String>> records = new ArrayList<>();
            for (Event e : events) {
                records.add(new ProducerRecord<>(prefix + "predictions", null, e.time(), e.id(), String.format(
                        java.util.Locale.ROOT, "{\"prediction_id\":\"%s\",\"model\":\"fraud\",\"model_version\":\"v1\","
                                + "\"timestamp\":%d,\"prediction\":%s,\"label\":%d,\"country\":\"%s\"}",
                        e.id(), e.time(), e.p(), e.y(), e.country())));
            }
            // a later event moves event time past the third window's end + grace
            records.add(new ProducerRecord<>(prefix + "predictions", null, T0 + 4 * MINUTE, "clock",
                    "{\"prediction_id\":\"clock\",\"model\":\"clock\",\"timestamp\":" + (T0 + 4 * MINUTE)
                            + ",\"prediction\":0.5,\"label\":1}"));
            KafkaTestClients.produce(bootstrap, prefix + "predictions", records);

            // the oracle: per (window, segment) the events' count and mean loss; "" is the whole model
            Map<String, List<Event>> expected = new HashMap<>();
            for (Event e : events) {
                long w = (e.time() - T0) / MINUTE;
                expected.computeIfAbsent(w + "/", k -> new ArrayList<>()).add(e);
                expected.computeIfAbsent(w + "/country=" + e.country(), k -> new ArrayList<>()).add(e);
            }
            assertThat(expected).hasSize(12);

            Map<String, JsonNode> seen = new HashMap<>();
            for (ConsumerRecord<String, String> r : KafkaTestClients.consumeReadCommitted(bootstrap,
                    prefix + "model-metrics", 12, WAIT)) {
                JsonNode m = JSON.readTree(r.value());
                if (m.get("model").asText().equals("fraud")) {
                    long w = (m.get("window_start").asLong() - T0) / MINUTE;
                    String segment = m.has("segment") ? "country=" + m.get("segment").get("country").asText() : "";
                    assertThat(seen.put(w + "/" + segment, m)).as("once: " + w + "/" + segment).isNull();
                }
            }
            assertThat(seen).containsOnlyKeys(expected.keySet());
            expected.forEach((key, es) -> {
                JsonNode m = seen.get(key);
                assertThat(m.get("count").asLong()).as(key).isEqualTo(es.size());
                assertThat(m.get("mean_loss").asDouble()).as(key)
                        .isCloseTo(es.stream().mapToDouble(Event::loss).sum() / es.size(), within(1e-12));
                assertThat(m.get("max_loss").asDouble()).as(key)
                        .isCloseTo(es.stream().mapToDouble(Event::loss).max().orElseThrow(), within(1e-12));
                assertThat(m.get("final").asBoolean()).isTrue();
            });
            double degraded = expected.get("2/country=DE").stream().mapToDouble(Event::loss).sum() / 4;
            assertThat(degraded).as("the oracle's DE in the third window").isGreaterThan(1.0);
            assertThat(expected.get("2/").stream().mapToDouble(Event::loss).sum() / 12).isLessThan(1.0);

            List<ConsumerRecord<String, String>> alerts = KafkaTestClients.consumeReadCommitted(bootstrap,
                    prefix + "model-alerts", 1, WAIT);
            assertThat(alerts).singleElement().satisfies(r -> {
                JsonNode a = JSON.readTree(r.value());
                assertThat(a.get("status").asText()).isEqualTo("FIRING");
                assertThat(a.get("model").asText()).isEqualTo("fraud");
                assertThat(a.get("segment").toString()).isEqualTo("{\"country\":\"DE\"}");
                assertThat(a.get("rule").asText()).isEqualTo("absolute_threshold");
                assertThat(a.get("window_start").asLong()).isEqualTo(T0 + 2 * MINUTE);
                assertThat(a.get("mean_loss").asDouble()).isCloseTo(degraded, within(1e-12));
            });

            // the API and /metrics, once the history has read the windows
            JsonNode de = null;
            long deadline = System.currentTimeMillis() + WAIT.toMillis();
            while (System.currentTimeMillis() < deadline) {
                LosswatchProcess.HttpAnswer answer = app.get("/api/models/fraud/metrics?segment=country:DE");
                if (answer.status() == 200 && JSON.readTree(answer.body()).size() == 3) {
                    de = JSON.readTree(answer.body());
                    break;
                }
                Thread.sleep(500);
            }
            assertThat(de).as("DE's three windows on the API").isNotNull();
            assertThat(de.get(2).get("mean_loss").asDouble()).isCloseTo(degraded, within(1e-12));
            assertThat(app.get("/metrics").body()).contains(
                    "losswatch_window_mean_loss{model=\"fraud\",model_version=\"v1\",segment=\"country=DE\"} " + degraded);
        } finally {
            app.kill();
        }
    }
}
