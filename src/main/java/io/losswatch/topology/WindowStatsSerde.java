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
     * with the bins and the binary calibration's counts in a compact form ({@link #writeCompactBins}): a
     * window's changelog record and a partial are written per commit and flush and series, and most of
     * their bytes were counts as 8-byte doubles (docs/benchmarks.md, Segments).
     */
    private static final byte VERSION = 4;
    private static final byte VERSION_3 = 3;
    private static final byte VERSION_2 = 2;
    private static final byte VERSION_1 = 1;

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
        byte[] function = s.lossFunction == null ? null : s.lossFunction.getBytes(StandardCharsets.UTF_8);
        boolean bins = s.binCount != null;
        int largest = s.largest == null ? 0 : s.largest.length;
        int size = 1 + 2 + (function == null ? 0 : function.length) + 19 * 8 + 1 + largest * 8 + 1
                + (bins ? binaryBinsSize(s) : 0)
                + 8 + 1 + sketchSize(s.sketch) + calibrationSize(s.calibration);
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(VERSION);
        if (function == null) {
            b.putShort((short) -1);
        } else {
            b.putShort((short) function.length).put(function);
        }
        b.putLong(s.count).putDouble(s.sum).putDouble(s.compensation).putDouble(s.m2).putDouble(s.m3)
                .putDouble(s.min).putDouble(s.max).putLong(s.clipped)
                .put((byte) largest);
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
        writeSketch(b, s.sketch);
        writeCalibration(b, s.calibration);
        return b.array();
    }

    private static int sketchSize(PredictionSketch k) {
        return 1 + (k == null ? 0 : 24 + stringSize(k.function) + compactBinsSize(k.drift) + compactBinsSize(k.estimation)
                + arraySize(k.temperatureMean) + arraySize(k.temperatureVariance));
    }

    private static void writeSketch(ByteBuffer b, PredictionSketch k) {
        b.put((byte) (k == null ? 0 : 1));
        if (k != null) {
            b.putLong(k.count).putLong(k.estimable).putDouble(k.valueSum);
            writeString(b, k.function);
            writeCompactBins(b, k.drift);
            writeCompactBins(b, k.estimation);
            writeArray(b, k.temperatureMean);
            writeArray(b, k.temperatureVariance);
        }
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

    private static int calibrationSize(Calibration c) {
        return 1 + (c == null ? 0 : 8 + stringSize(c.function) + compactBinsSize(c.bins) + arraySize(c.temperatureLogLikelihood));
    }

    private static void writeCalibration(ByteBuffer b, Calibration c) {
        b.put((byte) (c == null ? 0 : 1));
        if (c != null) {
            b.putLong(c.count);
            writeString(b, c.function);
            writeCompactBins(b, c.bins);
            writeArray(b, c.temperatureLogLikelihood);
        }
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

    static int stringSize(String s) {
        return 2 + (s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length);
    }

    static void writeString(ByteBuffer b, String s) {
        if (s == null) {
            b.putShort((short) -1);
        } else {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            b.putShort((short) bytes.length).put(bytes);
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
    static int arraySize(double[] a) {
        return 4 + (a == null ? 0 : 8 * a.length);
    }

    static void writeArray(ByteBuffer b, double[] a) {
        b.putInt(a == null ? -1 : a.length);
        if (a != null) {
            for (double v : a) {
                b.putDouble(v);
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

    /** Bins as width, size, then each bin's key and values. */
    static int binsSize(SparseBins bins) {
        return 1 + 4 + bins.size() * (4 + 8 * bins.width());
    }

    static void writeBins(ByteBuffer b, SparseBins bins) {
        b.put((byte) bins.width()).putInt(bins.size());
        for (int i = 0; i < bins.size(); i++) {
            b.putInt(bins.key(i));
            for (int c = 0; c < bins.width(); c++) {
                b.putDouble(bins.value(i, c));
            }
        }
    }

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

    private static int binaryBinsSize(WindowStats s) {
        int size = 0;
        for (int i = 0; i < WindowStats.CALIBRATION_BINS; i++) {
            size += varLongSize(s.binCount[i]) + 8 + varLongSize(s.binPositives[i]);
        }
        return size;
    }

    /**
     * Bins in the compact form: size, then per bin its key's step from the previous key (zigzag) and its
     * values, each as {@link #writeCompactValue}. Counts, most of a bin's values, take a byte or two
     * instead of eight; every value reads back bit for bit.
     */
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

    private static int compactValueSize(double v) {
        return whole(v) ? varLongSize((long) v << 1) : 9;
    }

    /** A whole number n as the varint 2n; any other value (−0.0, NaN included) as the byte 1 and its 8 bytes. */
    static void writeCompactValue(ByteBuffer b, double v) {
        if (whole(v)) {
            putVarLong(b, (long) v << 1);
        } else {
            b.put((byte) 1).putDouble(v);
        }
    }

    static double readCompactValue(ByteBuffer b) {
        long tag = getVarLong(b);
        return (tag & 1) == 0 ? (double) (tag >>> 1) : b.getDouble();
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    static int varLongSize(long v) {
        int size = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            size++;
        }
        return size;
    }

    static void putVarLong(ByteBuffer b, long v) {
        while ((v & ~0x7FL) != 0) {
            b.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v);
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
        if (version != VERSION && version != VERSION_3 && version != VERSION_2 && version != VERSION_1) {
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
                s.binCount[i] = version >= VERSION ? getVarLong(b) : b.getLong();
                s.binPredictionSum[i] = b.getDouble();
                s.binPositives[i] = version >= VERSION ? getVarLong(b) : b.getLong();
            }
        }
        if (version >= VERSION_3) {
            double estimated = b.getDouble();
            s.estimatedLoss = Double.isNaN(estimated) ? null : estimated;
            s.labelFreePublished = b.get() == 1;
            s.sketch = readSketch(b, version >= VERSION);
            s.calibration = readCalibration(b, version >= VERSION);
        }
        return s;
    }
}
