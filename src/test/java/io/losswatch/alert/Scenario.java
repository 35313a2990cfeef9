package io.losswatch.alert;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import java.util.function.LongToDoubleFunction;

/**
 * One model's synthetic traffic: a loss shape, events per window, and the relative rise of the mean
 * loss in each window (0 = stationary). Episodes mark the degraded stretches the analysis expects to
 * be detected; everything else should stay quiet.
 */
record Scenario(String model, Synthetic.Shape shape, int eventsPerWindow, int windows, LongToDoubleFunction rise,
                List<Episode> episodes, int extremeEvery, long seed) {

    static final long T0 = 1_764_000_000_000L; // a whole minute
    static final long WINDOW_MS = 60_000;
    /** Injected outliers start once a default warm-up is over: they test a watched model. */
    static final int OUTLIERS_FROM = 10;

    /**
     * A degraded stretch: from offsetMs into window start until offsetMs into window end (offset 0:
     * the windows [start, end)). The alert should fire inside and resolve after.
     */
    record Episode(int start, int end, double rise, long offsetMs) {
        Episode(int start, int end, double rise) {
            this(start, end, rise, 0);
        }

        /** Event time of the first degraded event: the step. */
        long from() {
            return windowStart(start) + offsetMs;
        }

        /** Event time at which the degradation ends. */
        long to() {
            return windowStart(end) + offsetMs;
        }

        /** The end of the last window holding degraded events. */
        long lastDegradedWindowEnd() {
            return windowStart(offsetMs > 0 ? end + 1 : end);
        }
    }

    /** One alert record as the analysis sees it: decision time is event time. */
    record Event(String status, String rule, long time) {
    }

    static Scenario stationary(String model, Synthetic.Shape shape, int n, int windows, long seed) {
        return new Scenario(model, shape, n, windows, t -> 0.0, List.of(), 0, seed);
    }

    /** Stationary, plus one confidently wrong prediction (loss ≈ 34.5) every `every` windows from window 10. */
    static Scenario outliers(String model, Synthetic.Shape shape, int n, int windows, int every, long seed) {
        return new Scenario(model, shape, n, windows, t -> 0.0, List.of(), every, seed);
    }

    /** After `lead` normal windows, repeated episodes: `length` windows at +rise, then `gap` normal windows. */
    static Scenario steps(String model, Synthetic.Shape shape, int n, double rise, int lead, int length, int gap,
                          int windows, long seed) {
        return steps(model, shape, n, rise, lead, length, gap, windows, seed, false);
    }

    /**
     * As above; with midWindow, the k-th step lands frac(k·φ) of the way into its window (φ the golden
     * ratio: the first at the window's start, the others spread evenly over the window), so that a
     * window rule cannot rely on steps at window boundaries.
     */
    static Scenario steps(String model, Synthetic.Shape shape, int n, double rise, int lead, int length, int gap,
                          int windows, long seed, boolean midWindow) {
        List<Episode> eps = new ArrayList<>();
        long eventStep = WINDOW_MS / n;
        int k = 0;
        for (int s = lead; s + length + (midWindow ? 1 : 0) <= windows - gap; s += length + gap) {
            double frac = midWindow ? (k++ * 0.6180339887498949) % 1.0 : 0.0;
            eps.add(new Episode(s, s + length, rise, (long) (frac * n) * eventStep));
        }
        return new Scenario(model, shape, n, windows, t -> riseIn(eps, t), eps, 0, seed);
    }

    /**
     * One step after `at` normal windows, `fraction` of the way into window `at`, lasting `length` windows;
     * the scenario ends one window after it (`at` + `length` + 1 windows).
     */
    static Scenario step(String model, Synthetic.Shape shape, int n, double rise, int at, double fraction, int length,
                         long seed) {
        long offset = (long) (fraction * n) * (WINDOW_MS / n);
        List<Episode> eps = List.of(new Episode(at, at + length, rise, offset));
        return new Scenario(model, shape, n, at + length + 1, t -> riseIn(eps, t), eps, 0, seed);
    }

    /** Repeated ramps: over `length` windows the rise grows linearly to `top`, holds for `hold`, then drops. */
    static Scenario ramps(String model, Synthetic.Shape shape, int n, double top, int lead, int length, int hold,
                          int gap, int windows, long seed) {
        List<Episode> eps = new ArrayList<>();
        for (int s = lead; s + length + hold <= windows - gap; s += length + hold + gap) {
            eps.add(new Episode(s, s + length + hold, top));
        }
        IntToDoubleFunction byWindow = w -> {
            for (Episode e : eps) {
                if (w >= e.start() && w < e.end()) {
                    return Math.min(top, top * (w - e.start() + 1) / length);
                }
            }
            return 0.0;
        };
        return new Scenario(model, shape, n, windows, t -> byWindow.applyAsDouble((int) ((t - T0) / WINDOW_MS)), eps, 0,
                seed);
    }

    private static double riseIn(List<Episode> eps, long t) {
        for (Episode e : eps) {
            if (t >= e.from() && t < e.to()) {
                return e.rise();
            }
        }
        return 0.0;
    }

    static long windowStart(int w) {
        return T0 + w * WINDOW_MS;
    }

    /** The events of window w, in time order; deterministic for the scenario's seed and w. */
    List<TimedSample> window(int w, int modelIndex) {
        SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + w);
        List<TimedSample> out = new ArrayList<>(eventsPerWindow);
        long step = WINDOW_MS / eventsPerWindow;
        int extremeAt = extremeEvery > 0 && w >= OUTLIERS_FROM && w % extremeEvery == 0 ? eventsPerWindow / 2 : -1;
        for (int i = 0; i < eventsPerWindow; i++) {
            long t = windowStart(w) + i * step + (modelIndex % Math.max(1, step));
            // the rise is placed by the event's slot in the window, the same for every model
            double r = rise.applyAsDouble(windowStart(w) + i * step);
            Synthetic.Sample s = i == extremeAt
                    ? new Synthetic.Sample(0.0, 1, true, -Math.log(Synthetic.EPS))
                    : shape.draw(rng, r);
            out.add(new TimedSample(t, s));
        }
        return out;
    }

    record TimedSample(long time, Synthetic.Sample sample) {
    }
}
