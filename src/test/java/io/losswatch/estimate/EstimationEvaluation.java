package io.losswatch.estimate;

import io.losswatch.estimate.LabelFreeRun.Result;
import io.losswatch.estimate.LabelFreeRun.Scenario;
import io.losswatch.estimate.LabelFreeRun.Window;
import io.losswatch.estimate.LabelFreeTraffic.Kind;
import io.losswatch.estimate.LabelFreeTraffic.Shift;
import io.losswatch.loss.Calibration;
import io.losswatch.loss.PredictionPoint;
import io.losswatch.loss.PredictionSketch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The evaluation behind docs/estimation.md: the label-free estimate, its interval and the two label-free
 * alert rules, measured on {@link LabelFreeTraffic} through the real topology ({@link LabelFreeRun}) with
 * default settings, plus the choice of calibration method on the same traffic with the pure classes.
 *
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/test.classpath) io.losswatch.estimate.EstimationEvaluation
 * </pre>
 *
 * An argument {@code quick} runs fewer windows.
 */
public final class EstimationEvaluation {
    static final Duration MINUTES_LATE = Duration.ofMinutes(1);
    static final Duration HOUR_LATE = Duration.ofMinutes(55);
    static final Duration JITTER = Duration.ofMinutes(1);
    static final Duration HOUR_JITTER = Duration.ofMinutes(5);

    /** The models of the topology runs; {@link Kind#DISTORTED} only tells the calibration methods apart. */
    static final Kind[] MAIN_KINDS = {Kind.CALIBRATED, Kind.UNDER_CONFIDENT, Kind.MULTI_CLASS};

    private EstimationEvaluation() {
    }

    /** Accuracy of the estimate against the realized loss, over the windows that have both. */
    record Accuracy(int windows, double meanRealized, double bias, double spread, double coverage, double meanEstimate) {
        static Accuracy of(List<Window> ws) {
            List<Window> both = ws.stream().filter(w -> w.estimate() != null && w.realized() != null).toList();
            int n = both.size();
            double realized = 0;
            double estimate = 0;
            double diff = 0;
            double diff2 = 0;
            int covered = 0;
            for (Window w : both) {
                realized += w.realized();
                estimate += w.estimate();
                double d = w.estimate() - w.realized();
                diff += d;
                diff2 += d * d;
                covered += w.covered() ? 1 : 0;
            }
            double bias = diff / n;
            return new Accuracy(n, realized / n, bias, Math.sqrt(Math.max(0, diff2 / n - bias * bias)),
                    (double) covered / n, estimate / n);
        }
    }

    static Scenario accuracyScenario(Kind kind, int perWindow, int windows, long seed) {
        return new Scenario(kind.name().toLowerCase(Locale.ROOT), kind, Shift.COVARIATE, windows, windows / 2, perWindow,
                MINUTES_LATE, JITTER, seed);
    }

