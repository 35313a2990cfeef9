package io.losswatch.topology;

/**
 * Hears what the pipeline does, for counters on /metrics. Called on stream threads: implementations
 * must be thread-safe and cheap. Counts are per instance and not transactional (a replay after a
 * crash counts again), as Prometheus counters usually are.
 */
public interface PipelineListener {
    PipelineListener NONE = new PipelineListener() {
    };

    /** An input record was read from the predictions or labels topic. */
    default void inputRecord(String topic) {
    }

    /** An input record of another kind was skipped, not dead-lettered (a KServe request; CONTRACT §10). */
    default void inputSkipped(String topic, String reason) {
    }

    /** A labelled prediction got its loss. */
    default void lossComputed(String model, String lossFunction) {
    }

    /** A prediction's join window passed with no label. */
    default void unlabelled(String model) {
    }

    /** A record went to the dead-letter topic. */
    default void deadLetter(String reason) {
    }

    /** A window of a model became final. */
    default void windowFinal(WindowMetrics metrics) {
    }
}
