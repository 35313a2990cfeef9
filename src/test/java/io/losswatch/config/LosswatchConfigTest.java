package io.losswatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.losswatch.event.FieldSource;
import io.losswatch.event.InputMapping;
import io.losswatch.loss.LossFunction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LosswatchConfigTest {
    @TempDir
    Path dir;

    private static LosswatchConfig of(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return LosswatchConfig.from(p);
    }

    private Path file(String contents) throws IOException {
        Path f = dir.resolve("test.properties");
        Files.writeString(f, contents);
        return f;
    }

    @Test
    void defaultsFollowTheContract() {
        LosswatchConfig c = of();
        assertThat(c.topics()).isEqualTo(new LosswatchConfig.Topics("predictions", "labels", "prediction-losses",
                "model-metrics", "model-alerts", "losswatch-dlq", "prediction-metrics"));
        assertThat(c.windowSize()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.windowAdvance()).as("tumbling by default").isEqualTo(Duration.ofMinutes(1));
        assertThat(c.windowGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.joinWindow()).isEqualTo(Duration.ofHours(1));
        assertThat(c.joinGrace()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.lossEpsilon()).isEqualTo(1e-15);
        assertThat(c.lossFor("any")).isEmpty();
        assertThat(c.metricsEmit()).isEqualTo(LosswatchConfig.MetricsEmit.FINAL);
        assertThat(c.inputMaxBytes()).isEqualTo(1_048_576);
        Properties kafka = c.kafkaProperties();
        assertThat(kafka.getProperty("processing.guarantee")).isEqualTo("exactly_once_v2");
        assertThat(kafka.getProperty("application.id")).isEqualTo("losswatch");
        assertThat(kafka.getProperty("bootstrap.servers")).isEqualTo("localhost:9092");
        assertThat(kafka.getProperty("producer.max.request.size")).isEqualTo(Integer.toString(8 * 1024 * 1024 + 65536));
    }

    @Test
    void theDocumentedDefaultFileLoadsAndMatchesTheDefaults() {
        LosswatchConfig file = LosswatchConfig.load(Path.of("config/application.properties"), Map.of());
        LosswatchConfig defaults = of();
        for (Setting s : Settings.ALL) {
            assertThat(file.get(s.key())).as(s.key()).isEqualTo(defaults.get(s.key()));
        }
        assertThat(file.kafkaProperties().getProperty("state.dir")).isEqualTo("data/state");
    }

    @Test
    void everySettingIsDocumentedWithItsDefault() throws IOException {
        String docs = Files.readString(Path.of("docs/configuration.md"));
        String file = Files.readString(Path.of("config/application.properties"));
        for (Setting s : Settings.ALL) {
            // no default: the window advance (the size); an empty default (a secret that is off): "empty"
            String cell = s.defaultValue() == null ? "the size"
                    : s.defaultValue().isEmpty() ? "empty" : "`" + s.defaultValue() + "`";
            assertThat(docs).as("docs row for " + s.key()).contains("| `" + s.key() + "` | " + cell + " |");
            assertThat(file).as("default file line for " + s.key())
                    .containsAnyOf(s.key() + "=" + s.defaultValue() + "\n", "# " + s.key() + "=");
        }
    }

    @Test
    void kafkaKeysPassThroughUnchanged() {
        LosswatchConfig c = of("bootstrap.servers", "broker-1:9093,broker-2:9093", "security.protocol", "SASL_SSL",
                "sasl.jaas.config", "x required;", "num.stream.threads", "4", "processing.guarantee", "at_least_once");
        Properties kafka = c.kafkaProperties();
        assertThat(kafka.getProperty("bootstrap.servers")).isEqualTo("broker-1:9093,broker-2:9093");
        assertThat(kafka.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(kafka.getProperty("sasl.jaas.config")).isEqualTo("x required;");
        assertThat(kafka.getProperty("num.stream.threads")).isEqualTo("4");
        assertThat(kafka.getProperty("processing.guarantee")).as("user's choice wins").isEqualTo("at_least_once");
        assertThat(kafka.stringPropertyNames()).noneMatch(k -> k.startsWith("losswatch."));
    }

    @Test
    void aKafkaKeyNoKafkaConfigKnowsIsWarnedAboutWithTheNearestKnownKey() {
        LosswatchConfig c = of("bootstrap.server", "kafka:9092", "consumer.session.timout.ms", "30000",
                "topic.retention.msec", "1000", "window.size", "PT5M");
        assertThat(c.warnings()).containsExactly(
                "unknown key bootstrap.server: neither losswatch nor Kafka Streams nor Kafka's clients know this key,"
                        + " so it has no effect; did you mean bootstrap.servers?",
                "unknown key consumer.session.timout.ms: after 'consumer.' Kafka knows no key session.timout.ms,"
                        + " so it has no effect; did you mean consumer.session.timeout.ms?",
                "unknown key topic.retention.msec: after 'topic.' Kafka knows no key retention.msec,"
                        + " so it has no effect; did you mean topic.retention.ms?",
                "unknown key window.size: neither losswatch nor Kafka Streams nor Kafka's clients know this key,"
                        + " so it has no effect; did you mean losswatch.window.size?");
        assertThat(c.kafkaProperties().getProperty("bootstrap.servers")).as("still the default").isEqualTo("localhost:9092");
    }

    @Test
    void keysKafkaKnowsAreNotWarnedAbout() {
        LosswatchConfig c = of("bootstrap.servers", "kafka:9092", "state.dir", "/tmp/x", "num.stream.threads", "2",
                "sasl.jaas.config", "x required;", "ssl.truststore.location", "/x.p12", "group.instance.id", "a",
                "consumer.session.timeout.ms", "6000", "main.consumer.max.poll.records", "500",
                "restore.consumer.fetch.max.bytes", "1", "global.consumer.client.rack", "a", "producer.linger.ms", "5",
                "admin.retries", "3", "topic.retention.ms", "-1", "client.tag.zone", "eu-1",
                "metrics.context.team", "ml", "config.providers", "file", "config.providers.file.class", "x");
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void theWarningSaysWhereTheKeyCameFrom() throws IOException {
        Path f = file("bootstrap.server=kafka:9092\n");
        assertThat(LosswatchConfig.load(f, Map.of("LOSSWATCH_KAFKA_PRODUCER_LINGR_MS", "5")).warnings()).containsExactly(
                "unknown key bootstrap.server (in " + f + "): neither losswatch nor Kafka Streams nor Kafka's clients"
                        + " know this key, so it has no effect; did you mean bootstrap.servers?",
                "unknown key producer.lingr.ms (from environment variable LOSSWATCH_KAFKA_PRODUCER_LINGR_MS): after"
                        + " 'producer.' Kafka knows no key lingr.ms, so it has no effect; did you mean producer.linger.ms?");
    }

    @Test
    void connectTimeoutIsADuration() {
        assertThat(of().connectTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(of("losswatch.connect.timeout", "PT5S").connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> of("losswatch.connect.timeout", "PT0S"))
                .hasMessage("losswatch.connect.timeout='PT0S': expected a duration from 1s to 10m (PT1S to PT10M)");
    }

    @Test
    void topicConfigsForAllCreatedTopicsAndPerTopic() {
        LosswatchConfig c = of("losswatch.topic.config.retention.ms", "2592000000",
                "losswatch.topic.config.min.insync.replicas", "2",
                "losswatch.topic.metrics.config.retention.ms", "-1",
                "losswatch.topic.prediction.metrics.config.cleanup.policy", "compact,delete",
                "losswatch.topic.metrics", "my-metrics");
        assertThat(c.topicConfigs("losses")).containsExactlyInAnyOrderEntriesOf(
                Map.of("retention.ms", "2592000000", "min.insync.replicas", "2"));
        assertThat(c.topicConfigs("metrics")).as("per topic wins; follows the setting, not the name")
                .containsExactlyInAnyOrderEntriesOf(Map.of("retention.ms", "-1", "min.insync.replicas", "2"));
        assertThat(c.topicConfigs("prediction.metrics")).containsEntry("cleanup.policy", "compact,delete")
                .containsEntry("retention.ms", "2592000000");
        assertThat(c.kafkaProperties().stringPropertyNames()).noneMatch(k -> k.contains("retention"));
        assertThat(c.warnings()).isEmpty();
        assertThat(of().topicConfigs("losses")).isEmpty();
        assertThat(c.topics().bySetting()).containsEntry("metrics", "my-metrics")
                .containsEntry("prediction.metrics", "prediction-metrics").hasSize(Settings.TOPICS.size());
    }

    @Test
    void topicConfigKeysAreCheckedLikeAnyLosswatchKey() {
        assertThatThrownBy(() -> of("losswatch.topic.config.retention.msec", "1"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown setting losswatch.topic.config.retention.msec: retention.msec is not a Kafka topic"
                        + " config; did you mean retention.ms?");
        assertThatThrownBy(() -> of("losswatch.topic.lossses.config.retention.ms", "1"))
                .hasMessageStartingWith("unknown setting losswatch.topic.lossses.config.retention.ms:");
        assertThatThrownBy(() -> of("losswatch.topic.config.", "1"))
                .hasMessageStartingWith("unknown setting losswatch.topic.config.:");
        assertThatThrownBy(() -> of("losswatch.topic.losses.config.retention.ms", " "))
                .hasMessageContaining("expected a value for the topic config retention.ms");
        assertThatThrownBy(() -> of("losswatch.topic.sizes", "1")).hasMessageStartingWith("unknown setting losswatch.topic.sizes");
        // the environment reaches them too
        assertThat(EnvironmentOverrides.keyFor("LOSSWATCH_TOPIC_PREDICTION_METRICS_CONFIG_RETENTION_MS"))
                .isEqualTo("losswatch.topic.prediction.metrics.config.retention.ms");
    }

    @Test
    void unknownLosswatchKeyIsNamed() {
        assertThatThrownBy(() -> of("losswatch.window.sise", "PT1M"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("unknown setting losswatch.window.sise")
                .hasMessageNotContaining("\n");
    }

    @Test
    void badValuesNameTheKeyAndWhatIsExpected() {
        assertThatThrownBy(() -> of("losswatch.window.size", "5 minutes"))
                .hasMessage("losswatch.window.size='5 minutes': expected a duration such as 30s, 5m, 1h30m or PT30S"
                        + " (units ms, s, m, h, d), greater than zero");
        assertThatThrownBy(() -> of("losswatch.window.size", "PT0S")).hasMessageContaining("greater than zero");
        assertThatThrownBy(() -> of("losswatch.join.window", "-PT1M")).hasMessageStartingWith("losswatch.join.window=");
        assertThatThrownBy(() -> of("losswatch.topic.partitions", "three"))
                .hasMessage("losswatch.topic.partitions='three': expected a whole number from 1 to 10000");
        assertThatThrownBy(() -> of("losswatch.topic.partitions", "0")).hasMessageContaining("from 1 to 10000");
        assertThatThrownBy(() -> of("losswatch.loss.epsilon", "0.5")).hasMessageStartingWith("losswatch.loss.epsilon=");
        assertThatThrownBy(() -> of("losswatch.loss.epsilon", "NaN")).hasMessageStartingWith("losswatch.loss.epsilon=");
        assertThatThrownBy(() -> of("losswatch.loss", "hinge"))
                .hasMessage("losswatch.loss='hinge': expected one of auto, log_loss, cross_entropy, brier, mse, mae");
        assertThatThrownBy(() -> of("losswatch.metrics.emit", "sometimes")).hasMessageContaining("final, update");
        assertThatThrownBy(() -> of("losswatch.topic.dlq", "dead letters")).hasMessageContaining("Kafka topic name");
        assertThatThrownBy(() -> of("losswatch.input.max.bytes", "9000000")).hasMessageContaining("1 to 8388608");
    }

    @Test
    void hoppingAdvanceMustNotExceedTheSize() {
        assertThat(of("losswatch.window.size", "PT5M", "losswatch.window.advance", "PT1M").windowAdvance())
                .isEqualTo(Duration.ofMinutes(1));
        assertThat(of("losswatch.window.size", "PT5M").windowAdvance()).isEqualTo(Duration.ofMinutes(5));
        assertThatThrownBy(() -> of("losswatch.window.size", "PT1M", "losswatch.window.advance", "PT2M"))
                .hasMessage("losswatch.window.advance=PT2M: expected at most losswatch.window.size (PT1M)");
    }

    @Test
    void perModelLossOverridesTheGlobalOne() {
        LosswatchConfig c = of("losswatch.loss", "log_loss", "losswatch.model.churn.loss", "brier",
                "losswatch.model.fraud.eu.loss", "mae");
        assertThat(c.lossFor("churn")).contains(LossFunction.BRIER);
        assertThat(c.lossFor("fraud.eu")).as("model names may contain dots").contains(LossFunction.MAE);
        assertThat(c.lossFor("other")).contains(LossFunction.LOG_LOSS);
        assertThat(of("losswatch.model.churn.loss", "auto").lossFor("churn")).isEqualTo(Optional.empty());
        assertThatThrownBy(() -> of("losswatch.model.churn.loss", "hinge"))
                .hasMessageStartingWith("losswatch.model.churn.loss='hinge': expected one of auto");
        assertThatThrownBy(() -> of("losswatch.model.churn.window.size", "PT1M"))
                .as("only per-model settings that exist").hasMessageStartingWith("unknown setting");
    }

    @Test
    void environmentOverridesTheFileAndNamesItsOrigin() throws IOException {
        Path f = file("losswatch.window.size=PT1M\nbootstrap.servers=localhost:9092\n");
        LosswatchConfig c = LosswatchConfig.load(f, Map.of(
                "LOSSWATCH_WINDOW_SIZE", "PT5M",
                "LOSSWATCH_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                "LOSSWATCH_KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "6000",
                "LOSSWATCH_MODEL_CHURN__V2_LOSS", "brier",
                "LOSSWATCH_MODEL_FRAUD___EU_LOSS", "mae",
                "PATH", "/usr/bin"));
        assertThat(c.windowSize()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.kafkaProperties().getProperty("bootstrap.servers")).isEqualTo("kafka:9092");
        assertThat(c.kafkaProperties().getProperty("consumer.session.timeout.ms")).isEqualTo("6000");
        assertThat(c.lossFor("churn_v2")).contains(LossFunction.BRIER);
        assertThat(c.lossFor("fraud-eu")).contains(LossFunction.MAE);

        assertThatThrownBy(() -> LosswatchConfig.load(f, Map.of("LOSSWATCH_WINDOW_GRACE", "soon")))
                .hasMessageContaining("losswatch.window.grace='soon' (from environment variable LOSSWATCH_WINDOW_GRACE)");
        assertThatThrownBy(() -> LosswatchConfig.load(f, Map.of("LOSSWATCH_WINDOWS", "1")))
                .hasMessageStartingWith("unknown setting losswatch.windows (from environment variable LOSSWATCH_WINDOWS)");
    }

    @Test
    void environmentVariableNamesMapAsDocumented() {
        assertThat(EnvironmentOverrides.keyFor("LOSSWATCH_WINDOW_SIZE")).isEqualTo("losswatch.window.size");
        assertThat(EnvironmentOverrides.keyFor("LOSSWATCH_KAFKA_SASL_JAAS_CONFIG")).isEqualTo("sasl.jaas.config");
        assertThat(EnvironmentOverrides.keyFor("LOSSWATCH_MODEL_A__B___C_LOSS")).isEqualTo("losswatch.model.a_b-c.loss");
        assertThat(EnvironmentOverrides.keyFor("HOME")).isNull();
        assertThat(EnvironmentOverrides.keyFor("LOSSWATCH_")).isNull();
        assertThatThrownBy(() -> EnvironmentOverrides.keyFor("LOSSWATCH_A____B"))
                .hasMessageContaining("LOSSWATCH_A____B");
    }

    @Test
    void badFileValueSaysWhichFile() throws IOException {
        Path f = file("losswatch.window.grace=soon\n");
        assertThatThrownBy(() -> LosswatchConfig.load(f, Map.of()))
                .hasMessageStartingWith("losswatch.window.grace='soon' (in " + f + "): expected");
        assertThatThrownBy(() -> LosswatchConfig.load(dir.resolve("missing.properties"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read config file");
    }

    @Test
    void inputFieldMappingsAreValidatedAtStartUp() {
        LosswatchConfig c = of("losswatch.input.predictions.field.model", "header:x-model",
                "losswatch.input.predictions.field.prediction", "/output/probabilities/1",
                "losswatch.input.labels.field.prediction_id", "key");
        InputMapping predictions = c.inputMapping("predictions");
        assertThat(predictions.isPlain()).isFalse();
        assertThat(predictions.fields()).containsEntry("model", new FieldSource.Header("x-model"));
        assertThat(predictions.fields().get("prediction").text()).isEqualTo("/output/probabilities/1");
        assertThat(c.inputMapping("labels").fields()).containsEntry("prediction_id", new FieldSource.Key());
        assertThat(of().inputMapping("predictions").isPlain()).isTrue();
        assertThat(of("losswatch.input.predictions.format", "kserve").inputMapping("predictions").format())
                .isEqualTo(InputMapping.Format.KSERVE);

        assertThatThrownBy(() -> of("losswatch.input.predictions.field.model", "meta/model"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("losswatch.input.predictions.field.model=meta/model: expected a JSON Pointer starting with /"
                        + " (e.g. /meta/model), header:NAME, key or const:VALUE");
        assertThatThrownBy(() -> of("losswatch.input.predictions.field.model", "/a~2"))
                .hasMessageStartingWith("losswatch.input.predictions.field.model=/a~2: malformed JSON Pointer");
        assertThatThrownBy(() -> of("losswatch.input.predictions.field.modle", "/m"))
                .hasMessage("unknown setting losswatch.input.predictions.field.modle: 'modle' is not a field of a predictions"
                        + " record; expected one of prediction_id, model, model_version, timestamp, prediction, label");
        assertThatThrownBy(() -> of("losswatch.input.labels.field.model", "/m"))
                .hasMessageStartingWith("unknown setting losswatch.input.labels.field.model: 'model' is not a field of a labels record");
        assertThatThrownBy(() -> of("losswatch.input.prediction.field.model", "/m"))
                .hasMessageStartingWith("unknown setting losswatch.input.prediction.field.model: 'prediction' is not an input topic");
        assertThatThrownBy(() -> of("losswatch.input.labels.format", "kserve"))
                .hasMessage("unknown setting losswatch.input.labels.format: only the predictions topic has a format"
                        + " (kserve: KServe's inference responses); read labels in another shape with"
                        + " losswatch.input.labels.field.<field> mappings");
        assertThatThrownBy(() -> of("losswatch.input.predictions.format", "avro"))
                .hasMessageContaining("losswatch.input.predictions.format");
        assertThatThrownBy(() -> of("losswatch.input.predictions.format", "kserve",
                "losswatch.input.predictions.field.prediction", "/x"))
                .hasMessageStartingWith("losswatch.input.predictions.field.prediction: with losswatch.input.predictions.format=kserve");
        assertThat(of("losswatch.input.predictions.format", "kserve", "losswatch.input.predictions.kserve.output", "probs")
                .inputMapping("predictions").kserveOutput()).isEqualTo("probs");
        assertThat(of("losswatch.model.iris.classes", "setosa, versicolor,virginica").classesFor("iris"))
                .containsExactly("setosa", "versicolor", "virginica");
        assertThat(of().classesFor("iris")).isEmpty();
        assertThatThrownBy(() -> of("losswatch.model.iris.classes", "a,,b")).hasMessageContaining("losswatch.model.iris.classes");
        assertThatThrownBy(() -> of("losswatch.input.labels.kserve.output", "probs"))
                .hasMessageContaining("on the predictions topic");
    }
}
