package io.losswatch.alert;

import io.losswatch.alert.AlertState.Baseline;
import io.losswatch.alert.AlertState.Sequential;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;

/**
 * The alert rules and state machine for one (model, model_version): pure functions from the state
 * and one observation (a final window, or a batch of labelled predictions' losses) to the new state
 * and, at most, one alert. No Kafka, no clock: the same inputs always give the same alerts.
 *
 * <p>Window rules (absolute threshold, relative to baseline) need K consecutive breaching windows, a
 * window breaching when its mean loss is above the level even with its largest loss capped at
 * baseline + 8 per-event standard deviations (so no single prediction can make a window breach);
 * the sequential rule watches the losses as they arrive (in batches: see {@link #onLosses}) and can
 * fire inside a window. Whichever fires first
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
            Baseline learned = b.learn(mean, variance, w.count(), state.batch(), s.baselineAlpha(), cap);
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

    /** One labelled prediction's loss: exactly a batch of one. */
    public Outcome onLoss(String model, String version, AlertState state, long eventTime, double loss,
                          AlertSettings s) {
        return onLosses(model, version, state, Losses.single(eventTime, loss), s);
    }

    /**
     * A batch of labelled predictions' losses (what the window aggregator received at once: an intake
     * partial or one joined prediction). The sequential rule takes a whole batch in one step,
     * S ← max(0, S + (Σclipped − n·μ)/σ − n·δ): a batch of one is exactly the per-event rule. For more,
     * S is reset at zero only at the batch's end, and Σclipped is exact when fewer losses than the batch
     * keeps as its largest exceed μ + cσ, and otherwise a lower bound ({@link Losses#clippedSum}), so S is never
     * above what the per-event rule would have reached on the same losses: batching can delay (or, if S
     * peaked inside a batch, miss) a firing, never add one.
     */
    public Outcome onLosses(String model, String version, AlertState state, Losses l, AlertSettings s) {
        Baseline b = state.baseline();
        double sigma = b.eventStddev();
        if (!s.enabled() || state.firing() || b.windows() == 0 || !(sigma > 0) || l.count() == 0) {
            return Outcome.unchanged(state); // nothing to learn from or to compare against yet
        }
        // the batch feeds the baseline's skewness when the next window is learned
        state = state.withBatch(state.batch().add(l, b.mean(), sigma));
        if (!s.sequentialEnabled() || !b.ready(s)) {
            return new Outcome(state, null);
        }
        Sequential q = state.sequential();
        double clippedSum = l.clippedSum(b.mean() + s.sequentialClip() * sigma);
        double statistic = q.statistic() + (clippedSum - l.count() * b.mean()) / sigma
                - l.count() * s.sequentialDrift();
        if (statistic <= 0) {
            return new Outcome(q.statistic() == 0 ? state : state.withSequential(Sequential.ZERO), null);
        }
        Sequential next = new Sequential(statistic, q.count() + l.count(), q.sum() + l.sum(),
                q.count() == 0 ? l.firstTime() : q.since());
        double threshold = sequentialThreshold(s, b);
        if (statistic <= threshold) {
            return new Outcome(state.withSequential(next), null);
        }
        long eventTime = l.lastTime();
        double since = next.sum() / next.count();
        double level = b.mean() + s.sequentialDrift() * sigma;
        long start = eventTime - Math.floorMod(eventTime, windowAdvanceMs);
        String msg = String.format("%s: the %d labelled predictions since %s average a loss of %s, a sustained rise "
                        + "over the baseline %s (Page-Hinkley statistic %s > %s per-event standard deviations "
                        + "of %s); fired before the window %s closed",
                who(model, version), next.count(), time(next.since()), num(since), num(b.mean()), num(statistic),
                num(threshold), num(sigma), span(start, start + windowSizeMs));
        Alert alert = new Alert(model, version, Alert.FIRING, Alert.SEQUENTIAL, since, b.mean(), level, start,
                start + windowSizeMs, msg, next.count());
        return new Outcome(state.fire(Alert.SEQUENTIAL, eventTime, eventTime + 1), alert);
    }

    /**
     * A batch of labelled predictions' losses: their count, sum, smallest and largest, the sums of
     * squared and cubed deviations from their mean (m2, m3), the few largest losses (largest first, as
     * {@link io.losswatch.loss.WindowStats#largest}) and the event times of the first and last.
     */
    public record Losses(long count, double sum, double min, double max, double m2, double m3, double[] largest,
                         long firstTime, long lastTime) {

        public static Losses single(long eventTime, double loss) {
            return new Losses(1, loss, loss, loss, 0.0, 0.0, new double[] {loss}, eventTime, eventTime);
        }

        double mean() {
            return sum / count;
        }

        /**
         * Σ min(x, cap) over the batch's losses, exact when the smallest of its kept largest losses is
         * not above cap (so fewer than largest.length exceed it; always for a batch of one), and when all
         * exceed it; otherwise a lower bound: the losses not among the largest are at most the smallest
         * of those, and their excess over cap is bounded by the smaller of
         * <ul>
         * <li>the convex worst case given their count, sum and range [min, smallest kept]: as many at
         *     the top of the range as their sum allows, one in between, the rest at min;
         * <li>m2/(4a), when the batch's mean m is below cap (a = cap − m): each loss above cap has
         *     x − cap ≤ (x − m)²/(4a).
         * </ul>
         */
        double clippedSum(double cap) {
            if (max <= cap) {
                return sum;
            }
            if (count == 1) {
                return cap;
            }
            if (min >= cap) {
                return count * cap;
            }
            int k = largest.length;
            double excess = 0.0;
            double topSum = 0.0;
            for (double x : largest) {
                excess += Math.max(0.0, x - cap);
                topSum += x;
            }
            double top = largest[k - 1];
            if (k >= count || top <= cap) {
                return sum - excess; // every loss above cap is among the largest
            }
            long others = count - k;
            double rest = sum - topSum; // the other losses' sum, each in [min, top]
            double restExcess;
            if (top - min <= 0) {
                restExcess = others * (top - cap);
            } else {
                long atTop = Math.max(0, Math.min(others, (long) Math.floor((rest - others * min) / (top - min))));
                restExcess = atTop * (top - cap);
                if (atTop < others) {
                    double between = Math.max(min, Math.min(top, rest - atTop * top - (others - atTop - 1) * min));
                    restExcess += Math.max(0.0, between - cap) + (others - atTop - 1) * Math.max(0.0, min - cap);
                }
            }
            double a = cap - mean();
            if (a > 0) {
                restExcess = Math.min(restExcess, Math.max(0.0, m2 / (4 * a) - excess));
            }
            return sum - excess - restExcess;
        }
    }

    /**
     * Events per window up to which the sequential threshold is the configured one. The detector tests
     * at every event, so its false alarms come per event: a model with five times the events would
     * have five times the false alarms per window at the same threshold.
     */
    static final double SEQUENTIAL_REFERENCE_EVENTS = 200;

    /**
     * The sequential threshold for a model with the baseline's typical number of events per window n:
     * the configured λ up to {@link #SEQUENTIAL_REFERENCE_EVENTS}, then λ + ln(n / 200) / (2δ). A
     * one-sided CUSUM's run length to a false alarm grows as e^(2δλ) events, so this keeps the false
     * alarms per window what they are at 200 events at every volume (docs/alerting.md), for a delay of
     * a few more events (ln(n / 200) / (2δ) over the rise per event less δ).
     */
    static double sequentialThreshold(AlertSettings s, Baseline b) {
        double n = b.eventsPerWindow();
        if (!(n > SEQUENTIAL_REFERENCE_EVENTS) || !(s.sequentialDrift() > 0)) {
            return s.sequentialThreshold();
        }
        return s.sequentialThreshold() + Math.log(n / SEQUENTIAL_REFERENCE_EVENTS) / (2 * s.sequentialDrift());
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

    static String who(String model, String version) {
        return version.isEmpty() ? "model " + model : "model " + model + " version " + version;
    }

    static String span(long start, long end) {
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
