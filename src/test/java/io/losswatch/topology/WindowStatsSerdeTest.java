package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.loss.Calibration;
import io.losswatch.loss.PredictionPoint;
import io.losswatch.loss.PredictionSketch;
import io.losswatch.loss.SparseBins;
import io.losswatch.loss.WindowStats;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The binary store format keeps every field, and state written as JSON by earlier versions still reads. */
class WindowStatsSerdeTest {
    private final WindowStatsSerde serde = new WindowStatsSerde();

    private static WindowStats sample() {
        WindowStats s = new WindowStats();
        s.addLoss("log_loss", 0.25, false);
        s.addLoss("log_loss", 34.5, true);
        s.addLoss("log_loss", 0.75, false);
        s.addLossTime(1_764_000_000_000L);
        s.addLossTime(1_764_000_059_999L);
        s.addBinary(0.93, 1);
        s.addBinary(0.02, 1);
        s.addLabelDelay(1_500);
        s.unlabelled = 3;
        s.pending = -2;
        return s;
    }

    @Test
    void roundTripKeepsEveryField() {
        WindowStats s = sample();
        WindowStats back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", s));
        assertThat(back).usingRecursiveComparison().isEqualTo(s);
    }

    @Test
    void emptyStatsAndNullRoundTrip() {
        WindowStats empty = new WindowStats();
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", empty)))
                .usingRecursiveComparison().isEqualTo(empty);
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    /** A window with every part a segment's window or partial carries: the binary counts, a sketch and a calibration. */
    private static WindowStats withSketch() {
        WindowStats s = sample();
        for (double p : new double[] {0.93, 0.02, 0.5, 1e-12, 0.999_999}) {
            PredictionPoint point = PredictionPoint.of(io.losswatch.topology.Json.MAPPER.getNodeFactory().numberNode(p),
                    java.util.Optional.empty(), 1e-15);
            s.addPrediction(point);
            s.learn("log_loss", point.lessonFor(io.losswatch.topology.Json.MAPPER.getNodeFactory().numberNode(p),
                    io.losswatch.topology.Json.MAPPER.getNodeFactory().numberNode(1), 1e-15));
        }
        s.sketch.drift.add(-7, 3.5); // a value that is no count
        s.sketch.drift.add(1_000_000, (double) (1L << 53)); // a count no int holds
        s.calibration.bins.add(30, -0.0, Double.NaN, Double.NEGATIVE_INFINITY); // no bin of the five predictions
        s.estimatedLoss = 0.125;
        return s;
    }

    @Test
    void theCompactFormKeepsEveryBitOfTheBins() {
        WindowStats s = withSketch();
        byte[] bytes = serde.serializer().serialize("t", s);
        assertThat(bytes[0]).isEqualTo((byte) 5);
        WindowStats back = serde.deserializer().deserialize("t", bytes);
        assertSame(back, s);
        assertThat(bits(back.sketch.drift)).containsExactly(bits(s.sketch.drift));
        assertThat(bits(back.sketch.estimation)).containsExactly(bits(s.sketch.estimation));
        assertThat(bits(back.calibration.bins)).containsExactly(bits(s.calibration.bins));
        assertThat(back.calibration.bins.keys()).containsExactly(s.calibration.bins.keys());
        assertThat(bytes.length).as("smaller than the previous form").isLessThan(form4(s).length);
    }

    /** {@link #withSketch()} in form 4, as 20e1a49 wrote it (hex printed by that build): pins the oracle below. */
    private static final String FORM_4_WITH_SKETCH = "0400086c6f675f6c6f737300000000000000034041c000000000000000000000000000408816555555555640c10cfc71c71c723fd0000000000000404140000000000000000000000000010340414000000000003fe80000000000003fd00000000000000000019ab697e8000000019ab698d25f0000000000000001409770000000000000000000000005dc00000000000000023fee666666666667000000000000000200000000000000010000000000000003fffffffffffffffe01013f947ae147ae147b010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000013fedc28f5c28f5c3013fc0000000000000000100000000000000050000000000000005400399991361e56000086c6f675f6c6f73730107bf0202f201024001400c0000000000000e023202e20102ec867a808080808080802005057702013d719799812df3bd01403ba18a998ffe87014087dbc9602485d001c03ba18a998ffe875802013f94b004bce0abf201400f2272ae325a5701402e4ae346ceb6e401c00f2272ae325a572002013fe62e42fefa39ef0000001402014005462a20517d0101c004b18a2ece7fb501401ac38b7af94001014004b18a2ece7fb55a0201402ba18a998fc06401c02ba18a7801d009014067dbc92631ce1e01402ba18a7801d009ffffffffffffffff01000000000000000500086c6f675f6c6f7373030677020201c03ba18a998ffe8758020201c00f2272ae325a5720020200140202014004b18a2ece7fb52800017ff800000000000001fff000000000000032020201402ba18a7801d009ffffffff";

    @Test
    void readsForm4AsThePreviousVersionWroteIt() {
        byte[] written = java.util.HexFormat.of().parseHex(FORM_4_WITH_SKETCH);
        assertThat(form4(withSketch())).as("this test's form-4 writer").containsExactly(written);
        WindowStats back = serde.deserializer().deserialize("t", written);
        assertSame(back, withSketch());
        assertThat(bits(back.calibration.bins)).containsExactly(bits(withSketch().calibration.bins));
    }

    @Test
    void readsTheFormsEarlierVersionsWrote() {
        WindowStats s = withSketch();
        for (byte[] earlier : new byte[][] {form4(s), previousForm(s)}) {
            WindowStats back = serde.deserializer().deserialize("t", earlier);
            assertSame(back, s);
            assertThat(bits(back.calibration.bins)).containsExactly(bits(s.calibration.bins));
        }
    }

    /**
     * One loss of 0.5, laid out by hand: only the fields a new window does not have follow the mask (count,
     * sum, min, max, the largest losses: bits 0, 1, 5, 6 and 8, 355, the varint E3 02).
     */
    @Test
    void aWindowOfOneLossCarriesOnlyWhatItHas() {
        WindowStats s = new WindowStats();
        s.addLoss("log_loss", 0.5, false);
        ByteBuffer expected = ByteBuffer.allocate(46).put((byte) 5).put((byte) 10)
                .put("log_loss".getBytes(StandardCharsets.UTF_8)).put((byte) 0xE3).put((byte) 0x02)
                .put((byte) 2) // count 1, zigzag
                .putDouble(0.5).putDouble(0.5).putDouble(0.5) // sum, min, max
                .put((byte) 1).putDouble(0.5); // one largest loss
        byte[] bytes = serde.serializer().serialize("t", s);
        assertThat(bytes).containsExactly(expected.array());
        assertThat(serde.deserializer().deserialize("t", bytes)).usingRecursiveComparison().isEqualTo(s);
    }

    /** What the intake sends for a model whose window got one labelled binary prediction: form 4 took 406 bytes. */
    @Test
    void aPartialOfOnePredictionIsLessThanHalfTheSizeOfForm4() {
        WindowStats s = new WindowStats();
        com.fasterxml.jackson.databind.JsonNode p = Json.MAPPER.getNodeFactory().numberNode(0.3);
        com.fasterxml.jackson.databind.JsonNode y = Json.MAPPER.getNodeFactory().numberNode(1);
        io.losswatch.loss.Score.Loss loss = (io.losswatch.loss.Score.Loss) new io.losswatch.loss.Scorer(1e-15)
                .score(java.util.Optional.empty(), p, y);
        s.addScored(loss, 1_764_000_000_000L);
        PredictionPoint point = PredictionPoint.of(p, java.util.Optional.empty(), 1e-15);
        s.addPrediction(point);
        s.learn(loss.function().id(), point.lessonFor(p, y, 1e-15));
        byte[] bytes = serde.serializer().serialize("t", s);
        assertThat(form4(s)).hasSize(406);
        assertThat(bytes.length).isLessThan(406 / 2);
        assertSame(serde.deserializer().deserialize("t", bytes), s);
    }

    /** Any value in any field, special doubles and extreme longs included, reads back bit for bit. */
    @net.jqwik.api.Property(tries = 300)
    void everyFieldReadsBackBitForBit(@net.jqwik.api.ForAll long seed) {
        WindowStats s = randomStats(new java.util.Random(seed));
        WindowStats back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", s));
        // every double by its bits: AssertJ's default comparison takes -0.0 for 0.0 and no NaN for a NaN
        assertThat(back).usingRecursiveComparison()
                .withComparatorForType((a, b) -> Long.compare(Double.doubleToRawLongBits(a), Double.doubleToRawLongBits(b)),
                        Double.class)
                .ignoringFields("sketch.drift", "sketch.estimation", "calibration.bins").isEqualTo(s);
        if (s.sketch != null) {
            assertThat(bits(back.sketch.drift)).containsExactly(bits(s.sketch.drift));
            assertThat(back.sketch.drift.keys()).containsExactly(s.sketch.drift.keys());
            assertThat(bits(back.sketch.estimation)).containsExactly(bits(s.sketch.estimation));
        }
        if (s.calibration != null) {
            assertThat(bits(back.calibration.bins)).containsExactly(bits(s.calibration.bins));
        }
    }

    private static final double[] DOUBLES = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE, Double.MAX_VALUE, 1.0, 3.0, 0.1, 1e300, -7.25, (double) (1L << 62), (double) (1L << 53)};
    private static final long[] LONGS = {0, 1, -1, 127, 128, Long.MAX_VALUE, Long.MIN_VALUE, 1_764_000_000_000L,
            -1_764_000_000_000L};

