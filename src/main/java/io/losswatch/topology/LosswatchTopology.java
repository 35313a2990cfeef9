package io.losswatch.topology;

import io.losswatch.alert.AlertStep;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.topology.Routed.Contribution;
import io.losswatch.topology.Routed.JoinInput;
import io.losswatch.topology.Routed.PendingLabel;
import io.losswatch.topology.Routed.PendingPrediction;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * Builds the losswatch topology: a pure function of the configuration, no I/O.
 *
 * <pre>
 * predictions ─ intake ─┬─ labelled: loss ───────────────────────────────┬─ prediction-losses (unless losses.enabled=false)
 *                       ├─ partials + watermark ─ partials-by-model ──┐ │
 *                       └─ unlabelled ─ predictions-by-id ─┐          │ │
 * labels ────── intake ─── labels-by-id ──────────────── join ─ loss ─┼─┘
 *                                                          └ contribution ─ joined-by-model ─┤
 *                                                                   window aggregator ─┬─ model-metrics
 *                                                   (calibration, psi reference)       ├─ prediction-metrics
 *       final windows + label-free windows + loss batches (same task) ─ alerts ────────┴─ model-alerts
 * every step ─ rejected input ─ losswatch-dlq
 * </pre>
 */
public final class LosswatchTopology {
    private LosswatchTopology() {
    }

    /** The topology for a predictions topic of one partition (as under TopologyTestDriver). */
    public static Topology build(LosswatchConfig config) {
        return build(config, PipelineListener.NONE, 1);
    }

    /** The topology for a predictions topic of one partition, reporting what it does to listener. */
    public static Topology build(LosswatchConfig config, PipelineListener listener) {
        return build(config, listener, 1);
    }

    /**
     * The topology, reporting what it does to listener (for /metrics). predictionPartitions is the
     * predictions topic's partition count: the aggregator waits for a watermark from each of them.
     */
    public static Topology build(LosswatchConfig config, PipelineListener listener, int predictionPartitions) {
        return build(config, listener, predictionPartitions, Storage.PERSISTENT);
    }

