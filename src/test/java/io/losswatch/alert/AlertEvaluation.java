package io.losswatch.alert;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The evaluation behind the alert defaults (docs/alerting.md): synthetic scenarios streamed through
 * the real topology (TopologyTestDriver over LosswatchTopology.build, default settings), read back
 * from the alerts topic, and summarised as false alarms, detection delays, flaps and resolve delays.
 * Every scenario is one model; all of them run as one interleaved stream.
 *
 * <pre>
 * mvn -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/test.classpath) io.losswatch.alert.AlertEvaluation
 * </pre>
 *
 * (about 1.5 million events: 10 to 16 minutes on two busy cores); an argument {@code quick} runs a
 * smaller set in a few minutes. The same scenarios also go through the pure evaluator, and the run
 * reports whether both gave the same alerts; the large-sample false-alarm table that follows uses the
 * pure evaluator only (hundreds of thousands of windows would take hours through the driver).
 */
public final class AlertEvaluation {
    private AlertEvaluation() {
    }

    /** One line of a table: what a scenario is, and the scenario itself (its model name is unique). */
    record Case(String table, String shape, int n, String what, Scenario scenario) {
    }

    static Synthetic.Shape balanced() {
        return Synthetic.shape("log loss, base rate 50%");
    }

    static List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        int stationaryWindows = quick ? 300 : 1000;
        for (Synthetic.Shape shape : Synthetic.shapes()) {
            cases.add(new Case("stationary", shape.name(), 100, stationaryWindows + " windows",
                    Scenario.stationary(model("stationary", shape, 100), shape, 100, stationaryWindows, 11)));
        }
        cases.add(new Case("stationary", balanced().name(), 1000, (quick ? 30 : 100) + " windows",
                Scenario.stationary(model("stationary", balanced(), 1000), balanced(), 1000, quick ? 30 : 100, 12)));

        // episodes per step case; the criterion's case (+50% at 200 events a window) gets 24 step placements
        int episodes = quick ? 3 : 6;
        for (int rise : new int[] {25, 50, 100, 200, 400}) {
            cases.add(step(balanced(), 200, rise, rise == 50 ? (quick ? 12 : 24) : episodes));
        }
        cases.add(step(balanced(), 100, 50, episodes));
        cases.add(step(balanced(), 500, 50, quick ? 6 : 12));
        cases.add(step(Synthetic.shape("MAE"), 200, 50, episodes));
        cases.add(step(Synthetic.shape("log loss, base rate 10%"), 200, 100, episodes));
        cases.add(step(Synthetic.shape("log loss, overconfident"), 200, 100, episodes));

