package io.losswatch.alert;

import io.losswatch.event.Segment;
import io.losswatch.loss.Calibration;
import io.losswatch.loss.PredictionSketch;
import io.losswatch.topology.PredictionMetrics;
import io.losswatch.topology.WindowMetrics;

/** What the alert step reads, keyed by model, from the window aggregator's task: loss batches and final windows. */
sealed interface AlertInput {

    /**
     * Labelled predictions' losses of one (model, version), or of one segment of it (segment not null),
     * as the aggregator received them at once.
     */
    record Losses(String model, String modelVersion, Segment segment, AlertEvaluator.Losses losses) implements AlertInput {
    }

    /** A window's metrics from the window aggregator (only final ones are evaluated). */
    record Window(WindowMetrics metrics) implements AlertInput {
    }

    /** A window's label-free metrics (CONTRACT §9), for the estimated_loss and prediction_drift rules. */
    record Predictions(PredictionMetrics metrics, PredictionSketch sketch, Calibration calibration, long minLabelled)
            implements AlertInput {
    }
}
