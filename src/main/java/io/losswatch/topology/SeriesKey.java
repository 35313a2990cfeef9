package io.losswatch.topology;

import io.losswatch.event.Segment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * The identity of a series of windows, a (model, model_version) or one segment of it (CONTRACT §11),
 * and the store keys built from it: every step keys its state the same way.
 *
 * <p>A whole model's keys are the form earlier versions wrote (model length-prefixed, then the
 * version to the end), so their state reads on. A segment's keys set the model length's top bit and
 * add the version's length, the field (length-prefixed) and the value to the end: the two forms
 * cannot be mistaken for each other, and window keys still sort by window start first.
 *
 * @param segment null for the whole model
 */
public record SeriesKey(String model, String modelVersion, Segment segment) {
    private static final int SEGMENTED = 0x8000_0000;

    /** The series a window key is for, and the window's start. */
    public record Window(long start, SeriesKey series) {
    }

    /** The key of this series' state (estimate, alert state). */
    public Bytes bytes() {
        return Bytes.wrap(encode(0, false, model, modelVersion, segment));
    }

    /** The key of one window of this series: window start (big-endian, sorts by time), then the series. */
    public Bytes window(long start) {
        return windowKey(start, model, modelVersion, segment);
    }

    /** As {@link #window}, without building the series first (the intake's hot path). */
    public static Bytes windowKey(long start, String model, String version, Segment segment) {
        return Bytes.wrap(encode(start, true, model, version, segment));
    }

    public static Window readWindow(Bytes key) {
        ByteBuffer b = ByteBuffer.wrap(key.get());
        long start = b.getLong();
        return new Window(start, read(b));
    }

    public static SeriesKey read(Bytes key) {
        return read(ByteBuffer.wrap(key.get()));
    }

    private static byte[] encode(long start, boolean withStart, String model, String version, Segment segment) {
        byte[] m = model.getBytes(StandardCharsets.UTF_8);
        byte[] v = version.getBytes(StandardCharsets.UTF_8);
        int head = withStart ? 8 : 0;
        if (segment == null) {
            ByteBuffer b = ByteBuffer.allocate(head + 4 + m.length + v.length);
            if (withStart) {
                b.putLong(start);
            }
            return b.putInt(m.length).put(m).put(v).array();
        }
        byte[] f = segment.field().getBytes(StandardCharsets.UTF_8);
        byte[] s = segment.value().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(head + 12 + m.length + v.length + f.length + s.length);
        if (withStart) {
            b.putLong(start);
        }
        return b.putInt(m.length | SEGMENTED).put(m).putInt(v.length).put(v).putInt(f.length).put(f).put(s).array();
    }

    private static SeriesKey read(ByteBuffer b) {
        int length = b.getInt();
        if ((length & SEGMENTED) == 0) {
            String model = string(b, length);
            return new SeriesKey(model, string(b, b.remaining()), null);
        }
        String model = string(b, length & ~SEGMENTED);
        String version = string(b, b.getInt());
        String field = string(b, b.getInt());
        return new SeriesKey(model, version, new Segment(field, string(b, b.remaining())));
    }

    private static String string(ByteBuffer b, int length) {
        byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
