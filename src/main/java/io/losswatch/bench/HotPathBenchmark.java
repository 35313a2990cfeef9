package io.losswatch.bench;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.event.EventParser;
import io.losswatch.event.MappedRecordReader;
import io.losswatch.event.ParseResult;
import io.losswatch.event.PredictionEvent;
import io.losswatch.event.ReadResult;
import io.losswatch.loss.PredictionPoint;
import io.losswatch.loss.Score;
import io.losswatch.loss.Scorer;
import io.losswatch.loss.WindowStats;
import java.util.HashMap;
import java.util.List;
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

    byte[][] events;
    private LosswatchConfig config;
    EventParser parser;
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
        try {
            setUpMapped();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The same events in a nested shape read through field mappings (CONTRACT §10), as a mapped topic's
     * intake reads them: {"id", "meta": {"model", "version", "at"}, "output": {"probabilities": [1 - p, p]}, "truth"}.
     */
    byte[][] nested;
    MappedRecordReader mapped;

    private void setUpMapped() throws java.io.IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        nested = new byte[BATCH][];
        for (int i = 0; i < BATCH; i++) {
            com.fasterxml.jackson.databind.JsonNode e = json.readTree(events[i]);
            com.fasterxml.jackson.databind.node.ObjectNode out = json.createObjectNode();
            out.set("id", e.get("prediction_id"));
            com.fasterxml.jackson.databind.node.ObjectNode meta = out.putObject("meta");
            meta.set("model", e.get("model"));
            meta.set("version", e.get("model_version"));
            meta.set("at", e.get("timestamp"));
            out.putObject("output").putArray("probabilities").add(1 - e.get("prediction").doubleValue()).add(e.get("prediction"));
            out.set("truth", e.get("label"));
            nested[i] = json.writeValueAsBytes(out);
        }
        Properties props = new Properties();
        props.put("losswatch.input.predictions.field.prediction_id", "/id");
        props.put("losswatch.input.predictions.field.model", "/meta/model");
        props.put("losswatch.input.predictions.field.model_version", "/meta/version");
        props.put("losswatch.input.predictions.field.timestamp", "/meta/at");
        props.put("losswatch.input.predictions.field.prediction", "/output/probabilities/1");
        props.put("losswatch.input.predictions.field.label", "/truth");
        mapped = new MappedRecordReader(parser, LosswatchConfig.from(props).inputMapping("predictions"));
        // the §4 records themselves, every field mapped to where it already is: the cost of mapping alone
        Properties same = new Properties();
        for (String field : List.of("prediction_id", "model", "model_version", "timestamp", "prediction", "label")) {
            same.put("losswatch.input.predictions.field." + field, "/" + field);
        }
        mappedSame = new MappedRecordReader(parser, LosswatchConfig.from(same).inputMapping("predictions"));
    }

    MappedRecordReader mappedSame;

    /** parseScoreAggregate for the §4 records read through mappings to the fields they already have. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Map<BenchData.WindowKey, WindowStats> mappedFlatParseScoreAggregate() {
        return readScoreAggregate(mappedSame, events);
    }

    /** parseScoreAggregate for the nested shape, read through its field mappings. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Map<BenchData.WindowKey, WindowStats> mappedParseScoreAggregate() {
        return readScoreAggregate(mapped, nested);
    }

    /** Reads each value as a mapped topic's intake does, then scores and aggregates it like parseScoreAggregate. */
    private Map<BenchData.WindowKey, WindowStats> readScoreAggregate(MappedRecordReader reader, byte[][] values) {
        for (byte[] value : values) {
            ReadResult<PredictionEvent> read = reader.readPredictions(new MappedRecordReader.Input(null, value, h -> null, 0L));
            if (!(read instanceof ReadResult.Events<PredictionEvent> ok)) {
                throw new IllegalStateException("bench data rejected: " + read);
            }
            aggregate(ok.events().get(0));
        }
        return partials;
    }

    /**
     * Parse, validate, score and aggregate BATCH events as the intake does, label-free sketch and lesson
     * included; returns the partials so nothing is optimised away.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Map<BenchData.WindowKey, WindowStats> parseScoreAggregate() {
        for (byte[] value : events) {
            ParseResult<PredictionEvent> parsed = parser.parsePrediction(value, 0L);
            if (!(parsed instanceof ParseResult.Ok<PredictionEvent> ok)) {
                throw new IllegalStateException("bench data rejected: " + parsed);
            }
            aggregate(ok.event());
        }
        return partials;
    }

    /** Scores an event and adds it to its window's partial as the prediction intake does, label-free work included. */
    private void aggregate(PredictionEvent p) {
        double eps = config.lossEpsilon();
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
