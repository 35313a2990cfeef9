package io.losswatch.config;

import io.losswatch.loss.LossFunction;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

// TEMPORARY stand-in until the real config package lands (same API subset).
public final class LosswatchConfig {
    private final Properties p;

    private LosswatchConfig(Properties p) {
        this.p = p;
    }

    public static LosswatchConfig from(Properties props) {
        return new LosswatchConfig(props);
    }

    public static LosswatchConfig load(java.nio.file.Path file, java.util.Map<String, String> env) {
        Properties props = new Properties();
        try (var in = java.nio.file.Files.newBufferedReader(file)) {
            props.load(in);
        } catch (java.io.IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        return from(props);
    }

    public record Topics(String predictions, String labels, String losses, String metrics, String alerts, String dlq) {
    }

    public enum MetricsEmit { FINAL, UPDATE }

    private String g(String k, String d) {
        return p.getProperty(k, d);
    }

    public Topics topics() {
        return new Topics(g("losswatch.topic.predictions", "predictions"), g("losswatch.topic.labels", "labels"),
                g("losswatch.topic.losses", "prediction-losses"), g("losswatch.topic.metrics", "model-metrics"),
                g("losswatch.topic.alerts", "model-alerts"), g("losswatch.topic.dlq", "losswatch-dlq"));
    }

    public int topicPartitions() { return Integer.parseInt(g("losswatch.topic.partitions", "3")); }
    public short topicReplication() { return Short.parseShort(g("losswatch.topic.replication", "1")); }
    public Properties kafkaProperties() {
        Properties k = new Properties();
        p.forEach((key, v) -> { if (!key.toString().startsWith("losswatch.")) k.put(key, v); });
        k.putIfAbsent("application.id", "losswatch");
        k.putIfAbsent("bootstrap.servers", "localhost:9092");
        k.putIfAbsent("processing.guarantee", "exactly_once_v2");
        k.putIfAbsent("producer.max.request.size", "8650752");
        return k;
    }
    public double lossEpsilon() { return Double.parseDouble(g("losswatch.loss.epsilon", "1e-15")); }
    public Optional<LossFunction> lossFor(String model) {
        String v = g("losswatch.model." + model + ".loss", g("losswatch.loss", "auto"));
        return LossFunction.fromId(v);
    }
    public Duration joinWindow() { return Duration.parse(g("losswatch.join.window", "PT1H")); }
    public Duration joinGrace() { return Duration.parse(g("losswatch.join.grace", "PT1M")); }
    public Duration windowSize() { return Duration.parse(g("losswatch.window.size", "PT1M")); }
    public Duration windowAdvance() { return Duration.parse(g("losswatch.window.advance", g("losswatch.window.size", "PT1M"))); }
    public Duration windowGrace() { return Duration.parse(g("losswatch.window.grace", "PT10S")); }
    public MetricsEmit metricsEmit() { return MetricsEmit.valueOf(g("losswatch.metrics.emit", "final").toUpperCase()); }
    public int inputMaxBytes() { return Integer.parseInt(g("losswatch.input.max.bytes", "1048576")); }
    public int inputMaxNesting() { return Integer.parseInt(g("losswatch.input.max.nesting", "32")); }
}
