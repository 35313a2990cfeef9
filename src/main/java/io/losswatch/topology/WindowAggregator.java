package io.losswatch.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.losswatch.alert.AlertStep;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.event.RejectReason;
import io.losswatch.event.Segment;
import io.losswatch.event.SourceRecord;
import io.losswatch.loss.Calibration;
import io.losswatch.loss.PredictionSketch;
import io.losswatch.loss.Psi;
import io.losswatch.loss.WindowStats;
import io.losswatch.topology.Routed.Contribution;
import io.losswatch.topology.Routed.Partial;
import io.losswatch.topology.Routed.Watermark;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Sums partial statistics into tumbling or hopping event-time windows per (model, model_version)
 * and emits each window once it is final: every input partition's watermark has passed its end +
 * grace AND none of its predictions is still waiting for a label. Waiting for pending labels is
 * what makes the final record exact: a label that arrives within the join window still lands in
 * its prediction's window.
 *
 * <p>Inputs: partials and watermarks from the prediction intake, and single contributions from the
 * label join (a joined loss, an unlabelled or a cancelled prediction). The store is keyed by window
 * start first, so the windows due to close are a range scan.
 *
 * <p>Outputs: window metrics, late-event dead letters, and the losses it receives as
 * {@link Routed.Losses} batches for the alert step, which runs in this same task (keyed by model
 * already), so the alert step needs no shuffle of its own.
 *
 * <p>Segments (CONTRACT §11): a segment is a series of its own, with its own windows, estimate and
 * loss batches, keyed by {@link SeriesKey}. The intake sends its segment values' partials (as read) inside
 * their model's partial, one record per (model, version, window) and flush; the join a contribution with
 * the prediction's values; {@link SegmentValues} decides here, in the one task
 * that sees all of a model, which tracked value or {@code __other__} each counts under. Late events are
 * dead-lettered once, for the whole model.
 */
final class WindowAggregator implements Processor<String, Routed, String, Routed> {
    static final String NAME = "window-aggregator";
    /**
     * Each record goes by name to the one or two children it is for (the contract's sinks, the alert step, the
     * dead letters), not through a filter per child: each node a record passes copies it.
     */
    private static final String DEAD_LETTERS = LosswatchTopology.deadLetterBranch(NAME);
    private final WindowSpec windows;
    private final boolean emitUpdates;
    private final boolean hopping;
    private final PipelineListener listener;
    private final LosswatchConfig config;
    private final long minLabelled;
    private final int referenceWindows;
    private final long referenceMinPredictions;
    private ProcessorContext<String, Routed> context;
    /** Per (model, version): calibration and psi reference, read through on first use and written on change. */
    private KeyValueStore<Bytes, ModelVersionEstimate> estimateStore;
    private final Map<Bytes, ModelVersionEstimate> estimates = new HashMap<>();
    private final SegmentValues segmentValues;
    private KeyValueStore<Bytes, WindowStats> store;
    private KeyValueStore<Integer, Watermark> watermarkStore;
    private final Map<Integer, Watermark> watermarks = new HashMap<>();
    /** Latest window start already scanned for closing; not kept: a restart just scans once more. */
    private long scannedUpTo = Long.MIN_VALUE;
    /**
     * The highest clock reached so far, kept in the watermark store under {@link #HIGH_CLOCK_KEY}. The
     * clock never moves back: an idle partition that wakes up with older events would otherwise lower
     * the slowest watermark, and a window found due and absent (its join contribution dead-lettered as
     * late) could be created again by that partition's pending count and then wait for good.
     */
    private long highClock = Long.MIN_VALUE;
    static final int HIGH_CLOCK_KEY = -1;

    WindowAggregator(LosswatchConfig config, PipelineListener listener) {
        this.listener = listener;
        this.config = config;
        this.minLabelled = config.estimateMinLabelled();
        this.referenceWindows = config.estimateReferenceWindows();
        this.referenceMinPredictions = config.estimateReferenceMinPredictions();
        this.windows = new WindowSpec(config);
        this.emitUpdates = config.metricsEmit() == LosswatchConfig.MetricsEmit.UPDATE;
        this.hopping = windows.advanceMs < windows.sizeMs;
        this.segmentValues = new SegmentValues(config.segmentMaxValues());
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        this.context = context;
        this.store = context.getStateStore(Names.WINDOW_STORE);
        this.watermarkStore = context.getStateStore(Names.WATERMARK_STORE);
        this.estimateStore = context.getStateStore(Names.ESTIMATE_STORE);
        estimates.clear();
        segmentValues.init(context.getStateStore(Names.SEGMENT_VALUES_STORE));
        // a task revived after an aborted transaction may init this same instance again: what it holds in
        // memory may be ahead of its stores (a watermark taken for stored would never be written)
        watermarks.clear();
        highClock = Long.MIN_VALUE;
        scannedUpTo = Long.MIN_VALUE;
        try (KeyValueIterator<Integer, Watermark> it = watermarkStore.all()) {
            it.forEachRemaining(kv -> {
                if (kv.key == HIGH_CLOCK_KEY) {
                    highClock = kv.value.time();
                } else {
                    watermarks.put(kv.key, kv.value);
                }
            });
        }
    }

