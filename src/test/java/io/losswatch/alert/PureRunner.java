package io.losswatch.alert;

import io.losswatch.loss.WindowStats;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
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

    /**
     * The pure evaluator fed exactly as {@link TopologyRunner#run} feeds the topology when it flushes
     * every flushEvery records: the scenarios' events interleaved in event-time order, each model's
     * losses since the last flush as one batch ({@link AlertEvaluator#onLosses}), then the windows
     * that the flush's watermark makes final. Alerts by model.
     */
    static Map<String, List<Scenario.Event>> runBatched(List<Scenario> scenarios, AlertSettings settings, long graceMs,
                                                        int flushEvery) {
        AlertEvaluator evaluator = new AlertEvaluator(Scenario.WINDOW_MS, Scenario.WINDOW_MS);
        Map<String, AlertState> states = new HashMap<>();
        Map<String, WindowStats> batches = new LinkedHashMap<>();
        Map<String, TreeMap<Long, WindowStats>> open = new HashMap<>();
        Map<String, List<Scenario.Event>> out = new HashMap<>();
        long[] clock = {Long.MIN_VALUE};
        long sequence = 0;
        int windows = scenarios.stream().mapToInt(Scenario::windows).max().orElse(0);
        List<Object[]> all = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            List<Object[]> batch = new ArrayList<>();
            for (int i = 0; i < scenarios.size(); i++) {
                Scenario sc = scenarios.get(i);
                if (w < sc.windows()) {
                    for (Scenario.TimedSample ts : sc.window(w, i)) {
                        batch.add(new Object[] {sc, ts});
                    }
                }
            }
            batch.sort(Comparator.comparingLong(o -> ((Scenario.TimedSample) o[1]).time()));
            all.addAll(batch);
        }
        for (Object[] o : all) {
            Scenario sc = (Scenario) o[0];
            Scenario.TimedSample ts = (Scenario.TimedSample) o[1];
            double loss = ts.sample().loss();
            WindowStats b = batches.computeIfAbsent(sc.model(), m -> new WindowStats());
            b.addLoss(sc.shape().lossFunction(), loss, false);
            b.addLossTime(ts.time());
            long start = ts.time() - Math.floorMod(ts.time() - Scenario.T0, Scenario.WINDOW_MS);
            open.computeIfAbsent(sc.model(), m -> new TreeMap<>()).computeIfAbsent(start, s -> new WindowStats())
                    .addLoss(sc.shape().lossFunction(), loss, false);
            clock[0] = Math.max(clock[0], ts.time());
            if (++sequence % flushEvery == 0) {
                flush(evaluator, settings, graceMs, states, batches, open, out, clock[0]);
            }
        }
        flush(evaluator, settings, graceMs, states, batches, open, out, Long.MAX_VALUE);
        return out;
    }

    private static void flush(AlertEvaluator evaluator, AlertSettings settings, long graceMs, Map<String, AlertState> states,
                              Map<String, WindowStats> batches, Map<String, TreeMap<Long, WindowStats>> open,
                              Map<String, List<Scenario.Event>> out, long clock) {
        for (Map.Entry<String, WindowStats> e : batches.entrySet()) {
            WindowStats b = e.getValue();
            AlertEvaluator.Losses l = new AlertEvaluator.Losses(b.count, b.sum + b.compensation, b.min, b.max, b.m2, b.m3,
                    b.largest, b.firstLossTime, b.lastLossTime);
            AlertState state = states.getOrDefault(e.getKey(), AlertState.INITIAL);
            states.put(e.getKey(), record(evaluator.onLosses(e.getKey(), "", state, l, settings), b.lastLossTime,
                    out.computeIfAbsent(e.getKey(), m -> new ArrayList<>())));
        }
        batches.clear();
        for (Map.Entry<String, TreeMap<Long, WindowStats>> e : open.entrySet()) {
            while (!e.getValue().isEmpty() && e.getValue().firstKey() + Scenario.WINDOW_MS + graceMs <= clock) {
                Map.Entry<Long, WindowStats> w = e.getValue().pollFirstEntry();
                AlertState state = states.getOrDefault(e.getKey(), AlertState.INITIAL);
                List<Scenario.Event> events = out.computeIfAbsent(e.getKey(), m -> new ArrayList<>());
                states.put(e.getKey(), closeWindow(evaluator, state, e.getKey(), w.getKey(), w.getValue(), settings, events));
            }
        }
        out.values().removeIf(List::isEmpty);
    }

    private static AlertState closeWindow(AlertEvaluator evaluator, AlertState state, String model, long start, WindowStats s,
                                          AlertSettings settings, List<Scenario.Event> out) {
        AlertEvaluator.Window w = new AlertEvaluator.Window(start, start + Scenario.WINDOW_MS, s.count,
                s.count > 0 ? s.mean() : null, s.count > 0 ? s.stddev() : null, s.count > 0 ? s.max : null);
        return record(evaluator.onWindow(model, "", state, w, settings), start + Scenario.WINDOW_MS - 1, out);
    }
}
