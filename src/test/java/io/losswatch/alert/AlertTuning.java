package io.losswatch.alert;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sweeps alert settings over the synthetic scenarios with the pure evaluator (no Kafka: seconds, not
 * minutes), to choose defaults before confirming them on the real topology with AlertEvaluation.
 * Arguments override settings, e.g. {@code alert.relative.z=3.5 alert.sequential.threshold=25}.
 */
final class AlertTuning {
    private AlertTuning() {
    }

    public static void main(String[] args) {
        Map<String, String> raw = new HashMap<>();
        for (String a : args) {
            String[] kv = a.split("=", 2);
            raw.put("losswatch." + kv[0], kv[1]);
        }
        AlertSettings s = AlertSettings.fromRaw("m", raw::get);
        int seeds = Integer.getInteger("seeds", 5);
        if ("kz".equals(System.getProperty("sweep"))) {
            System.out.println(sweepKz(seeds));
            return;
        }
        if ("bound".equals(System.getProperty("sweep"))) {
            System.out.println(powerBound(Integer.getInteger("n", 200)));
            return;
        }
        if ("criteria".equals(System.getProperty("sweep"))) {
            System.out.println(String.join(" ", args) + " => " + criteria(s, seeds));
            return;
        }
        if (Boolean.getBoolean("summary")) {
            System.out.println(String.join(" ", args) + " => " + summary(s, seeds));
            return;
        }
        System.out.println(s);
        System.out.printf(Locale.ROOT, "%-40s %8s %8s %8s %8s | %s%n", "shape", "FA@100", "FA@200", "FA@1000",
                "FAout200", "delays(n=100: +50%) (n=200: +25% +50% +100% +200%) | spikes fired(+50 +100 +200 +400) | flaps");
        for (Synthetic.Shape shape : Synthetic.shapes()) {
            int fa100 = 0;
            int fa200 = 0;
            int fa1000 = 0;
            int faOut = 0;
            for (int seed = 1; seed <= seeds; seed++) {
                fa100 += falseAlarms(Scenario.stationary("m", shape, 100, 1000, seed), s);
                fa200 += falseAlarms(Scenario.stationary("m", shape, 200, 1000, seed), s);
                if (seed == 1) {
                    fa1000 += falseAlarms(Scenario.stationary("m", shape, 1000, 1000, seed), s);
                }
                faOut += falseAlarms(Scenario.outliers("m", shape, 200, 1000, 7, seed), s);
            }
            StringBuilder sb = new StringBuilder();
            int flaps = 0;
            for (int[] cfg : new int[][] {{100, 50}, {200, 25}, {200, 50}, {200, 100}, {200, 200}}) {
                List<Analysis> as = new ArrayList<>();
                for (int seed = 1; seed <= Math.max(1, seeds / 2); seed++) {
                    Scenario sc = Scenario.steps("m", shape, cfg[0], cfg[1] / 100.0, 20, 10, 30, 1000, seed);
                    as.add(Analysis.of(sc, PureRunner.run(sc, s, 10_000)));
                }
                List<Double> delays = new ArrayList<>();
                int missed = 0;
                for (Analysis a : as) {
                    delays.addAll(a.delays());
                    missed += a.missed();
                    flaps += a.flaps() + a.falseAlarms();
                }
                sb.append(String.format(Locale.ROOT, " %.2f/%.2f", Analysis.quantile(delays, 0.5),
                        Analysis.quantile(delays, 0.99)));
                if (missed > 0) {
                    sb.append("(miss ").append(missed).append(")");
                }
            }
            sb.append(" |");
            for (int spike : new int[] {50, 100, 200, 400}) {
                Scenario sc = Scenario.steps("m", shape, 200, spike / 100.0, 20, 1, 29, 1000, 3);
                Analysis a = Analysis.of(sc, PureRunner.run(sc, s, 10_000));
                sb.append(String.format(Locale.ROOT, " %d/%d", sc.episodes().size() - a.missed(), sc.episodes().size()));
            }
            System.out.printf(Locale.ROOT, "%-40s %8d %8d %8d %8d |%s | %d%n", shape.name() + String.format(Locale.ROOT,
                    " (%.3f)", shape.baseMean()), fa100, fa200, fa1000, faOut, sb, flaps);
        }
    }

