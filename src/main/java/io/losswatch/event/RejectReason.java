package io.losswatch.event;

/** The short codes written to the {@code losswatch.error.reason} header of a dead letter (CONTRACT §7). */
public final class RejectReason {
    private RejectReason() {
    }

    /** Not JSON, not one JSON object, too deeply nested, a duplicate key, or an empty value. */
    public static final String INVALID_JSON = "invalid_json";
    /** Larger than {@code losswatch.input.max.bytes}. */
    public static final String OVERSIZED = "oversized";
    public static final String MISSING_FIELD = "missing_field";
    public static final String WRONG_TYPE = "wrong_type";
    /** NaN, Infinity, or a number too large for a double. */
    public static final String INVALID_NUMBER = "invalid_number";
    /** A probability outside [0,1], a negative class probability, or probabilities summing to 0. */
    public static final String OUT_OF_RANGE = "out_of_range";
    /** A label that does not fit the loss function (e.g. 0.5 for log_loss, an unknown class). */
    public static final String INVALID_LABEL = "invalid_label";
    public static final String INVALID_TIMESTAMP = "invalid_timestamp";
    /** A label with no prediction inside the join window. */
    public static final String UNMATCHED_LABEL = "unmatched_label";
    /** A second label for a prediction that already has one waiting. */
    public static final String DUPLICATE_LABEL = "duplicate_label";
    /** A prediction whose prediction_id is already waiting for a label. */
    public static final String DUPLICATE_PREDICTION = "duplicate_prediction";
    /** A label whose prediction was itself rejected when they were joined. */
    public static final String REJECTED_PREDICTION = "rejected_prediction";
    /** A scored event whose window had already been finalised (its loss record was still written). */
    public static final String LATE_EVENT = "late_event";
    /**
     * Processing the record threw where no rule expected it (a fault of losswatch, not of the record): it is
     * dead-lettered with the exception in the message, and processing goes on with the next record.
     */
    public static final String PROCESSING_ERROR = "processing_error";
}
