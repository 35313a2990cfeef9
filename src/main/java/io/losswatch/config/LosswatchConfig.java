package io.losswatch.config;

import io.losswatch.event.FieldSource;
import io.losswatch.event.InputMapping;
import io.losswatch.loss.LossFunction;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Typed, validated settings (CONTRACT §2). Keys starting with {@code losswatch.} are ours and must be
 * in {@link Settings}; every other key is handed to Kafka Streams and its clients unchanged.
 * Construction validates everything, so a bad file fails at start-up, not mid-stream.
 */
public final class LosswatchConfig {
    /** Kafka settings losswatch chooses unless the user sets them. */
    static final Map<String, String> KAFKA_DEFAULTS = Map.of(
            "application.id", "losswatch",
            "bootstrap.servers", "localhost:9092",
            "processing.guarantee", "exactly_once_v2",
            // dead letters carry the original bytes: allow up to 8 MiB of payload through the producer
            // and through the internal topics that carry a record's source bytes
            "producer.max.request.size", Integer.toString(Settings.MAX_RECORD_BYTES),
            "topic.max.message.bytes", Integer.toString(Settings.MAX_RECORD_BYTES));

    private final Map<String, Object> values = new HashMap<>();
    /** Configs of the topics losswatch creates: topic setting suffix ("" for all) → config → value. */
    private final Map<String, Map<String, String>> topicConfigs = new TreeMap<>();
    /** Field mappings (CONTRACT §10): input topic setting suffix → §4 field → where it is read. */
    private final Map<String, Map<String, FieldSource>> inputFields = new TreeMap<>();
    /** The V2 output a KServe response's predictions are read from, per input topic; absent: the first. */
    private final Map<String, String> kserveOutputs = new TreeMap<>();
    /** Per-model overrides: model → suffix → parsed value. */
    private final Map<String, Map<String, Object>> modelValues = new TreeMap<>();
    private final Properties kafka = new Properties();
    /** Kafka keys that neither Kafka Streams nor the clients know: warned about at start-up, not refused. */
    private final List<String> warnings = new ArrayList<>();

    private LosswatchConfig(Properties props, Map<String, String> origins) {
        for (String key : new TreeMap<>(asStrings(props)).keySet()) {
            String value = props.getProperty(key);
            String origin = origins.getOrDefault(key, "");
            if (!key.startsWith(Settings.PREFIX)) {
                kafka.setProperty(key, value);
                KafkaKeys.unknown(key).ifPresent(why -> warnings.add("unknown key " + key + origin + ": " + why));
                continue;
            }
            Optional<Settings.TopicConfigKey> topicKey = Settings.parseTopicConfigKey(key);
            if (topicKey.isPresent()) {
                String config = topicKey.get().config();
                if (!KafkaKeys.TOPIC_KEYS.contains(config)) {
                    throw new ConfigException("unknown setting " + key + origin + ": " + config
                            + " is not a Kafka topic config; did you mean " + KafkaKeys.nearest(config, KafkaKeys.TOPIC_KEYS) + "?");
                }
                if (value.isBlank()) {
                    throw new ConfigException(key + "=''" + origin + ": expected a value for the topic config " + config);
                }
                topicConfigs.computeIfAbsent(topicKey.get().topic().orElse(""), t -> new TreeMap<>()).put(config, value.trim());
                continue;
            }
            Optional<Settings.InputKey> inputKey = Settings.parseInputKey(key);
            if (inputKey.isPresent()) {
                inputSetting(key, inputKey.get(), value, origin, props);
                continue;
            }
            Optional<Settings.ModelKey> modelKey = Settings.parseModelKey(key);
            if (modelKey.isPresent()) {
                Settings.ModelKey mk = modelKey.get();
                Object parsed = relabel(mk.global(), key).parse(value, origin);
                modelValues.computeIfAbsent(mk.model(), m -> new HashMap<>()).put(mk.suffix(), parsed);
                continue;
            }
            if (key.equals("losswatch.input.labels.format")) {
                // CONTRACT §10's formats are prediction logs: KServe's logger writes no labels
                throw new ConfigException("unknown setting " + key + origin + ": only the predictions topic has a"
                        + " format (kserve: KServe's inference responses); read labels in another shape with"
                        + " losswatch.input.labels.field.<field> mappings");
            }
            Setting setting = Settings.find(key).orElseThrow(() -> new ConfigException(
                    "unknown setting " + key + origin + ": see docs/configuration.md for the losswatch.* keys"
                            + " (other keys go to Kafka and must not start with 'losswatch.')"));
            values.put(key, setting.parse(value, origin));
        }
        for (Setting s : Settings.ALL) {
            if (!values.containsKey(s.key()) && s.defaultValue() != null) {
                values.put(s.key(), s.parse(s.defaultValue(), " (default)"));
            }
        }
        values.putIfAbsent("losswatch.window.advance", values.get("losswatch.window.size"));
        if (windowAdvance().compareTo(windowSize()) > 0) {
            throw new ConfigException("losswatch.window.advance=" + windowAdvance()
                    + ": expected at most losswatch.window.size (" + windowSize() + ")");
        }
        if ("kserve".equals(values.get("losswatch.input.predictions.format"))
                && inputFields.getOrDefault("predictions", Map.of()).containsKey("prediction")) {
            throw new ConfigException("losswatch.input.predictions.field.prediction: with"
                    + " losswatch.input.predictions.format=kserve the predictions are the response body's; remove the mapping");
        }
        KAFKA_DEFAULTS.forEach(kafka::putIfAbsent);
    }

