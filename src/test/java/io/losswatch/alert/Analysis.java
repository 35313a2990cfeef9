package io.losswatch.alert;

import java.util.ArrayList;
import java.util.List;

/**
 * What a scenario's alerts say: false alarms in stationary stretches, detection delay per degraded
 * episode, flaps (a FIRING beyond the first for one episode, or a re-fire during its recovery), time
 * to resolve.
 *
 * <p>The delay is counted in windows from the start of the window the step lands in to the deciding
 * event: a step in the middle of a window counts that whole window, so "within 2 windows" means decided
 * by the end of the window after the step's, wherever in its window the step landed. (From the step's
 * own event time, {@code stepDelays}, a step 0.7 into its window decided at the end of the next has a
 * delay of 1.3.)
 */
record Analysis(int firings, int falseAlarms, List<Double> delays, List<Double> stepDelays, int missed, int flaps,
                List<Double> resolveDelays, int sequentialFirings) {

    /** Windows after an episode ends during which a FIRING still belongs to it (a flap, not a false alarm). */
    static final int RECOVERY_WINDOWS = 10;

    static Analysis of(Scenario sc, List<Scenario.Event> events) {
        int firings = 0;
        int falseAlarms = 0;
        int flaps = 0;
        int sequential = 0;
        List<Double> delays = new ArrayList<>();
        List<Double> stepDelays = new ArrayList<>();
        List<Double> resolveDelays = new ArrayList<>();
        boolean[] detected = new boolean[sc.episodes().size()];
        for (int i = 0; i < events.size(); i++) {
            Scenario.Event e = events.get(i);
            if (!e.status().equals(Alert.FIRING)) {
                continue;
            }
            firings++;
            if (e.rule().equals(Alert.SEQUENTIAL)) {
                sequential++;
            }
            int episode = -1;
            boolean inRecovery = false;
            for (int k = 0; k < sc.episodes().size(); k++) {
                Scenario.Episode ep = sc.episodes().get(k);
                long from = ep.from();
                long to = ep.lastDegradedWindowEnd();
                if (e.time() >= from && e.time() < to) {
                    episode = k;
                } else if (e.time() >= to && e.time() < to + RECOVERY_WINDOWS * Scenario.WINDOW_MS) {
                    episode = k;
                    inRecovery = true;
                }
            }
            if (episode < 0) {
                falseAlarms++;
            } else if (detected[episode] || inRecovery) {
                flaps++;
            } else {
                detected[episode] = true;
                Scenario.Episode ep = sc.episodes().get(episode);
                delays.add((e.time() + 1 - Scenario.windowStart(ep.start())) / (double) Scenario.WINDOW_MS);
                stepDelays.add((e.time() + 1 - ep.from()) / (double) Scenario.WINDOW_MS);
                // the first RESOLVED after it
                for (int j = i + 1; j < events.size(); j++) {
                    if (events.get(j).status().equals(Alert.RESOLVED)) {
                        resolveDelays.add((events.get(j).time() + 1 - ep.to())
                                / (double) Scenario.WINDOW_MS);
                        break;
                    }
                }
            }
        }
        int missed = 0;
        for (boolean d : detected) {
            if (!d) {
                missed++;
            }
        }
        return new Analysis(firings, falseAlarms, delays, stepDelays, missed, flaps, resolveDelays, sequential);
    }

    double medianDelay() {
        return quantile(delays, 0.5);
    }

    /** Episodes decided within `windows` windows, counting the step's own window. */
    long within(double windows) {
        return delays.stream().filter(d -> d <= windows).count();
    }

    double maxDelay() {
        return delays.stream().mapToDouble(d -> d).max().orElse(Double.NaN);
    }

    static double quantile(List<Double> xs, double q) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(xs);
        sorted.sort(null);
        return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(q * sorted.size())));
    }
}