        for (int length : quick ? new int[] {60} : new int[] {60, 300}) {
            Scenario ramp = Scenario.ramps("ramp-" + length, balanced(), 200, 1.0, 20, length, 10, 20,
                    20 + length + 10 + 20 + 1, 31);
            cases.add(new Case("ramp", balanced().name(), 200, "to +100% over " + length + " windows", ramp));
        }
        for (int spike : new int[] {50, 100, 200, 400}) {
            Scenario s = Scenario.steps("spike-" + spike, balanced(), 200, spike / 100.0, 20, 1, 29,
                    quick ? 80 : 170, 41);
            cases.add(new Case("spike", balanced().name(), 200, "+" + spike + "% for one window", s));
        }
        cases.add(new Case("outlier", balanced().name(), 200, "one 34.5 loss every window",
                Scenario.outliers("outliers", balanced(), 200, quick ? 100 : 300, 1, 51)));
        cases.add(new Case("warm-up", balanced().name(), 200, "+100% from window 9",
                Scenario.steps("warmup", balanced(), 200, 1.0, 8, 6, 0, 14, 61)));
        cases.add(new Case("warm-up", balanced().name(), 200, "+50% from window 9",
                Scenario.steps("warmup-50", balanced(), 200, 0.5, 8, 6, 0, 14, 62)));
        return cases;
    }

    /**
     * Episodes of 8 degraded windows and 22 normal ones after 20 normal windows; the steps land across
     * the window (the first at a window's start, the others frac(k·φ) of the way in).
     */
    private static Case step(Synthetic.Shape shape, int n, int rise, int episodes) {
        Scenario s = Scenario.steps(model("step" + rise, shape, n), shape, n, rise / 100.0, 20, 8, 22,
                20 + 30 * episodes + 1, 21 + rise + n, true);
        return new Case("step", shape.name(), n, "+" + rise + "%", s);
    }

    private static String model(String prefix, Synthetic.Shape shape, int n) {
        return prefix + "-" + shape.name().replaceAll("[^a-zA-Z0-9]+", "-").replaceAll("-+$", "") + "-" + n;
    }

    /** Streams every case's scenario through the real topology; alerts by model. */
    static Map<String, List<Scenario.Event>> runTopology(List<Case> cases) {
        Map<String, String> settings = new HashMap<>();
        for (Case c : cases) {
            if (!c.scenario().shape().lossFunction().equals("log_loss")) {
                settings.put("losswatch.model." + c.scenario().model() + ".loss", c.scenario().shape().lossFunction());
            }
        }
        try (TopologyRunner r = new TopologyRunner(settings).flushingEvery(50)) {
            r.run(cases.stream().map(Case::scenario).toList());
            return r.eventsByModel();
        }
    }

    static Map<String, List<Scenario.Event>> runPure(List<Case> cases) {
        Map<String, List<Scenario.Event>> out = new HashMap<>();
        for (Case c : cases) {
            out.put(c.scenario().model(), PureRunner.run(c.scenario(), AlertSettings.DEFAULTS, 10_000));
        }
        return out;
    }

    public static void main(String[] args) {
        boolean quick = args.length > 0 && args[0].equals("quick");
        List<Case> cases = cases(quick);
        long events = cases.stream().mapToLong(c -> (long) c.n() * c.scenario().windows()).sum();
        System.out.printf(Locale.ROOT, "Streaming %,d events of %d scenarios through the topology...%n", events,
                cases.size());
        long t0 = System.nanoTime();
        Map<String, List<Scenario.Event>> alerts = runTopology(cases);
        System.out.printf(Locale.ROOT, "done in %.0f s%n%n", (System.nanoTime() - t0) / 1e9);
        System.out.println(report(cases, alerts));

        Map<String, List<Scenario.Event>> pure = runPure(cases);
        int same = 0;
        for (Case c : cases) {
            List<Scenario.Event> a = alerts.getOrDefault(c.scenario().model(), List.of());
            List<Scenario.Event> p = pure.getOrDefault(c.scenario().model(), List.of());
            if (sameDecisions(a, p)) {
                same++;
            } else {
                System.out.println("differs from the pure evaluator: " + c.scenario().model() + "\n  topology " + a
                        + "\n  pure     " + p);
            }
        }
        System.out.printf(Locale.ROOT, "Pure evaluator on the same scenarios: the same alerts for %d of %d.%n%n", same,
                cases.size());
        System.out.println(largeSample(quick ? 5 : 30));
    }

    /**
     * The same status and rule, decided in the same window (a window rule's decision can come a few
     * records later through the topology, which flushes partials only every 50 records).
     */
    static boolean sameDecisions(List<Scenario.Event> a, List<Scenario.Event> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            Scenario.Event x = a.get(i);
            Scenario.Event y = b.get(i);
            if (!x.status().equals(y.status()) || !x.rule().equals(y.rule())
                    || Math.floorDiv(x.time() - Scenario.T0, Scenario.WINDOW_MS)
                    != Math.floorDiv(y.time() - Scenario.T0, Scenario.WINDOW_MS)) {
                return false;
            }
        }
        return true;
    }

    /** Markdown tables of the topology's alerts. */
    static String report(List<Case> cases, Map<String, List<Scenario.Event>> alerts) {
        Map<String, StringBuilder> tables = new LinkedHashMap<>();
        tables.put("stationary", new StringBuilder("""
                **Stationary losses** (no change at all: every FIRING is a false alarm)

                | loss shape | events/window | run | FIRING | per 1,000 windows |
                |---|---:|---|---:|---:|
                """));
        tables.put("step", new StringBuilder("""
                **Step increases** (episodes of 8 degraded windows, 22 normal between; each step lands at its own
                place in its window. *Delay*: windows from the start of the window the step lands in to the deciding
                event, so the step's own window counts whole, and "≤ 2 windows" means decided by the end of the
                window after the step's; *from the step*: the same from the step's own event time; *seq*: caught by
                the sequential detector)

                | loss shape | events/window | rise | episodes | detected | ≤ 2 windows | median delay | max delay | median from the step | seq | flaps | median windows to resolve after recovery | false alarms |
                |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
                """));
        tables.put("ramp", new StringBuilder("""
                **Slow ramps** (the rise grows linearly, then holds for 10 windows)

                | loss shape | events/window | ramp | detected | windows into the ramp | rise at detection | flaps |
                |---|---:|---|---:|---:|---:|---:|
                """));
        tables.put("spike", new StringBuilder("""
                **Single-window spikes** (one degraded window every 30)

                | loss shape | events/window | spike | spikes | FIRING | by rule |
                |---|---:|---|---:|---:|---|
                """));
        tables.put("outlier", new StringBuilder("""
                **A confident mistake** (label 1, prediction 0: loss 34.54) in otherwise stationary windows

                | loss shape | events/window | run | FIRING |
                |---|---:|---|---:|
                """));
        tables.put("warm-up", new StringBuilder("""
                **A modest model from its first window** (8 windows of warm-up, then degraded)

                | loss shape | events/window | change | FIRING in window | rule |
                |---|---:|---|---:|---|
                """));
        for (Case c : cases) {
            List<Scenario.Event> events = alerts.getOrDefault(c.scenario().model(), List.of());
            Analysis a = Analysis.of(c.scenario(), events);
            StringBuilder t = tables.get(c.table());
            switch (c.table()) {
                case "stationary" -> t.append(String.format(Locale.ROOT, "| %s | %d | %s | %d | %s |%n", c.shape(), c.n(),
                        c.what(), a.firings(), num(1000.0 * a.firings() / c.scenario().windows())));
                case "step" -> {
                    int episodes = c.scenario().episodes().size();
                    long within2 = a.within(2.0);
                    t.append(String.format(Locale.ROOT,
                            "| %s | %d | %s | %d | %d | %d (%d%%) | %s | %s | %s | %d | %d | %s | %d |%n",
                            c.shape(), c.n(), c.what(), episodes, a.delays().size(), within2,
                            Math.round(100.0 * within2 / episodes), num(a.medianDelay()), num(a.maxDelay()),
                            num(Analysis.quantile(a.stepDelays(), 0.5)), a.sequentialFirings(), a.flaps(),
                            num(Analysis.quantile(a.resolveDelays(), 0.5)), a.falseAlarms()));
                }
                case "ramp" -> {
                    int length = Integer.parseInt(c.what().replaceAll(".* over (\\d+) windows", "$1"));
                    List<Double> rises = a.delays().stream().map(d -> 100 * Math.min(1.0, d / length)).toList();
                    t.append(String.format(Locale.ROOT, "| %s | %d | %s | %d/%d | %s | %s | %d |%n", c.shape(), c.n(),
                            c.what(), a.delays().size(), c.scenario().episodes().size(), num(a.medianDelay()),
                            rises.isEmpty() ? "–" : "+" + Math.round(Analysis.quantile(rises, 0.5)) + "%", a.flaps()));
                }
                case "spike" -> t.append(String.format(Locale.ROOT, "| %s | %d | %s | %d | %d | %s |%n", c.shape(), c.n(),
                        c.what(), c.scenario().episodes().size(), a.firings(), rules(events)));
                case "outlier" -> t.append(String.format(Locale.ROOT, "| %s | %d | %d windows | %d |%n", c.shape(), c.n(),
                        c.scenario().windows(), a.firings()));
                case "warm-up" -> {
                    Scenario.Event first = events.stream().filter(e -> e.status().equals(Alert.FIRING)).findFirst()
                            .orElse(null);
                    t.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s |%n", c.shape(), c.n(), c.what(),
                            first == null ? "none" : Long.toString((first.time() - Scenario.T0) / Scenario.WINDOW_MS + 1),
                            first == null ? "–" : first.rule()));
                }
                default -> throw new IllegalStateException(c.table());
            }
        }
        StringBuilder out = new StringBuilder();
        tables.values().forEach(t -> out.append(t).append('\n'));
        return out.toString();
    }

    /** False alarms over many stationary windows per shape and volume, with the pure evaluator. */
    static String largeSample(int seeds) {
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT, """
                **Large sample, pure evaluator** (%d runs of 1,000 stationary windows per cell; FIRING count)

                | loss shape | 100 events/window | 200 | 1,000 |
                |---|---:|---:|---:|
                """, seeds));
        for (Synthetic.Shape shape : Synthetic.shapes()) {
            t.append("| ").append(shape.name());
            for (int n : new int[] {100, 200, 1000}) {
                int firings = 0;
                for (int seed = 1; seed <= seeds; seed++) {
                    Scenario s = Scenario.stationary("m", shape, n, 1000, 1000 + seed);
                    firings += Analysis.of(s, PureRunner.run(s, AlertSettings.DEFAULTS, 10_000)).firings();
                }
                t.append(" | ").append(firings);
            }
            t.append(" |\n");
        }
        return t.toString();
    }

    private static String rules(List<Scenario.Event> events) {
        Map<String, Integer> byRule = new LinkedHashMap<>();
        events.stream().filter(e -> e.status().equals(Alert.FIRING)).forEach(e -> byRule.merge(e.rule(), 1, Integer::sum));
        return byRule.isEmpty() ? "–" : byRule.toString().replaceAll("[{}]", "");
    }

    private static String num(double x) {
        return Double.isNaN(x) ? "–" : String.format(Locale.ROOT, "%.2f", x);
    }
}
