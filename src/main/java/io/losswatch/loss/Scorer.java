package io.losswatch.loss;

import com.fasterxml.jackson.databind.JsonNode;
import io.losswatch.event.RejectReason;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the loss function for a labelled prediction (CONTRACT §5: a configured one, or auto) and
 * checks that prediction and label fit it before computing the loss. Inputs have already passed
 * the parser's checks: numbers are finite, probability objects hold non-negative numbers with a
 * positive sum, labels are booleans, numbers or strings.
 */
public final class Scorer {
    private final double eps;

    public Scorer(double eps) {
        this.eps = eps;
    }

    public Score score(Optional<LossFunction> configured, JsonNode prediction, JsonNode label) {
        LossFunction function = configured.orElseGet(() -> auto(prediction, label));
        switch (function) {
            case LOG_LOSS:
                return binary(function, prediction, label);
            case BRIER:
                return prediction.isObject() ? multiClass(function, prediction, label) : binary(function, prediction, label);
            case CROSS_ENTROPY:
                if (!prediction.isObject()) {
                    return rejectPrediction(RejectReason.WRONG_TYPE,
                            "cross_entropy needs an object of class probabilities as prediction, got a number");
                }
                return multiClass(function, prediction, label);
            case MSE:
            case MAE:
            default:
                return regression(function, prediction, label);
        }
    }

    /** auto: object → cross_entropy; number with a 0/1 label → log_loss; otherwise mse. */
    static LossFunction auto(JsonNode prediction, JsonNode label) {
        if (prediction.isObject()) {
            return LossFunction.CROSS_ENTROPY;
        }
        return binaryLabel(label) >= 0 ? LossFunction.LOG_LOSS : LossFunction.MSE;
    }

    private Score binary(LossFunction function, JsonNode prediction, JsonNode label) {
        if (!prediction.isNumber()) {
            return rejectPrediction(RejectReason.WRONG_TYPE,
                    function.id() + " needs a number prediction P(y=1), got an object");
        }
        double p = prediction.doubleValue();
        if (p < 0.0 || p > 1.0) {
            return rejectPrediction(RejectReason.OUT_OF_RANGE,
                    function.id() + " needs a probability in [0,1], got " + p);
        }
        int y = binaryLabel(label);
        if (y < 0) {
            return rejectLabel(function.id() + " needs a label of 0, 1, true or false, got " + label);
        }
        double loss = function == LossFunction.LOG_LOSS ? Losses.logLoss(p, y, eps) : Losses.brierBinary(p, y);
        boolean clipped = function == LossFunction.LOG_LOSS && Losses.isClipped(p, eps);
        return new Score.Loss(function, loss, clipped, p, y);
    }

    private Score multiClass(LossFunction function, JsonNode prediction, JsonNode label) {
        Map<String, Double> probs = new LinkedHashMap<>();
        prediction.properties().forEach(e -> probs.put(e.getKey(), e.getValue().doubleValue()));
        String cls = classLabel(label, probs);
        if (cls == null) {
            return rejectLabel(function.id() + " needs a label naming one of the classes " + probs.keySet()
                    + ", got " + label);
        }
        if (function == LossFunction.BRIER) {
            return new Score.Loss(function, Losses.brierMultiClass(probs, cls), false, Double.NaN, -1);
        }
        double pTrue = Losses.trueClassProbability(probs, cls);
        return new Score.Loss(function, Losses.crossEntropy(probs, cls, eps), Losses.isClipped(pTrue, eps),
                Double.NaN, -1);
    }

    private Score regression(LossFunction function, JsonNode prediction, JsonNode label) {
        if (!prediction.isNumber()) {
            return rejectPrediction(RejectReason.WRONG_TYPE, function.id() + " needs a number prediction, got an object");
        }
        double y;
        if (label.isNumber()) {
            y = label.doubleValue();
        } else if (label.isBoolean()) {
            y = label.booleanValue() ? 1.0 : 0.0;
        } else {
            return rejectLabel(function.id() + " needs a number label, got " + label);
        }
        double p = prediction.doubleValue();
        double loss = function == LossFunction.MSE ? Losses.squaredError(p, y) : Losses.absoluteError(p, y);
        if (!Double.isFinite(loss)) {
            return rejectPrediction(RejectReason.OUT_OF_RANGE, function.id() + " overflows for prediction " + p
                    + " and label " + y);
        }
        return new Score.Loss(function, loss, false, Double.NaN, -1);
    }

    /** 1 or 0 for a binary label (0, 1, true, false); -1 when the label is not binary. */
    static int binaryLabel(JsonNode label) {
        if (label.isBoolean()) {
            return label.booleanValue() ? 1 : 0;
        }
        if (label.isNumber()) {
            double v = label.doubleValue();
            if (v == 0.0) {
                return 0;
            }
            if (v == 1.0) {
                return 1;
            }
        }
        return -1;
    }

    /** The class a label names: a string key, or an integer whose decimal form is a key. */
    private static String classLabel(JsonNode label, Map<String, Double> probs) {
        String name = null;
        if (label.isTextual()) {
            name = label.textValue();
        } else if (label.isIntegralNumber()) {
            name = label.bigIntegerValue().toString();
        }
        return name != null && probs.containsKey(name) ? name : null;
    }

    private static Score rejectPrediction(String reason, String message) {
        return new Score.Rejected(reason, message, Score.Blame.PREDICTION);
    }

    private static Score rejectLabel(String message) {
        return new Score.Rejected(RejectReason.INVALID_LABEL, message, Score.Blame.LABEL);
    }
}
