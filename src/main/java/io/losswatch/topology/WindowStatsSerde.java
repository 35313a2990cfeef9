package io.losswatch.topology;

import io.losswatch.loss.Calibration;
import io.losswatch.loss.PredictionSketch;
import io.losswatch.loss.SparseBins;
import io.losswatch.loss.WindowStats;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import java.nio.charset.StandardCharsets;

/**
 * {@link WindowStats} in a fixed binary layout, for state stores written once per event: an order of
 * magnitude cheaper than JSON, whose number formatting and parsing dominated the prediction intake
 * (docs/benchmarks.md). Values written as JSON by earlier versions (they start with '{') are still
 * read, so existing state and changelogs restore. Null passes through.
 */
public final class WindowStatsSerde extends BinarySerde<WindowStats> {
    /**
     * First byte of the binary form; JSON starts with '{'. 2 added m3, the largest losses and the losses' first
     * and last time; 3 the estimate, the prediction sketch and the calibration (CONTRACT §9); 4 the same fields
     * with the bins and the binary calibration's counts in a compact form ({@link #writeCompactBins}); 5 writes
     * only the fields that differ from a new window's, behind a mask, counts as varints and the binary
     * calibration's bins in use only: a partial of one event took 406 bytes in form 4 (19 fixed numbers, ten
     * bins), and with many models or segment values most partials and windows hold a few events
     * (docs/benchmarks.md, Cost per window).
     */
    private static final byte VERSION = 5;
    private static final byte VERSION_4 = 4;
    private static final byte VERSION_3 = 3;
    private static final byte VERSION_2 = 2;
    private static final byte VERSION_1 = 1;

    /** Form 5's mask: bit i set when field i differs from a new {@link WindowStats}'s and follows. */
    private static final int COUNT = 0;
    private static final int SUM = 1;
    private static final int COMPENSATION = 2;
    private static final int M2 = 3;
    private static final int M3 = 4;
    private static final int MIN = 5;
    private static final int MAX = 6;
    private static final int CLIPPED = 7;
    private static final int LARGEST = 8;
    private static final int FIRST_LOSS_TIME = 9;
    private static final int LAST_LOSS_TIME = 10;
    private static final int JOINED = 11;
    private static final int LABEL_DELAY_SUM = 12;
    private static final int LABEL_DELAY_MAX = 13;
    private static final int BINARY_COUNT = 14;
    private static final int PREDICTION_SUM = 15;
    private static final int POSITIVES = 16;
    private static final int CORRECT = 17;
    private static final int UNLABELLED = 18;
    private static final int PENDING = 19;
    private static final int BINS = 20;
    private static final int ESTIMATED_LOSS = 21;
    private static final int LABEL_FREE_PUBLISHED = 22;
    private static final int SKETCH = 23;
    private static final int CALIBRATION = 24;

