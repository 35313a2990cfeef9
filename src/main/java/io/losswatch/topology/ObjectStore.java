package io.losswatch.topology;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A key-value store that keeps its values as the objects put, for a replay (CONTRACT §12): nothing is
 * restored or written to a changelog there, so serialising every value on every put and get (as Kafka
 * Streams' stores do, half of a replay's aggregation time) buys nothing. Keys are ordered as their
 * serialised bytes, as in Kafka Streams' in-memory store, so ranges and iteration see the same order.
 *
 * <p>What a step gets is the object the store holds, not a copy. The topology's steps treat stores as
 * Kafka Streams' stores require: what they change they put back (or delete), and they do not change an
 * object after putting it except to put it again; ReplayIT checks a replay against the live run, whose
 * stores serialise.
 */
final class ObjectStore<K, V> implements PutByPutStore<K, V> {
    private final String name;
    private final Serializer<K> keys;
    private final TreeMap<Bytes, KeyValue<K, V>> map = new TreeMap<>();
    private volatile boolean open;

    ObjectStore(String name, Serde<K> keySerde) {
        this.name = name;
        this.keys = keySerde.serializer();
    }

    /** A builder of such a store; caching and logging requests are accepted and mean nothing here. */
    static <K, V> StoreBuilder<KeyValueStore<K, V>> builder(String name, Serde<K> keySerde) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(Map<String, String> config) {
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
                return this;
            }

            @Override
            public KeyValueStore<K, V> build() {
                return new ObjectStore<>(name, keySerde);
            }

            @Override
            public Map<String, String> logConfig() {
                return Map.of();
            }

            @Override
            public boolean loggingEnabled() {
                return false;
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    private Bytes key(K key) {
        return Bytes.wrap(keys.serialize(name, key));
    }

    @Override
    public void put(K key, V value) {
        if (value == null) {
            map.remove(key(key));
        } else {
            map.put(key(key), KeyValue.pair(key, value));
        }
    }

    @Override
    public V delete(K key) {
        KeyValue<K, V> removed = map.remove(key(key));
        return removed == null ? null : removed.value;
    }

    @Override
    public V get(K key) {
        KeyValue<K, V> kv = map.get(key(key));
        return kv == null ? null : kv.value;
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        return range(from, to, true);
    }

    @Override
    public KeyValueIterator<K, V> reverseRange(K from, K to) {
        return range(from, to, false);
    }

    private KeyValueIterator<K, V> range(K from, K to, boolean forward) {
        Bytes f = from == null ? null : key(from);
        Bytes t = to == null ? null : key(to);
        if (f != null && t != null && f.compareTo(t) > 0) {
            return new SnapshotIterator(new TreeMap<>(), forward);
        }
        NavigableMap<Bytes, KeyValue<K, V>> view = f == null && t == null ? map
                : f == null ? map.headMap(t, true)
                : t == null ? map.tailMap(f, true)
                : map.subMap(f, true, t, true);
        return new SnapshotIterator(view, forward);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        return new SnapshotIterator(map, true);
    }

    @Override
    public KeyValueIterator<K, V> reverseAll() {
        return new SnapshotIterator(map, false);
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(P prefix, PS prefixKeySerializer) {
        Bytes from = Bytes.wrap(prefixKeySerializer.serialize(name, prefix));
        NavigableMap<Bytes, KeyValue<K, V>> tail = map.tailMap(from, true);
        TreeMap<Bytes, KeyValue<K, V>> matching = new TreeMap<>();
        for (Map.Entry<Bytes, KeyValue<K, V>> e : tail.entrySet()) {
            if (!startsWith(e.getKey().get(), from.get())) {
                break;
            }
            matching.put(e.getKey(), e.getValue());
        }
        return new SnapshotIterator(matching, true);
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public long approximateNumEntries() {
        return map.size();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        // registered so the task manages it like any store; nothing to restore: a replay starts empty
        context.register(root, (key, value) -> {
            throw new IllegalStateException("a replay's store " + name + " has nothing to restore");
        });
        open = true;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        open = false;
        map.clear();
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /**
     * Over the keys present when it was made, in order, each with its value when reached; keys deleted
     * meanwhile are skipped (as in Kafka Streams' in-memory store), so a step may change the store as it goes.
     */
    private final class SnapshotIterator implements KeyValueIterator<K, V> {
        private final Iterator<Bytes> keysLeft;
        private KeyValue<K, V> next;

        SnapshotIterator(NavigableMap<Bytes, KeyValue<K, V>> view, boolean forward) {
            List<Bytes> snapshot = new ArrayList<>(forward ? view.navigableKeySet() : view.descendingKeySet());
            keysLeft = snapshot.iterator();
        }

        @Override
        public boolean hasNext() {
            while (next == null && keysLeft.hasNext()) {
                next = map.get(keysLeft.next());
            }
            return next != null;
        }

        @Override
        public KeyValue<K, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            KeyValue<K, V> kv = next;
            next = null;
            return kv;
        }

        @Override
        public K peekNextKey() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return next.key;
        }

        @Override
        public void close() {
        }
    }
}