    /** Validates one key of the losswatch.input.<topic>.field.<field> and .kserve.output families. */
    private void inputSetting(String key, Settings.InputKey input, String value, String origin, Properties props) {
        if (!InputMapping.TOPICS.contains(input.topic())) {
            throw new ConfigException("unknown setting " + key + origin + ": '" + input.topic() + "' is not an input topic;"
                    + " expected losswatch.input.predictions." + input.kind() + "... or losswatch.input.labels." + input.kind() + "...");
        }
        if (input.kind().equals("kserve.output")) {
            if (!input.topic().equals("predictions") || value.isBlank()) {
                throw new ConfigException(key + "=" + value + origin + ": expected the name of a V2 output, on the predictions topic");
            }
            kserveOutputs.put(input.topic(), value.trim());
            return;
        }
        List<String> fields = new ArrayList<>(InputMapping.fieldsOf(input.topic()));
        if (input.topic().equals("predictions")) {
            fields.addAll(segmentFields(props)); // a segment field is read like any other (CONTRACT §11)
        }
        if (!fields.contains(input.name())) {
            throw new ConfigException("unknown setting " + key + origin + ": '" + input.name() + "' is not a field of a "
                    + input.topic() + " record; expected one of " + String.join(", ", fields));
        }
        try {
            inputFields.computeIfAbsent(input.topic(), t -> new TreeMap<>()).put(input.name(), FieldSource.parse(value));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + "=" + value + origin + ": " + e.getMessage());
        }
    }

    /** The segment fields as written (validated with the other settings), for mappings read before them. */
    @SuppressWarnings("unchecked")
    private static List<String> segmentFields(Properties props) {
        String value = props.getProperty("losswatch.segment.fields");
        if (value == null) {
            return List.of();
        }
        try {
            return (List<String>) Settings.find("losswatch.segment.fields").orElseThrow().parser().apply(value);
        } catch (IllegalArgumentException e) {
            return List.of(); // reported with its key when the setting itself is read
        }
    }

    private LosswatchConfig(LosswatchConfig from) {
        values.putAll(from.values);
        from.topicConfigs.forEach((topic, configs) -> topicConfigs.put(topic, new TreeMap<>(configs)));
        from.inputFields.forEach((topic, fields) -> inputFields.put(topic, new TreeMap<>(fields)));
        kserveOutputs.putAll(from.kserveOutputs);
        from.modelValues.forEach((model, overrides) -> modelValues.put(model, new HashMap<>(overrides)));
        kafka.putAll(from.kafka);
        warnings.addAll(from.warnings);
    }

    /** A copy with one Kafka key set, e.g. bootstrap.servers of a broker started at run time. */
    public LosswatchConfig withKafkaProperty(String key, String value) {
        if (key.startsWith(Settings.PREFIX)) {
            throw new IllegalArgumentException("not a Kafka key: " + key);
        }
        LosswatchConfig copy = new LosswatchConfig(this);
        copy.kafka.setProperty(key, value);
        return copy;
    }

    /** Validates props (file contents with any overrides already applied). */
    public static LosswatchConfig from(Properties props) {
        return new LosswatchConfig(props, Map.of());
    }

    /** Reads a properties file (UTF-8), applies environment overrides, and validates the result. */
    public static LosswatchConfig load(Path file, Map<String, String> env) {
        return load(file, env, Map.of());
    }

    /**
     * As {@link #load(Path, Map)}, then overrides (a command line's {@code --set KEY=VALUE}, in order) on top
     * of the file and the environment; an error names the override as where the value came from.
     */
    public static LosswatchConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        Map<String, String> origins = new LinkedHashMap<>();
        for (String key : props.stringPropertyNames()) {
            origins.put(key, " (in " + file + ")");
        }
        EnvironmentOverrides.variablesByKey(env).forEach((key, variable) -> {
            props.setProperty(key, env.get(variable));
            origins.put(key, " (from environment variable " + variable + ")");
        });
        overrides.forEach((key, value) -> {
            props.setProperty(key, value);
            origins.put(key, " (--set)");
        });
        return new LosswatchConfig(props, origins);
    }

    public record Topics(String predictions, String labels, String losses, String metrics, String alerts, String dlq,
                         String predictionMetrics) {
        /** Each topic's name by its setting's suffix ({@link Settings#TOPICS}), in that order. */
        public Map<String, String> bySetting() {
            Map<String, String> out = new LinkedHashMap<>();
            List<String> names = List.of(predictions, labels, losses, metrics, alerts, dlq, predictionMetrics);
            for (int i = 0; i < names.size(); i++) {
                out.put(Settings.TOPICS.get(i), names.get(i));
            }
            return out;
        }
    }

    public enum MetricsEmit { FINAL, UPDATE }

    public Topics topics() {
        return new Topics(string("losswatch.topic.predictions"), string("losswatch.topic.labels"),
                string("losswatch.topic.losses"), string("losswatch.topic.metrics"),
                string("losswatch.topic.alerts"), string("losswatch.topic.dlq"),
                string("losswatch.topic.prediction.metrics"));
    }

    /**
     * The configs for the topic of setting losswatch.topic.&lt;topic&gt; when losswatch creates it:
     * {@code losswatch.topic.config.*}, overridden by {@code losswatch.topic.<topic>.config.*}.
     */
    public Map<String, String> topicConfigs(String topic) {
        Map<String, String> out = new TreeMap<>(topicConfigs.getOrDefault("", Map.of()));
        out.putAll(topicConfigs.getOrDefault(topic, Map.of()));
        return out;
    }

    public int topicPartitions() {
        return (int) (long) (Long) values.get("losswatch.topic.partitions");
    }

    public short topicReplication() {
        return (short) (long) (Long) values.get("losswatch.topic.replication");
    }

    /** Every non-losswatch key, plus the Kafka defaults losswatch relies on. */
    public Properties kafkaProperties() {
        Properties copy = new Properties();
        copy.putAll(kafka);
        return copy;
    }

    /** One line for each key in the file or environment that nothing reads (e.g. a misspelt Kafka key). */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** How long start-up waits for the first answer from Kafka before it gives up. */
    public Duration connectTimeout() {
        return duration("losswatch.connect.timeout");
    }

    public double lossEpsilon() {
        return (Double) values.get("losswatch.loss.epsilon");
    }

    /** Whether each labelled prediction's loss record is published on the losses topic (CONTRACT §6). */
    public boolean lossesEnabled() {
        return "true".equals(string("losswatch.losses.enabled"));
    }

    /** The loss configured for model; empty for auto (chosen from each record). */
    public Optional<LossFunction> lossFor(String model) {
        return LossFunction.fromId((String) forModel(model, "loss"));
    }

    /** A per-model setting: losswatch.model.<model>.<suffix> if set, else losswatch.<suffix>. */
    public Object forModel(String model, String suffix) {
        Map<String, Object> overrides = modelValues.get(model);
        if (overrides != null && overrides.containsKey(suffix)) {
            return overrides.get(suffix);
        }
        return values.get(Settings.PREFIX + suffix);
    }

    /** The parsed value of a losswatch setting (Duration, Long, Double or String). */
    public Object get(String key) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("not a losswatch setting: " + key);
        }
        return values.get(key);
    }

    public Duration joinWindow() {
        return duration("losswatch.join.window");
    }

    public Duration joinGrace() {
        return duration("losswatch.join.grace");
    }

    public Duration windowSize() {
        return duration("losswatch.window.size");
    }

    public Duration windowAdvance() {
        return duration("losswatch.window.advance");
    }

    public Duration windowGrace() {
        return duration("losswatch.window.grace");
    }

    public MetricsEmit metricsEmit() {
        return "update".equals(values.get("losswatch.metrics.emit")) ? MetricsEmit.UPDATE : MetricsEmit.FINAL;
    }

    /** Labelled predictions a calibration needs before a model version's loss is estimated (CONTRACT §9). */
    public long estimateMinLabelled() {
        return (Long) values.get("losswatch.estimate.min.labelled");
    }

    /** A model version's first windows that form its reference distribution for psi. */
    public int estimateReferenceWindows() {
        return (int) (long) (Long) values.get("losswatch.estimate.reference.windows");
    }

    /** Predictions psi's reference must hold at the least (it takes in further windows until it does). */
    public long estimateReferenceMinPredictions() {
        return (Long) values.get("losswatch.estimate.reference.min.predictions");
    }

    public int inputMaxBytes() {
        return (int) (long) (Long) values.get("losswatch.input.max.bytes");
    }

    public Duration inputIdleTimeout() {
        return duration("losswatch.input.idle.timeout");
    }

    /** Whether an idle predictions partition's event time moves on with the wall clock (off by default). */
    public boolean inputIdleWallclockAdvance() {
        return "true".equals(string("losswatch.input.idle.wallclock.advance"));
    }

    public Duration inputMaxFuture() {
        return duration("losswatch.input.max.future");
    }

    /** How the input topic of setting losswatch.topic.&lt;topic&gt; (predictions or labels) is read (CONTRACT §10). */
    public InputMapping inputMapping(String topic) {
        InputMapping.Format format = topic.equals("predictions") && "kserve".equals(values.get("losswatch.input.predictions.format"))
                ? InputMapping.Format.KSERVE : InputMapping.Format.JSON;
        return new InputMapping(topic, format, inputFields.getOrDefault(topic, Map.of()), kserveOutputs.getOrDefault(topic, ""));
    }

    /** The class names of a model's multi-class KServe rows (losswatch.model.&lt;model&gt;.classes); empty: the indices. */
    @SuppressWarnings("unchecked")
    public List<String> classesFor(String model) {
        return (List<String>) forModel(model, "classes");
    }

    /** The segment fields (CONTRACT §11), in the order written; empty without segments. */
    @SuppressWarnings("unchecked")
    public List<String> segmentFields() {
        return (List<String>) values.get("losswatch.segment.fields");
    }

    /** Distinct values tracked per segment field and model version (CONTRACT §11). */
    public int segmentMaxValues() {
        return (int) (long) (Long) values.get("losswatch.segment.max.values");
    }

    public int inputMaxNesting() {
        return (int) (long) (Long) values.get("losswatch.input.max.nesting");
    }

    private String string(String key) {
        return (String) values.get(key);
    }

    private Duration duration(String key) {
        return (Duration) values.get(key);
    }

    /** The global setting's check, reported under the per-model key the user wrote. */
    private static Setting relabel(Setting global, String key) {
        return new Setting(key, global.defaultValue(), global.expected(), global.parser(), global.description());
    }

    private static Map<String, String> asStrings(Properties props) {
        Map<String, String> out = new HashMap<>();
        for (String key : props.stringPropertyNames()) {
            out.put(key, props.getProperty(key));
        }
        return out;
    }
}
