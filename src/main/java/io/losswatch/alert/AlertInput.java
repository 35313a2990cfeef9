package io.losswatch.alert;

import io.losswatch.topology.WindowMetrics;

/** What the alert step reads, keyed by model: per-event losses and final windows. */
sealed interface AlertInput {

    /** One labelled prediction's loss, carried to the alert step by model (compact: no prediction or label). */
    record Loss(String model, String modelVersion, long eventTime, double loss) implements AlertInput {
    }

    /** A window's metrics from the window aggregator (only final ones are evaluated). */
    record Window(WindowMetrics metrics) implements AlertInput {
    }
}
