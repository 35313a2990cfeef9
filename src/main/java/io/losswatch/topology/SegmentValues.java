package io.losswatch.topology;

import io.losswatch.event.Segment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The segment values tracked per (model, model_version, field) (CONTRACT §11): the first
 * {@code losswatch.segment.max.values} distinct values the window aggregator sees, for good. A value
 * is tracked or not from the moment it is first seen and never changes side (the list only grows, up
 * to the cap), so a prediction's pending count and its later resolution always reach the same segment.
 *
 * <p>Kept in a logged store (one record per field and model version, the list of its values, written
 * when a value is added) and in memory once read; only tracked values are held, so a field with a
 * million values costs at most the cap. {@code ""} (missing) is never counted, nor is a value longer
 * than {@link Segment#MAX_VALUE_LENGTH} or {@link Segment#OTHER} itself: the last two are counted
 * under {@code __other__}.
 */
final class SegmentValues {
    private final int maxValues;
    private final Map<Bytes, Set<String>> tracked = new HashMap<>();
    private KeyValueStore<Bytes, List<String>> store;

    SegmentValues(int maxValues) {
        this.maxValues = maxValues;
    }

    /** (Re)starts from the store: a task revived after an aborted transaction may be ahead of it in memory. */
    void init(KeyValueStore<Bytes, List<String>> store) {
        this.store = store;
        tracked.clear();
    }

    /** The segment a raw value of one field counts under for (model, version). */
    Segment resolve(String model, String version, Segment raw) {
        String value = raw.value();
        if (value.isEmpty()) {
            return raw;
        }
        if (value.length() > Segment.MAX_VALUE_LENGTH || value.equals(Segment.OTHER)) {
            return new Segment(raw.field(), Segment.OTHER);
        }
        Bytes key = new SeriesKey(model, version, new Segment(raw.field(), Segment.MISSING)).bytes();
        Set<String> values = tracked.get(key);
        if (values == null) {
            List<String> stored = store.get(key);
            values = stored == null ? new LinkedHashSet<>() : new LinkedHashSet<>(stored);
            tracked.put(key, values);
        }
        if (values.contains(value)) {
            return raw;
        }
        if (values.size() >= maxValues) {
            return new Segment(raw.field(), Segment.OTHER);
        }
        values.add(value);
        store.put(key, new ArrayList<>(values));
        return raw;
    }

    /** The list of a field's tracked values: a count, then each value length-prefixed (UTF-8). */
    static final class Serde extends BinarySerde<List<String>> {
        private static final byte VERSION = 1;

        @SuppressWarnings("unchecked")
        Serde() {
            super((Class<List<String>>) (Class<?>) List.class, "a segment field's tracked values");
        }

        @Override
        protected byte[] toBytes(List<String> values) {
            List<byte[]> encoded = new ArrayList<>(values.size());
            int size = 1 + 4;
            for (String v : values) {
                byte[] b = v.getBytes(StandardCharsets.UTF_8);
                encoded.add(b);
                size += 4 + b.length;
            }
            ByteBuffer b = ByteBuffer.allocate(size).put(VERSION).putInt(values.size());
            encoded.forEach(e -> b.putInt(e.length).put(e));
            return b.array();
        }

        @Override
        protected List<String> fromBytes(ByteBuffer b) {
            if (b.get() != VERSION) {
                throw new SerializationException("unknown segment values format");
            }
            int n = b.getInt();
            List<String> values = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] bytes = new byte[b.getInt()];
                b.get(bytes);
                values.add(new String(bytes, StandardCharsets.UTF_8));
            }
            return values;
        }
    }
}
