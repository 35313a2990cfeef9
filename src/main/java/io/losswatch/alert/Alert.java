package io.losswatch.alert;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.losswatch.event.Segment;

/**
 * An alert state change as published on the alerts topic (CONTRACT §6), snake_case on the wire.
 *
 * @param status     {@link #FIRING} or {@link #RESOLVED}
 * @param rule       the rule that fired (a RESOLVED record names the rule of the alert it ends):
 *                   {@link #ABSOLUTE}, {@link #RELATIVE} or {@link #SEQUENTIAL}
 * @param meanLoss   the mean loss that triggered the change: the window's mean, or for the sequential
 *                   rule the mean of the losses since the detector saw the rise begin
 * @param baseline   the baseline mean loss; null while the baseline is still warming up
 * @param threshold  FIRING: the level the mean exceeded; RESOLVED: the resolve level it went below (null
 *                   only if the settings changed while firing and no rule is active any more)
 * @param windowStart the window the deciding loss(es) belong to
 * @param count      labelled predictions behind mean_loss (an addition to the contract's fields); for the
 *                   label-free rules (CONTRACT §9), the window's predictions
 * @param psi        the window's psi, for a {@code prediction_drift} record only (omitted otherwise); its
 *                   mean_loss is the window's estimated loss, null when there is none
 * @param segment    the segment the alert is about (CONTRACT §11), after model_version; omitted for the
 *                   whole model's alerts, whose lifecycle is apart from every segment's
 */
@JsonPropertyOrder({"model", "model_version", "segment"})
public record Alert(String model, String modelVersion, String status, String rule, Double meanLoss, Double baseline,
                    Double threshold, long windowStart, long windowEnd, String message, long count,
                    @JsonInclude(JsonInclude.Include.NON_NULL) Double psi,
                    @JsonInclude(JsonInclude.Include.NON_NULL) Segment segment) {

    /** A whole model's alert record. */
    public Alert(String model, String modelVersion, String status, String rule, Double meanLoss, Double baseline,
                 Double threshold, long windowStart, long windowEnd, String message, long count, Double psi) {
        this(model, modelVersion, status, rule, meanLoss, baseline, threshold, windowStart, windowEnd, message, count,
                psi, null);
    }

    /** The same alert about a segment (null: the whole model), its message saying which. */
    public Alert about(Segment s) {
        if (s == null) {
            return this;
        }
        return new Alert(model, modelVersion, status, rule, meanLoss, baseline, threshold, windowStart, windowEnd,
                "segment " + s.label() + ": " + message, count, psi, s);
    }

    /** A record of the realized-loss rules: no psi. */
    public Alert(String model, String modelVersion, String status, String rule, double meanLoss, Double baseline,
                 Double threshold, long windowStart, long windowEnd, String message, long count) {
        this(model, modelVersion, status, rule, (Double) meanLoss, baseline, threshold, windowStart, windowEnd, message,
                count, null);
    }
    public static final String FIRING = "FIRING";
    public static final String RESOLVED = "RESOLVED";

    public static final String ABSOLUTE = "absolute_threshold";
    public static final String RELATIVE = "relative_to_baseline";
    public static final String SEQUENTIAL = "sequential_change";
}
