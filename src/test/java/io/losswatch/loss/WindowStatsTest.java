package io.losswatch.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The window accumulator against exact BigDecimal arithmetic. */
class WindowStatsTest {

    private static double exactMean(List<Double> xs) {
        BigDecimal sum = BigDecimal.ZERO;
        for (double x : xs) {
            sum = sum.add(new BigDecimal(x));
        }
        return sum.divide(new BigDecimal(xs.size()), MathContext.DECIMAL128).doubleValue();
    }

    private static double exactPopulationVariance(List<Double> xs) {
        BigDecimal mean = BigDecimal.ZERO;
        for (double x : xs) {
            mean = mean.add(new BigDecimal(x));
        }
        mean = mean.divide(new BigDecimal(xs.size()), MathContext.DECIMAL128);
        BigDecimal squares = BigDecimal.ZERO;
        for (double x : xs) {
            BigDecimal d = new BigDecimal(x).subtract(mean);
            squares = squares.add(d.multiply(d));
        }
        return squares.divide(new BigDecimal(xs.size()), MathContext.DECIMAL128).doubleValue();
    }

    /** Σ(x − mean)³, the third central moment's sum, exactly (up to the mean's 34 digits). */
    private static double exactThirdCentralSum(List<Double> xs) {
        BigDecimal mean = BigDecimal.ZERO;
        for (double x : xs) {
            mean = mean.add(new BigDecimal(x));
        }
        mean = mean.divide(new BigDecimal(xs.size()), MathContext.DECIMAL128);
        BigDecimal cubes = BigDecimal.ZERO;
        for (double x : xs) {
            BigDecimal d = new BigDecimal(x).subtract(mean);
            cubes = cubes.add(d.multiply(d).multiply(d));
        }
        return cubes.doubleValue();
    }

    @Test
    void handWorkedWindow() {
        WindowStats s = new WindowStats();
        for (double l : new double[] {1, 2, 3, 4}) {
            s.addLoss("mae", l, false);
        }
        // mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, / 4 = 1.25
        assertThat(s.count).isEqualTo(4);
        assertThat(s.mean()).isEqualTo(2.5);
        assertThat(s.variance()).isEqualTo(1.25);
        assertThat(s.min).isEqualTo(1.0);
        assertThat(s.max).isEqualTo(4.0);
    }

    @Test
    void manySmallLossesAndOneLargeDoNotDrift() {
        // 1,000,000 losses of 1e-9 next to one of 34.5: a naive running sum loses most of the small ones
        List<Double> xs = new ArrayList<>();
        WindowStats s = new WindowStats();
        s.addLoss("log_loss", 34.5, false);
        xs.add(34.5);
        double naive = 34.5;
        for (int i = 0; i < 1_000_000; i++) {
            s.addLoss("log_loss", 1e-9 + i * 1e-18, false);
            xs.add(1e-9 + i * 1e-18);
            naive += 1e-9 + i * 1e-18;
        }
        double exact = exactMean(xs);
        assertThat(Math.abs(naive / xs.size() - exact)).as("the naive sum does drift").isGreaterThan(1e-18);
        assertThat(s.mean()).isCloseTo(exact, within(Math.ulp(exact)));
    }

    @Test
    void binaryCalibrationFigures() {
        WindowStats s = new WindowStats();
        // (0.95, 1) bin 9; (0.85, 0) bin 8; (0.15, 0) bin 1; (0.05, 1) bin 0
        s.addBinary(0.95, 1);
        s.addBinary(0.85, 0);
        s.addBinary(0.15, 0);
        s.addBinary(0.05, 1);
        // accuracy at 0.5: right, wrong, right, wrong → 2 of 4
        assertThat(s.correct).isEqualTo(2);
        assertThat(s.positives).isEqualTo(2);
        // ECE = (1/4)(|0.95−1| + |0.85−0| + |0.15−0| + |0.05−1|) = (0.05 + 0.85 + 0.15 + 0.95)/4 = 0.5
        assertThat(s.expectedCalibrationError()).isCloseTo(0.5, within(1e-15));
    }

    @Property(tries = 200)
    void mergingPiecesEqualsAddingOneByOne(@ForAll @Size(min = 1, max = 200) List<@DoubleRange(min = 0, max = 40) Double> xs,
                                          @ForAll @IntRange(min = 1, max = 7) int pieces,
                                          @ForAll long seed) {
        Random random = new Random(seed);
        List<WindowStats> parts = new ArrayList<>();
        for (int i = 0; i < pieces; i++) {
            parts.add(new WindowStats());
        }
        for (double x : xs) {
            parts.get(random.nextInt(pieces)).addLoss("log_loss", x, x > 34);
        }
        WindowStats merged = new WindowStats();
        for (WindowStats p : parts) {
            merged.merge(p);
        }
        assertThat(merged.count).isEqualTo(xs.size());
        double mean = exactMean(xs);
        assertThat(merged.mean()).isCloseTo(mean, within(1e-13 * Math.max(1, mean)));
        assertThat(merged.variance()).isCloseTo(exactPopulationVariance(xs), within(1e-9));
        assertThat(merged.min).isEqualTo(xs.stream().mapToDouble(d -> d).min().orElseThrow());
        assertThat(merged.max).isEqualTo(xs.stream().mapToDouble(d -> d).max().orElseThrow());
        assertThat(merged.clipped).isEqualTo(xs.stream().filter(x -> x > 34).count());
        double m3 = exactThirdCentralSum(xs);
        assertThat(merged.m3).isCloseTo(m3, within(1e-9 * Math.max(1, Math.abs(m3)) + 1e-9 * xs.size()));
        double[] descending = xs.stream().mapToDouble(d -> -d).sorted().map(d -> -d)
                .limit(WindowStats.LARGEST).toArray();
        assertThat(merged.largest).containsExactly(descending);
    }

