package io.losswatch.topology;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.event.EventParser;
import io.losswatch.event.InputMapping;
import io.losswatch.event.MappedRecordReader;
import io.losswatch.event.ParseResult;
import io.losswatch.event.PredictionEvent;
import io.losswatch.event.ReadResult;
import io.losswatch.event.RejectReason;
import io.losswatch.event.Segment;
import io.losswatch.event.SourceRecord;
import io.losswatch.loss.PredictionPoint;
import io.losswatch.loss.Score;
import io.losswatch.loss.Scorer;
import io.losswatch.loss.WindowStats;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * First step for predictions: parse and validate; score those that carry their label; send the
 * others to the join by prediction_id; dead-letter what cannot be used.
 *
 * <p>Window statistics are summed here, per input partition, and flushed to the aggregator every
 * {@link #FLUSH_INTERVAL} as one partial per (model, version, window), followed by this partition's
 * watermark when it has changed. So the shuffle carries one record per partition, model and window
 * instead of one per event, and the aggregator knows when every partition is done with a window. Lateness is judged
 * here, against this partition's own event-time clock, so it does not depend on how fast other
 * partitions are read.
 */
final class PredictionIntake implements Processor<byte[], byte[], String, Routed> {
    static final Duration FLUSH_INTERVAL = Duration.ofMillis(100);
    /**
     * An unchanged watermark is sent again this often, not at every flush: an idle instance would
     * otherwise write partitions² watermarks ten times a second to each of two repartition topics
     * (docs/benchmarks.md). The repeat is for a step that keeps its watermarks only in memory (the
     * label join) after it moved or restarted; the window aggregator keeps them in a store.
     */
    static final Duration HEARTBEAT = Duration.ofSeconds(30);
    /**
     * With losswatch.input.idle.wallclock.advance, an idle partition's event time moves on in steps of
     * this much wall-clock time: one watermark a second instead of one per flush.
     */
    static final long ADVANCE_STEP_MS = 1000;
    static final String NAME = "prediction-intake";
    // every record goes to the one child it is for: the losses sink takes nothing but loss records
    private static final String LOSSES = LosswatchTopology.lossesSink(NAME);
    private static final String DEAD_LETTERS = LosswatchTopology.deadLetterBranch(NAME);
    private static final String PARTIALS = LosswatchTopology.PARTIALS_BRANCH;
    private static final String PENDING = LosswatchTopology.PENDING_BRANCH;

    private final LosswatchConfig config;
    private final EventParser parser;
    /** The reader of a mapped predictions topic (CONTRACT §10); null for §4 JSON, which the parser reads. */
    private final MappedRecordReader mapped;
    private final Scorer scorer;
    private final PipelineListener listener;
    private final WindowSpec windows;
    private final int partitions;
    private final long idleTimeoutMs;
    private final boolean idleAdvance;
    private final long maxFutureMs;
    private final boolean hopping;
    private final double eps;
    /** False under a replay, whose wall clock is its own and jumps over quiet stretches by design. */
    private final boolean stallAware;
    /** Kafka Streams' poll.ms: a quiet loop waits this long between flushes, which is not a stall. */
    private final long pollMs;
    private ProcessorContext<String, Routed> context;
    /**
     * Open partials, this partition's clock (the newest event time it has seen, or where the wall clock
     * moved it while idle with idleAdvance) and last offset.
     */
    private IntakeState state;
    private long lastInputWallClock;
    /** The time since input last arrived that the stream thread ran: its stalls are not quiet input. */
    private QuietTime quietTime;
    /** The clock when input last arrived: an idle partition's event time moves on from there (idleAdvance). */
    private long clockAtLastInput;
    /** The watermark last sent and when (wall clock); null until the first flush after init. */
    private Routed.Watermark lastSent;
    private long lastSentWallClock;

    PredictionIntake(LosswatchConfig config, PipelineListener listener, int partitions, boolean stallAware) {
        this.config = config;
        this.stallAware = stallAware;
        this.pollMs = Long.parseLong(config.kafkaProperties().getProperty(StreamsConfig.POLL_MS_CONFIG, "100").trim());
        this.listener = listener;
        this.partitions = partitions;
        this.parser = new EventParser(config.inputMaxBytes(), config.inputMaxNesting(), config.segmentFields());
        InputMapping mapping = config.inputMapping("predictions");
        this.mapped = mapping.isPlain() ? null : new MappedRecordReader(parser, mapping, config::classesFor);
        this.scorer = new Scorer(config.lossEpsilon());
        this.windows = new WindowSpec(config);
        this.idleTimeoutMs = config.inputIdleTimeout().toMillis();
        this.idleAdvance = config.inputIdleWallclockAdvance();
        this.maxFutureMs = config.inputMaxFuture().toMillis();
        this.hopping = windows.advanceMs < windows.sizeMs;
        this.eps = config.lossEpsilon();
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        this.context = context;
        this.state = context.getStateStore(Names.INTAKE_PARTIALS_STORE);
        state.load(context.getStateStore(Names.INTAKE_CLOCK_STORE));
        lastInputWallClock = context.currentSystemTimeMs();
        quietTime = new QuietTime(FLUSH_INTERVAL.toMillis(), pollMs, stallAware, lastInputWallClock);
        clockAtLastInput = state.clock();
        // a restarted or revived task (an aborted transaction) says where it stands at once
        lastSent = null;
        context.schedule(FLUSH_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::flush);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        SourceRecord source = Intake.source(context, record);
        listener.inputRecord(source.topic());
        lastInputWallClock = context.currentSystemTimeMs();
        quietTime.input(lastInputWallClock);
        clockAtLastInput = state.clock();
        state.lastOffset(source.offset());
        if (mapped != null) {
            // a mapped topic (CONTRACT §10): one record may hold several predictions, all used or none
            ReadResult<PredictionEvent> read = mapped.readPredictions(Intake.input(record));
            if (read instanceof ReadResult.Skipped<PredictionEvent> skipped) {
                listener.inputSkipped(source.topic(), skipped.reason());
            } else if (read instanceof ReadResult.Rejected<PredictionEvent> r) {
                context.forward(Intake.deadLetter(source, r.rejection().reason(), r.rejection().message()), DEAD_LETTERS);
            } else {
                List<PredictionEvent> events = ((ReadResult.Events<PredictionEvent>) read).events();
                for (PredictionEvent p : events) {
                    String ahead = Intake.tooFarAhead(lastInputWallClock, p.eventTime(), maxFutureMs);
                    if (ahead != null) {
                        context.forward(Intake.deadLetter(source, RejectReason.INVALID_TIMESTAMP, ahead), DEAD_LETTERS);
                        return;
                    }
                }
                for (PredictionEvent p : events) {
                    accept(p, source);
                }
            }
            return;
        }
        ParseResult<PredictionEvent> parsed = parser.parsePrediction(record.value(), record.timestamp());
        if (parsed instanceof ParseResult.Rejected<PredictionEvent> r) {
            context.forward(Intake.deadLetter(source, r.rejection().reason(), r.rejection().message()), DEAD_LETTERS);
            return;
        }
        PredictionEvent p = ((ParseResult.Ok<PredictionEvent>) parsed).event();
        String ahead = Intake.tooFarAhead(lastInputWallClock, p.eventTime(), maxFutureMs);
        if (ahead != null) {
            context.forward(Intake.deadLetter(source, RejectReason.INVALID_TIMESTAMP, ahead), DEAD_LETTERS);
            return;
        }
        accept(p, source);
    }

    /** A valid prediction, not too far ahead: on to its windows and the join, or scored with its label. */
    private void accept(PredictionEvent p, SourceRecord source) {
        if (p.eventTime() > state.clock()) {
            state.clock(p.eventTime());
            clockAtLastInput = p.eventTime();
        }
        if (!p.isLabelled()) {
            // its windows learn it is pending before its watermark passes them, so none closes before it
            // knows to wait; if one of them is already final, none waits and the join treats it as late
            boolean windowsOpen = !anyWindowDue(p.eventTime());
            if (windowsOpen) {
                Routed.Contribution pending = Contributions.pending(p, source);
                PredictionPoint point = PredictionPoint.of(p.prediction(), config.lossFor(p.model()), eps);
                add(p, false, partial -> {
                    partial.merge(pending.stats());
                    partial.addPrediction(point);
                }, () -> pending);
            }
            context.forward(new Record<>(p.predictionId(), new Routed.PendingPrediction(p, source, windowsOpen),
                    p.eventTime()), PENDING);
            return;
        }
        Score score = scorer.score(config.lossFor(p.model()), p.prediction(), p.label());
        if (score instanceof Score.Rejected rejected) {
            context.forward(Intake.deadLetter(source, rejected.reason(), rejected.message()), DEAD_LETTERS);
            return;
        }
        Score.Loss loss = (Score.Loss) score;
        listener.lossComputed(p.model(), loss.function().id());
        // straight to the losses sink; no contribution rides along, the event goes into its partials here
        context.forward(new Record<>(p.model(), new Routed.Scored(Contributions.lossRecord(p, p.label(), loss), null),
                p.eventTime()), LOSSES);
        // its prediction for the label-free metrics, and what its outcome teaches the calibration
        PredictionPoint point = PredictionPoint.of(p.prediction(), config.lossFor(p.model()), eps);
        String function = loss.function().id();
        PredictionPoint.Lesson lesson = function.equals(point.function()) ? point.lessonFor(p.prediction(), p.label(), eps) : null;
        add(p, true, partial -> {
            partial.addScored(loss, p.eventTime());
            partial.addPrediction(point);
            if (lesson != null) {
                partial.learn(function, lesson);
            }
        }, () -> Contributions.scored(p, p.label(), loss, source, -1).contribution());
    }

    private boolean anyWindowDue(long eventTime) {
        boolean[] due = {false};
        long clock = state.clock();
        windows.forEachStart(eventTime, start -> due[0] |= windows.isDue(start, clock));
        return due[0];
    }

    /**
     * Adds an event to the partials of its windows (addTo, once per open partial: the whole model's, and
     * each of its segment values' as read); a window this
     * partition has already passed is late, and lateContribution is what goes to the dead-letter topic
     * then. With tumbling windows the partials are also the alert step's loss batches; with hopping
     * ones a scored event's loss is summed once more, under {@link Routed.Partial#LOSSES_ONLY}, unless
     * all its windows are late.
     */
    private void add(PredictionEvent p, boolean scored, Consumer<WindowStats> addTo,
                     Supplier<Routed.Contribution> lateContribution) {
        long clock = state.clock();
        List<Long> late = new ArrayList<>(0);
        boolean[] added = {false};
        windows.forEachStart(p.eventTime(), start -> {
            if (windows.isDue(start, clock)) {
                late.add(start);
            } else {
                addToWindow(p, start, addTo);
                added[0] = true;
            }
        });
        if (hopping && added[0] && scored) {
            addToWindow(p, Routed.Partial.LOSSES_ONLY, addTo);
        }
        if (!late.isEmpty()) {
            WindowAggregator.lateEvent(lateContribution.get(), late, clock, windows.graceMs)
                    .ifPresent(deadLetter -> context.forward(deadLetter, DEAD_LETTERS));
        }
    }

    private void addToWindow(PredictionEvent p, long start, Consumer<WindowStats> addTo) {
        IntakeState.OpenWindow window = state.window(start, p.model(), p.modelVersion());
        addTo.accept(window.whole());
        for (Segment segment : p.segments()) {
            addTo.accept(window.segment(segment));
        }
    }

    /**
     * Sends every partial, then this partition's watermark to every aggregator and join partition if it
     * changed (event time, idle) or {@link #HEARTBEAT} has passed since it was last sent.
     */
    private void flush(long wallClock) {
        String topic = config.topics().predictions();
        int partition = context.taskId().partition();
        long quiet = quietTime.flush(wallClock);
        boolean idle = quiet >= idleTimeoutMs;
        if (idle && idleAdvance && clockAtLastInput >= 0) {
            // opt-in: a quiet partition's event time moves on at the wall clock's pace from where its input
            // left it, so its last windows close and the join's waits end; kept like any other clock, so
            // what arrives later dated before it is late here, as after newer input (CONTRACT §7)
            long advanced = clockAtLastInput + (quiet - idleTimeoutMs) / ADVANCE_STEP_MS * ADVANCE_STEP_MS;
            if (advanced > state.clock()) {
                state.clock(advanced);
            }
        }
        long clock = state.clock();
        long timestamp = Math.max(clock, 0);
        // one record per (model, version, window), carrying its segment values' partials in the order first touched
        long lastOffset = state.lastOffset();
        for (IntakeState.OpenWindow w : state.windows()) {
            String model = w.of.model();
            String version = w.of.version();
            long start = w.of.start();
            WindowStats whole = w.wholeStats();
            if (whole != null) {
                List<Routed.SegmentStats> segments = new ArrayList<>(0);
                w.forEachSegment((segment, stats) -> segments.add(new Routed.SegmentStats(segment, stats)));
                context.forward(new Record<>(model, new Routed.Partial(model, version, start, whole, topic, partition,
                        lastOffset, null, segments), timestamp), PARTIALS);
            } else {
                // only from a state an earlier version wrote, which sent a segment's partial alone; sent alone as then
                w.forEachSegment((segment, stats) -> context.forward(new Record<>(model, new Routed.Partial(
                        model, version, start, stats, topic, partition, lastOffset, segment), timestamp), PARTIALS));
            }
        }
        state.clearPartials();
        Routed.Watermark w = new Routed.Watermark(partition, partitions, clock, idle);
        if (w.equals(lastSent) && wallClock - lastSentWallClock < HEARTBEAT.toMillis()) {
            return;
        }
        lastSent = w;
        lastSentWallClock = wallClock;
        Record<String, Routed> watermark = new Record<>(WATERMARK_KEY, w, timestamp);
        context.forward(watermark, PARTIALS);
        context.forward(watermark, PENDING);
    }

    /** Watermarks go to every partition; the key is only there because repartitioning wants one. */
    static final String WATERMARK_KEY = "";
}
