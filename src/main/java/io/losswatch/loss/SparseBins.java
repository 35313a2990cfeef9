package io.losswatch.loss;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;

/**
 * Sums kept per integer bin: a few columns of doubles per bin, only for the bins that have any. A
 * window's predictions fill a handful of bins out of hundreds, so a sorted array of the bins in use is
 * smaller to keep, merge and send than a dense histogram. Counts are kept as doubles: exact up to 2^53.
 */
public final class SparseBins {
    private final int width;
    private int[] keys;
    private double[] values;
    private int size;

    public SparseBins(int width) {
        this.width = width;
        this.keys = new int[4];
        this.values = new double[4 * width];
    }

    /** Bins read back from their keys and row-major values (as {@link #keys()} and {@link #values()} give them). */
    @JsonCreator
    public static SparseBins of(@JsonProperty("width") int width, @JsonProperty("keys") int[] keys,
                                @JsonProperty("values") double[] values) {
        SparseBins b = new SparseBins(width);
        b.keys = Arrays.copyOf(keys, Math.max(4, keys.length));
        b.values = Arrays.copyOf(values, Math.max(4, keys.length) * width);
        b.size = keys.length;
        for (int i = 1; i < keys.length; i++) {
            if (keys[i] <= keys[i - 1]) {
                throw new IllegalArgumentException("bin keys must increase");
            }
        }
        return b;
    }

    @JsonProperty("width")
    public int width() {
        return width;
    }

    /** Bins in use. */
    public int size() {
        return size;
    }

    public int key(int i) {
        return keys[i];
    }

    public double value(int i, int column) {
        return values[i * width + column];
    }

    @JsonProperty("keys")
    public int[] keys() {
        return Arrays.copyOf(keys, size);
    }

    @JsonProperty("values")
    public double[] values() {
        return Arrays.copyOf(values, size * width);
    }

    /** Sum of one column over every bin. */
    public double total(int column) {
        double t = 0;
        for (int i = 0; i < size; i++) {
            t += values[i * width + column];
        }
        return t;
    }

    /** Adds v0 to column 0 of bin key (the other columns unchanged). */
    public void add(int key, double v0) {
        // the slot first: it may grow (replace) the values array
        int i = slot(key);
        values[i * width] += v0;
    }

    /** Adds one row of values (width of them) to bin key. */
    public void add(int key, double... row) {
        int base = slot(key) * width;
        for (int c = 0; c < width; c++) {
            values[base + c] += row[c];
        }
    }

    /** Adds every bin of other (of the same width) to this one. */
    public void merge(SparseBins other) {
        if (other.width != width) {
            throw new IllegalArgumentException("bins of width " + other.width + " into " + width);
        }
        for (int i = 0; i < other.size; i++) {
            int base = slot(other.keys[i]) * width;
            for (int c = 0; c < width; c++) {
                values[base + c] += other.values[i * width + c];
            }
        }
    }

    public SparseBins copy() {
        SparseBins b = new SparseBins(width);
        b.merge(this);
        return b;
    }

    /** The index of bin key, inserted (zeros) where it belongs if it is not in use yet. */
    private int slot(int key) {
        int i = Arrays.binarySearch(keys, 0, size, key);
        if (i >= 0) {
            return i;
        }
        int at = -i - 1;
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2 * width);
        }
        System.arraycopy(keys, at, keys, at + 1, size - at);
        System.arraycopy(values, at * width, values, (at + 1) * width, (size - at) * width);
        keys[at] = key;
        Arrays.fill(values, at * width, (at + 1) * width, 0.0);
        size++;
        return at;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseBins b && b.width == width && Arrays.equals(keys(), b.keys())
                && Arrays.equals(values(), b.values());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(keys()) * 31 + width;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("{");
        for (int i = 0; i < size; i++) {
            s.append(i == 0 ? "" : ", ").append(keys[i]).append('=')
                    .append(Arrays.toString(Arrays.copyOfRange(values, i * width, (i + 1) * width)));
        }
        return s.append('}').toString();
    }
}