    @Test
    void handWorkedThirdMomentAndLargestLosses() {
        WindowStats s = new WindowStats();
        for (double l : new double[] {1, 2, 3, 10, 0.5, 4}) {
            s.addLoss("mae", l, false);
        }
        // mean 20.5/6; Σ(x − mean)³ by hand in exact fractions: mean = 41/12
        double mean = 41.0 / 12;
        double cubes = 0;
        for (double l : new double[] {1, 2, 3, 10, 0.5, 4}) {
            cubes += (l - mean) * (l - mean) * (l - mean);
        }
        assertThat(s.m3).isCloseTo(cubes, within(1e-12));
        assertThat(s.m3).as("skewed right").isGreaterThan(0);
        assertThat(s.largest).containsExactly(10, 4, 3, 2);
        WindowStats one = new WindowStats();
        one.addLoss("mae", 0.25, false);
        assertThat(one.m3).isZero();
        assertThat(one.largest).containsExactly(0.25);
    }

    @Test
    void lossTimesSpanTheScoredEvents() {
        WindowStats a = new WindowStats();
        a.addLoss("mae", 1, false);
        a.addLossTime(5_000);
        WindowStats b = new WindowStats();
        b.addLoss("mae", 1, false);
        b.addLossTime(2_000);
        b.addLoss("mae", 1, false);
        b.addLossTime(9_000);
        WindowStats pendingOnly = new WindowStats();
        pendingOnly.pending = 1;
        a.merge(b);
        a.merge(pendingOnly);
        assertThat(a.firstLossTime).isEqualTo(2_000);
        assertThat(a.lastLossTime).isEqualTo(9_000);
    }

    /**
     * addScored is the intake's shortcut for merging a one-event summary: every field must come out
     * bit for bit as merge gives it (doubles compared by their bits, so -0.0 and 0.0 differ), over
     * mixed functions, magnitudes, clipping, binary and non-binary events and times.
     */
    @Property(tries = 300)
    void addScoredIsMergingTheOneEventSummary(@ForAll("seeds") long seed) {
        Random r = new Random(seed);
        WindowStats merged = new WindowStats();
        WindowStats added = new WindowStats();
        int n = 1 + r.nextInt(40);
        for (int i = 0; i < n; i++) {
            LossFunction function = r.nextInt(10) == 0 ? LossFunction.MSE : LossFunction.LOG_LOSS;
            double loss = switch (r.nextInt(5)) {
                case 0 -> 0.0;
                case 1 -> 34.538776394910684;
                case 2 -> r.nextDouble() * 1e-12;
                case 3 -> r.nextDouble() * 1e6;
                default -> -Math.log(r.nextDouble());
            };
            boolean binary = function == LossFunction.LOG_LOSS;
            double p = binary ? (r.nextInt(8) == 0 ? (double) r.nextInt(2) : r.nextDouble()) : Double.NaN;
            Score.Loss score = new Score.Loss(function, loss, r.nextInt(20) == 0, p, binary ? r.nextInt(2) : -1);
            long time = 1_764_000_000_000L + r.nextInt(60_000);

            WindowStats one = new WindowStats();
            one.addLoss(score.function().id(), score.loss(), score.clipped());
            one.addLossTime(time);
            if (score.isBinary()) {
                one.addBinary(score.binaryProbability(), score.binaryLabel());
            }
            merged.merge(one);
            added.addScored(score, time);
        }
        assertThat(fields(added)).isEqualTo(fields(merged));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Long> seeds() {
        return net.jqwik.api.Arbitraries.longs();
    }

    /** Every public field, doubles as their raw bits, arrays as lists. */
    private static List<Object> fields(WindowStats s) {
        List<Object> out = new ArrayList<>();
        for (java.lang.reflect.Field f : WindowStats.class.getFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            try {
                Object v = f.get(s);
                if (v instanceof Double d) {
                    v = Double.doubleToRawLongBits(d);
                } else if (v instanceof double[] a) {
                    v = java.util.Arrays.stream(a).mapToObj(Double::doubleToRawLongBits).toList();
                } else if (v instanceof long[] a) {
                    v = java.util.Arrays.stream(a).boxed().toList();
                }
                out.add(f.getName() + "=" + v);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }
}
