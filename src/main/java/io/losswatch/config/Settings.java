package io.losswatch.config;

import static io.losswatch.config.Setting.bool;
import static io.losswatch.config.Setting.decimal;
import static io.losswatch.config.Setting.duration;
import static io.losswatch.config.Setting.durationBetween;
import static io.losswatch.config.Setting.host;
import static io.losswatch.config.Setting.integer;
import static io.losswatch.config.Setting.oneOf;
import static io.losswatch.config.Setting.secret;
import static io.losswatch.config.Setting.text;
import static io.losswatch.config.Setting.topic;

import io.losswatch.alert.AlertSettings;
import io.losswatch.alert.LabelFreeRules;
import io.losswatch.loss.LossFunction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Every losswatch setting, with its default: the one registry that validation, the documented
 * default file and docs/configuration.md are checked against. A key not listed here is an error.
 *
 * <p>Per-model settings are written {@code losswatch.model.<model>.<suffix>}; each one overrides the
 * global setting {@code losswatch.<suffix>} for that model, so it is validated the same way.
 */
public final class Settings {
    private Settings() {
    }

    public static final String PREFIX = "losswatch.";
    public static final String MODEL_PREFIX = "losswatch.model.";

    /** 8 MiB of payload plus room for headers: what the dead-letter path and created topics take. */
    public static final int MAX_RECORD_BYTES = 8 * 1024 * 1024 + 64 * 1024;

    private static final List<String> LOSSES;

    static {
        List<String> losses = new ArrayList<>();
        losses.add("auto");
        for (LossFunction f : LossFunction.values()) {
            losses.add(f.id());
        }
        LOSSES = List.copyOf(losses);
    }

