package io.losswatch.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rules and the state machine without Kafka. Windows are given directly: 200 events, per-event
 * standard deviation 0.5, so the standard error of a window mean is 0.5/√200 = 0.035355. With no
 * per-event losses fed, the learned skewness stays 0 and the relative alert level of a warm baseline
 * of 0.4 is 0.4 + max(2.75 × 0.035355, 0.2 × 0.4) = 0.497227; its resolve level is
 * 0.4 + 0.25 × 0.097227 = 0.424307.
 */
class AlertEvaluatorTest {
    static final long MIN = 60_000;
    static final long T0 = 1_764_000_000_000L;
    static final double FIRE = 0.4 + 2.75 * 0.5 / Math.sqrt(200);
    static final double RESOLVE = 0.4 + 0.25 * 2.75 * 0.5 / Math.sqrt(200);

    final AlertEvaluator evaluator = new AlertEvaluator(MIN, MIN);
    AlertState state = AlertState.INITIAL;
    final List<Alert> alerts = new ArrayList<>();
    int next;

    static AlertSettings settings(String... keyValues) {
        Map<String, String> raw = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            raw.put(keyValues[i], keyValues[i + 1]);
        }
        return AlertSettings.fromRaw("churn", raw::get);
    }

    /** Feeds the next window (consecutive, one minute each) and returns its alert or null. */
    Alert window(double mean, long count, AlertSettings s) {
        return window(mean, count, 3.0, s);
    }

    Alert window(double mean, long count, double max, AlertSettings s) {
        long start = T0 + next++ * MIN;
        AlertEvaluator.Outcome o = evaluator.onWindow("churn", "v7", state,
                new AlertEvaluator.Window(start, start + MIN, count, mean, 0.5, max), s);
        state = o.state();
        if (o.alert() != null) {
            alerts.add(o.alert());
        }
        return o.alert();
    }

    void warm(AlertSettings s) {
        for (int i = 0; i < s.warmupWindows(); i++) {
            assertThat(window(0.4, 200, s)).isNull();
        }
    }

    @Test
    void theRelativeLevelIsTheBaselinePlusTheLargerOfZStandardErrorsAndTheMinimumRise() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s);
        AlertEvaluator.Level level = AlertEvaluator.relativeLevel(state.baseline(), 200, s);
        assertThat(level.fire()).isCloseTo(0.497227, within(1e-6));
        assertThat(level.resolve()).isCloseTo(0.424307, within(1e-6));
        // with many events the minimum rise (20%) is what counts
        assertThat(AlertEvaluator.relativeLevel(state.baseline(), 100_000, s).fire()).isCloseTo(0.48, within(1e-12));
    }

    @Test
    void firesOnlyAfterKConsecutiveBreachingWindowsAndCarriesWhatTriggeredIt() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s);
        assertThat(window(0.6, 200, s)).as("one breaching window is not enough (K = 2)").isNull();
        Alert a = window(0.62, 200, s);
        assertThat(a).isNotNull();
        assertThat(a.status()).isEqualTo(Alert.FIRING);
        assertThat(a.rule()).isEqualTo(Alert.RELATIVE);
        assertThat(a.model()).isEqualTo("churn");
        assertThat(a.modelVersion()).isEqualTo("v7");
        assertThat(a.meanLoss()).isEqualTo(0.62);
        assertThat(a.baseline()).isCloseTo(0.4, within(1e-12));
        assertThat(a.threshold()).isCloseTo(FIRE, within(1e-9));
        assertThat(a.windowStart()).isEqualTo(T0 + 9 * MIN);
        assertThat(a.windowEnd()).isEqualTo(T0 + 10 * MIN);
        assertThat(a.count()).isEqualTo(200);
        assertThat(a.message()).contains("churn", "v7", "0.62", "0.4972", "baseline 0.4", "2 consecutive windows");
    }

    @Test
    void aQuietWindowBetweenBreachesStartsTheCountAgain() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s);
        assertThat(window(0.6, 200, s)).isNull();
        assertThat(window(0.41, 200, s)).isNull();
        assertThat(window(0.6, 200, s)).isNull();
        assertThat(window(0.6, 200, s)).isNotNull();
    }

    @Test
    void consecutiveWindowsIsConfigurable() {
        AlertSettings s = settings("losswatch.model.churn.alert.consecutive.windows", "3");
        warm(s);
        assertThat(window(0.6, 200, s)).isNull();
        assertThat(window(0.6, 200, s)).isNull();
        assertThat(window(0.6, 200, s)).isNotNull();
    }

    @Test
    void nothingFiresDuringTheWarmUpAndTheBaselineStartsAfterIt() {
        AlertSettings s = AlertSettings.DEFAULTS;
        for (int i = 0; i < 7; i++) {
            assertThat(window(0.4, 200, s)).isNull();
        }
        assertThat(state.baseline().ready(s)).isFalse();
        // windows 8 and 9 are high: the 8th is still learned (warm-up), so it cannot start a breach
        assertThat(window(0.9, 200, s)).isNull();
        assertThat(state.baseline().ready(s)).isTrue();
        assertThat(state.baseline().mean()).as("equal weights while warming up").isCloseTo((7 * 0.4 + 0.9) / 8, within(1e-12));
        assertThat(window(0.9, 200, s)).isNull();
        assertThat(window(0.9, 200, s)).isNotNull();
    }

    @Test
    void windowsBelowTheMinimumCountNeitherFireNorLearnNorBreakAStreak() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s);
        AlertState before = state;
        assertThat(window(5.0, 99, s)).isNull();
        assertThat(state).isSameAs(before);
        assertThat(window(0.6, 200, s)).isNull();
        assertThat(window(0.4, 50, s)).as("too small: says nothing").isNull();
        assertThat(window(0.6, 200, s)).as("the streak survives the small window").isNotNull();
    }

    @Test
    void perModelMinimumCount() {
        AlertSettings s = settings("losswatch.alert.min.count", "500", "losswatch.model.churn.alert.min.count", "50");
        assertThat(s.minCount()).isEqualTo(50);
        assertThat(AlertSettings.fromRaw("other", Map.of("losswatch.alert.min.count", "500")::get).minCount())
                .isEqualTo(500);
    }

    @Test
    void resolvesWithHysteresisAfterRWindowsAtOrBelowTheResolveLevel() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s);
        window(0.6, 200, s);
        assertThat(window(0.6, 200, s).status()).isEqualTo(Alert.FIRING);
        assertThat(window(0.45, 200, s)).as("below the alert level but above the resolve level").isNull();
        assertThat(window(0.41, 200, s)).as("one clear window of four").isNull();
        assertThat(window(0.41, 200, s)).isNull();
        assertThat(window(0.41, 200, s)).isNull();
        assertThat(window(0.47, 200, s)).as("not clear: the count starts again").isNull();
        for (int i = 0; i < 3; i++) {
            assertThat(window(0.41, 200, s)).isNull();
        }
        Alert r = window(0.40, 200, s);
        assertThat(r.status()).isEqualTo(Alert.RESOLVED);
        assertThat(r.rule()).isEqualTo(Alert.RELATIVE);
        assertThat(r.threshold()).isCloseTo(RESOLVE, within(1e-9));
        assertThat(r.baseline()).isCloseTo(0.4, within(1e-12));
        assertThat(r.message()).contains("resolved", "relative_to_baseline", "for 4 windows");
        assertThat(state.firing()).isFalse();
    }

    @Test
    void firesOnceWhileFiring() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s);
        for (int i = 0; i < 20; i++) {
            window(0.9, 200, s);
        }
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0).status()).isEqualTo(Alert.FIRING);
    }

    @Test
    void theBaselineIsFrozenWhileFiring() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s);
        AlertState.Baseline b = state.baseline();
        window(0.9, 200, s);
        window(0.9, 200, s);
        for (int i = 0; i < 10; i++) {
            window(0.45, 200, s); // between the levels: still firing
        }
        assertThat(state.firing()).isTrue();
        assertThat(state.baseline()).isEqualTo(b);
    }

    @Test
    void aRiseTooSmallToFireTeachesTheMeanOnlyTheMidpoint() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s);
        double before = state.baseline().mean();
        double alpha = s.baselineAlpha();
        window(0.49, 200, s); // below the alert level 0.4972, above the midpoint 0.4486
        double midpoint = (0.4 + FIRE) / 2;
        assertThat(state.baseline().mean()).isCloseTo(before + Math.max(alpha, 1.0 / 9) * (midpoint - before),
                within(1e-12));
    }

    @Test
    void oneExtremeLossCannotMakeAWindowBreach() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s);
        // 199 ordinary losses (mean 0.4) and one confident mistake: the mean rises by (34.54 − 0.4)/200
        double withOutlier = (199 * 0.4 + 34.538776) / 200;
        assertThat(withOutlier).isGreaterThan(FIRE);
        for (int i = 0; i < 5; i++) {
            assertThat(window(withOutlier, 200, 34.538776, s)).as("an outlier in every window").isNull();
        }
        assertThat(state.breaches()).isZero();
    }

    @Test
    void absoluteThresholdFiresEvenDuringTheWarmUpAndResolvesAtItsRatio() {
        AlertSettings s = settings("losswatch.model.churn.alert.absolute.threshold", "0.7");
        assertThat(window(0.75, 200, s)).isNull();
        Alert a = window(0.8, 200, s);
        assertThat(a.rule()).isEqualTo(Alert.ABSOLUTE);
        assertThat(a.threshold()).isEqualTo(0.7);
        assertThat(a.baseline()).as("still warming up").isNull();
        assertThat(window(0.64, 200, s)).as("above 0.9 × 0.7").isNull();
        for (int i = 0; i < 3; i++) {
            assertThat(window(0.6, 200, s)).isNull();
        }
        Alert r = window(0.6, 200, s);
        assertThat(r.status()).isEqualTo(Alert.RESOLVED);
        assertThat(r.threshold()).isCloseTo(0.63, within(1e-12));
    }

    @Test
    void absoluteOffByDefault() {
        assertThat(AlertSettings.DEFAULTS.absoluteEnabled()).isFalse();
        AlertSettings s = AlertSettings.DEFAULTS;
        for (int i = 0; i < 5; i++) {
            assertThat(window(30.0, 200, 30.0, s)).isNull();
        }
    }

    @Test
    void relativeRuleCanBeSwitchedOff() {
        AlertSettings s = settings("losswatch.alert.relative.enabled", "false");
        warm(s);
        for (int i = 0; i < 5; i++) {
            assertThat(window(0.9, 200, s)).isNull();
        }
    }

    @Test
    void skewedLossesRaiseTheAlertLevel() {
        AlertState.Baseline symmetric = new AlertState.Baseline(10, 0.02, 0.04, 0.0);
        AlertState.Baseline skewed = new AlertState.Baseline(10, 0.02, 0.04, 8.0);
        AlertSettings s = AlertSettings.DEFAULTS;
        double plain = AlertEvaluator.relativeLevel(symmetric, 100, s).fire();
        double adjusted = AlertEvaluator.relativeLevel(skewed, 100, s).fire();
        // z + (z² − 1)γ/(6√n) = 2.75 + 6.5625 × 8 / 60 = 3.625
        assertThat(plain).isCloseTo(0.02 + 2.75 * 0.02, within(1e-12));
        assertThat(adjusted).isCloseTo(0.02 + 3.625 * 0.02, within(1e-12));
    }

    @Test
    void theBatchSkewnessOfPerEventLossesIsLearned() {
        AlertState.Batch batch = AlertState.Batch.EMPTY;
        // 95 losses at 0 and 5 at 1 (μ 0, σ 1): skewness of a Bernoulli(0.05) = (1 − 2p)/√(p(1 − p))
        for (int i = 0; i < 100; i++) {
            batch = batch.add(i % 20 == 0 ? 1.0 : 0.0, 0.0, 1.0);
        }
        assertThat(batch.skewness()).isCloseTo(0.9 / Math.sqrt(0.05 * 0.95), within(1e-9));
        assertThat(AlertState.Batch.EMPTY.add(1, 0, 1).skewness()).as("too few events").isNaN();
    }

    @Test
    void sequentialDetectorCatchesASharpRiseBeforeTheWindowCloses() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s); // baseline 0.4, per-event σ 0.5
        long t = T0 + next * MIN;
        Alert fired = null;
        int events = 0;
        // losses of 1.9 (3σ above the baseline): each adds 3 − 0.15 = 2.85 to the statistic; 65 is passed at the
        // 23rd (22 × 2.85 = 62.7, 23 × 2.85 = 65.55)
        while (fired == null && events < 200) {
            AlertEvaluator.Outcome o = evaluator.onLoss("churn", "v7", state, t + events * 100L, 1.9, s);
            state = o.state();
            fired = o.alert();
            events++;
        }
        assertThat(events).isEqualTo(23);
        assertThat(fired.rule()).isEqualTo(Alert.SEQUENTIAL);
        assertThat(fired.status()).isEqualTo(Alert.FIRING);
        assertThat(fired.meanLoss()).isCloseTo(1.9, within(1e-12));
        assertThat(fired.baseline()).isCloseTo(0.4, within(1e-12));
        assertThat(fired.threshold()).isCloseTo(0.4 + 0.15 * 0.5, within(1e-12));
        assertThat(fired.windowStart()).isEqualTo(t);
        assertThat(fired.windowEnd()).isEqualTo(t + MIN);
        assertThat(fired.count()).isEqualTo(23);
        assertThat(fired.message()).contains("23 labelled predictions", "before the window");

        // while firing, neither more losses nor the closing windows fire again
        for (int i = 0; i < 100; i++) {
            assertThat(evaluator.onLoss("churn", "v7", state, t + 30_000 + i, 5.0, s).alert()).isNull();
        }
        next++;
        assertThat(window(0.9, 200, s)).isNull();
        assertThat(window(0.9, 200, s)).isNull();
        assertThat(alerts).isEmpty();
    }

    @Test
    void theWindowTheSequentialAlertFiredInDoesNotCountTowardResolving() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s);
        long start = T0 + next * MIN;
        for (int i = 0; i < 23; i++) {
            state = evaluator.onLoss("churn", "v7", state, start + 50_000 + i, 1.9, s).state();
        }
        assertThat(state.firing()).isTrue();
        // the window it fired in closes with an ordinary mean: it began before the alert, so it is ignored
        assertThat(window(0.4, 200, s)).isNull();
        assertThat(state.clears()).isZero();
        for (int i = 0; i < 3; i++) {
            assertThat(window(0.4, 200, s)).isNull();
        }
        assertThat(window(0.4, 200, s).status()).isEqualTo(Alert.RESOLVED);
    }

    @Test
    void oneExtremeLossDoesNotTripTheSequentialDetector() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s);
        long t = T0 + next * MIN;
        AlertEvaluator.Outcome o = evaluator.onLoss("churn", "v7", state, t, 34.538776, s);
        assertThat(o.alert()).isNull();
        // clipped at μ + 8σ: counts as 8 − 0.15 = 7.85 (the threshold is 65)
        assertThat(o.state().sequential().statistic()).isCloseTo(7.85, within(1e-12));
        // ordinary losses (at the baseline) take 0.15 off each: 0.05 is left after 52, zero after 53
        state = o.state();
        for (int i = 1; i <= 52; i++) {
            state = evaluator.onLoss("churn", "v7", state, t + i, 0.4, s).state();
        }
        assertThat(state.sequential().statistic()).isCloseTo(0.05, within(1e-9));
        state = evaluator.onLoss("churn", "v7", state, t + 53, 0.4, s).state();
        assertThat(state.sequential()).isEqualTo(AlertState.Sequential.ZERO);
    }

    @Test
    void noSequentialAlertBeforeTheWarmUpOrWhenSwitchedOff() {
        AlertSettings s = AlertSettings.DEFAULTS;
        window(0.4, 200, s);
        for (int i = 0; i < 500; i++) {
            assertThat(evaluator.onLoss("churn", "v7", state, T0 + MIN + i, 5.0, s).alert()).isNull();
        }
        AlertSettings off = settings("losswatch.alert.sequential.enabled", "false");
        state = AlertState.INITIAL;
        warm(off);
        for (int i = 0; i < 500; i++) {
            AlertEvaluator.Outcome o = evaluator.onLoss("churn", "v7", state, T0 + 20 * MIN + i, 5.0, off);
            assertThat(o.alert()).isNull();
            state = o.state();
        }
    }

    @Test
    void aDisabledModelIsNotWatched() {
        AlertSettings s = settings("losswatch.model.churn.alert.enabled", "false");
        for (int i = 0; i < 20; i++) {
            assertThat(window(i < 10 ? 0.4 : 0.9, 200, s)).isNull();
        }
        assertThat(state).isEqualTo(AlertState.INITIAL);
    }

    // ---- loss batches: what the window aggregator passes on (an intake partial, or one joined prediction)

    /** The batch of these losses as the topology builds it (WindowStats), at event times t0, t0 + 1, … */
    static AlertEvaluator.Losses batch(long t0, double... losses) {
        io.losswatch.loss.WindowStats w = new io.losswatch.loss.WindowStats();
        for (int i = 0; i < losses.length; i++) {
            w.addLoss("log_loss", losses[i], false);
            w.addLossTime(t0 + i);
        }
        return new AlertEvaluator.Losses(w.count, w.sum + w.compensation, w.min, w.max, w.m2, w.m3, w.largest,
                w.firstLossTime, w.lastLossTime);
    }

    /** Feeds the losses one by one, as onLoss, from state; the final state. */
    AlertState oneByOne(AlertState from, long t0, double[] losses, AlertSettings s) {
        AlertState st = from;
        for (int i = 0; i < losses.length; i++) {
            st = evaluator.onLoss("churn", "v7", st, t0 + i, losses[i], s).state();
        }
        return st;
    }

    @Test
    void aBatchOfOneIsExactlyOneLoss() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s); // baseline 0.4, σ 0.5: cap at 0.4 + 8 × 0.5 = 4.4
        long t = T0 + next * MIN;
        AlertState perEvent = state;
        AlertState batched = state;
        for (double x : new double[] {1.9, 0.1, 34.538776, 2.4, 0.0, 1.3}) {
            perEvent = evaluator.onLoss("churn", "v7", perEvent, t, x, s).state();
            batched = evaluator.onLosses("churn", "v7", batched, batch(t, x), s).state();
            assertThat(batched).isEqualTo(perEvent);
            t += 100;
        }
        assertThat(perEvent.sequential().statistic()).as("the detector moved").isGreaterThan(0);
    }

    @Test
    void aBatchOfNIsNLossesWhenTheStatisticStaysAboveZeroAndNothingIsClipped() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s); // baseline 0.4, σ 0.5, δ 0.15: each loss x adds (x − 0.4)/0.5 − 0.15
        long t = T0 + next * MIN;
        // a rise from the first loss on (each adds ≥ 0.45), all below the cap 4.4: no reset, no clipping
        double[] losses = {0.8, 1.2, 0.7, 2.3, 0.9, 1.0, 0.8, 1.6, 0.7, 1.1};
        AlertState perEvent = oneByOne(state, t, losses, s);
        AlertState batched = evaluator.onLosses("churn", "v7", state, batch(t, losses), s).state();
        double expected = 0;
        for (double x : losses) {
            expected += (x - 0.4) / 0.5 - 0.15;
        }
        assertThat(perEvent.sequential().statistic()).isCloseTo(expected, within(1e-12));
        assertThat(batched.sequential().statistic()).isCloseTo(expected, within(1e-12));
        assertThat(batched.sequential().count()).isEqualTo(10);
        assertThat(batched.sequential().sum()).isCloseTo(perEvent.sequential().sum(), within(1e-12));
        assertThat(batched.sequential().since()).isEqualTo(t);
        // the skewness batch: the same power sums of standardised losses
        assertThat(batched.batch().count()).isEqualTo(10);
        assertThat(batched.batch().s1()).isCloseTo(perEvent.batch().s1(), within(1e-9));
        assertThat(batched.batch().s2()).isCloseTo(perEvent.batch().s2(), within(1e-9));
        assertThat(batched.batch().s3()).isCloseTo(perEvent.batch().s3(), within(1e-9));
    }

    @Test
    void aBatchCapsItsLargestLossesAsSingleLossesWouldBe() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s);
        long t = T0 + next * MIN;
        // two confident mistakes and one more above the cap 4.4 among ordinary losses: each counts as 4.4
        double[] losses = {1.5, 34.538776, 1.4, 5.0, 1.6, 34.538776, 2.3, 1.5};
        AlertState perEvent = oneByOne(state, t, losses, s);
        AlertState batched = evaluator.onLosses("churn", "v7", state, batch(t, losses), s).state();
        double expected = 0;
        for (double x : losses) {
            expected += (Math.min(x, 4.4) - 0.4) / 0.5 - 0.15;
        }
        assertThat(batched.sequential().statistic()).isCloseTo(expected, within(1e-9))
                .isCloseTo(perEvent.sequential().statistic(), within(1e-9));
        // and at the skewness's 8σ cap (also 4.4) the three are capped too
        assertThat(batched.batch().s3()).isCloseTo(perEvent.batch().s3(), within(1e-9));
    }

    @Test
    void aBatchNeverRaisesTheStatisticAbovePerEventLosses() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s);
        AlertState warmState = state;
        java.util.Random random = new java.util.Random(42);
        for (int trial = 0; trial < 2_000; trial++) {
            int n = 1 + random.nextInt(60);
            double[] losses = new double[n];
            for (int i = 0; i < n; i++) {
                double u = random.nextDouble();
                // mostly ordinary, a rise, many above the cap, and confident mistakes
                losses[i] = u < 0.05 ? 34.538776 : u < 0.3 ? 2.4 + 3 * random.nextDouble() : 1.5 * random.nextDouble();
            }
            double startStatistic = random.nextDouble() < 0.5 ? 0 : 10 * random.nextDouble();
            AlertState from = warmState.withSequential(startStatistic == 0 ? AlertState.Sequential.ZERO
                    : new AlertState.Sequential(startStatistic, 3, 3.0, T0));
            AlertState perEvent = oneByOne(from, T0, losses, s);
            AlertEvaluator.Outcome batched = evaluator.onLosses("churn", "v7", from, batch(T0, losses), s);
            double b = batched.alert() != null ? Double.POSITIVE_INFINITY : batched.state().sequential().statistic();
            double p = perEvent.firing() ? Double.POSITIVE_INFINITY : perEvent.sequential().statistic();
            assertThat(b).as("trial %d: %s", trial, java.util.Arrays.toString(losses)).isLessThanOrEqualTo(p + 1e-9);
        }
    }

    @Test
    void theClippedSumIsExactBelowTheKeptLargestLossesAndALowerBoundBeyond() {
        java.util.Random random = new java.util.Random(7);
        for (int trial = 0; trial < 2_000; trial++) {
            int n = 2 + random.nextInt(40);
            double[] losses = new double[n];
            int extreme = random.nextInt(n + 1);
            for (int i = 0; i < n; i++) {
                losses[i] = i < extreme ? 2 + 5 * random.nextDouble() : 2 * random.nextDouble();
            }
            double cap = 2.0;
            double exact = 0;
            for (double x : losses) {
                exact += Math.min(x, cap);
            }
            double clipped = batch(T0, losses).clippedSum(cap);
            if (extreme < io.losswatch.loss.WindowStats.LARGEST || extreme == n) {
                assertThat(clipped).as("%d above the cap", extreme).isCloseTo(exact, within(1e-9));
            } else {
                assertThat(clipped).as("%d above the cap", extreme).isLessThanOrEqualTo(exact + 1e-9);
            }
        }
    }

    @Test
    void theSequentialThresholdRisesWithTheModelsVolumeSoItsFalseAlarmsPerWindowDoNot() {
        AlertSettings s = AlertSettings.DEFAULTS;
        // warmed on windows of 1,000 events: λ = 65 + ln(1000 / 200) / (2 × 0.15) = 70.3648
        for (int i = 0; i < s.warmupWindows(); i++) {
            assertThat(window(0.4, 1_000, s)).isNull();
        }
        assertThat(state.baseline().eventsPerWindow()).isCloseTo(1_000, within(1e-9));
        assertThat(AlertEvaluator.sequentialThreshold(s, state.baseline())).isCloseTo(70.36479, within(1e-5));
        long t = T0 + next * MIN;
        // each loss of 1.9 adds 2.85: 24 of them (68.4) fired at 200 events a window, here 25 (71.25) are needed
        double[] losses = new double[24];
        java.util.Arrays.fill(losses, 1.9);
        assertThat(evaluator.onLosses("churn", "v7", state, batch(t, losses), s).alert()).isNull();
        double[] more = new double[25];
        java.util.Arrays.fill(more, 1.9);
        AlertEvaluator.Outcome fired = evaluator.onLosses("churn", "v7", state, batch(t, more), s);
        assertThat(fired.alert()).isNotNull();
        assertThat(fired.alert().message()).contains("> 70.36 per-event");
        // at or below 200 events a window, and for state that never learned it, the configured threshold
        assertThat(AlertEvaluator.sequentialThreshold(s, new AlertState.Baseline(9, 0.4, 0.25, 0, 200))).isEqualTo(65.0);
        assertThat(AlertEvaluator.sequentialThreshold(s, new AlertState.Baseline(9, 0.4, 0.25, 0))).isEqualTo(65.0);
    }

    @Test
    void aBatchCanFireAndSaysWhenItsLossesBegan() {
        AlertSettings s = AlertSettings.DEFAULTS;
        warm(s);
        long t = T0 + next * MIN;
        // each loss of 1.9 adds 1.5/0.5 − 0.15 = 2.85: 23 of them add 65.55 > 65, and one batch of them
        // fires, at its last event time
        double[] losses = new double[23];
        java.util.Arrays.fill(losses, 1.9);
        AlertEvaluator.Outcome o = evaluator.onLosses("churn", "v7", state, batch(t, losses), s);
        assertThat(o.alert()).isNotNull();
        assertThat(o.alert().rule()).isEqualTo(Alert.SEQUENTIAL);
        assertThat(o.alert().count()).isEqualTo(23);
        assertThat(o.alert().meanLoss()).isCloseTo(1.9, within(1e-12));
        assertThat(o.alert().windowStart()).isEqualTo(t);
        assertThat(o.state().firedAt()).isEqualTo(t + 22);
        assertThat(o.state().resolvesFrom()).isEqualTo(t + 23);
        // 22 of them (62.7) do not
        assertThat(evaluator.onLosses("churn", "v7", state, batch(t, java.util.Arrays.copyOf(losses, 22)), s).alert())
                .isNull();
    }
}
