package io.losswatch.alert;

import io.losswatch.alert.AlertState.Baseline;
import io.losswatch.alert.AlertState.Sequential;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;

/**
 * The alert rules and state machine for one (model, model_version): pure functions from the state
 * and one observation (a final window, or one labelled prediction's loss) to the new state and, at
 * most, one alert. No Kafka, no clock: the same inputs always give the same alerts.
 *
 * <p>Window rules (absolute threshold, relative to baseline) need K consecutive breaching windows, a
 * window breaching when its mean loss is above the level even with its largest loss capped at
 * baseline + 8 per-event standard deviations (so no single prediction can make a window breach);
 * the sequential rule watches per-event losses and can fire inside a window. Whichever fires first
 * opens the alert; while it is firing nothing else fires and the baseline is frozen. It resolves after
 * R consecutive windows, all begun after it fired, below every active rule's resolve level.
 */
public final class AlertEvaluator {
    private final long windowSizeMs;
    private final long windowAdvanceMs;

    public AlertEvaluator(long windowSizeMs, long windowAdvanceMs) {
        this.windowSizeMs = windowSizeMs;
        this.windowAdvanceMs = windowAdvanceMs;
    }

    /** A final window's figures, as far as the rules need them. mean, stddev, max are null when count is 0. */
    public record Window(long start, long end, long count, Double mean, Double stddev, Double max) {

        /**
         * The mean with the window's largest loss capped at cap (or left out, for an infinite cap):
         * what a breach is judged on, so that no single prediction (one confident mistake at loss 34.5)
         * can make a window breach by itself.
         */
        double robustMean(double cap) {
            if (max == null || count < 2) {
                return mean;
            }
            if (Double.isInfinite(cap)) {
                return (mean * count - max) / (count - 1);
            }
            return mean - Math.max(0.0, max - cap) / count;
        }
    }

    /** The new state (the same instance when nothing changed) and the alert it raised, or null. */
    public record Outcome(AlertState state, Alert alert) {
        static Outcome unchanged(AlertState s) {
            return new Outcome(s, null);
        }
    }

    /** A firing and a resolve level for one rule. */
    record Level(String rule, double fire, double resolve) {
    }

    public Outcome onWindow(String model, String version, AlertState state, Window w, AlertSettings s) {
        if (!s.enabled() || w.count() < s.minCount() || w.mean() == null) {
            return Outcome.unchanged(state); // too few labelled events: says nothing either way
        }
        Baseline b = state.baseline();
        double mean = w.mean();
        Level absolute = s.absoluteEnabled()
                ? new Level(Alert.ABSOLUTE, s.absoluteThreshold(), s.absoluteThreshold() * s.absoluteResolveRatio())
                : null;
        Level relative = b.ready(s) ? relativeLevel(b, w.count(), s) : null;

        if (state.firing()) {
            if (w.start() < state.resolvesFrom()) {
                return Outcome.unchanged(state);
            }
            // the relative level also ends a sequential alert, even with the relative rule off
            boolean relativeActive = relative != null
                    && (s.relativeEnabled() || Alert.SEQUENTIAL.equals(state.firingRule()) || absolute == null);
            boolean clear = (absolute == null || mean <= absolute.resolve())
                    && (!relativeActive || mean <= relative.resolve());
            int clears = clear ? state.clears() + 1 : 0;
            if (clears < s.resolveWindows()) {
                return new Outcome(state.withClears(clears), null);
            }
            // the level named is the firing rule's; none at all only if the settings changed while firing
            Level level = Alert.ABSOLUTE.equals(state.firingRule()) && absolute != null ? absolute
                    : relativeActive ? relative : absolute;
            Double resolveLevel = level == null ? null : level.resolve();
            String msg = String.format("%s: mean loss %s over %d labelled predictions in %s is back %s%s for %d "
                            + "window%s; the %s alert that fired at %s is resolved",
                    who(model, version), num(mean), w.count(), span(w.start(), w.end()),
                    level == null ? "(no rule is active any more)" : "at or below " + num(level.resolve()),
                    baselineText(b, s), clears, clears == 1 ? "" : "s", state.firingRule(), time(state.firedAt()));
            Alert alert = new Alert(model, version, Alert.RESOLVED, state.firingRule(), mean, baselineOrNull(b, s),
                    resolveLevel, w.start(), w.end(), msg, w.count());
            return new Outcome(state.resolve(), alert);
        }

        // one loss counts for at most baseline + 8σ (without a baseline yet, the largest is left out)
        double robust = w.robustMean(b.windows() > 0
                ? b.mean() + AlertState.EXTREME_SIGMAS * b.eventStddev() : Double.POSITIVE_INFINITY);
        Level breached = absolute != null && robust > absolute.fire() ? absolute
                : relative != null && s.relativeEnabled() && robust > relative.fire() ? relative : null;
        if (breached == null) {
            double variance = w.stddev() == null ? 0.0 : w.stddev() * w.stddev();
            // a window above the midpoint between baseline and alert level teaches the mean only the midpoint
            double cap = relative == null ? Double.POSITIVE_INFINITY : (b.mean() + relative.fire()) / 2;
            Baseline learned = b.learn(mean, variance, state.batch(), s.baselineAlpha(), cap);
            return new Outcome(state.withBaseline(learned).withBreaches(0).withBatch(AlertState.Batch.EMPTY), null);
        }
        int breaches = state.breaches() + 1;
        if (breaches < s.consecutiveWindows()) {
            // not learned: it may be the start of a rise
            return new Outcome(state.withBreaches(breaches).withBatch(AlertState.Batch.EMPTY), null);
        }
        String what = breached.rule().equals(Alert.ABSOLUTE) ? "the absolute threshold " + num(breached.fire())
                : "the alert level " + num(breached.fire()) + " (baseline " + num(b.mean()) + " + "
                        + percent((breached.fire() - b.mean()) / b.mean()) + ")";
        String msg = String.format("%s: mean loss %s over %d labelled predictions in %s is above %s "
                        + "for %d consecutive window%s",
                who(model, version), num(mean), w.count(), span(w.start(), w.end()), what, breaches,
                breaches == 1 ? "" : "s");
        Alert alert = new Alert(model, version, Alert.FIRING, breached.rule(), mean, baselineOrNull(b, s),
                breached.fire(), w.start(), w.end(), msg, w.count());
        return new Outcome(state.fire(breached.rule(), w.start(), w.end()), alert);
    }

