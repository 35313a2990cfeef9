package io.losswatch.alert;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;

/**
 * One model's synthetic traffic: a loss shape, events per window, and the relative rise of the mean
 * loss in each window (0 = stationary). Episodes mark the degraded stretches the analysis expects to
 * be detected; everything else should stay quiet.
 */
record Scenario(String model, Synthetic.Shape shape, int eventsPerWindow, int windows, IntToDoubleFunction rise,
                List<Episode> episodes, int extremeEvery, long seed) {

    static final long T0 = 1_764_000_000_000L; // a whole minute
    static final long WINDOW_MS = 60_000;
    /** Injected outliers start once a default warm-up is over: they test a watched model. */
    static final int OUTLIERS_FROM = 10;

    /** Degraded windows [start, end); the alert should fire inside and resolve after. */
    record Episode(int start, int end, double rise) {
    }

    /** One alert record as the analysis sees it: decision time is event time. */
    record Event(String status, String rule, long time) {
    }

    static Scenario stationary(String model, Synthetic.Shape shape, int n, int windows, long seed) {
        return new Scenario(model, shape, n, windows, w -> 0.0, List.of(), 0, seed);
    }

    /** Stationary, plus one confidently wrong prediction (loss ≈ 34.5) every `every` windows from window 10. */
    static Scenario outliers(String model, Synthetic.Shape shape, int n, int windows, int every, long seed) {
        return new Scenario(model, shape, n, windows, w -> 0.0, List.of(), every, seed);
    }

    /** After `lead` normal windows, repeated episodes: `length` windows at +rise, then `gap` normal windows. */
    static Scenario steps(String model, Synthetic.Shape shape, int n, double rise, int lead, int length, int gap,
                          int windows, long seed) {
        List<Episode> eps = new ArrayList<>();
        for (int s = lead; s + length <= windows - gap; s += length + gap) {
            eps.add(new Episode(s, s + length, rise));
        }
        return new Scenario(model, shape, n, windows, w -> riseIn(eps, w), eps, 0, seed);
    }

    /** Repeated ramps: over `length` windows the rise grows linearly to `top`, holds for `hold`, then drops. */
    static Scenario ramps(String model, Synthetic.Shape shape, int n, double top, int lead, int length, int hold,
                          int gap, int windows, long seed) {
        List<Episode> eps = new ArrayList<>();
        for (int s = lead; s + length + hold <= windows - gap; s += length + hold + gap) {
            eps.add(new Episode(s, s + length + hold, top));
        }
        IntToDoubleFunction rise = w -> {
            for (Episode e : eps) {
                if (w >= e.start() && w < e.end()) {
                    return Math.min(top, top * (w - e.start() + 1) / length);
                }
            }
            return 0.0;
        };
        return new Scenario(model, shape, n, windows, rise, eps, 0, seed);
    }

    private static double riseIn(List<Episode> eps, int w) {
        for (Episode e : eps) {
            if (w >= e.start() && w < e.end()) {
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
        double r = rise.applyAsDouble(w);
        List<TimedSample> out = new ArrayList<>(eventsPerWindow);
        long step = WINDOW_MS / eventsPerWindow;
        int extremeAt = extremeEvery > 0 && w >= OUTLIERS_FROM && w % extremeEvery == 0 ? eventsPerWindow / 2 : -1;
        for (int i = 0; i < eventsPerWindow; i++) {
            long t = windowStart(w) + i * step + (modelIndex % Math.max(1, step));
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
