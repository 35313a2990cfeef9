package io.losswatch.http;

import io.losswatch.event.RejectReason;
import io.losswatch.topology.PipelineListener;
import io.losswatch.topology.PredictionMetrics;
import io.losswatch.topology.WindowMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Everything on /metrics (CONTRACT §8), through Micrometer's Prometheus registry.
 *
 * <p>Counters hear this instance's pipeline (it is the topology's {@link PipelineListener}): they
 * count what this instance processed since it started, as Prometheus counters do; sum them over
 * instances. Gauges describe the whole application, read from the {@link MetricsHistory} that every
 * instance fills from the output topics: each instance reports the same value, so aggregate them
 * with max, not sum. Kafka Streams' client metrics and JVM metrics come from Micrometer's binders.
 */
public final class LosswatchMetrics implements PipelineListener, AutoCloseable {
    /** The Prometheus text format the contract names. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final Map<String, Counter> inputs = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Counter>> skipped = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Counter>> losses = new ConcurrentHashMap<>();
    private final Map<String, Counter> unlabelled = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Map<String, Counter> windows = new ConcurrentHashMap<>();
    private final Set<String> firingGauges = ConcurrentHashMap.newKeySet();
    private final MetricsHistory history;
    private final MultiGauge estimatedLoss;
    private final MultiGauge psi;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private volatile KafkaStreamsMetrics streamsMetrics;

    public LosswatchMetrics(MetricsHistory history) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.history = history;
        // CONTRACT §9; rows are set at each scrape, see estimates()
        this.estimatedLoss = MultiGauge.builder("losswatch.window.estimated.loss")
                .description("Estimated mean loss of the latest final prediction-metrics window, before its labels")
                .register(registry);
        this.psi = MultiGauge.builder("losswatch.window.psi")
                .description("Population stability index of the latest final prediction-metrics window's predictions")
                .register(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        // every reason shows from the start, so rate() works on the first dead letter
        for (String reason : knownReasons()) {
            deadLetterCounter(reason);
        }
        history.onNewSeries((model, version) -> {
            if (firingGauges.add(model)) {
                Gauge.builder("losswatch.alert.firing", history, h -> h.firing(model) ? 1 : 0)
                        .description("1 while any alert rule on the model or one of its segments is firing, else 0")
                        .tags("model", model)
                        .strongReference(true)
                        .register(registry);
            }
        });
    }

    /** Adds Kafka Streams' own client metrics (threads, tasks, consumers, producers, stores). */
    public void bindStreams(KafkaStreams streams) {
        KafkaStreamsMetrics m = new KafkaStreamsMetrics(streams);
        m.bindTo(registry);
        streamsMetrics = m;
    }

    /** One scrape at a time: another's refresh of the §9 rows would briefly take a sample away from it. */
    public synchronized String scrape() {
        estimates();
        return registry.scrape(CONTENT_TYPE) + meanLosses(history.meanLosses());
    }

    static final String MEAN_LOSS = "losswatch_window_mean_loss";

    /**
     * The losswatch_window_mean_loss family, written here rather than by Micrometer, whose Prometheus
     * registry wants one set of label names per metric: a version's series has {@code model} and
     * {@code model_version} as ever, a segment's (CONTRACT §11) also {@code segment="field=value"}, so
     * {@code losswatch_window_mean_loss{segment=""}} selects the whole models' series.
     */
    static String meanLosses(List<MetricsHistory.MeanLoss> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder()
                .append("# HELP ").append(MEAN_LOSS)
                .append(" Mean loss of the latest final window (NaN when it had no labelled prediction);")
                .append(" a segment's series has a segment label\n")
                .append("# TYPE ").append(MEAN_LOSS).append(" gauge\n");
        for (MetricsHistory.MeanLoss row : rows) {
            out.append(MEAN_LOSS).append("{model=\"").append(escape(row.model()))
                    .append("\",model_version=\"").append(escape(row.modelVersion())).append('"');
            if (row.segment() != null) {
                out.append(",segment=\"").append(escape(row.segment().label())).append('"');
            }
            out.append("} ").append(sample(row.meanLoss())).append('\n');
        }
        return out.toString();
    }