    private static double aDouble(java.util.Random r) {
        return r.nextBoolean() ? DOUBLES[r.nextInt(DOUBLES.length)] : r.nextGaussian() * 1e3;
    }

    private static long aLong(java.util.Random r) {
        return r.nextBoolean() ? LONGS[r.nextInt(LONGS.length)] : r.nextLong() >> r.nextInt(64);
    }

    private static SparseBins aBins(java.util.Random r, int width) {
        SparseBins bins = new SparseBins(width);
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            double[] row = new double[width];
            for (int c = 0; c < width; c++) {
                row[c] = aDouble(r);
            }
            bins.add(r.nextInt(2_000) - 1_000, row);
        }
        return bins;
    }

    private static double[] anArray(java.util.Random r) {
        if (r.nextBoolean()) {
            return null;
        }
        double[] a = new double[r.nextInt(4)];
        for (int i = 0; i < a.length; i++) {
            a[i] = aDouble(r);
        }
        return a;
    }

    private static String aFunction(java.util.Random r, String base) {
        return switch (r.nextInt(4)) {
            case 0 -> null;
            case 1 -> base;
            case 2 -> "log_loss";
            default -> "fünf";
        };
    }

    /** Each field left as a new window has it, or given a value: any field may differ from its default alone. */
    static WindowStats randomStats(java.util.Random r) {
        WindowStats s = new WindowStats();
        s.lossFunction = aFunction(r, null);
        if (r.nextBoolean()) s.count = aLong(r);
        if (r.nextBoolean()) s.sum = aDouble(r);
        if (r.nextBoolean()) s.compensation = aDouble(r);
        if (r.nextBoolean()) s.m2 = aDouble(r);
        if (r.nextBoolean()) s.m3 = aDouble(r);
        if (r.nextBoolean()) s.min = aDouble(r);
        if (r.nextBoolean()) s.max = aDouble(r);
        if (r.nextBoolean()) s.clipped = aLong(r);
        if (r.nextBoolean()) {
            s.largest = new double[1 + r.nextInt(WindowStats.LARGEST)];
            for (int i = 0; i < s.largest.length; i++) s.largest[i] = aDouble(r);
        }
        if (r.nextBoolean()) s.firstLossTime = aLong(r);
        if (r.nextBoolean()) s.lastLossTime = aLong(r);
        if (r.nextBoolean()) s.joined = aLong(r);
        if (r.nextBoolean()) s.labelDelaySum = aDouble(r);
        if (r.nextBoolean()) s.labelDelayMax = aLong(r);
        if (r.nextBoolean()) s.binaryCount = aLong(r);
        if (r.nextBoolean()) s.predictionSum = aDouble(r);
        if (r.nextBoolean()) s.positives = aLong(r);
        if (r.nextBoolean()) s.correct = aLong(r);
        if (r.nextBoolean()) s.unlabelled = aLong(r);
        if (r.nextBoolean()) s.pending = aLong(r);
        if (r.nextBoolean()) {
            s.binCount = new long[WindowStats.CALIBRATION_BINS];
            s.binPredictionSum = new double[WindowStats.CALIBRATION_BINS];
            s.binPositives = new long[WindowStats.CALIBRATION_BINS];
            for (int i = 0; i < WindowStats.CALIBRATION_BINS; i++) {
                if (r.nextInt(3) == 0) s.binCount[i] = aLong(r);
                if (r.nextInt(3) == 0) s.binPredictionSum[i] = aDouble(r);
                if (r.nextInt(3) == 0) s.binPositives[i] = aLong(r);
            }
        }
        if (r.nextBoolean()) s.estimatedLoss = aDouble(r);
        s.labelFreePublished = r.nextBoolean();
        if (r.nextBoolean()) {
            PredictionSketch k = new PredictionSketch();
            k.count = aLong(r);
            k.estimable = aLong(r);
            k.valueSum = aDouble(r);
            k.function = aFunction(r, s.lossFunction);
            k.drift = aBins(r, 1);
            k.estimation = aBins(r, PredictionSketch.EST_WIDTH);
            k.temperatureMean = anArray(r);
            k.temperatureVariance = anArray(r);
            s.sketch = k;
        }
        if (r.nextBoolean()) {
            Calibration c = new Calibration();
            c.count = aLong(r);
            c.function = aFunction(r, s.lossFunction);
            c.bins = aBins(r, 3);
            c.temperatureLogLikelihood = anArray(r);
            s.calibration = c;
        }
        return s;
    }

    /** Version 4, as the previous version wrote it (its writer, verbatim, on a ByteBuffer). */
    static byte[] form4(WindowStats s) {
        byte[] function = s.lossFunction == null ? null : s.lossFunction.getBytes(StandardCharsets.UTF_8);
        boolean bins = s.binCount != null;
        int largest = s.largest == null ? 0 : s.largest.length;
        PredictionSketch k = s.sketch;
        Calibration c = s.calibration;
        int binsSize = 0;
        if (bins) {
            for (int i = 0; i < WindowStats.CALIBRATION_BINS; i++) {
                binsSize += varLongSize(s.binCount[i]) + 8 + varLongSize(s.binPositives[i]);
            }
        }
        int sketchSize = 1 + (k == null ? 0 : 24 + EarlierForms.stringSize(k.function) + compactBinsSize(k.drift)
                + compactBinsSize(k.estimation) + EarlierForms.arraySize(k.temperatureMean)
                + EarlierForms.arraySize(k.temperatureVariance));
        int calibrationSize = 1 + (c == null ? 0 : 8 + EarlierForms.stringSize(c.function) + compactBinsSize(c.bins)
                + EarlierForms.arraySize(c.temperatureLogLikelihood));
        ByteBuffer b = ByteBuffer.allocate(1 + 2 + (function == null ? 0 : function.length) + 19 * 8 + 1 + largest * 8 + 1
                + binsSize + 8 + 1 + sketchSize + calibrationSize);
        b.put((byte) 4);
        if (function == null) {
            b.putShort((short) -1);
        } else {
            b.putShort((short) function.length).put(function);
        }
        b.putLong(s.count).putDouble(s.sum).putDouble(s.compensation).putDouble(s.m2).putDouble(s.m3)
                .putDouble(s.min).putDouble(s.max).putLong(s.clipped).put((byte) largest);
        for (int i = 0; i < largest; i++) {
            b.putDouble(s.largest[i]);
        }
        b.putLong(s.firstLossTime).putLong(s.lastLossTime)
                .putLong(s.joined).putDouble(s.labelDelaySum).putLong(s.labelDelayMax)
                .putLong(s.binaryCount).putDouble(s.predictionSum).putLong(s.positives).putLong(s.correct)
                .putLong(s.unlabelled).putLong(s.pending);
        b.put((byte) (bins ? 1 : 0));
        if (bins) {
            for (int i = 0; i < WindowStats.CALIBRATION_BINS; i++) {
                putVarLong(b, s.binCount[i]);
                b.putDouble(s.binPredictionSum[i]);
                putVarLong(b, s.binPositives[i]);
            }
        }
        b.putDouble(s.estimatedLoss == null ? Double.NaN : s.estimatedLoss).put((byte) (s.labelFreePublished ? 1 : 0));
        b.put((byte) (k == null ? 0 : 1));
        if (k != null) {
            b.putLong(k.count).putLong(k.estimable).putDouble(k.valueSum);
            EarlierForms.writeString(b, k.function);
            writeCompactBins(b, k.drift);
            writeCompactBins(b, k.estimation);
            EarlierForms.writeArray(b, k.temperatureMean);
            EarlierForms.writeArray(b, k.temperatureVariance);
        }
        b.put((byte) (c == null ? 0 : 1));
        if (c != null) {
            b.putLong(c.count);
            EarlierForms.writeString(b, c.function);
            writeCompactBins(b, c.bins);
            EarlierForms.writeArray(b, c.temperatureLogLikelihood);
        }
        return b.array();
    }

    /** Form 4's compact bins on a ByteBuffer: 20e1a49's writer, verbatim. */
    static int compactBinsSize(SparseBins bins) {
        int size = 1 + varLongSize(bins.size());
        long previous = 0;
        for (int i = 0; i < bins.size(); i++) {
            size += varLongSize(zigzag(bins.key(i) - previous));
            previous = bins.key(i);
            for (int c = 0; c < bins.width(); c++) {
                size += compactValueSize(bins.value(i, c));
            }
        }
        return size;
    }

    static void writeCompactBins(ByteBuffer b, SparseBins bins) {
        b.put((byte) bins.width());
        putVarLong(b, bins.size());
        long previous = 0;
        for (int i = 0; i < bins.size(); i++) {
            putVarLong(b, zigzag(bins.key(i) - previous));
            previous = bins.key(i);
            for (int c = 0; c < bins.width(); c++) {
                writeCompactValue(b, bins.value(i, c));
            }
        }
    }

    private static boolean whole(double v) {
        long l = (long) v;
        return l >= 0 && l < (1L << 62) && Double.doubleToRawLongBits(v) == Double.doubleToRawLongBits((double) l);
    }

    private static int compactValueSize(double v) {
        return whole(v) ? varLongSize((long) v << 1) : 9;
    }

    private static void writeCompactValue(ByteBuffer b, double v) {
        if (whole(v)) {
            putVarLong(b, (long) v << 1);
        } else {
            b.put((byte) 1).putDouble(v);
        }
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static int varLongSize(long v) {
        int size = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            size++;
        }
        return size;
    }

    private static void putVarLong(ByteBuffer b, long v) {
        while ((v & ~0x7FL) != 0) {
            b.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v);
    }

    /** Every field; bins by their bins in use (their arrays' spare room differs). */
    private static void assertSame(WindowStats back, WindowStats s) {
        assertThat(back).usingRecursiveComparison()
                .ignoringFields("sketch.drift", "sketch.estimation", "calibration.bins").isEqualTo(s);
        assertThat(back.sketch.drift).isEqualTo(s.sketch.drift);
        assertThat(back.sketch.estimation).isEqualTo(s.sketch.estimation);
        assertThat(back.calibration.bins).isEqualTo(s.calibration.bins);
    }

    private static long[] bits(SparseBins bins) {
        double[] values = bins.values();
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Double.doubleToRawLongBits(values[i]);
        }
        return out;
    }

    /** Version 3, as the previous version wrote it (its writer, verbatim). */
    static byte[] previousForm(WindowStats s) {
        byte[] function = s.lossFunction == null ? null : s.lossFunction.getBytes(StandardCharsets.UTF_8);
        boolean bins = s.binCount != null;
        int largest = s.largest == null ? 0 : s.largest.length;
        PredictionSketch k = s.sketch;
        Calibration c = s.calibration;
        int sketchSize = 1 + (k == null ? 0 : 24 + EarlierForms.stringSize(k.function) + EarlierForms.binsSize(k.drift)
                + EarlierForms.binsSize(k.estimation) + EarlierForms.arraySize(k.temperatureMean)
                + EarlierForms.arraySize(k.temperatureVariance));
        int calibrationSize = 1 + (c == null ? 0 : 8 + EarlierForms.stringSize(c.function)
                + EarlierForms.binsSize(c.bins) + EarlierForms.arraySize(c.temperatureLogLikelihood));
        int size = 1 + 2 + (function == null ? 0 : function.length) + 19 * 8 + 1 + largest * 8 + 1
                + (bins ? WindowStats.CALIBRATION_BINS * 24 : 0) + 8 + 1 + sketchSize + calibrationSize;
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put((byte) 3);
        if (function == null) {
            b.putShort((short) -1);
        } else {
            b.putShort((short) function.length).put(function);
        }
        b.putLong(s.count).putDouble(s.sum).putDouble(s.compensation).putDouble(s.m2).putDouble(s.m3)
                .putDouble(s.min).putDouble(s.max).putLong(s.clipped).put((byte) largest);
        for (int i = 0; i < largest; i++) {
            b.putDouble(s.largest[i]);
        }
        b.putLong(s.firstLossTime).putLong(s.lastLossTime)
                .putLong(s.joined).putDouble(s.labelDelaySum).putLong(s.labelDelayMax)
                .putLong(s.binaryCount).putDouble(s.predictionSum).putLong(s.positives).putLong(s.correct)
                .putLong(s.unlabelled).putLong(s.pending);
        b.put((byte) (bins ? 1 : 0));
        if (bins) {
            for (int i = 0; i < WindowStats.CALIBRATION_BINS; i++) {
                b.putLong(s.binCount[i]).putDouble(s.binPredictionSum[i]).putLong(s.binPositives[i]);
            }
        }
        b.putDouble(s.estimatedLoss == null ? Double.NaN : s.estimatedLoss).put((byte) (s.labelFreePublished ? 1 : 0));
        b.put((byte) (k == null ? 0 : 1));
        if (k != null) {
            b.putLong(k.count).putLong(k.estimable).putDouble(k.valueSum);
            EarlierForms.writeString(b, k.function);
            EarlierForms.writeBins(b, k.drift);
            EarlierForms.writeBins(b, k.estimation);
            EarlierForms.writeArray(b, k.temperatureMean);
            EarlierForms.writeArray(b, k.temperatureVariance);
        }
        b.put((byte) (c == null ? 0 : 1));
        if (c != null) {
            b.putLong(c.count);
            EarlierForms.writeString(b, c.function);
            EarlierForms.writeBins(b, c.bins);
            EarlierForms.writeArray(b, c.temperatureLogLikelihood);
        }
        return b.array();
    }

    @Test
    void readsTheJsonFormOfEarlierVersions() {
        WindowStats s = sample();
        byte[] json = new JsonSerde<>(WindowStats.class).serializer().serialize("t", s);
        assertThat(serde.deserializer().deserialize("t", json)).usingRecursiveComparison().isEqualTo(s);
    }
}