    public static void main(String[] args) {
        boolean quick = args.length > 0 && args[0].equals("quick");
        long started = System.nanoTime();
        System.out.println("## Accuracy: estimate against realized loss per window (labels 1-2 min late; covariate shift from"
                + " the middle window on)");
        System.out.println();
        System.out.println("| model | predictions a window | windows | mean realized | bias | relative bias | spread (sd) |"
                + " 95% interval covers |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        int[][] sizes = quick ? new int[][] {{100, 120}, {1000, 40}, {10_000, 10}} : new int[][] {{100, 400}, {1000, 100}, {10_000, 20}};
        for (Kind kind : MAIN_KINDS) {
            for (int[] size : sizes) {
                Result r = LabelFreeRun.run(accuracyScenario(kind, size[0], size[1], 11), Map.of());
                Accuracy a = Accuracy.of(r.windows());
                System.out.printf(Locale.ROOT, "| %s | %,d | %d | %.4f | %+.4f | %+.1f%% | %.4f | %.1f%% |%n",
                        kind.name().toLowerCase(Locale.ROOT).replace('_', '-'), size[0], a.windows(), a.meanRealized(),
                        a.bias(), 100 * a.bias() / a.meanRealized(), a.spread(), 100 * a.coverage());
            }
        }
        System.out.println();
        target();
        System.out.println();
        detection(quick);
        System.out.println();
        falseAlarms(quick ? 300 : 1000);
        System.out.println();
        methods();
        System.out.printf(Locale.ROOT, "%n(%.0f s)%n", (System.nanoTime() - started) / 1e9);
    }

    /** The target: under-confident model, covariate shift, 10 windows of 200 predictions. */
    static void target() {
        Result r = LabelFreeRun.run(new Scenario("target", Kind.UNDER_CONFIDENT, Shift.COVARIATE, 40, 30, 200,
                MINUTES_LATE, JITTER, 5), Map.of());
        List<Window> shifted = r.windows().stream().filter(w -> w.index() >= 30 && w.index() < 40).toList();
        Accuracy a = Accuracy.of(shifted);
        System.out.printf(Locale.ROOT, "## Target: under-confident model, covariate shift, the 10 windows of 200 after it%n%n"
                        + "mean estimate %.4f, mean realized %.4f: %+.1f%% (target within 15%%); interval coverage %.0f%% of %d%n",
                a.meanEstimate(), a.meanRealized(), 100 * (a.meanEstimate() - a.meanRealized()) / a.meanRealized(),
                100 * a.coverage(), a.windows());
    }

    /** Detection delay with labels an hour late: 200 predictions a minute, shift at window 90. */
    static void detection(boolean quick) {
        System.out.println("## Detection delay, labels 55-60 min late (minutes of event time from the shift to FIRING;"
                + " 200 predictions a 1-minute window, shift at window 90)");
        System.out.println();
        System.out.println("| model | shift | estimated_loss | prediction_drift | relative_to_baseline | sequential_change |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        for (Kind kind : MAIN_KINDS) {
            for (Shift shift : new Shift[] {Shift.COVARIATE, Shift.CONCEPT}) {
                Result r = LabelFreeRun.run(new Scenario("d", kind, shift, quick ? 110 : 120, 90, 200, HOUR_LATE,
                        HOUR_JITTER, 21), Map.of());
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n",
                        kind.name().toLowerCase(Locale.ROOT).replace('_', '-'), shift.name().toLowerCase(Locale.ROOT),
                        minutes(r.delayMinutes("estimated_loss")), minutes(r.delayMinutes("prediction_drift")),
                        minutes(r.delayMinutes("relative_to_baseline")), minutes(r.delayMinutes("sequential_change")));
            }
        }
    }

