package io.losswatch.topology;

import io.losswatch.loss.SparseBins;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Pieces of the forms earlier versions wrote, as they wrote them, for the tests that check they still read. */
final class EarlierForms {
    private EarlierForms() {
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

    /** Bins as width, size, then each bin's key and values (every value as 8 bytes). */
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
}