    @Override
    public void process(Record<String, Routed> record) {
        long clock = clock();
        if (record.value() instanceof Watermark w) {
            // a heartbeat repeats what the store holds: no changelog record for it
            if (!w.equals(watermarks.put(w.partition(), w))) {
                watermarkStore.put(w.partition(), w);
            }
            long now = clock();
            if (now > highClock) {
                highClock = now;
                watermarkStore.put(HIGH_CLOCK_KEY, new Watermark(HIGH_CLOCK_KEY, 0, now, false));
            }
            closeDueWindows(now);
        } else if (record.value() instanceof Partial p) {
            partial(p, p.segment(), p.stats(), clock);
            // the segment values' partials of the same flush ride in their model's (none in an earlier version's)
            for (Routed.SegmentStats s : p.segments()) {
                partial(p, s.segment(), s.stats(), clock);
            }
        } else if (record.value() instanceof Contribution c) {
            List<SeriesKey> all = new ArrayList<>(1 + c.segments().size());
            all.add(new SeriesKey(c.model(), c.modelVersion(), null));
            for (Segment raw : c.segments()) {
                all.add(series(c.model(), c.modelVersion(), raw));
            }
            if (c.stats().count > 0) {
                for (SeriesKey series : all) {
                    losses(series, c.stats());
                    learn(series, c.stats());
                }
            }
            c.stats().calibration = null;
            List<Long> late = new ArrayList<>();
            windows.forEachStart(c.eventTime(), start -> {
                if (!merge(start, all.get(0), c.stats(), clock)) {
                    late.add(start);
                }
                for (int i = 1; i < all.size(); i++) {
                    merge(start, all.get(i), c.stats(), clock);
                }
            });
            if (!late.isEmpty()) {
                lateEvent(c, late, clock, windows.graceMs).ifPresent(r -> context.forward(r, DEAD_LETTERS));
            }
        }
    }

    /** One series' partial: the whole model's (segment null) or one segment value's as read. */
    private void partial(Partial p, Segment segment, WindowStats stats, long clock) {
        SeriesKey series = series(p.model(), p.modelVersion(), segment);
        if (stats.count > 0 && (!hopping || p.windowStart() == Partial.LOSSES_ONLY)) {
            losses(series, stats);
            learn(series, stats);
        }
        // with hopping windows each window's partial repeats the outcomes: they were learned once above
        stats.calibration = null;
        if (p.windowStart() == Partial.LOSSES_ONLY) {
            return;
        }
        boolean accepted = merge(p.windowStart(), series, stats, clock);
        // a segment's events are in the whole model's partial too, which says whether they were late
        if (!accepted && segment == null) {
            Contribution c = new Contribution(p.model(), p.modelVersion(), p.windowStart(), stats,
                    p.sourceTopic(), p.sourcePartition(), p.lastSourceOffset());
            lateEvent(c, List.of(p.windowStart()), clock, windows.graceMs).ifPresent(r -> context.forward(r, DEAD_LETTERS));
        }
    }

    /** The series a partial or contribution counts in: the whole model's, or a tracked value's or __other__. */
    private SeriesKey series(String model, String version, Segment raw) {
        return new SeriesKey(model, version, raw == null ? null : segmentValues.resolve(model, version, raw));
    }

    /**
     * Passes labelled predictions' losses on to the alert step, before they are added to their window
     * (which may close it), once per event: an intake partial is the sum of its events since the
     * partition's last flush (a delta: the intake starts afresh after every flush).
     */
    private void losses(SeriesKey series, WindowStats stats) {
        context.forward(new Record<>(series.model(), new Routed.Losses(series.model(), series.modelVersion(),
                series.segment(), stats), Math.max(0, stats.lastLossTime)), AlertStep.EVALUATOR);
    }

