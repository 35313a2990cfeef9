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
        return BinaryWriter.bytes(w -> writePartial(w, p));
    }

    private static void writePartial(BinaryWriter w, Partial p) {
        byte kind = !p.segments().isEmpty() ? MODEL_PARTIAL : p.segment() == null ? PARTIAL : SEGMENT_PARTIAL;
        w.put(kind)
                .putIntString(p.model()).putIntString(p.modelVersion()).putLong(p.windowStart())
                .putIntString(p.sourceTopic()).putInt(p.sourcePartition()).putLong(p.lastSourceOffset());
        if (kind == SEGMENT_PARTIAL) {
            // the previous version's form, still written for a lone segment value's partial
            w.putIntString(p.segment().field()).putIntString(p.segment().value());
        }
        WindowStatsSerde.write(w, p.stats());
        if (kind == MODEL_PARTIAL) {
            w.putInt(p.segments().size());
            for (Routed.SegmentStats s : p.segments()) {
                w.putIntString(s.segment().field()).putIntString(s.segment().value());
                WindowStatsSerde.write(w, s.stats());
            }
        }
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
