package io.losswatch.alert;

import java.util.ArrayList;
import java.util.List;

/**
 * What a scenario's alerts say: false alarms in stationary stretches, detection delay per degraded
 * episode (in windows of event time from the first degraded event to the deciding event), flaps
 * (a FIRING beyond the first for one episode, or a re-fire during its recovery), time to resolve.
 */
record Analysis(int firings, int falseAlarms, List<Double> delays, int missed, int flaps, List<Double> resolveDelays,
                int sequentialFirings) {

    /** Windows after an episode ends during which a FIRING still belongs to it (a flap, not a false alarm). */
    static final int RECOVERY_WINDOWS = 10;

    static Analysis of(Scenario sc, List<Scenario.Event> events) {
        int firings = 0;
        int falseAlarms = 0;
        int flaps = 0;
        int sequential = 0;
        List<Double> delays = new ArrayList<>();
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
                long from = Scenario.windowStart(ep.start());
                long to = Scenario.windowStart(ep.end()); // the last degraded window ends here
                if (e.time() >= from && e.time() < to) {
                    episode = k;
                } else if (e.time() >= to && e.time() < Scenario.windowStart(ep.end() + RECOVERY_WINDOWS)) {
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
                // the first RESOLVED after it
                for (int j = i + 1; j < events.size(); j++) {
                    if (events.get(j).status().equals(Alert.RESOLVED)) {
                        resolveDelays.add((events.get(j).time() + 1 - Scenario.windowStart(ep.end()))
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
        return new Analysis(firings, falseAlarms, delays, missed, flaps, resolveDelays, sequential);
    }

    double medianDelay() {
        return quantile(delays, 0.5);
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
