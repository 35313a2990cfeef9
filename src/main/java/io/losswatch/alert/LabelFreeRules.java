package io.losswatch.alert;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.config.Setting;
import io.losswatch.loss.Calibration;
import io.losswatch.topology.PredictionMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The two alert rules that need no label (CONTRACT §9), judged on each final prediction-metrics window:
 * {@link #ESTIMATED} (the estimated loss rises well above the model version's realized baseline) and
 * {@link #DRIFT} (psi at or above {@code losswatch.alert.psi.threshold}). Each rule has its own
 * lifecycle, apart from each other and from the realized-loss rules: K consecutive breaching windows
 * fire it, R consecutive windows under its resolve level (all begun after it fired) resolve it. A
 * window with fewer than {@code losswatch.alert.min.count} predictions says nothing either way.
 *
 * <p>The estimated rule uses the realized rules' settings for its level: the baseline the realized rules
 * learned (so it waits for their warm-up), raised by {@code relative.min.increase} and by at least
 * {@code relative.z} standard errors of the estimate; it resolves at {@code relative.resolve.ratio} of
 * that margin. Defaults and their evaluation: docs/estimation.md.
 */
public final class LabelFreeRules {
    public static final String ESTIMATED = "estimated_loss";
    public static final String DRIFT = "prediction_drift";

    static final String ESTIMATED_ENABLED = "alert.estimated.enabled";
    static final String DRIFT_ENABLED = "alert.drift.enabled";
    static final String PSI_THRESHOLD = "alert.psi.threshold";
    static final String PSI_RESOLVE_RATIO = "alert.psi.resolve.ratio";

    private static final String P = "losswatch.";

    public static final List<Setting> SETTINGS = List.of(
            Setting.bool(P + ESTIMATED_ENABLED, "true",
                    "fire when a window's estimated loss (before its labels) rises well above the realized baseline"),
            Setting.bool(P + DRIFT_ENABLED, "true", "fire when a window's psi reaches losswatch.alert.psi.threshold"),
            Setting.decimal(P + PSI_THRESHOLD, "0.25", 0, 1e6,
                    "psi at or above which a window breaches the prediction_drift rule (0.1: moderate shift, 0.25: large)"),
            Setting.decimal(P + PSI_RESOLVE_RATIO, "0.5", 0, 1,
                    "a prediction_drift alert resolves when psi is below this fraction of the threshold"));

    public static final List<String> PER_MODEL = SETTINGS.stream().map(s -> s.key().substring(P.length())).toList();

    private static final Map<String, Setting> BY_SUFFIX = SETTINGS.stream()
            .collect(Collectors.toMap(s -> s.key().substring(P.length()), s -> s));

    /** One model's settings for these rules. */
    public record Settings(boolean estimatedEnabled, boolean driftEnabled, double psiThreshold, double psiResolveRatio) {
        public static final Settings DEFAULTS = resolve(suffix -> null);

        public static Settings forModel(LosswatchConfig config, String model) {
            return resolve(suffix -> config.forModel(model, suffix));
        }

        static Settings resolve(Function<String, Object> parsed) {
            Function<String, Object> v = suffix -> {
                Object value = parsed.apply(suffix);
                if (value == null) {
                    Setting s = BY_SUFFIX.get(suffix);
                    value = s.parse(s.defaultValue(), " (default)");
                }
                return value;
            };
            return new Settings("true".equals(v.apply(ESTIMATED_ENABLED)), "true".equals(v.apply(DRIFT_ENABLED)),
                    (Double) v.apply(PSI_THRESHOLD), (Double) v.apply(PSI_RESOLVE_RATIO));
        }
    }

    /** One rule's lifecycle: consecutive breaching or clearing windows, and whether (and since when) it fires. */
    public record RuleState(int breaches, int clears, boolean firing, long firedAt) {
        static final RuleState IDLE = new RuleState(0, 0, false, 0);
    }

    /** Both rules' state for one (model, version), kept in the {@code label-free-alert-state} store. */
    public record State(RuleState estimated, RuleState drift) {
        public static final State INITIAL = new State(RuleState.IDLE, RuleState.IDLE);
    }

    /** The new state and the alert records (none, one or two) a window gives. */
    public record Outcome(State state, List<Alert> alerts) {
    }

    private LabelFreeRules() {
    }

    /**
     * Judges one final prediction-metrics window. robust is its estimate with single extreme losses capped
     * (null without an estimate); baseline is the realized rules' baseline for the model version. A window
     * whose predictions were all labelled when it was published cannot fire the estimated rule (the realized
     * rules judge it as soon as it is final: the estimated rule would only repeat them), but it can resolve it.
     */
    public static Outcome onWindow(PredictionMetrics w, Calibration.Estimate robust, State state,
                                   AlertState.Baseline baseline, AlertSettings s, Settings lf) {
        List<Alert> alerts = new ArrayList<>();
        if (!s.enabled() || w.predictions() < s.minCount()) {
            return new Outcome(state, alerts);
        }
        RuleState estimated = state.estimated();
        // a window whose labels were all in is the realized rules' to judge: it cannot start an alert here, but
        // while one fires it counts towards resolving it (else a model whose labels come on time again would
        // fire for good)
        boolean judged = w.labelled() < w.predictions() || estimated.firing();
        if (lf.estimatedEnabled() && robust != null && baseline.ready(s) && judged) {
            double b = baseline.mean();
            double se = (robust.high() - robust.mean()) / 1.959963984540054;
            double fire = b + Math.max(s.relativeMinIncrease() * b, s.relativeZ() * se);
            double resolve = b + s.relativeResolveRatio() * (fire - b);
            estimated = step(w, estimated, robust.mean() > fire, robust.mean() <= resolve, s, alerts, ESTIMATED,
                    w.estimatedLoss(), b, fire, resolve, null,
                    "estimated loss " + AlertEvaluator.num(w.estimatedLoss()) + " over " + w.predictions()
                            + " predictions (" + w.labelled() + " labelled yet)");
        }
        RuleState drift = state.drift();
        if (lf.driftEnabled() && w.psi() != null) {
            double resolve = lf.psiThreshold() * lf.psiResolveRatio();
            drift = step(w, drift, w.psi() >= lf.psiThreshold(), w.psi() < resolve, s, alerts, DRIFT,
                    w.estimatedLoss(), null, lf.psiThreshold(), resolve, w.psi(),
                    "psi " + AlertEvaluator.num(w.psi()) + " of " + w.predictions() + " predictions (mean "
                            + AlertEvaluator.num(w.meanPrediction()) + ")");
        }
        return new Outcome(new State(estimated, drift), alerts);
    }

    private static RuleState step(PredictionMetrics w, RuleState r, boolean breach, boolean clear, AlertSettings s,
                                  List<Alert> alerts, String rule, Double value, Double baseline, double fire,
                                  double resolve, Double psi, String what) {
        String who = AlertEvaluator.who(w.model(), w.modelVersion());
        String span = AlertEvaluator.span(w.windowStart(), w.windowEnd());
        if (r.firing()) {
            if (w.windowStart() < r.firedAt()) {
                return r; // began before the alert fired: says nothing about recovery
            }
            int clears = clear ? r.clears() + 1 : 0;
            if (clears < s.resolveWindows()) {
                return new RuleState(0, clears, true, r.firedAt());
            }
            alerts.add(new Alert(w.model(), w.modelVersion(), Alert.RESOLVED, rule, value, baseline, resolve,
                    w.windowStart(), w.windowEnd(), who + ": " + what + " in " + span + " is back below "
                    + AlertEvaluator.num(resolve) + " for " + clears + " window" + (clears == 1 ? "" : "s")
                    + "; the " + rule + " alert is resolved", w.predictions(), psi));
            return RuleState.IDLE;
        }
        int breaches = breach ? r.breaches() + 1 : 0;
        if (breaches < s.consecutiveWindows()) {
            return new RuleState(breaches, 0, false, 0);
        }
        alerts.add(new Alert(w.model(), w.modelVersion(), Alert.FIRING, rule, value, baseline, fire,
                w.windowStart(), w.windowEnd(), who + ": " + what + " in " + span + " is "
                + (rule.equals(DRIFT) ? "at or above " : "above ") + AlertEvaluator.num(fire)
                + (baseline == null ? "" : " (realized baseline " + AlertEvaluator.num(baseline) + ")")
                + " for " + breaches + " consecutive window" + (breaches == 1 ? "" : "s"), w.predictions(), psi));
        return new RuleState(0, 0, true, w.windowEnd());
    }
}
