package io.losswatch.loss;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The loss functions losswatch can apply, by the names used in config and output (CONTRACT §5). */
public enum LossFunction {
    LOG_LOSS("log_loss"),
    CROSS_ENTROPY("cross_entropy"),
    BRIER("brier"),
    MSE("mse"),
    MAE("mae");

    /** Looked up once per scored event: a map, not a scan of values(). */
    private static final Map<String, Optional<LossFunction>> BY_ID = new HashMap<>();

    static {
        for (LossFunction f : values()) {
            BY_ID.put(f.id, Optional.of(f));
        }
    }

    private final String id;

    LossFunction(String id) {
        this.id = id;
    }

    /** The name used in config files and in output records, e.g. {@code log_loss}. */
    public String id() {
        return id;
    }

    public static Optional<LossFunction> fromId(String id) {
        return BY_ID.getOrDefault(id, Optional.empty());
    }

    /** "log_loss, cross_entropy, brier, mse, mae", for error messages and docs. */
    public static String allIds() {
        return Arrays.stream(values()).map(LossFunction::id).collect(Collectors.joining(", "));
    }
}