    /** FIRING records over stationary windows of 200 predictions, labels an hour late. */
    static void falseAlarms(int windows) {
        System.out.printf("## False alarms: %d stationary windows of 200 predictions, labels 55-60 min late%n%n", windows);
        System.out.println("| model | estimated_loss | prediction_drift | relative_to_baseline | sequential_change | largest psi |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (Kind kind : MAIN_KINDS) {
            Result r = LabelFreeRun.run(new Scenario("s", kind, Shift.NONE, windows, windows, 200, HOUR_LATE, HOUR_JITTER, 33),
                    Map.of());
            double maxPsi = r.windows().stream().filter(w -> w.psi() != null).mapToDouble(Window::psi).max().orElse(Double.NaN);
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %d | %.3f |%n",
                    kind.name().toLowerCase(Locale.ROOT).replace('_', '-'), r.firings("estimated_loss"),
                    r.firings("prediction_drift"), r.firings("relative_to_baseline"), r.firings("sequential_change"), maxPsi);
        }
    }

    /**
     * The calibration methods side by side on the same traffic, with the pure classes: a calibration learned
     * from 5,000 labelled predictions before the shift, then 200 windows of 200 predictions after it.
     */
    static void methods() {
        System.out.println("## Calibration method (pure classes; calibration from 5,000 labels before a covariate shift,"
                + " 200 windows of 200 after it)");
        System.out.println();
        System.out.println("| model | method | relative bias | spread (sd) | 95% interval covers |");
        System.out.println("|---|---|---:|---:|---:|");
        for (Kind kind : Kind.values()) {
            Object[][] methods = kind == Kind.MULTI_CLASS
                    ? new Object[][] {{Calibration.Method.IDENTITY, 0.0}, {Calibration.Method.HYBRID, 0.0}}
                    : new Object[][] {{Calibration.Method.IDENTITY, 0.0}, {Calibration.Method.PLATT, 0.0},
                            {Calibration.Method.BINNED, 0.0}, {Calibration.Method.HYBRID, 3.0}, {Calibration.Method.HYBRID, 10.0},
                            {Calibration.Method.HYBRID, 50.0}, {Calibration.Method.HYBRID, 200.0}};
            for (Object[] m : methods) {
                Calibration.Method method = (Calibration.Method) m[0];
                double prior = (Double) m[1];
                LabelFreeTraffic traffic = new LabelFreeTraffic(kind, 3);
                Calibration c = new Calibration();
                for (int i = 0; i < 5_000; i++) {
                    learn(c, traffic.next(false, Shift.NONE));
                }
                List<Window> ws = new ArrayList<>();
                for (int w = 0; w < 200; w++) {
                    PredictionSketch sketch = new PredictionSketch();
                    double realized = 0;
                    for (int i = 0; i < 200; i++) {
                        LabelFreeTraffic.Case cs = traffic.next(true, Shift.COVARIATE);
                        sketch.add(point(cs));
                        realized += realizedLoss(cs);
                    }
                    realized /= 200;
                    Calibration.Estimate e = c.estimate(sketch, 1, method, Double.POSITIVE_INFINITY, prior);
                    ws.add(new Window(w, 200, 0, e.mean(), e.low(), e.high(), null, realized, 200, Double.NaN));
                }
                Accuracy a = Accuracy.of(ws);
                System.out.printf(Locale.ROOT, "| %s | %s | %+.1f%% | %.4f | %.1f%% |%n",
                        kind.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                        kind == Kind.MULTI_CLASS ? (method == Calibration.Method.IDENTITY ? "identity (t = 1)" : "temperature")
                                : method.name().toLowerCase(Locale.ROOT)
                                        + (method == Calibration.Method.HYBRID ? " (prior " + (int) prior + ")" : ""),
                        100 * a.bias() / a.meanRealized(), a.spread(), 100 * a.coverage());
            }
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static com.fasterxml.jackson.databind.JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static PredictionPoint point(LabelFreeTraffic.Case c) {
        return PredictionPoint.of(json(c.prediction()), Optional.empty(), 1e-15);
    }

    static void learn(Calibration c, LabelFreeTraffic.Case cs) {
        PredictionPoint p = point(cs);
        c.learn(p.function(), PredictionPoint.lesson(json(cs.prediction()), json(cs.label()), 1e-15));
    }

    /** The loss the case's label gives, by the §5 formulas (log loss or cross-entropy). */
    static double realizedLoss(LabelFreeTraffic.Case c) {
        com.fasterxml.jackson.databind.JsonNode p = json(c.prediction());
        com.fasterxml.jackson.databind.JsonNode y = json(c.label());
        if (p.isObject()) {
            double total = 0;
            for (var it = p.elements(); it.hasNext(); ) {
                total += it.next().doubleValue();
            }
            return -Math.log(p.get(y.asText()).doubleValue() / total);
        }
        double q = p.doubleValue();
        return y.asInt() == 1 ? -Math.log(q) : -Math.log1p(-q);
    }

    private static String minutes(Double m) {
        return m == null ? "never" : String.format(Locale.ROOT, "%.1f", m);
    }
}
