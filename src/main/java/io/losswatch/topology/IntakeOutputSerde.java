package io.losswatch.topology;

import io.losswatch.event.Segment;
import io.losswatch.loss.WindowStats;
import io.losswatch.topology.Routed.IntakeOutput;
import io.losswatch.topology.Routed.Partial;
import io.losswatch.topology.Routed.Watermark;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import java.nio.charset.StandardCharsets;

/**
 * Partials and watermarks on the partials-by-model repartition topic, in a binary form: a partial
 * carries a whole {@link WindowStats} (calibration bins included), and writing and reading it as
 * JSON cost more than summing the events it stands for (docs/benchmarks.md). Records written as JSON
 * by earlier versions (they start with '{') are still read, so a topic with some in flight drains. A
 * whole model's partial with segment values (CONTRACT §11) is a {@link #MODEL_PARTIAL} that carries them;
 * one without keeps the {@link #PARTIAL} form earlier versions read. The {@link #SEGMENT_PARTIAL} form,
 * one segment value's partial alone, is what the previous version sent: still read, so a topic with some
 * in flight drains.
 */
final class IntakeOutputSerde extends BinarySerde<IntakeOutput> {
    private static final byte PARTIAL = 1;
    private static final byte WATERMARK = 2;
    /** A partial of one segment value: the partial's fields, then the field and value (3 and 4 are pending predictions'). */
    private static final byte SEGMENT_PARTIAL = 5;
    /**
     * A whole model's partial with its segment values' partials: the partial's fields and stats, then their
     * number and each one's field, value and stats. Sent when a partial has segments; one without keeps
     * the {@link #PARTIAL} form.
     */
    private static final byte MODEL_PARTIAL = 6;

    IntakeOutputSerde() {
        super(IntakeOutput.class, "a partial or watermark");
    }

    @Override
    protected byte[] toBytes(IntakeOutput value) {
        return write(value);
    }

    @Override
    protected IntakeOutput fromBytes(ByteBuffer bytes) {
        return read(bytes);
    }

    static byte[] write(IntakeOutput value) {
        if (value instanceof Watermark w) {
            return ByteBuffer.allocate(1 + 4 + 4 + 8 + 1).put(WATERMARK).putInt(w.partition()).putInt(w.partitions())
                    .putLong(w.time()).put((byte) (w.idle() ? 1 : 0)).array();
        }
        Partial p = (Partial) value;
        if (!p.segments().isEmpty()) {
            return writeWithSegments(p);
        }
        byte[] model = p.model().getBytes(StandardCharsets.UTF_8);
        byte[] version = p.modelVersion().getBytes(StandardCharsets.UTF_8);
        byte[] topic = p.sourceTopic().getBytes(StandardCharsets.UTF_8);
        byte[] stats = WindowStatsSerde.write(p.stats());
        byte[] field = p.segment() == null ? new byte[0] : p.segment().field().getBytes(StandardCharsets.UTF_8);
        byte[] segmentValue = p.segment() == null ? new byte[0] : p.segment().value().getBytes(StandardCharsets.UTF_8);
        int segment = p.segment() == null ? 0 : 8 + field.length + segmentValue.length;
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + model.length + 4 + version.length + 8 + 4 + topic.length + 4 + 8
                        + segment + stats.length)
                .put(p.segment() == null ? PARTIAL : SEGMENT_PARTIAL).putInt(model.length).put(model)
                .putInt(version.length).put(version)
                .putLong(p.windowStart()).putInt(topic.length).put(topic).putInt(p.sourcePartition())
                .putLong(p.lastSourceOffset());
        if (p.segment() != null) {
            b.putInt(field.length).put(field).putInt(segmentValue.length).put(segmentValue);
        }
        return b.put(stats).array();
    }

    private static byte[] writeWithSegments(Partial p) {
        byte[] model = p.model().getBytes(StandardCharsets.UTF_8);
        byte[] version = p.modelVersion().getBytes(StandardCharsets.UTF_8);
        byte[] topic = p.sourceTopic().getBytes(StandardCharsets.UTF_8);
        byte[] stats = WindowStatsSerde.write(p.stats());
        int size = 1 + 4 + model.length + 4 + version.length + 8 + 4 + topic.length + 4 + 8 + stats.length + 4;
        List<byte[]> parts = new ArrayList<>(3 * p.segments().size());
        for (Routed.SegmentStats s : p.segments()) {
            byte[] field = s.segment().field().getBytes(StandardCharsets.UTF_8);
            byte[] segmentValue = s.segment().value().getBytes(StandardCharsets.UTF_8);
            byte[] segmentStats = WindowStatsSerde.write(s.stats());
            parts.add(field);
            parts.add(segmentValue);
            parts.add(segmentStats);
            size += 8 + field.length + segmentValue.length + segmentStats.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).put(MODEL_PARTIAL).putInt(model.length).put(model)
                .putInt(version.length).put(version)
                .putLong(p.windowStart()).putInt(topic.length).put(topic).putInt(p.sourcePartition())
                .putLong(p.lastSourceOffset()).put(stats).putInt(p.segments().size());
        for (int i = 0; i < parts.size(); i += 3) {
            b.putInt(parts.get(i).length).put(parts.get(i)).putInt(parts.get(i + 1).length).put(parts.get(i + 1))
                    .put(parts.get(i + 2));
        }
        return b.array();
    }

    static IntakeOutput read(ByteBuffer b) {
        byte kind = b.get();
        if (kind == WATERMARK) {
            return new Watermark(b.getInt(), b.getInt(), b.getLong(), b.get() == 1);
        }
        if (kind == MODEL_PARTIAL) {
            String model = string(b);
            String version = string(b);
            long start = b.getLong();
            String topic = string(b);
            int partition = b.getInt();
            long offset = b.getLong();
            WindowStats stats = WindowStatsSerde.read(b);
            int n = b.getInt();
            List<Routed.SegmentStats> segments = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Segment segment = new Segment(string(b), string(b));
                segments.add(new Routed.SegmentStats(segment, WindowStatsSerde.read(b)));
            }
            return new Partial(model, version, start, stats, topic, partition, offset, null, segments);
        }
        if (kind != PARTIAL && kind != SEGMENT_PARTIAL) {
            throw new SerializationException("unknown intake output kind " + kind);
        }
        String model = string(b);
        String version = string(b);
        long start = b.getLong();
        String topic = string(b);
        int partition = b.getInt();
        long offset = b.getLong();
        Segment segment = kind == SEGMENT_PARTIAL ? new Segment(string(b), string(b)) : null;
        return new Partial(model, version, start, WindowStatsSerde.read(b), topic, partition, offset, segment);
    }

    private static String string(ByteBuffer b) {
        byte[] bytes = new byte[b.getInt()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
