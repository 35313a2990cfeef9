package io.losswatch.loss;

/**
 * The outcome of scoring one labelled prediction: a loss, or the reason it cannot be scored and
 * which of the two inputs is at fault (so the right record goes to the dead-letter topic).
 */
public sealed interface Score {

    /**
     * A computed loss. For binary models {@code binaryProbability} and {@code binaryLabel} feed the
     * calibration figures; otherwise binaryProbability is NaN.
     */
    record Loss(LossFunction function, double loss, boolean clipped, double binaryProbability, int binaryLabel)
            implements Score {
        public boolean isBinary() {
            return !Double.isNaN(binaryProbability);
        }
    }

    /** Which input made scoring impossible. */
    enum Blame { PREDICTION, LABEL }

    record Rejected(String reason, String message, Blame blame) implements Score {
    }
}
