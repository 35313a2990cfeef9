package io.losswatch.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.losswatch.event.PredictionEvent;
import io.losswatch.event.SourceRecord;
import io.losswatch.topology.Routed.PendingPrediction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import io.losswatch.event.Segment;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A prediction waiting for its label, in a compact binary form: the join keeps one for every unlabelled
 * prediction for the whole join window (a 7-day window at 1,000 predictions/s is 605 million of them), in
 * its store and that store's changelog, and sends each once through predictions-by-id. JSON wrote every
 * field name and the original bytes in base64; this writes the fields and the original bytes as they are
 * (docs/estimation.md has the sizes). The original key and value stay: a prediction that its label later
 * shows to be unusable is dead-lettered with them (CONTRACT §7). JSON written by earlier versions is still read.
 *
 * <p>A prediction with segment values (CONTRACT §11) is written with {@link #MARKER_SEGMENTS}, which adds
 * them after its prediction; one without is written in the {@link #MARKER} form earlier versions wrote
 * and read, and both are read.
 */
final class PendingPredictionSerde extends BinarySerde<PendingPrediction> {
    /** First byte: not '{' (JSON), and not a partial's or watermark's ({@link IntakeOutputSerde}). */
    static final byte MARKER = 3;
    /** First byte of a prediction with segment values: not JSON, a partial, a watermark or {@link #MARKER}. */
    static final byte MARKER_SEGMENTS = 4;

    PendingPredictionSerde() {
        super(PendingPrediction.class, "a pending prediction");
    }

    @Override
    protected byte[] toBytes(PendingPrediction p) {
        return write(p);
    }

    @Override
    protected PendingPrediction fromBytes(ByteBuffer bytes) {
        return read(bytes);
    }

    static byte[] write(PendingPrediction p) {
        PredictionEvent e = p.event();
        SourceRecord s = p.source();
        byte[] id = utf8(e.predictionId());
        byte[] model = utf8(e.model());
        byte[] version = utf8(e.modelVersion());
        byte[] prediction = utf8(e.prediction().toString());
        byte[] topic = utf8(s.topic());
        List<Segment> segments = e.segments();
        byte[][] segmentBytes = new byte[segments.size() * 2][];
        int segmentSize = segments.isEmpty() ? 0 : 4;
        for (int i = 0; i < segments.size(); i++) {
            segmentBytes[2 * i] = utf8(segments.get(i).field());
            segmentBytes[2 * i + 1] = utf8(segments.get(i).value());
            segmentSize += sized(segmentBytes[2 * i]) + sized(segmentBytes[2 * i + 1]);
        }
        int size = 1 + 1 + 8 + sized(id) + sized(model) + sized(version) + sized(prediction) + segmentSize
                + sized(topic) + 4 + 8 + 8 + sized(s.key()) + sized(s.value());
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(segments.isEmpty() ? MARKER : MARKER_SEGMENTS).put((byte) (p.windowsOpen() ? 1 : 0)).putLong(e.eventTime());
        put(b, id);
        put(b, model);
        put(b, version);
        put(b, prediction);
        if (!segments.isEmpty()) {
            b.putInt(segments.size());
            for (byte[] part : segmentBytes) {
                put(b, part);
            }
        }
        put(b, topic);
        b.putInt(s.partition()).putLong(s.offset()).putLong(s.timestamp());
        put(b, s.key());
        put(b, s.value());
        return b.array();
    }

    static PendingPrediction read(ByteBuffer b) {
        byte marker = b.get();
        if (marker != MARKER && marker != MARKER_SEGMENTS) {
            throw new SerializationException("not a pending prediction");
        }
        boolean windowsOpen = b.get() == 1;
        long eventTime = b.getLong();
        String id = string(b);
        String model = string(b);
        String version = string(b);
        JsonNode prediction;
        try {
            prediction = Json.MAPPER.readTree(get(b));
        } catch (java.io.IOException e) {
            throw new SerializationException("a pending prediction's prediction is not JSON", e);
        }
        List<Segment> segments = List.of();
        if (marker == MARKER_SEGMENTS) {
            Segment[] read = new Segment[b.getInt()];
            for (int i = 0; i < read.length; i++) {
                read[i] = new Segment(string(b), string(b));
            }
            segments = List.of(read);
        }
        String topic = string(b);
        int partition = b.getInt();
        long offset = b.getLong();
        long timestamp = b.getLong();
        byte[] key = get(b);
        byte[] value = get(b);
        return new PendingPrediction(new PredictionEvent(id, model, version, eventTime, prediction, null, segments),
                new SourceRecord(topic, partition, offset, timestamp, key, value), windowsOpen);
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static int sized(byte[] bytes) {
        return 4 + (bytes == null ? 0 : bytes.length);
    }

    private static void put(ByteBuffer b, byte[] bytes) {
        if (bytes == null) {
            b.putInt(-1);
        } else {
            b.putInt(bytes.length).put(bytes);
        }
    }

    private static byte[] get(ByteBuffer b) {
        int length = b.getInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        b.get(bytes);
        return bytes;
    }

    private static String string(ByteBuffer b) {
        byte[] bytes = get(b);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** For the size test: what the JSON form of earlier versions took. */
    static int jsonSize(PendingPrediction p) {
        try {
            return Json.MAPPER.writeValueAsBytes(p).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
