package io.losswatch.loss;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The loss functions losswatch can apply, by the names used in config and output (CONTRACT §5). */
public enum LossFunction {
    LOG_LOSS("log_loss"),
    CROSS_ENTROPY("cross_entropy"),
    BRIER("brier"),
    MSE("mse"),
    MAE("mae");

    private final String id;

    LossFunction(String id) {
        this.id = id;
    }

    /** The name used in config files and in output records, e.g. {@code log_loss}. */
    public String id() {
        return id;
    }

    public static Optional<LossFunction> fromId(String id) {
        return Arrays.stream(values()).filter(f -> f.id.equals(id)).findFirst();
    }

    /** "log_loss, cross_entropy, brier, mse, mae", for error messages and docs. */
    public static String allIds() {
        return Arrays.stream(values()).map(LossFunction::id).collect(Collectors.joining(", "));
    }
}