    /** A label value in the text format: backslash, double quote and line feed escaped. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String sample(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return Double.toString(v);
    }

    /**
     * The §9 gauges, from each version's latest final prediction-metrics record. A version whose
     * latest value is null (no estimate for regression or before enough labels; no psi before a
     * reference distribution) has no sample at all rather than NaN: absent is what Prometheus
     * queries and alert rules handle as "no value", and it stays absent until a value comes.
     */
    private void estimates() {
        List<MultiGauge.Row<?>> losses = new ArrayList<>();
        List<MultiGauge.Row<?>> psis = new ArrayList<>();
        for (MetricsHistory.ModelView m : history.models()) {
            for (MetricsHistory.VersionView v : m.versions()) {
                PredictionMetrics p = v.latestPredictions();
                Tags tags = Tags.of("model", m.model(), "model_version", v.modelVersion());
                if (p != null && p.estimatedLoss() != null) {
                    losses.add(MultiGauge.Row.of(tags, p.estimatedLoss()));
                }
                if (p != null && p.psi() != null) {
                    psis.add(MultiGauge.Row.of(tags, p.psi()));
                }
            }
        }
        estimatedLoss.register(losses, true);
        psi.register(psis, true);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void inputRecord(String topic) {
        count(inputs, topic, t -> Counter.builder("losswatch.events.processed")
                .description("Input records read by this instance").tag("topic", t));
    }

    @Override
    public void inputSkipped(String topic, String reason) {
        count(skipped.computeIfAbsent(topic, t -> new ConcurrentHashMap<>()), reason,
                r -> Counter.builder("losswatch.input.skipped")
                        .description("Input records of another kind skipped by this instance, not dead-lettered (CONTRACT §10)")
                        .tags("topic", topic, "reason", r));
    }

    @Override
    public void lossComputed(String model, String lossFunction) {
        // by model, then by function: no key is built per event
        count(losses.computeIfAbsent(model, m -> new ConcurrentHashMap<>()), lossFunction,
                f -> Counter.builder("losswatch.losses.computed")
                        .description("Labelled predictions scored by this instance")
                        .tags("model", model, "loss_function", f));
    }

    @Override
    public void unlabelled(String model) {
        count(unlabelled, model, m -> Counter.builder("losswatch.predictions.unlabelled")
                .description("Predictions whose join window passed without a label, in this instance").tag("model", m));
    }

    @Override
    public void deadLetter(String reason) {
        deadLetterCounter(reason).increment();
    }

    @Override
    public void windowFinal(WindowMetrics metrics) {
        count(windows, metrics.model(), m -> Counter.builder("losswatch.windows.final")
                .description("Windows made final by this instance").tag("model", m));
    }

    private Counter deadLetterCounter(String reason) {
        return deadLetters.computeIfAbsent(reason, r -> Counter.builder("losswatch.dlq.records")
                .description("Records this instance sent to the dead-letter topic").tag("reason", r).register(registry));
    }

    private void count(Map<String, Counter> cache, String key, Function<String, Counter.Builder> builder) {
        cache.computeIfAbsent(key, k -> builder.apply(k).register(registry)).increment();
    }

    /** The reason codes of CONTRACT §7. */
    private static List<String> knownReasons() {
        return List.of(RejectReason.INVALID_JSON, RejectReason.OVERSIZED, RejectReason.MISSING_FIELD,
                RejectReason.WRONG_TYPE, RejectReason.INVALID_NUMBER, RejectReason.OUT_OF_RANGE,
                RejectReason.INVALID_LABEL, RejectReason.INVALID_TIMESTAMP, RejectReason.UNMATCHED_LABEL,
                RejectReason.DUPLICATE_LABEL, RejectReason.DUPLICATE_PREDICTION, RejectReason.REJECTED_PREDICTION,
                RejectReason.LATE_EVENT);
    }

    @Override
    public void close() {
        KafkaStreamsMetrics m = streamsMetrics;
        if (m != null) {
            m.close();
        }
        gc.close();
        registry.close();
    }
}
