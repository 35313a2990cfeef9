package io.losswatch.topology;

/**
 * Names of processors, stores and internal topics. They are part of the application's state on the
 * broker: renaming one loses that state, so change them only with a migration in mind.
 */
public final class Names {
    private Names() {
    }

    public static final String JOIN_PREDICTIONS_STORE = "join-pending-predictions";
    public static final String JOIN_LABELS_STORE = "join-pending-labels";
    public static final String JOIN_TIMERS_STORE = "join-timers";
    public static final String WINDOW_STORE = "window-aggregates";
    public static final String WATERMARK_STORE = "intake-watermarks";
    public static final String INTAKE_PARTIALS_STORE = "intake-partials";
    public static final String INTAKE_CLOCK_STORE = "intake-clock";
    /** Per (model, version): the calibration and psi reference of CONTRACT §9. */
    public static final String ESTIMATE_STORE = "estimate-calibration";
    /** Per (model, version, segment field): the values tracked, the first seen (CONTRACT §11). */
    public static final String SEGMENT_VALUES_STORE = "segment-values";

    /** Repartition topics (the application.id and "-repartition" are added by Kafka Streams). */
    public static final String PREDICTIONS_BY_ID = "predictions-by-id";
    public static final String LABELS_BY_ID = "labels-by-id";
    public static final String PARTIALS_BY_MODEL = "partials-by-model";
    public static final String JOINED_BY_MODEL = "joined-by-model";

    /** Dead-letter headers (CONTRACT §7). */
    public static final String HEADER_REASON = "losswatch.error.reason";
    public static final String HEADER_MESSAGE = "losswatch.error.message";
    public static final String HEADER_TOPIC = "losswatch.source.topic";
    public static final String HEADER_PARTITION = "losswatch.source.partition";
    public static final String HEADER_OFFSET = "losswatch.source.offset";
}