    /** Adds stats to a window; false when the window is already final (the caller dead-letters them). */
    private boolean merge(long start, SeriesKey series, WindowStats add, long clock) {
        Bytes key = series.window(start);
        WindowStats stats = store.get(key);
        boolean due = windows.isDue(start, clock);
        if (stats == null && due) {
            return false;
        }
        if (stats == null) {
            stats = new WindowStats();
        }
        PredictionSketch sketch = add.sketch;
        if (stats.labelFreePublished) {
            add.sketch = null; // its prediction-metrics record is out (a partition that woke up late): §6 still counts it
        }
        stats.merge(add);
        add.sketch = sketch; // add may count in other series (a contribution's segments) too
        if (due) {
            publishLabelFree(series, start, stats);
        }
        if (due && stats.pending == 0) {
            emit(series, start, stats, true);
            store.delete(key);
        } else {
            store.put(key, stats);
            if (emitUpdates) {
                emit(series, start, stats, false);
            }
        }
        return true;
    }

    /**
     * How far event time has certainly got: the slowest input partition's watermark, never less than
     * it has been. Idle partitions do not hold it back; until every partition has reported once, nothing
     * is final.
     */
    long clock() {
        return Math.max(highClock, slowestWatermark());
    }

    private long slowestWatermark() {
        return slowest(watermarks);
    }

    /**
     * The slowest non-idle input partition's watermark time (the fastest when all are idle), or
     * Long.MIN_VALUE until every partition has reported once.
     */
    static long slowest(Map<Integer, Watermark> watermarks) {
        if (watermarks.isEmpty()) {
            return Long.MIN_VALUE;
        }
        int expected = 0;
        for (Watermark w : watermarks.values()) {
            expected = Math.max(expected, w.partitions());
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        boolean anyActive = false;
        for (int p = 0; p < expected; p++) {
            Watermark w = watermarks.get(p);
            if (w == null) {
                return Long.MIN_VALUE;
            }
            max = Math.max(max, w.time());
            if (!w.idle()) {
                anyActive = true;
                min = Math.min(min, w.time());
            }
        }
        return anyActive ? min : max;
    }

    /** Emits every window whose end + grace has passed and that has nothing pending. */
    private void closeDueWindows(long clock) {
        long lastDueStart = windows.lastDueStart(clock);
        if (clock == Long.MIN_VALUE || lastDueStart <= scannedUpTo || lastDueStart < 0) {
            return;
        }
        scannedUpTo = lastDueStart;
        List<KeyValue<Bytes, WindowStats>> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, WindowStats> it = store.range(startPrefix(0), startPrefix(lastDueStart + 1))) {
            it.forEachRemaining(kv -> {
                // final now, or still waiting for labels but its label-free record not out yet
                if (kv.value.pending == 0 || !kv.value.labelFreePublished) {
                    due.add(kv);
                }
            });
        }
        for (KeyValue<Bytes, WindowStats> kv : due) {
            SeriesKey.Window window = SeriesKey.readWindow(kv.key);
            long start = window.start();
            boolean published = publishLabelFree(window.series(), start, kv.value);
            if (kv.value.pending == 0) {
                emit(window.series(), start, kv.value, true);
                store.delete(kv.key);
            } else if (published) {
                store.put(kv.key, kv.value);
            }
        }
    }

    /**
     * Publishes a due window's prediction-metrics record (CONTRACT §9) unless it is out already: its
     * predictions, their drift against the model version's reference and their loss estimated with the
     * calibration learned so far. The estimate stays in the window for its model-metrics record; the
     * sketch is dropped. The first windows of a model version become its reference. True if published.
     */
    private boolean publishLabelFree(SeriesKey series, long start, WindowStats stats) {
        if (stats.labelFreePublished || stats.sketch == null) {
            return false;
        }
        String model = series.model();
        PredictionSketch sketch = stats.sketch;
        Bytes key = series.bytes();
        ModelVersionEstimate e = estimate(key);
        Calibration.Estimate estimate = e.calibration.estimate(sketch, minLabelled);
        Double psi = null;
        if (e.referenceComplete(referenceWindows, referenceMinPredictions)) {
            psi = Psi.of(e.reference, sketch.drift);
        } else {
            e.reference.merge(sketch.drift);
            e.referenceWindows++;
            estimateStore.put(key, e);
        }
        // the loss its labels were scored with first: under auto a number in [0, 1] looks binary to the sketch
        // until a label shows it is a regression
        String function = e.calibration.function != null ? e.calibration.function
                : stats.lossFunction != null ? stats.lossFunction
                : sketch.function != null ? sketch.function
                : config.lossFor(model).map(f -> f.id()).orElse(null);
        PredictionMetrics m = new PredictionMetrics(model, series.modelVersion(), function, start, start + windows.sizeMs,
                sketch.count, stats.count, sketch.meanValue(), psi,
                estimate == null ? null : estimate.mean(), estimate == null ? null : estimate.low(),
                estimate == null ? null : estimate.high(), e.calibration.count, true, series.segment());
        Record<String, Routed> out = new Record<>(model, new Routed.PredictionWindow(m, sketch, e.calibration, minLabelled),
                start + windows.sizeMs - 1);
        context.forward(out, LosswatchTopology.PREDICTION_METRICS_SINK);
        context.forward(out, AlertStep.EVALUATOR);
        stats.estimatedLoss = estimate == null ? null : estimate.mean();
        stats.labelFreePublished = true;
        stats.sketch = null;
        return true;
    }