    /**
     * The topology with its state kept as storage says: {@link Storage#PERSISTENT} for {@code run}, {@link
     * Storage#IN_MEMORY} for a replay that drives it in-process (the same steps, only the stores differ).
     */
    public static Topology build(LosswatchConfig config, PipelineListener listener, int predictionPartitions,
                                 Storage storage) {
        LosswatchConfig.Topics topics = config.topics();
        // with the topology's own config, so that ensure.explicit.internal.resource.naming (streamsProperties)
        // is enforced: a plain StreamsBuilder only logs a warning for a generated name
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(
                streamsProperties(config.kafkaProperties(), topics.dlq()))));
        Serde<Contribution> contributionSerde = new JsonSerde<>(Contribution.class);
        Serde<PendingPrediction> pendingPredictionSerde = new PendingPredictionSerde();
        Serde<PendingLabel> pendingLabelSerde = new JsonSerde<>(PendingLabel.class);
        int partitions = config.topicPartitions();

        // parse predictions; score the labelled ones at once; sum window statistics per input partition
        builder.addStateStore(IntakeState.builder(Names.INTAKE_PARTIALS_STORE, storage));
        // the intake's clock and last offset, written by IntakeState when the task commits: not cached,
        // so those writes are in that commit
        builder.addStateStore(storage.keyValueStoreBuilder(Names.INTAKE_CLOCK_STORE, Serdes.String(), Serdes.Long())
                .withCachingDisabled());
        KStream<String, Routed> predictionIntake = builder
                .stream(topics.predictions(), rawInput("predictions-source"))
                // a replay (IN_MEMORY) steps its own wall clock over quiet stretches: a jump there is quiet, not a stall
                .process(() -> new PredictionIntake(config, listener, predictionPartitions, storage == Storage.PERSISTENT),
                        Named.as(PredictionIntake.NAME),
                        Names.INTAKE_PARTIALS_STORE, Names.INTAKE_CLOCK_STORE);
        writeDeadLetters(predictionIntake, PredictionIntake.NAME, topics, listener);
        // the intake forwards each record to the one child it is for (all of them named below), so its loss
        // records can go straight to their sink: no filter and no mapping, each of which copies the record.
        // With losswatch.losses.enabled=false that child (it keeps the sink's name, which the intake forwards
        // to) passes nothing on: the windows are summed in the intake, not from these records
        if (config.lossesEnabled()) {
            predictionIntake.to(topics.losses(), lossRecords(PredictionIntake.NAME));
        } else {
            predictionIntake.filter((k, v) -> false, Named.as(lossesSink(PredictionIntake.NAME)));
        }
        KStream<String, Routed> partials = predictionIntake
                .filter((k, v) -> v instanceof Routed.IntakeOutput, Named.as(PARTIALS_BRANCH))
                .mapValues(v -> (Routed.IntakeOutput) v, Named.as("as-intake-output"))
                .repartition(Repartitioned.with(Serdes.String(), new IntakeOutputSerde())
                        .withName(Names.PARTIALS_BY_MODEL).withNumberOfPartitions(partitions)
                        .withStreamPartitioner(new ModelPartitioner<>()))
                .mapValues(v -> (Routed) v, Named.as("partial-aggregator-input"));

        // predictions without a label go to the join, keyed by prediction_id (hashed as Kafka's default
        // partitioner does, as labels-by-id is); each watermark goes to every join partition, so the
        // join's stream time, which ends the waits, moves on with the predictions' event time even
        // where no prediction is waiting
        KStream<String, JoinInput> predictionsById = predictionIntake
                .filter((k, v) -> v instanceof PendingPrediction || v instanceof Routed.Watermark,
                        Named.as(PENDING_BRANCH))
                .mapValues(v -> (JoinInput) v, Named.as("as-pending-prediction"))
                .repartition(Repartitioned.with(Serdes.String(), new PredictionsByIdSerde())
                        .withName(Names.PREDICTIONS_BY_ID).withNumberOfPartitions(partitions)
                        .withStreamPartitioner(new ModelPartitioner<>()))
                .mapValues(v -> v, Named.as("prediction-join-input"));

        // parse labels, keyed by prediction_id for the join
        KStream<String, Routed> labelIntake = builder
                .stream(topics.labels(), rawInput("labels-source"))
                .process(() -> new LabelIntake(config, listener), Named.as("label-intake"));
        writeDeadLetters(labelIntake, "label-intake", topics, listener);
        KStream<String, JoinInput> labelsById = labelIntake
                .filter((k, v) -> v instanceof PendingLabel, Named.as("pending-labels"))
                .mapValues(v -> (PendingLabel) v, Named.as("as-pending-label"))
                .repartition(Repartitioned.with(Serdes.String(), pendingLabelSerde)
                        .withName(Names.LABELS_BY_ID).withNumberOfPartitions(partitions))
                .mapValues(v -> (JoinInput) v, Named.as("label-join-input"));

        // join labels to predictions in event time
        builder.addStateStore(storage.keyValueStoreBuilder(Names.JOIN_PREDICTIONS_STORE, Serdes.String(), pendingPredictionSerde));
        builder.addStateStore(storage.keyValueStoreBuilder(Names.JOIN_LABELS_STORE, Serdes.String(), pendingLabelSerde));
        builder.addStateStore(storage.keyValueStoreBuilder(Names.JOIN_TIMERS_STORE, Serdes.Bytes(), Serdes.ByteArray()));
        KStream<String, Routed> joined = predictionsById
                .merge(labelsById, Named.as("join-inputs"))
                .process(() -> new LabelJoin(config, listener), Named.as("label-join"),
                        Names.JOIN_PREDICTIONS_STORE, Names.JOIN_LABELS_STORE, Names.JOIN_TIMERS_STORE);
        writeDeadLetters(joined, "label-join", topics, listener);
        if (config.lossesEnabled()) {
            writeLosses(joined, "label-join", topics);
        }
        KStream<String, Routed> joinedContributions = contributions(joined, "label-join")
                .repartition(Repartitioned.with(Serdes.String(), contributionSerde)
                        .withName(Names.JOINED_BY_MODEL).withNumberOfPartitions(partitions)
                        .withStreamPartitioner(new ModelPartitioner<>()))
                .mapValues(v -> (Routed) v, Named.as("joined-aggregator-input"));

        // window per (model, version), and per segment of it, and publish each window once final
        // (objects written at each commit: a window is merged into by many partials and segments between two)
        builder.addStateStore(CommitWrittenStore.builder(Names.WINDOW_STORE, storage, new WindowStatsSerde(), false));
        builder.addStateStore(storage.keyValueStoreBuilder(Names.WATERMARK_STORE, Serdes.Integer(),
                new JsonSerde<>(Routed.Watermark.class)));
        // per (model, version): the calibration its labels teach and its psi reference (CONTRACT §9)
        builder.addStateStore(CommitWrittenStore.builder(Names.ESTIMATE_STORE, storage, new ModelVersionEstimate.Serde(), true));
        // per (model, version, segment field): the values tracked, the first seen, for good (CONTRACT §11)
        builder.addStateStore(storage.keyValueStoreBuilder(Names.SEGMENT_VALUES_STORE, Serdes.Bytes(), new SegmentValues.Serde()));
        KStream<String, Routed> windows = partials
                .merge(joinedContributions, Named.as("all-contributions"))
                .process(() -> new WindowAggregator(config, listener), Named.as(WindowAggregator.NAME),
                        Names.WINDOW_STORE, Names.WATERMARK_STORE, Names.ESTIMATE_STORE, Names.SEGMENT_VALUES_STORE);
        // the aggregator forwards each record by name to the children it is for: the sinks take its records as they are
        writeDeadLetters(windows, WindowAggregator.NAME, topics, listener);
        windows.to(topics.metrics(), jsonSink(METRICS_SINK, Routed.Metrics.class, Routed.Metrics::metrics, WindowMetrics.class));
        // the label-free record of each window, as soon as the predictions' event time has passed it
        windows.to(topics.predictionMetrics(), jsonSink(PREDICTION_METRICS_SINK, Routed.PredictionWindow.class,
                Routed.PredictionWindow::metrics, PredictionMetrics.class));

        // raise and resolve drift alerts per (model, version) from final windows and loss batches, in the aggregator's task
        AlertStep.attach(builder, config, windows, storage);

        return builder.build();
    }

    /**
     * Settings the topology relies on, added to the user's Kafka settings. dlqTopic is where a record whose
     * processing throws goes ({@link DeadLetterOnProcessingError}) instead of stopping the application.
     */
    public static Properties streamsProperties(Properties kafka, String dlqTopic) {
        Properties props = new Properties();
        props.putAll(kafka);
        props.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterOnProcessingError.class.getName());
        props.put(DeadLetterOnProcessingError.DLQ_TOPIC, dlqTopic);
        props.putIfAbsent(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
        props.putIfAbsent("processing.exception.handler.global.enabled", "true");
        props.putIfAbsent(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, RecordTimeExtractor.class.getName());
        return props;
    }

    private static Consumed<byte[], byte[]> rawInput(String name) {
        return Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                .withTimestampExtractor(new RecordTimeExtractor())
                .withName(name);
    }

    private static void writeDeadLetters(KStream<String, Routed> stream, String step, LosswatchConfig.Topics topics,
                                         PipelineListener listener) {
        stream.filter((k, v) -> v instanceof Routed.DeadLetter, Named.as(deadLetterBranch(step)))
                .process(() -> new DeadLetterWriter(listener), Named.as(step + "-dead-letter-writer"))
                .to(topics.dlq(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(step + "-dlq-sink"));
    }

    private static void writeLosses(KStream<String, Routed> stream, String step, LosswatchConfig.Topics topics) {
        stream.filter((k, v) -> v instanceof Routed.Scored, Named.as(step + "-scored"))
                .to(topics.losses(), lossRecords(step));
    }

    /** A step's losses sink: each scored prediction's loss record, keyed by model. */
    private static Produced<String, Routed> lossRecords(String step) {
        return sink(lossesSink(step), new ScoredLossSerializer());
    }

    private static Produced<String, Routed> sink(String name, Serializer<Routed> serializer) {
        return Produced.with(Serdes.String(), Serdes.serdeFrom(serializer, (topic, bytes) -> {
            throw new UnsupportedOperationException("a sink only serialises");
        })).withName(name);
    }

    /**
     * A sink of one kind of the aggregator's records: its contract record as JSON. Anything else reaching it is a
     * routing bug: it throws, and the processing exception handler dead-letters the input as {@code processing_error}.
     */
    private static <R extends Routed, T> Produced<String, Routed> jsonSink(String name, Class<R> kind, Function<R, T> value,
                                                                           Class<T> type) {
        Serializer<T> json = new JsonSerde<>(type).serializer();
        return sink(name, (topic, data) -> {
            if (kind.isInstance(data)) {
                return json.serialize(topic, value.apply(kind.cast(data)));
            }
            throw new IllegalStateException("only " + kind.getSimpleName() + " records belong on " + topic + ", not " + data);
        });
    }

    /** The window aggregator's sinks (CONTRACT §6 and §9), which it forwards to by name. */
    static final String METRICS_SINK = "metrics-sink";
    static final String PREDICTION_METRICS_SINK = "prediction-metrics-sink";

    /** The prediction intake's children: partials and watermarks on their way to the aggregator. */
    static final String PARTIALS_BRANCH = "partials-and-watermarks";
    /** The prediction intake's children: unlabelled predictions and watermarks on their way to the join. */
    static final String PENDING_BRANCH = "pending-predictions";

    /** The sink of a step's loss records. */
    static String lossesSink(String step) {
        return step + "-losses-sink";
    }

    /** The first node of a step's dead-letter branch. */
    static String deadLetterBranch(String step) {
        return step + "-dead-letters";
    }

    /**
     * Writes a scored prediction's loss record. Anything else reaching a losses sink is a routing bug: it throws,
     * and the processing exception handler dead-letters the input record as {@code processing_error}.
     */
    static final class ScoredLossSerializer implements Serializer<Routed> {
        private final LossRecordSerializer loss = new LossRecordSerializer();

        @Override
        public byte[] serialize(String topic, Routed data) {
            if (data instanceof Routed.Scored scored) {
                return loss.serialize(topic, scored.loss());
            }
            throw new IllegalStateException("only scored predictions belong on " + topic + ", not " + data);
        }
    }

    /** A scored prediction's contribution, and the pending/unlabelled changes, in the order they were made. */
    private static KStream<String, Contribution> contributions(KStream<String, Routed> stream, String step) {
        return stream
                .filter((k, v) -> (v instanceof Routed.Scored s && s.contribution() != null) || v instanceof Contribution,
                        Named.as(step + "-contributing"))
                .mapValues(v -> v instanceof Routed.Scored s ? s.contribution() : (Contribution) v,
                        Named.as(step + "-contributions"));
    }
}
