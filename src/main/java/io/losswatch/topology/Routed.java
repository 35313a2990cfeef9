package io.losswatch.topology;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import io.losswatch.event.LabelEvent;
import io.losswatch.event.PredictionEvent;
import io.losswatch.event.Segment;
import io.losswatch.event.SourceRecord;
import io.losswatch.loss.WindowStats;
import java.util.List;

/**
 * What the processors hand downstream; the topology splits on the type to send each kind to its
 * topic. Every input record ends as one of these (or as a window's unlabelled count).
 */
public sealed interface Routed {

    /** An input record that cannot be used, with its original bytes and where it came from. */
    record DeadLetter(SourceRecord source, String reason, String message) implements Routed {
    }

    /**
     * A prediction waiting for its label, carried to the join by prediction_id. windowsOpen is false
     * when its windows were already final at intake: then it was not counted as pending there, and
     * whatever becomes of it (a loss, unlabelled) is a late event rather than a window contribution.
     */
    record PendingPrediction(PredictionEvent event, SourceRecord source, boolean windowsOpen) implements Routed, JoinInput {
    }

    /** A label on its way to the join by prediction_id. */
    record PendingLabel(LabelEvent event, SourceRecord source) implements Routed, JoinInput {
    }

    /** A labelled prediction's loss and its contribution to the window metrics (null for a late one). */
    record Scored(LossRecord loss, Contribution contribution) implements Routed {
    }

    /**
     * A piece of one (model, version)'s window statistics at an event time: a scored event, or a
     * change in the number of predictions waiting for a label (pending) or given up on (unlabelled).
     * The source fields say which input record it came from, for a late-event dead letter. segments
     * are the prediction's segment values as read (CONTRACT §11): it counts in each of their windows too.
     */
    record Contribution(String model, String modelVersion, long eventTime, WindowStats stats,
                        String sourceTopic, int sourcePartition, long sourceOffset, List<Segment> segments)
            implements Routed {
        public Contribution {
            segments = segments == null ? List.of() : segments;
        }

        /** A whole model's contribution, with no segment values. */
        public Contribution(String model, String modelVersion, long eventTime, WindowStats stats,
                            String sourceTopic, int sourcePartition, long sourceOffset) {
            this(model, modelVersion, eventTime, stats, sourceTopic, sourcePartition, sourceOffset, List.of());
        }
    }

    /**
     * What the prediction intake sends to the window aggregator: partial window statistics of one
     * input partition, and that partition's watermark.
     */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({@JsonSubTypes.Type(value = Partial.class, name = "partial"),
            @JsonSubTypes.Type(value = Watermark.class, name = "watermark")})
    sealed interface IntakeOutput permits Partial, Watermark {
    }

    /**
     * The sum of one input partition's contributions to one (model, version, window) since its last
     * flush. lastSourceOffset names the newest input record in it, for a late-event dead letter. segment
     * is null for the whole model's partial, else one segment value as read (CONTRACT §11): the window
     * aggregator decides which tracked value, or {@code __other__}, it counts under. segments: a whole
     * model's partial carries its segment values' partials of the same flush (in the order first touched),
     * so they add no record to the shuffle; an earlier version sent each as a partial of its own.
     */
    record Partial(String model, String modelVersion, long windowStart, WindowStats stats, String sourceTopic,
                   int sourcePartition, long lastSourceOffset, Segment segment, List<SegmentStats> segments)
            implements Routed, IntakeOutput {
        public Partial {
            segments = segments == null ? List.of() : segments;
        }

        /** A whole model's partial, or (segment not null) one segment value's alone, as earlier versions sent it. */
        public Partial(String model, String modelVersion, long windowStart, WindowStats stats, String sourceTopic,
                       int sourcePartition, long lastSourceOffset, Segment segment) {
            this(model, modelVersion, windowStart, stats, sourceTopic, sourcePartition, lastSourceOffset, segment, List.of());
        }

        /** A whole model's partial. */
        public Partial(String model, String modelVersion, long windowStart, WindowStats stats, String sourceTopic,
                       int sourcePartition, long lastSourceOffset) {
            this(model, modelVersion, windowStart, stats, sourceTopic, sourcePartition, lastSourceOffset, null);
        }

        /**
         * The windowStart of a partial that is no window's: with hopping windows every event is in
         * several windows' partials, so the intake also sums each (model, version)'s losses once, for
         * the alert step only, under this start (never a real one: window starts are not negative).
         */
        public static final long LOSSES_ONLY = -1;
    }

    /**
     * One segment value's (as read) share of a whole model's {@link Partial}: since segments reach the
     * aggregator inside their model's partial, the shuffle carries one record per (model, version, window)
     * and flush however many segment values it had.
     */
    record SegmentStats(Segment segment, WindowStats stats) {
    }

    /**
     * Labelled predictions' losses of one (model, version), as the window aggregator received them
     * or one of its segments (segment null: the whole model's),
     * (an intake partial since its last flush, or one joined prediction), for the alert step: stats
     * holds their count, sum, moments, smallest and largest loss and first and last event time.
     */
    record Losses(String model, String modelVersion, Segment segment, WindowStats stats) implements Routed {
    }

    /**
     * Input partition {@code partition} (of {@code partitions}) has sent every contribution of event
     * time up to {@code time}, except events it dead-lettered as late itself. An idle partition (no
     * input for a while) does not hold windows back.
     */
    record Watermark(int partition, int partitions, long time, boolean idle) implements Routed, IntakeOutput, JoinInput {
    }

    /**
     * One window's label-free metrics (CONTRACT §9 prediction-metrics), with the window's predictions and
     * its model version's calibration as they were when it was published, for the alert step in the same
     * task (it estimates once more with single extreme losses capped). Only the metrics go on a topic.
     */
    record PredictionWindow(PredictionMetrics metrics, io.losswatch.loss.PredictionSketch sketch,
                            io.losswatch.loss.Calibration calibration, long minLabelled) implements Routed {
    }

    /** One window's metrics (CONTRACT §6 model-metrics). */
    record Metrics(WindowMetrics metrics) implements Routed {
    }

    /**
     * Both join inputs travel through one processor; the intake's watermarks travel with the
     * predictions so that the join's stream time follows the predictions' event time even when few
     * predictions wait for a label.
     */
    sealed interface JoinInput permits PendingPrediction, PendingLabel, Watermark {
    }

    /** Output record for prediction-losses (CONTRACT §6). */
    record LossRecord(String predictionId, String model, String modelVersion, String lossFunction, double loss,
                      JsonNode prediction, JsonNode label, long eventTime) {
    }
}