    public Outcome onLoss(String model, String version, AlertState state, long eventTime, double loss,
                          AlertSettings s) {
        Baseline b = state.baseline();
        double sigma = b.eventStddev();
        if (!s.enabled() || state.firing() || b.windows() == 0 || !(sigma > 0)) {
            return Outcome.unchanged(state); // nothing to learn from or to compare against yet
        }
        // the batch feeds the baseline's skewness when the next window is learned
        state = state.withBatch(state.batch().add(loss, b.mean(), sigma));
        if (!s.sequentialEnabled() || !b.ready(s)) {
            return new Outcome(state, null);
        }
        Sequential q = state.sequential();
        double clipped = Math.min(loss, b.mean() + s.sequentialClip() * sigma);
        double statistic = q.statistic() + (clipped - b.mean()) / sigma - s.sequentialDrift();
        if (statistic <= 0) {
            return new Outcome(q.statistic() == 0 ? state : state.withSequential(Sequential.ZERO), null);
        }
        Sequential next = new Sequential(statistic, q.count() + 1, q.sum() + loss, q.count() == 0 ? eventTime : q.since());
        if (statistic <= s.sequentialThreshold()) {
            return new Outcome(state.withSequential(next), null);
        }
        double since = next.sum() / next.count();
        double level = b.mean() + s.sequentialDrift() * sigma;
        long start = eventTime - Math.floorMod(eventTime, windowAdvanceMs);
        String msg = String.format("%s: the %d labelled predictions since %s average a loss of %s, a sustained rise "
                        + "over the baseline %s (Page-Hinkley statistic %s > %s per-event standard deviations "
                        + "of %s); fired before the window %s closed",
                who(model, version), next.count(), time(next.since()), num(since), num(b.mean()), num(statistic),
                num(s.sequentialThreshold()), num(sigma), span(start, start + windowSizeMs));
        Alert alert = new Alert(model, version, Alert.FIRING, Alert.SEQUENTIAL, since, b.mean(), level, start,
                start + windowSizeMs, msg, next.count());
        return new Outcome(state.fire(Alert.SEQUENTIAL, eventTime, eventTime + 1), alert);
    }

    static Level relativeLevel(Baseline b, long n, AlertSettings s) {
        double margin = Math.max(b.skewAdjustedZ(s.relativeZ(), n) * b.standardError(n),
                s.relativeMinIncrease() * b.mean());
        return new Level(Alert.RELATIVE, b.mean() + margin, b.mean() + s.relativeResolveRatio() * margin);
    }

    private static Double baselineOrNull(Baseline b, AlertSettings s) {
        return b.ready(s) ? b.mean() : null;
    }

    private static String baselineText(Baseline b, AlertSettings s) {
        return b.ready(s) ? " (baseline " + num(b.mean()) + ")" : "";
    }

    private static String who(String model, String version) {
        return version.isEmpty() ? "model " + model : "model " + model + " version " + version;
    }

    private static String span(long start, long end) {
        return "window " + time(start) + " to " + time(end);
    }

    private static String time(long epochMs) {
        return Instant.ofEpochMilli(epochMs).toString();
    }

    /** Four significant digits, plain notation: 0.3121, 12.35, 0.0001234. */
    static String num(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return Double.toString(x);
        }
        return new BigDecimal(x).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private static String percent(double fraction) {
        if (Double.isNaN(fraction) || Double.isInfinite(fraction)) {
            return "a margin over a zero baseline";
        }
        return new BigDecimal(fraction * 100).round(new MathContext(3)).stripTrailingZeros().toPlainString() + "%";
    }
}
