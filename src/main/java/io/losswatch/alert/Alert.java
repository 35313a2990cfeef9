package io.losswatch.alert;

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
 * @param count      labelled predictions behind mean_loss (an addition to the contract's fields)
 */
public record Alert(String model, String modelVersion, String status, String rule, double meanLoss, Double baseline,
                    Double threshold, long windowStart, long windowEnd, String message, long count) {
    public static final String FIRING = "FIRING";
    public static final String RESOLVED = "RESOLVED";

    public static final String ABSOLUTE = "absolute_threshold";
    public static final String RELATIVE = "relative_to_baseline";
    public static final String SEQUENTIAL = "sequential_change";
}
