package io.losswatch.topology;

import com.fasterxml.jackson.databind.JsonNode;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.event.PredictionEvent;
import io.losswatch.loss.PredictionPoint;
import io.losswatch.event.SourceRecord;
import io.losswatch.loss.Score;
import io.losswatch.loss.WindowStats;
import io.losswatch.topology.Routed.Contribution;
import io.losswatch.topology.Routed.LossRecord;

/** Builds the records a prediction contributes: its loss record and its share of the window metrics. */
final class Contributions {
    private Contributions() {
    }

    /**
     * A scored prediction. labelDelayMs is the label's lateness for a joined label, or -1 for an
     * inline one; a joined prediction also stops being pending in its window.
     */
    static Routed.Scored scored(PredictionEvent p, JsonNode label, Score.Loss score, SourceRecord source,
                                long labelDelayMs) {
        WindowStats stats = new WindowStats();
        stats.addLoss(score.function().id(), score.loss(), score.clipped());
        stats.addLossTime(p.eventTime());
        if (score.isBinary()) {
            stats.addBinary(score.binaryProbability(), score.binaryLabel());
        }
        if (labelDelayMs >= 0) {
            stats.addLabelDelay(labelDelayMs);
            stats.pending = -1;
        }
        return new Routed.Scored(lossRecord(p, label, score), contribution(p, stats, source));
    }

    /**
     * Adds a joined prediction's outcome to stats for the calibration, when its loss is one the label-free
     * estimate computes (a classifier's); its prediction was counted in its window's sketch at intake.
     */
    static void learn(WindowStats stats, PredictionEvent p, JsonNode label, Score.Loss score, LosswatchConfig config) {
        String function = PredictionPoint.functionOf(p.prediction(), config.lossFor(p.model()));
        if (score.function().id().equals(function)) {
            PredictionPoint.Lesson lesson = PredictionPoint.lesson(p.prediction(), label, config.lossEpsilon());
            if (lesson != null) {
                stats.learn(function, lesson);
            }
        }
    }

    /** The loss record of a scored prediction (CONTRACT §6). */
    static LossRecord lossRecord(PredictionEvent p, JsonNode label, Score.Loss score) {
        return new LossRecord(p.predictionId(), p.model(), p.modelVersion(), score.function().id(),
                score.loss(), p.prediction(), label, p.eventTime());
    }

    /** The prediction now waits for its label: its windows cannot be final until it is resolved. */
    static Contribution pending(PredictionEvent p, SourceRecord source) {
        WindowStats stats = new WindowStats();
        stats.pending = 1;
        return contribution(p, stats, source);
    }

    /** The join window expired with no label: counted as unlabelled, no longer pending. */
    static Contribution unlabelled(PredictionEvent p, SourceRecord source) {
        WindowStats stats = new WindowStats();
        stats.pending = -1;
        stats.unlabelled = 1;
        return contribution(p, stats, source);
    }

    /** The prediction was rejected after it had been counted as pending. */
    static Contribution cancelled(PredictionEvent p, SourceRecord source) {
        WindowStats stats = new WindowStats();
        stats.pending = -1;
        return contribution(p, stats, source);
    }

    private static Contribution contribution(PredictionEvent p, WindowStats stats, SourceRecord source) {
        return new Contribution(p.model(), p.modelVersion(), p.eventTime(), stats,
                source.topic(), source.partition(), source.offset(), p.segments());
    }
}