    private static final long POSITIVE_INFINITY = Double.doubleToRawLongBits(Double.POSITIVE_INFINITY);
    private static final long NEGATIVE_INFINITY = Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY);

    public WindowStatsSerde() {
        super(WindowStats.class, "WindowStats");
    }

    @Override
    protected byte[] toBytes(WindowStats value) {
        return write(value);
    }

    @Override
    protected WindowStats fromBytes(ByteBuffer bytes) {
        return read(bytes);
    }

    static byte[] write(WindowStats s) {
        return BinaryWriter.bytes(w -> write(w, s));
    }

    /** Form 5: the loss function, the mask, then each field the mask names, in the mask's order. */
    static void write(BinaryWriter w, WindowStats s) {
        w.put(VERSION);
        writeFunction(w, s.lossFunction, null);
        boolean bins = s.binCount != null;
        boolean largest = s.largest != null && s.largest.length > 0;
        long mask = bit(s.count != 0, COUNT) | bit(raw(s.sum) != 0, SUM) | bit(raw(s.compensation) != 0, COMPENSATION)
                | bit(raw(s.m2) != 0, M2) | bit(raw(s.m3) != 0, M3) | bit(raw(s.min) != POSITIVE_INFINITY, MIN)
                | bit(raw(s.max) != NEGATIVE_INFINITY, MAX) | bit(s.clipped != 0, CLIPPED) | bit(largest, LARGEST)
                | bit(s.firstLossTime != Long.MAX_VALUE, FIRST_LOSS_TIME)
                | bit(s.lastLossTime != Long.MIN_VALUE, LAST_LOSS_TIME) | bit(s.joined != 0, JOINED)
                | bit(raw(s.labelDelaySum) != 0, LABEL_DELAY_SUM) | bit(s.labelDelayMax != 0, LABEL_DELAY_MAX)
                | bit(s.binaryCount != 0, BINARY_COUNT) | bit(raw(s.predictionSum) != 0, PREDICTION_SUM)
                | bit(s.positives != 0, POSITIVES) | bit(s.correct != 0, CORRECT) | bit(s.unlabelled != 0, UNLABELLED)
                | bit(s.pending != 0, PENDING) | bit(bins, BINS) | bit(s.estimatedLoss != null, ESTIMATED_LOSS)
                | bit(s.labelFreePublished, LABEL_FREE_PUBLISHED) | bit(s.sketch != null, SKETCH)
                | bit(s.calibration != null, CALIBRATION);
        w.putVarLong(mask);
        if (has(mask, COUNT)) {
            putSigned(w, s.count);
        }
        putDoubleIf(w, mask, SUM, s.sum);
        putDoubleIf(w, mask, COMPENSATION, s.compensation);
        putDoubleIf(w, mask, M2, s.m2);
        putDoubleIf(w, mask, M3, s.m3);
        putDoubleIf(w, mask, MIN, s.min);
        putDoubleIf(w, mask, MAX, s.max);
        putSignedIf(w, mask, CLIPPED, s.clipped);
        if (largest) {
            w.put(s.largest.length);
            for (double v : s.largest) {
                w.putDouble(v);
            }
        }
        putSignedIf(w, mask, FIRST_LOSS_TIME, s.firstLossTime);
        if (has(mask, LAST_LOSS_TIME)) {
            // a window's last loss time is close to its first: the step takes a few bytes where the time takes six
            putSigned(w, has(mask, FIRST_LOSS_TIME) ? s.lastLossTime - s.firstLossTime : s.lastLossTime);
        }
        putSignedIf(w, mask, JOINED, s.joined);
        if (has(mask, LABEL_DELAY_SUM)) {
            writeCompactValue(w, s.labelDelaySum);
        }
        putSignedIf(w, mask, LABEL_DELAY_MAX, s.labelDelayMax);
        putSignedIf(w, mask, BINARY_COUNT, s.binaryCount);
        putDoubleIf(w, mask, PREDICTION_SUM, s.predictionSum);
        putSignedIf(w, mask, POSITIVES, s.positives);
        putSignedIf(w, mask, CORRECT, s.correct);
        putSignedIf(w, mask, UNLABELLED, s.unlabelled);
        putSignedIf(w, mask, PENDING, s.pending);
        if (bins) {
            writeBinaryBins(w, s);
        }
        if (s.estimatedLoss != null) {
            w.putDouble(s.estimatedLoss);
        }
        PredictionSketch k = s.sketch;
        if (k != null) {
            putSigned(w, k.count);
            putSigned(w, k.estimable);
            w.putDouble(k.valueSum);
            writeFunction(w, k.function, s.lossFunction);
            writeCompactBins(w, k.drift);
            writeCompactBins(w, k.estimation);
            writeVarArray(w, k.temperatureMean);
            writeVarArray(w, k.temperatureVariance);
        }
        Calibration c = s.calibration;
        if (c != null) {
            putSigned(w, c.count);
            writeFunction(w, c.function, s.lossFunction);
            writeCompactBins(w, c.bins);
            writeVarArray(w, c.temperatureLogLikelihood);
        }
    }

    static WindowStats readForm5(ByteBuffer b) {
        WindowStats s = new WindowStats();
        s.lossFunction = readFunction(b, null);
        long mask = getVarLong(b);
        if (has(mask, COUNT)) {
            s.count = getSigned(b);
        }
        if (has(mask, SUM)) {
            s.sum = b.getDouble();
        }
        if (has(mask, COMPENSATION)) {
            s.compensation = b.getDouble();
        }
        if (has(mask, M2)) {
            s.m2 = b.getDouble();
        }
        if (has(mask, M3)) {
            s.m3 = b.getDouble();
        }
        if (has(mask, MIN)) {
            s.min = b.getDouble();
        }
        if (has(mask, MAX)) {
            s.max = b.getDouble();
        }
        if (has(mask, CLIPPED)) {
            s.clipped = getSigned(b);
        }
        if (has(mask, LARGEST)) {
            s.largest = new double[b.get()];
            for (int i = 0; i < s.largest.length; i++) {
                s.largest[i] = b.getDouble();
            }
        }
        if (has(mask, FIRST_LOSS_TIME)) {
            s.firstLossTime = getSigned(b);
        }
        if (has(mask, LAST_LOSS_TIME)) {
            long v = getSigned(b);
            s.lastLossTime = has(mask, FIRST_LOSS_TIME) ? s.firstLossTime + v : v;
        }
        if (has(mask, JOINED)) {
            s.joined = getSigned(b);
        }
        if (has(mask, LABEL_DELAY_SUM)) {
            s.labelDelaySum = readCompactValue(b);
        }
        if (has(mask, LABEL_DELAY_MAX)) {
            s.labelDelayMax = getSigned(b);
        }
        if (has(mask, BINARY_COUNT)) {
            s.binaryCount = getSigned(b);
        }
        if (has(mask, PREDICTION_SUM)) {
            s.predictionSum = b.getDouble();
        }
        if (has(mask, POSITIVES)) {
            s.positives = getSigned(b);
        }
        if (has(mask, CORRECT)) {
            s.correct = getSigned(b);
        }
        if (has(mask, UNLABELLED)) {
            s.unlabelled = getSigned(b);
        }
        if (has(mask, PENDING)) {
            s.pending = getSigned(b);
        }
        if (has(mask, BINS)) {
            readBinaryBins(b, s);
        }
        if (has(mask, ESTIMATED_LOSS)) {
            s.estimatedLoss = b.getDouble();
        }
        s.labelFreePublished = has(mask, LABEL_FREE_PUBLISHED);
        if (has(mask, SKETCH)) {
            PredictionSketch k = new PredictionSketch();
            k.count = getSigned(b);
            k.estimable = getSigned(b);
            k.valueSum = b.getDouble();
            k.function = readFunction(b, s.lossFunction);
            k.drift = readCompactBins(b);
            k.estimation = readCompactBins(b);
            k.temperatureMean = readVarArray(b);
            k.temperatureVariance = readVarArray(b);
            s.sketch = k;
        }
        if (has(mask, CALIBRATION)) {
            Calibration c = new Calibration();
            c.count = getSigned(b);
            c.function = readFunction(b, s.lossFunction);
            c.bins = readCompactBins(b);
            c.temperatureLogLikelihood = readVarArray(b);
            s.calibration = c;
        }
        return s;
    }

    private static long raw(double v) {
        return Double.doubleToRawLongBits(v);
    }

    private static long bit(boolean set, int field) {
        return set ? 1L << field : 0;
    }

    private static boolean has(long mask, int field) {
        return (mask & (1L << field)) != 0;
    }

    private static void putDoubleIf(BinaryWriter w, long mask, int field, double v) {
        if (has(mask, field)) {
            w.putDouble(v);
        }
    }

    private static void putSignedIf(BinaryWriter w, long mask, int field, long v) {
        if (has(mask, field)) {
            putSigned(w, v);
        }
    }

    /** Any long as a zigzag varint: small magnitudes, of either sign, take few bytes. */
    private static void putSigned(BinaryWriter w, long v) {
        w.putVarLong(zigzag(v));
    }

    private static long getSigned(ByteBuffer b) {
        long z = getVarLong(b);
        return (z >>> 1) ^ -(z & 1);
    }

    /**
     * The binary calibration's bins in use (a count, a prediction sum or a positive not zero): how many, then
     * each one's index, count, prediction sum and positives. A window of one event has one.
     */
    private static void writeBinaryBins(BinaryWriter w, WindowStats s) {
        int used = 0;
        for (int i = 0; i < WindowStats.CALIBRATION_BINS; i++) {
            if (binUsed(s, i)) {
                used |= 1 << i;
            }
        }
        w.put(Integer.bitCount(used));
        for (int i = 0; i < WindowStats.CALIBRATION_BINS; i++) {
            if ((used & (1 << i)) != 0) {
                w.put(i);
                putSigned(w, s.binCount[i]);
                writeCompactValue(w, s.binPredictionSum[i]);
                putSigned(w, s.binPositives[i]);
            }
        }
    }

    private static boolean binUsed(WindowStats s, int i) {
        return s.binCount[i] != 0 || raw(s.binPredictionSum[i]) != 0 || s.binPositives[i] != 0;
    }

    private static void readBinaryBins(ByteBuffer b, WindowStats s) {
        s.binCount = new long[WindowStats.CALIBRATION_BINS];
        s.binPredictionSum = new double[WindowStats.CALIBRATION_BINS];
        s.binPositives = new long[WindowStats.CALIBRATION_BINS];
        int used = b.get();
        for (int n = 0; n < used; n++) {
            int i = b.get();
            if (i < 0 || i >= WindowStats.CALIBRATION_BINS) {
                throw new SerializationException("calibration bin " + i + " out of range");
            }
            s.binCount[i] = getSigned(b);
            s.binPredictionSum[i] = readCompactValue(b);
            s.binPositives[i] = getSigned(b);
        }
    }

    /** A function name: 0 for null, 1 for the same as base (the window's loss function), else its length + 2 and its UTF-8 bytes. */
    private static void writeFunction(BinaryWriter w, String function, String base) {
        if (function == null) {
            w.putVarLong(0);
        } else if (function.equals(base)) {
            w.putVarLong(1);
        } else {
            byte[] bytes = function.getBytes(StandardCharsets.UTF_8);
            w.putVarLong(bytes.length + 2L).put(bytes);
        }
    }

    private static String readFunction(ByteBuffer b, String base) {
        long tag = getVarLong(b);
        if (tag == 0) {
            return null;
        }
        if (tag == 1) {
            return base;
        }
        byte[] bytes = new byte[(int) (tag - 2)];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A nullable array of doubles: 0 for null, else its length + 1, then its values. */
    private static void writeVarArray(BinaryWriter w, double[] a) {
        if (a == null) {
            w.putVarLong(0);
        } else {
            w.putVarLong(a.length + 1L);
            for (double v : a) {
                w.putDouble(v);
            }
        }
    }

    private static double[] readVarArray(ByteBuffer b) {
        long n = getVarLong(b);
        if (n == 0) {
            return null;
        }
        double[] a = new double[(int) (n - 1)];
        for (int i = 0; i < a.length; i++) {
            a[i] = b.getDouble();
        }
        return a;
    }

    private static PredictionSketch readSketch(ByteBuffer b, boolean compact) {
        if (b.get() == 0) {
            return null;
        }
        PredictionSketch k = new PredictionSketch();
        k.count = b.getLong();
        k.estimable = b.getLong();
        k.valueSum = b.getDouble();
        k.function = readString(b);
        k.drift = compact ? readCompactBins(b) : readBins(b);
        k.estimation = compact ? readCompactBins(b) : readBins(b);
        k.temperatureMean = readArray(b);
        k.temperatureVariance = readArray(b);
        return k;
    }

    private static Calibration readCalibration(ByteBuffer b, boolean compact) {
        if (b.get() == 0) {
            return null;
        }
        Calibration c = new Calibration();
        c.count = b.getLong();
        c.function = readString(b);
        c.bins = compact ? readCompactBins(b) : readBins(b);
        c.temperatureLogLikelihood = readArray(b);
        return c;
    }

    static void writeString(BinaryWriter w, String s) {
        if (s == null) {
            w.putShort(-1);
        } else {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            w.putShort(bytes.length).put(bytes);
        }
    }

    static String readString(ByteBuffer b) {
        short length = b.getShort();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A nullable array of doubles: its length (−1 for null), then its values. */
    static void writeArray(BinaryWriter w, double[] a) {
        w.putInt(a == null ? -1 : a.length);
        if (a != null) {
            for (double v : a) {
                w.putDouble(v);
            }
        }
    }

    static double[] readArray(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0) {
            return null;
        }
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = b.getDouble();
        }
        return a;
    }

    /** Bins as width, size, then each bin's key and values: form 3's and the calibration's form 1. */
    static SparseBins readBins(ByteBuffer b) {
        int width = b.get();
        int size = b.getInt();
        int[] keys = new int[size];
        double[] values = new double[size * width];
        for (int i = 0; i < size; i++) {
            keys[i] = b.getInt();
            for (int c = 0; c < width; c++) {
                values[i * width + c] = b.getDouble();
            }
        }
        return SparseBins.of(width, keys, values);
    }

    /**
     * Bins in the compact form: size, then per bin its key's step from the previous key (zigzag) and its
     * values, each as {@link #writeCompactValue}. Counts, most of a bin's values, take a byte or two
     * instead of eight; every value reads back bit for bit.
     */
    static void writeCompactBins(BinaryWriter w, SparseBins bins) {
        w.put(bins.width());
        w.putVarLong(bins.size());
        long previous = 0;
        for (int i = 0; i < bins.size(); i++) {
            w.putVarLong(zigzag(bins.key(i) - previous));
            previous = bins.key(i);
            for (int c = 0; c < bins.width(); c++) {
                writeCompactValue(w, bins.value(i, c));
            }
        }
    }

    static SparseBins readCompactBins(ByteBuffer b) {
        int width = b.get();
        int size = (int) getVarLong(b);
        int[] keys = new int[size];
        double[] values = new double[size * width];
        long previous = 0;
        for (int i = 0; i < size; i++) {
            long z = getVarLong(b);
            previous += (z >>> 1) ^ -(z & 1);
            keys[i] = (int) previous;
            for (int c = 0; c < width; c++) {
                values[i * width + c] = readCompactValue(b);
            }
        }
        return SparseBins.of(width, keys, values);
    }

    /** A whole number in [0, 2^62) (its bits are exactly those of the long's double), which a varint holds. */
    private static boolean whole(double v) {
        long l = (long) v;
        return l >= 0 && l < (1L << 62) && Double.doubleToRawLongBits(v) == Double.doubleToRawLongBits((double) l);
    }

    /** A whole number n as the varint 2n; any other value (−0.0, NaN included) as the byte 1 and its 8 bytes. */
    static void writeCompactValue(BinaryWriter w, double v) {
        if (whole(v)) {
            w.putVarLong((long) v << 1);
        } else {
            w.put(1).putDouble(v);
        }
    }

    static double readCompactValue(ByteBuffer b) {
        long tag = getVarLong(b);
        return (tag & 1) == 0 ? (double) (tag >>> 1) : b.getDouble();
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    static long getVarLong(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b.get();
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        throw new SerializationException("a varint longer than 10 bytes");
    }

    static WindowStats read(ByteBuffer b) {
        byte version = b.get();
        if (version == VERSION) {
            return readForm5(b);
        }
        if (version != VERSION_4 && version != VERSION_3 && version != VERSION_2 && version != VERSION_1) {
            throw new SerializationException("unknown WindowStats format " + version);
        }
        WindowStats s = new WindowStats();
        short length = b.getShort();
        if (length >= 0) {
            byte[] function = new byte[length];
            b.get(function);
            s.lossFunction = new String(function, StandardCharsets.UTF_8);
        }
        s.count = b.getLong();
        s.sum = b.getDouble();
        s.compensation = b.getDouble();
        s.m2 = b.getDouble();
        if (version >= VERSION_2) {
            s.m3 = b.getDouble();
        }
        s.min = b.getDouble();
        s.max = b.getDouble();
        s.clipped = b.getLong();
        if (version >= VERSION_2) {
            int largest = b.get();
            if (largest > 0) {
                s.largest = new double[largest];
                for (int i = 0; i < largest; i++) {
                    s.largest[i] = b.getDouble();
                }
            }
            s.firstLossTime = b.getLong();
            s.lastLossTime = b.getLong();
        }
        s.joined = b.getLong();
        s.labelDelaySum = b.getDouble();
        s.labelDelayMax = b.getLong();
        s.binaryCount = b.getLong();
        s.predictionSum = b.getDouble();
        s.positives = b.getLong();
        s.correct = b.getLong();
        s.unlabelled = b.getLong();
        s.pending = b.getLong();
        if (b.get() == 1) {
            s.binCount = new long[WindowStats.CALIBRATION_BINS];
            s.binPredictionSum = new double[WindowStats.CALIBRATION_BINS];
            s.binPositives = new long[WindowStats.CALIBRATION_BINS];
            for (int i = 0; i < WindowStats.CALIBRATION_BINS; i++) {
                s.binCount[i] = version >= VERSION_4 ? getVarLong(b) : b.getLong();
                s.binPredictionSum[i] = b.getDouble();
                s.binPositives[i] = version >= VERSION_4 ? getVarLong(b) : b.getLong();
            }
        }
        if (version >= VERSION_3) {
            double estimated = b.getDouble();
            s.estimatedLoss = Double.isNaN(estimated) ? null : estimated;
            s.labelFreePublished = b.get() == 1;
            s.sketch = readSketch(b, version >= VERSION_4);
            s.calibration = readCalibration(b, version >= VERSION_4);
        }
        return s;
    }
}
