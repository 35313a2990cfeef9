package io.losswatch.alert;

import io.losswatch.loss.WindowStats;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Runs a scenario through the pure {@link AlertEvaluator}, closing each window once event time passes
 * its end plus the grace, as the topology does. Used to sweep settings quickly; the reported table
 * comes from the real topology ({@link AlertEvaluation}).
 */
final class PureRunner {
    private PureRunner() {
    }

    static List<Scenario.Event> run(Scenario sc, AlertSettings settings, long graceMs) {
        AlertEvaluator evaluator = new AlertEvaluator(Scenario.WINDOW_MS, Scenario.WINDOW_MS);
        List<Scenario.Event> out = new ArrayList<>();
        AlertState state = AlertState.INITIAL;
        Deque<long[]> openStarts = new ArrayDeque<>();
        Deque<WindowStats> openStats = new ArrayDeque<>();
        for (int w = 0; w < sc.windows(); w++) {
            openStarts.addLast(new long[] {Scenario.windowStart(w)});
            WindowStats stats = new WindowStats();
            openStats.addLast(stats);
            for (Scenario.TimedSample ts : sc.window(w, 0)) {
                while (!openStarts.isEmpty() && openStarts.peekFirst()[0] + Scenario.WINDOW_MS + graceMs <= ts.time()) {
                    state = close(evaluator, sc, state, openStarts.removeFirst()[0], openStats.removeFirst(), settings, out);
                }
                AlertEvaluator.Outcome o = evaluator.onLoss(sc.model(), "", state, ts.time(), ts.sample().loss(), settings);
                state = record(o, ts.time(), out);
                stats.addLoss(sc.shape().lossFunction(), ts.sample().loss(), false);
            }
        }
        while (!openStarts.isEmpty()) {
            state = close(evaluator, sc, state, openStarts.removeFirst()[0], openStats.removeFirst(), settings, out);
        }
        return out;
    }

    private static AlertState close(AlertEvaluator evaluator, Scenario sc, AlertState state, long start, WindowStats s,
                                    AlertSettings settings, List<Scenario.Event> out) {
        AlertEvaluator.Window w = new AlertEvaluator.Window(start, start + Scenario.WINDOW_MS, s.count,
                s.count > 0 ? s.mean() : null, s.count > 0 ? s.stddev() : null, s.count > 0 ? s.max : null);
        return record(evaluator.onWindow(sc.model(), "", state, w, settings), start + Scenario.WINDOW_MS - 1, out);
    }

    private static AlertState record(AlertEvaluator.Outcome o, long time, List<Scenario.Event> out) {
        if (o.alert() != null) {
            out.add(new Scenario.Event(o.alert().status(), o.alert().rule(), time));
        }
        return o.state();
    }
}