    /** One line per setting combination: false alarms, and delays where detection matters most. */
    static String summary(AlertSettings s, int seeds) {
        List<Synthetic.Shape> shapes = Synthetic.shapes();
        int fa = 0;
        int faSeq = 0;
        int faOut = 0;
        for (Synthetic.Shape shape : shapes) {
            for (int seed = 1; seed <= seeds; seed++) {
                Analysis a = Analysis.of(Scenario.stationary("m", shape, 100, 1000, seed),
                        PureRunner.run(Scenario.stationary("m", shape, 100, 1000, seed), s, 10_000));
                fa += a.falseAlarms();
                faSeq += a.sequentialFirings();
                faOut += falseAlarms(Scenario.outliers("m", shape, 200, 1000, 7, seed), s);
            }
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "FA@100=%d (seq %d) FAout@200=%d |", fa, faSeq,
                faOut));
        int[][] cases = {{0, 200, 50}, {0, 100, 50}, {0, 500, 50}, {4, 200, 50}, {1, 200, 100}, {0, 200, 200},
            {3, 200, 100}};
        for (int[] c : cases) {
            List<Double> delays = new ArrayList<>();
            int missed = 0;
            for (int seed = 1; seed <= seeds; seed++) {
                Scenario sc = Scenario.steps("m", shapes.get(c[0]), c[1], c[2] / 100.0, 20, 10, 30, 1000, seed);
                Analysis a = Analysis.of(sc, PureRunner.run(sc, s, 10_000));
                delays.addAll(a.delays());
                missed += a.missed();
            }
            sb.append(String.format(Locale.ROOT, " s%d/n%d/+%d%%: %.2f %.2f %.2f m%d |", c[0], c[1], c[2],
                    Analysis.quantile(delays, 0.5), Analysis.quantile(delays, 0.9), Analysis.quantile(delays, 1),
                    missed));
        }
        Scenario spikes = Scenario.steps("m", shapes.get(0), 200, 0.5, 20, 1, 29, 1000, 3);
        sb.append(" spike+50% fired ").append(spikes.episodes().size() - Analysis.of(spikes,
                PureRunner.run(spikes, s, 10_000)).missed());
        return sb.toString();
    }

    /**
     * K (consecutive windows) against z, the other settings at their defaults: false alarms over seeds ×
     * 1,000 stationary windows of every shape at the minimum count, and how often a +50% step of the
     * balanced classifier, landing anywhere in its window, is caught within 2 windows (counting the step's
     * own) at 200 and 500 events a window (seeds × 10 episodes each).
     */
    static String sweepKz(int seeds) {
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT, """
                | K | z | false alarms in %,d stationary windows (5 shapes, n = 100) | +50%%, n = 200: within 2 windows, median delay | +50%%, n = 500: within 2 windows, median delay |
                |---:|---:|---:|---|---|
                """, seeds * 5000));
        double[][] grid = {{1, 3.5}, {1, 4}, {1, 4.5}, {2, 2.25}, {2, 2.5}, {2, 2.75}, {2, 3}, {3, 2}, {3, 2.25}, {3, 2.5}};
        for (double[] kz : grid) {
            Map<String, String> raw = Map.of("losswatch.alert.consecutive.windows", Integer.toString((int) kz[0]),
                    "losswatch.alert.relative.z", Double.toString(kz[1]));
            AlertSettings s = AlertSettings.fromRaw("m", raw::get);
            int fa = 0;
            for (Synthetic.Shape shape : Synthetic.shapes()) {
                for (int seed = 1; seed <= seeds; seed++) {
                    fa += Analysis.of(Scenario.stationary("m", shape, 100, 1000, seed),
                            PureRunner.run(Scenario.stationary("m", shape, 100, 1000, seed), s, 10_000)).firings();
                }
            }
            t.append(String.format(Locale.ROOT, "| %d | %s | %d |", (int) kz[0], kz[1], fa));
            for (int n : new int[] {200, 500}) {
                List<Double> delays = new ArrayList<>();
                int episodes = 0;
                for (int seed = 1; seed <= seeds; seed++) {
                    Scenario sc = Scenario.steps("m", Synthetic.shapes().get(0), n, 0.5, 20, 8, 22, 321, seed, true);
                    Analysis a = Analysis.of(sc, PureRunner.run(sc, s, 10_000));
                    delays.addAll(a.delays());
                    episodes += sc.episodes().size();
                }
                long within2 = delays.stream().filter(d -> d <= 2.0).count();
                t.append(String.format(Locale.ROOT, " %.0f%%, %.2f |", 100.0 * within2 / episodes,
                        Analysis.quantile(delays, 0.5)));
            }
            t.append('\n');
        }
        return t.toString();
    }

    /**
     * The acceptance criteria on one line: FIRINGs in stationary runs (every shape, seeds × 1,000
     * windows at 100 and at 200 events a window, and seeds/5 runs at 1,000), with one 34.5 loss in
     * every window (200 events), and the share of +50% steps of the balanced classifier decided within
     * 2 windows (counting the step's own window) with steps placed across the window, at 200 (and 100,
     * 500) events a window; the warm-up and a one-window spike.
     */
    static String criteria(AlertSettings s, int seeds) {
        Synthetic.Shape balanced = Synthetic.shapes().get(0);
        StringBuilder sb = new StringBuilder();
        int[] fa = new int[3];
        int faOut = 0;
        int faSeq = 0;
        for (Synthetic.Shape shape : Synthetic.shapes()) {
            for (int seed = 1; seed <= seeds; seed++) {
                int i = 0;
                for (int n : new int[] {100, 200, 1000}) {
                    if (n < 1000 || seed % 5 == 1) {
                        Scenario sc = Scenario.stationary("m", shape, n, 1000, 1000 + seed);
                        Analysis a = Analysis.of(sc, PureRunner.run(sc, s, 10_000));
                        fa[i] += a.firings();
                        faSeq += a.sequentialFirings();
                    }
                    i++;
                }
                faOut += Analysis.of(Scenario.outliers("m", shape, 200, 1000, 1, seed),
                        PureRunner.run(Scenario.outliers("m", shape, 200, 1000, 1, seed), s, 10_000)).firings();
            }
        }
        sb.append(String.format(Locale.ROOT, "FA n100=%d n200=%d n1000=%d (seq %d) out=%d |", fa[0], fa[1], fa[2],
                faSeq, faOut));
        for (int[] c : new int[][] {{200, 1}, {200, 0}, {100, 1}, {500, 1}}) {
            List<Double> delays = new ArrayList<>();
            int episodes = 0;
            int seq = 0;
            int flaps = 0;
            for (int seed = 1; seed <= seeds; seed++) {
                Scenario sc = Scenario.steps("m", balanced, c[0], 0.5, 20, 8, 22, 1000, 500 + seed, c[1] == 1);
                Analysis a = Analysis.of(sc, PureRunner.run(sc, s, 10_000));
                delays.addAll(a.delays());
                episodes += sc.episodes().size();
                seq += a.sequentialFirings();
                flaps += a.flaps() + a.falseAlarms();
            }
            long within2 = delays.stream().filter(d -> d <= 2.0).count();
            sb.append(String.format(Locale.ROOT, " +50%%@%d%s: %d/%d=%.0f%% med %.2f p90 %.2f seq %d fl %d |", c[0],
                    c[1] == 1 ? "mid" : "edge", within2, episodes, 100.0 * within2 / episodes,
                    Analysis.quantile(delays, 0.5), Analysis.quantile(delays, 0.9), seq, flaps));
        }
        int warm = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            int from = s.warmupWindows();
            Scenario sc = Scenario.steps("m", balanced, 200, 0.5, from, 6, 0, from + 6, 60 + seed);
            List<Scenario.Event> ev = PureRunner.run(sc, s, 10_000);
            if (!ev.isEmpty() && ev.get(0).status().equals(Alert.FIRING)
                    && ev.get(0).time() < Scenario.windowStart(from + 2) && ev.get(0).time() >= Scenario.windowStart(from)) {
                warm++;
            }
        }
        int spikes = 0;
        int spikeEps = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            Scenario sc = Scenario.steps("m", balanced, 200, 0.5, 20, 1, 29, 1000, 40 + seed);
            spikes += Analysis.of(sc, PureRunner.run(sc, s, 10_000)).firings();
            spikeEps += sc.episodes().size();
        }
        sb.append(String.format(Locale.ROOT, " warm+50%% in 2 windows %d/%d | spike+50%% fired %d/%d", warm, seeds, spikes,
                spikeEps));
        return sb.toString();
    }

    /**
     * What no detector can beat: the power of a single test that knows where a +50% step of the
     * balanced classifier lands (a fraction f into its window) and sums exactly the (2 − f)·n degraded
     * losses that come before the end of the next window, at a false-alarm level α per test. Two
     * statistics: the plain sum of losses (what every rule here uses), and the Neyman–Pearson log
     * likelihood ratio log(1 + q(e^L − 2)) of a loss L when a fraction q of predictions is flipped
     * (this shape's exact alternative). The null quantile is the Cornish–Fisher one (checked against
     * simulation at α = 10⁻³); the alternative is simulated. A real detector tests at every event, not
     * once, so its power at the same false-alarm rate per window is lower still.
     */
    static String powerBound(int n) {
        Synthetic.Binary shape = (Synthetic.Binary) Synthetic.shapes().get(0);
        double q = shape.flipFraction(0.5);
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "| statistic | α per test | f = 0 | 0.25 | 0.5 | 0.75 | 0.95 |%n|---|---:|---:|---:|---:|---:|---:|%n"));
        for (boolean llr : new boolean[] {false, true}) {
            java.util.SplittableRandom r = new java.util.SplittableRandom(7);
            int draws = 2_000_000;
            double[] alt = new double[draws];
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            for (int i = 0; i < draws; i++) {
                double x = score(shape.draw(r, 0).loss(), llr, q);
                s1 += x;
                s2 += x * x;
                s3 += x * x * x;
                alt[i] = score(shape.draw(r, 0.5).loss(), llr, q);
            }
            double mu = s1 / draws;
            double var = s2 / draws - mu * mu;
            double skew = (s3 / draws - 3 * mu * s2 / draws + 2 * mu * mu * mu) / Math.pow(var, 1.5);
            for (double alpha : new double[] {1e-4, 1e-5}) {
                out.append(String.format(Locale.ROOT, "| %s | %.0e |", llr ? "likelihood ratio" : "sum of losses",
                        alpha));
                for (double f : new double[] {0, 0.25, 0.5, 0.75, 0.95}) {
                    int m = (int) Math.round((2 - f) * n);
                    double z = upperNormalQuantile(alpha);
                    double critical = m * mu + (z + (z * z - 1) * skew / (6 * Math.sqrt(m))) * Math.sqrt(var * m);
                    java.util.SplittableRandom pick = new java.util.SplittableRandom(11);
                    int trials = 10_000;
                    int hits = 0;
                    for (int t = 0; t < trials; t++) {
                        double sum = 0;
                        for (int i = 0; i < m; i++) {
                            sum += alt[pick.nextInt(draws)];
                        }
                        if (sum > critical) {
                            hits++;
                        }
                    }
                    out.append(String.format(Locale.ROOT, " %.0f%% |", 100.0 * hits / trials));
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static double score(double loss, boolean llr, double q) {
        return llr ? Math.log(1 + q * (Math.exp(loss) - 2)) : loss;
    }

    /** z with P(Z > z) = p for a standard normal Z (bisection on erfc). */
    private static double upperNormalQuantile(double p) {
        double lo = 0;
        double hi = 10;
        for (int i = 0; i < 100; i++) {
            double mid = (lo + hi) / 2;
            if (0.5 * erfc(mid / Math.sqrt(2)) > p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Complementary error function (Numerical Recipes' erfcc, relative error below 1.2e-7). */
    private static double erfc(double x) {
        double t = 1 / (1 + 0.5 * Math.abs(x));
        double r = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223
                + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    static int falseAlarms(Scenario sc, AlertSettings s) {
        return Analysis.of(sc, PureRunner.run(sc, s, 10_000)).falseAlarms();
    }
}