    /** All settings, in the order the documentation lists them. */
    public static final List<Setting> ALL = Stream.concat(Stream.of(
            // topics
            topic("losswatch.topic.predictions", "predictions", "input: prediction events"),
            topic("losswatch.topic.labels", "labels", "input: ground-truth label events"),
            topic("losswatch.topic.losses", "prediction-losses", "output: one record per labelled prediction"),
            topic("losswatch.topic.metrics", "model-metrics", "output: windowed metrics per model and version"),
            topic("losswatch.topic.alerts", "model-alerts", "output: alert state changes"),
            topic("losswatch.topic.dlq", "losswatch-dlq", "output: rejected input with the reason in headers"),
            topic("losswatch.topic.prediction.metrics", "prediction-metrics",
                    "output: label-free window metrics (prediction count, drift, estimated loss), final without waiting for labels"),
            integer("losswatch.topic.partitions", "3", 1, 10_000,
                    "partitions of the topics losswatch creates (existing topics are used as they are)"),
            integer("losswatch.topic.replication", "1", 1, Short.MAX_VALUE,
                    "replication factor of the topics losswatch creates"),
            // start-up
            durationBetween("losswatch.connect.timeout", "PT30S", Duration.ofSeconds(1), Duration.ofMinutes(10),
                    "how long start-up waits for a broker in bootstrap.servers to answer before it stops with exit code 1"),
            // losses
            oneOf("losswatch.loss", "auto", LOSSES,
                    "loss function for every model: auto picks log_loss for a number with a 0/1 label, "
                            + "cross_entropy for a class object, mse otherwise"),
            decimal("losswatch.loss.epsilon", "1e-15", 0, 0.5,
                    "probabilities are clipped to [epsilon, 1 - epsilon] before the log"),
            bool("losswatch.losses.enabled", "true",
                    "true: one loss record per labelled prediction on losswatch.topic.losses; false: none (windows,"
                            + " estimates and alerts are published all the same)"),
            // label join
            duration("losswatch.join.window", "PT1H", true,
                    "a label joins its prediction if its event time is at most this much later"),
            duration("losswatch.join.grace", "PT1M", true,
                    "how long (in event time) a label waits for its prediction before it is dead-lettered"),
            // windows
            duration("losswatch.window.size", "PT1M", false, "event-time window size"),
            duration("losswatch.window.advance", null, false,
                    "hop between window starts; at most the size (default: the size, i.e. tumbling windows)"),
            duration("losswatch.window.grace", "PT10S", true,
                    "how far stream time must pass a window's end before the window is final"),
            oneOf("losswatch.metrics.emit", "final", List.of("final", "update"),
                    "final: one record per window once final; update: also interim records (final=false)"),
            // before the labels come (CONTRACT §9, docs/estimation.md)
            integer("losswatch.estimate.min.labelled", "1000", 1, 1_000_000_000,
                    "labelled predictions a model version's calibration must have learned from before its loss is estimated"),
            integer("losswatch.estimate.reference.windows", "5", 1, 10_000,
                    "a model version's first windows with predictions that form the reference distribution for psi"),
            integer("losswatch.estimate.reference.min.predictions", "1000", 1, 1_000_000_000,
                    "predictions psi's reference must hold at the least: it takes in further windows until it does"),
            // input limits
            integer("losswatch.input.max.bytes", "1048576", 1, 8 * 1024 * 1024,
                    "larger input records are dead-lettered as oversized"),
            duration("losswatch.input.idle.timeout", "PT10S", false,
                    "a predictions partition with no input for this long (wall clock while losswatch runs; a stall of its stream"
                            + " thread over 2 s, or twice poll.ms, counts as 100 ms) stops holding windows open"),
            bool("losswatch.input.idle.wallclock.advance", "false",
                    "true: once idle, a predictions partition's event time moves on with the wall clock, so quiet input"
                            + " still closes windows and ends join waits; what arrives later dated before it is late"),
            duration("losswatch.input.max.future", "PT5M", false,
                    "a prediction or label whose event time is further than this after the wall clock is dead-lettered"
                            + " as invalid_timestamp (Kafka 4 brokers refuse records dated over an hour ahead by default)"),
            integer("losswatch.input.max.nesting", "32", 1, 1000,
                    "deeper JSON nesting is dead-lettered as invalid_json (a parser limit, not a stack overflow)"),
            // reading a team's own shapes (CONTRACT §10); field mappings are losswatch.input.<topic>.field.<field>
            new Setting("losswatch.classes", "", "comma-separated class names, or empty", Settings::classNames,
                    "names of the columns of a multi-class row of a kserve response, in order; per model as"
                            + " losswatch.model.<model>.classes (empty: the column indices \"0\", \"1\", …)"),
            oneOf("losswatch.input.predictions.format", "json", List.of("json", "kserve"),
                    "json: §4 JSON, with any losswatch.input.predictions.field.* mappings; kserve: KServe inference-logger"
                            + " responses (binary-mode CloudEvents), N predictions per record"),
            // segments (CONTRACT §11): every window also per value of each of these fields
            new Setting("losswatch.segment.fields", "", "comma-separated field names (letters, digits, '_', '-'), or empty",
                    Settings::segmentFields,
                    "fields of a prediction whose every value gets its own window records and alerts, one field at a time"
                            + " (read as losswatch.input.predictions.field.<name> says; by default the top-level field)"),
            integer("losswatch.segment.max.values", "100", 1, 100_000,
                    "distinct values tracked per segment field and model version, the first ones seen, for good;"
                            + " later new values are counted under __other__"),
            // HTTP: dashboard, JSON API, /metrics, health (io.losswatch.http)
            host("losswatch.http.bind", "127.0.0.1",
                    "address the HTTP server listens on: 127.0.0.1 for this machine only, 0.0.0.0 for every interface"),
            integer("losswatch.http.port", "8080", 0, 65_535, "HTTP port; 0 picks a free port"),
            integer("losswatch.http.history.windows", "1440", 1, 1_000_000,
                    "final windows the dashboard and API keep per model and version (1440: a day of 1-minute windows)"),
            integer("losswatch.http.history.alerts", "100", 1, 100_000,
                    "alert records the dashboard and API keep per model and version"),
            durationBetween("losswatch.http.refresh", "PT5S", Duration.ofSeconds(1), Duration.ofHours(1),
                    "how often the dashboard refreshes itself"),
            secret("losswatch.http.token", 16,
                    "bearer token the API, /metrics and the dashboard's data require (empty: no authentication)"),
            // embedded broker (run); demo always starts one
            bool("losswatch.embedded.kafka", "false",
                    "start a single-node Kafka broker (KRaft) inside losswatch and use it as bootstrap.servers"),
            integer("losswatch.embedded.kafka.port", "9092", 0, 65_535,
                    "the embedded broker's client port on localhost; 0 picks any free port"),
            text("losswatch.embedded.kafka.dir", "data/kafka",
                    "the embedded broker's data directory, formatted on first use and kept across restarts")),
            // alerts (io.losswatch.alert.AlertSettings, docs/alerting.md)
            Stream.concat(AlertSettings.SETTINGS.stream(), LabelFreeRules.SETTINGS.stream())).toList();

    /** Suffixes that may follow {@code losswatch.model.<model>.}; each overrides {@code losswatch.<suffix>}. */
    public static final List<String> PER_MODEL = Stream.concat(Stream.concat(Stream.of("loss", "classes"),
            AlertSettings.PER_MODEL.stream()), LabelFreeRules.PER_MODEL.stream()).toList();

    private static final Map<String, Setting> BY_KEY = new LinkedHashMap<>();

    static {
        for (Setting s : ALL) {
            BY_KEY.put(s.key(), s);
        }
        for (String suffix : PER_MODEL) {
            if (!BY_KEY.containsKey(PREFIX + suffix)) {
                throw new IllegalStateException("per-model suffix without a global setting: " + suffix);
            }
        }
    }

