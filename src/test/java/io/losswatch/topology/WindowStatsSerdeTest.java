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
        assertThat(bytes[0]).isEqualTo((byte) 4);
        WindowStats back = serde.deserializer().deserialize("t", bytes);
        assertSame(back, s);
        assertThat(bits(back.sketch.drift)).containsExactly(bits(s.sketch.drift));
        assertThat(bits(back.sketch.estimation)).containsExactly(bits(s.sketch.estimation));
        assertThat(bits(back.calibration.bins)).containsExactly(bits(s.calibration.bins));
        assertThat(back.calibration.bins.keys()).containsExactly(s.calibration.bins.keys());
        assertThat(bytes.length).as("smaller than the previous form").isLessThan(previousForm(s).length);
    }

    @Test
    void readsTheFormThePreviousVersionWrote() {
        WindowStats s = withSketch();
        WindowStats back = serde.deserializer().deserialize("t", previousForm(s));
        assertSame(back, s);
        assertThat(bits(back.calibration.bins)).containsExactly(bits(s.calibration.bins));
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
        int sketchSize = 1 + (k == null ? 0 : 24 + WindowStatsSerde.stringSize(k.function) + WindowStatsSerde.binsSize(k.drift)
                + WindowStatsSerde.binsSize(k.estimation) + WindowStatsSerde.arraySize(k.temperatureMean)
                + WindowStatsSerde.arraySize(k.temperatureVariance));
        int calibrationSize = 1 + (c == null ? 0 : 8 + WindowStatsSerde.stringSize(c.function)
                + WindowStatsSerde.binsSize(c.bins) + WindowStatsSerde.arraySize(c.temperatureLogLikelihood));
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
            WindowStatsSerde.writeString(b, k.function);
            WindowStatsSerde.writeBins(b, k.drift);
            WindowStatsSerde.writeBins(b, k.estimation);
            WindowStatsSerde.writeArray(b, k.temperatureMean);
            WindowStatsSerde.writeArray(b, k.temperatureVariance);
        }
        b.put((byte) (c == null ? 0 : 1));
        if (c != null) {
            b.putLong(c.count);
            WindowStatsSerde.writeString(b, c.function);
            WindowStatsSerde.writeBins(b, c.bins);
            WindowStatsSerde.writeArray(b, c.temperatureLogLikelihood);
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