    /** Adds the outcomes of labelled predictions in stats to their model version's calibration. */
    private void learn(SeriesKey series, WindowStats stats) {
        if (stats.calibration == null || stats.calibration.count == 0) {
            return;
        }
        Bytes key = series.bytes();
        ModelVersionEstimate e = estimate(key);
        e.calibration.merge(stats.calibration);
        estimateStore.put(key, e);
    }

    private ModelVersionEstimate estimate(Bytes key) {
        ModelVersionEstimate e = estimates.get(key);
        if (e == null) {
            e = estimateStore.get(key);
            if (e == null) {
                e = new ModelVersionEstimate();
            }
            estimates.put(key, e);
        }
        return e;
    }

    private void emit(SeriesKey series, long start, WindowStats stats, boolean isFinal) {
        String model = series.model();
        WindowMetrics m = WindowMetrics.of(series, start, start + windows.sizeMs, stats, isFinal);
        // dated at the window's last millisecond; an interim record of a window that has not ended yet at
        // the wall clock instead: Kafka 4 brokers refuse records dated over an hour ahead
        long end = start + windows.sizeMs - 1;
        Record<String, Routed> out = new Record<>(model, new Routed.Metrics(m), isFinal ? end : Math.min(end, context.currentSystemTimeMs()));
        context.forward(out, LosswatchTopology.METRICS_SINK);
        if (isFinal) {
            context.forward(out, AlertStep.EVALUATOR); // interim windows are not judged
        }
        if (isFinal && series.segment() == null) { // losswatch_windows_final_total counts the models' windows
            listener.windowFinal(m);
        }
    }

    /**
     * The dead letter of a contribution whose windows were already final (its value is the contribution as
     * JSON), for the caller to forward where its dead letters go.
     */
    static Optional<Record<String, Routed>> lateEvent(Contribution c, List<Long> closedStarts, long clock, long graceMs) {
        return lateEvent(c, "event time " + c.eventTime() + " falls in window(s) starting at " + closedStarts
                + " of model '" + c.model() + "', already final at event time " + clock
                + " (window grace " + graceMs + " ms)" + (c.stats().count > 0 ? "; its loss record was still written" : ""));
    }

    /**
     * The dead letter of a contribution that no window can take; none if it only says a prediction stopped
     * being pending: that is no data, and the prediction itself ends elsewhere (loss, dead letter).
     */
    static Optional<Record<String, Routed>> lateEvent(Contribution c, String message) {
        if (c.stats().count == 0 && c.stats().unlabelled == 0) {
            return Optional.empty();
        }
        byte[] value;
        try {
            // written by the mapper itself (not a tree's toString), so its numbers read as every other record's
            value = Json.MAPPER.writeValueAsBytes(c);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a late contribution as JSON", e);
        }
        SourceRecord source = new SourceRecord(c.sourceTopic(), c.sourcePartition(), c.sourceOffset(), c.eventTime(),
                c.model().getBytes(StandardCharsets.UTF_8), value);
        return Optional.of(new Record<>(null, new Routed.DeadLetter(source, RejectReason.LATE_EVENT, message),
                Math.max(0, c.eventTime())));
    }

    /** Window start (big-endian, sorts by time), then model (length-prefixed), then version. */
    static Bytes windowKey(long start, String model, String version) {
        return SeriesKey.windowKey(start, model, version, null);
    }

    private static Bytes startPrefix(long start) {
        return Bytes.wrap(ByteBuffer.allocate(8).putLong(start).array());
    }
}
