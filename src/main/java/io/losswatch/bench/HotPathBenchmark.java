package io.losswatch.bench;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.event.EventParser;
import io.losswatch.event.ParseResult;
import io.losswatch.event.PredictionEvent;
import io.losswatch.loss.PredictionPoint;
import io.losswatch.loss.Score;
import io.losswatch.loss.Scorer;
import io.losswatch.loss.WindowStats;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * losswatch's hot path without Kafka: for each of a batch of JSON records (the bench's own data,
 * 100 models), parse and validate it with the real {@link EventParser}, score it with the real
 * {@link Scorer} under the default configuration, and add it to the {@link WindowStats} partial of
 * its (model, version, window) the way the prediction intake does ({@link WindowStats#addScored}), with
 * the label-free sketch and the calibration's lesson it also adds since CONTRACT §9
 * ({@link WindowStats#addPrediction}, {@link WindowStats#learn}). {@link #realizedOnly} is the same without
 * the label-free work, to measure what that costs. Scores are events per second on one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HotPathBenchmark {
    static final int BATCH = 4096;

    private byte[][] events;
    private LosswatchConfig config;
    private EventParser parser;
    private Scorer scorer;
    private Map<BenchData.WindowKey, WindowStats> partials;

    @Setup(Level.Trial)
    public void setUp() {
        BenchData data = new BenchData(1_000_000, 100, BenchData.alignedStart(1_764_000_000_000L, 3_600_000), 3_600_000);
        events = new byte[BATCH][];
        for (int i = 0; i < BATCH; i++) {
            events[i] = data.event(i * 97L);
        }
        config = LosswatchConfig.from(new Properties());
        parser = new EventParser(config.inputMaxBytes(), config.inputMaxNesting());
        scorer = new Scorer(config.lossEpsilon());
        partials = new HashMap<>();
    }

    /**
     * Parse, validate, score and aggregate BATCH events as the intake does, label-free sketch and lesson
     * included; returns the partials so nothing is optimised away.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Map<BenchData.WindowKey, WindowStats> parseScoreAggregate() {
        double eps = config.lossEpsilon();
        for (byte[] value : events) {
            ParseResult<PredictionEvent> parsed = parser.parsePrediction(value, 0L);
            if (!(parsed instanceof ParseResult.Ok<PredictionEvent> ok)) {
                throw new IllegalStateException("bench data rejected: " + parsed);
            }
            PredictionEvent p = ok.event();
            Score score = scorer.score(config.lossFor(p.model()), p.prediction(), p.label());
            if (!(score instanceof Score.Loss loss)) {
                throw new IllegalStateException("bench data not scored: " + score);
            }
            BenchData.WindowKey key = new BenchData.WindowKey(p.model(), p.modelVersion(),
                    BenchData.windowStart(p.eventTime()));
            PredictionPoint point = PredictionPoint.of(p.prediction(), config.lossFor(p.model()), eps);
            String function = loss.function().id();
            PredictionPoint.Lesson lesson = function.equals(point.function())
                    ? point.lessonFor(p.prediction(), p.label(), eps) : null;
            WindowStats stats = partials.computeIfAbsent(key, k -> new WindowStats());
            stats.addScored(loss, p.eventTime());
            stats.addPrediction(point);
            if (lesson != null) {
                stats.learn(function, lesson);
            }
        }
        return partials;
    }

    /** The hot path as it was before CONTRACT §9: parse, validate, score and aggregate, nothing label-free. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Map<BenchData.WindowKey, WindowStats> realizedOnly() {
        for (byte[] value : events) {
            ParseResult<PredictionEvent> parsed = parser.parsePrediction(value, 0L);
            if (!(parsed instanceof ParseResult.Ok<PredictionEvent> ok)) {
                throw new IllegalStateException("bench data rejected: " + parsed);
            }
            PredictionEvent p = ok.event();
            Score score = scorer.score(config.lossFor(p.model()), p.prediction(), p.label());
            if (!(score instanceof Score.Loss loss)) {
                throw new IllegalStateException("bench data not scored: " + score);
            }
            BenchData.WindowKey key = new BenchData.WindowKey(p.model(), p.modelVersion(),
                    BenchData.windowStart(p.eventTime()));
            partials.computeIfAbsent(key, k -> new WindowStats()).addScored(loss, p.eventTime());
        }
        return partials;
    }
}