    /** losswatch.classes: distinct, non-empty names separated by commas; empty for none. */
    private static Object classNames(String value) {
        return names(value, n -> !n.isEmpty(), n -> "empty or repeated class name");
    }

    /**
     * losswatch.segment.fields: distinct names of letters, digits, '_' and '-' separated by commas, none of
     * them a §4 field (those are the model's identity or its prediction, not a slice of it); empty for none.
     */
    private static Object segmentFields(String value) {
        return names(value, n -> n.matches("[A-Za-z0-9_-]{1,64}")
                        && !io.losswatch.event.InputMapping.PREDICTION_FIELDS.contains(n),
                n -> "empty, repeated, a §4 field or not a plain name: '" + n + "'");
    }

    /** Distinct names separated by commas, each trimmed and accepted by ok; empty for none. */
    private static List<String> names(String value, java.util.function.Predicate<String> ok,
                                      java.util.function.Function<String, String> why) {
        if (value.isBlank()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String name : value.split(",", -1)) {
            String n = name.trim();
            if (!ok.test(n) || names.contains(n)) {
                throw new IllegalArgumentException(why.apply(n));
            }
            names.add(n);
        }
        return List.copyOf(names);
    }

    public static Optional<Setting> find(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    /** A per-model key split into model and suffix, e.g. losswatch.model.fraud.v2.loss → (fraud.v2, loss). */
    public record ModelKey(String model, String suffix) {
        public Setting global() {
            return BY_KEY.get(PREFIX + suffix);
        }
    }

    public static final String TOPIC_PREFIX = "losswatch.topic.";
    public static final String TOPIC_CONFIG = "config.";

    /** The topic settings, as the suffix after {@value #TOPIC_PREFIX}: the topics losswatch creates. */
    public static final List<String> TOPICS = List.of("predictions", "labels", "losses", "metrics", "alerts", "dlq",
            "prediction.metrics");

    /**
     * A topic config for the topics losswatch creates: {@code losswatch.topic.config.<config>} for all of
     * them (topic empty), {@code losswatch.topic.<topic>.config.<config>} for one, where {@code <topic>}
     * is one of {@link #TOPICS} (the setting that names the topic, so the key follows a renamed topic).
     */
    public record TopicConfigKey(Optional<String> topic, String config) {
    }

    /** Splits a topic config key; empty when key is not one (an unknown key, then). */
    public static Optional<TopicConfigKey> parseTopicConfigKey(String key) {
        if (!key.startsWith(TOPIC_PREFIX)) {
            return Optional.empty();
        }
        String rest = key.substring(TOPIC_PREFIX.length());
        if (rest.startsWith(TOPIC_CONFIG) && rest.length() > TOPIC_CONFIG.length()) {
            return Optional.of(new TopicConfigKey(Optional.empty(), rest.substring(TOPIC_CONFIG.length())));
        }
        for (String topic : TOPICS) {
            String prefix = topic + "." + TOPIC_CONFIG;
            if (rest.startsWith(prefix) && rest.length() > prefix.length()) {
                return Optional.of(new TopicConfigKey(Optional.of(topic), rest.substring(prefix.length())));
            }
        }
        return Optional.empty();
    }

    public static final String INPUT_PREFIX = "losswatch.input.";

    /**
     * A key of the family {@code losswatch.input.<topic>.field.<field>} (kind {@code field}, name the §4
     * field) or {@code losswatch.input.<topic>.kserve.output} (kind {@code kserve.output}); topic as written,
     * so that an unknown one can be named in the error.
     */
    public record InputKey(String topic, String kind, String name) {
    }

    /** Splits an input mapping key; empty when key is not one. */
    public static Optional<InputKey> parseInputKey(String key) {
        if (!key.startsWith(INPUT_PREFIX)) {
            return Optional.empty();
        }
        String rest = key.substring(INPUT_PREFIX.length());
        int field = rest.indexOf(".field.");
        if (field > 0) {
            return Optional.of(new InputKey(rest.substring(0, field), "field", rest.substring(field + ".field.".length())));
        }
        if (rest.endsWith(".kserve.output") && rest.length() > ".kserve.output".length()) {
            return Optional.of(new InputKey(rest.substring(0, rest.length() - ".kserve.output".length()), "kserve.output", ""));
        }
        return Optional.empty();
    }

    public static Optional<ModelKey> parseModelKey(String key) {
        if (!key.startsWith(MODEL_PREFIX)) {
            return Optional.empty();
        }
        String rest = key.substring(MODEL_PREFIX.length());
        // the longest matching suffix wins, so a model name may itself contain dots
        String best = null;
        for (String suffix : PER_MODEL) {
            if (rest.endsWith("." + suffix) && rest.length() > suffix.length() + 1
                    && (best == null || suffix.length() > best.length())) {
                best = suffix;
            }
        }
        return best == null ? Optional.empty()
                : Optional.of(new ModelKey(rest.substring(0, rest.length() - best.length() - 1), best));
    }
}
