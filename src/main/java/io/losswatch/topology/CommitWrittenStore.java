package io.losswatch.topology;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A key-value store of objects in front of a logged store of their bytes, written when Kafka Streams
 * commits: a value read, changed and put back many times between two commits is read and deserialised
 * once and serialised and written once, where a cached store of Kafka Streams serialises at every put
 * and deserialises at every get (the window aggregator did both per partial and series: with segments,
 * many times per commit; docs/benchmarks.md, Segments).
 *
 * <p>Exactly-once as {@link IntakeState}: Kafka Streams calls {@link #flushCache} on every caching store
 * when the task prepares a commit, before the changelog records and the input offsets are committed in
 * one transaction; this store writes what changed then, into the inner store in the serde's form, so
 * the stored and logged bytes are the ones a cached store of the previous version wrote, and each
 * version reads the other's state. A range or a full scan writes what changed first and reads the inner
 * store. Restoring and standby tasks write the inner store directly; what is held is dropped when the
 * task is recycled or closed ({@link #clearCache}).
 *
 * <p>retain: whether objects stay after a commit (for values read again and again and few, such as a
 * series' calibration) or are dropped (so memory holds what one commit interval touched, not every open
 * window).
 */
final class CommitWrittenStore<V> extends WrappedStateStore<KeyValueStore<Bytes, byte[]>, Bytes, V>
        implements PutByPutStore<Bytes, V> {
    private final Serde<V> serde;
    private final boolean retain;
    /** Values read or put since they were last dropped; a null value is a delete not yet written. */
    private final Map<Bytes, V> held = new HashMap<>();
    private final Set<Bytes> dirty = new HashSet<>();

    CommitWrittenStore(KeyValueStore<Bytes, byte[]> inner, Serde<V> serde, boolean retain) {
        super(inner);
        this.serde = serde;
        this.retain = retain;
    }

    /** A builder for the topology: the inner store is an uncached key-value store of the given storage. */
    static <V> StoreBuilder<CommitWrittenStore<V>> builder(String name, Storage storage, Serde<V> serde, boolean retain) {
        StoreBuilder<KeyValueStore<Bytes, byte[]>> inner = storage.keyValueStoreBuilder(
                name, Serdes.Bytes(), Serdes.ByteArray()).withCachingDisabled();
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<CommitWrittenStore<V>> withCachingEnabled() {
                throw new UnsupportedOperationException("this store is its own cache");
            }

            @Override
            public StoreBuilder<CommitWrittenStore<V>> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitWrittenStore<V>> withLoggingEnabled(Map<String, String> config) {
                inner.withLoggingEnabled(config);
                return this;
            }

            @Override
            public StoreBuilder<CommitWrittenStore<V>> withLoggingDisabled() {
                inner.withLoggingDisabled();
                return this;
            }

            @Override
            public CommitWrittenStore<V> build() {
                return new CommitWrittenStore<>(inner.build(), serde, retain);
            }

            @Override
            public Map<String, String> logConfig() {
                return inner.logConfig();
            }

            @Override
            public boolean loggingEnabled() {
                return inner.loggingEnabled();
            }

            @Override
            public String name() {
                return inner.name();
            }
        };
    }

    @Override
    public V get(Bytes key) {
        if (held.containsKey(key)) {
            return held.get(key);
        }
        V value = deserialize(wrapped().get(key));
        if (value != null) {
            held.put(key, value);
        }
        return value;
    }

    @Override
    public void put(Bytes key, V value) {
        held.put(key, value);
        dirty.add(key);
    }

    @Override
    public V delete(Bytes key) {
        V old = get(key);
        put(key, null);
        return old;
    }

    @Override
    public KeyValueIterator<Bytes, V> range(Bytes from, Bytes to) {
        writeDirty();
        return objects(wrapped().range(from, to));
    }

    @Override
    public KeyValueIterator<Bytes, V> all() {
        writeDirty();
        return objects(wrapped().all());
    }

    @Override
    public long approximateNumEntries() {
        return wrapped().approximateNumEntries();
    }

    /** Called by Kafka Streams when the task prepares a commit: writes what changed since the last one. */
    @Override
    public void flushCache() {
        writeDirty();
        if (!retain) {
            held.clear();
        }
    }

    private void writeDirty() {
        if (dirty.isEmpty()) {
            return;
        }
        KeyValueStore<Bytes, byte[]> store = wrapped();
        String name = name();
        for (Bytes key : dirty) {
            V value = held.get(key);
            store.put(key, value == null ? null : serde.serializer().serialize(name, value));
            if (value == null) {
                held.remove(key);
            }
        }
        dirty.clear();
    }

    /**
     * Called when the inner store may have been written without this layer (the task is recycled between
     * standby and active) or what is held is ahead of the last commit (closed dirty): drop it.
     */
    @Override
    public void clearCache() {
        held.clear();
        dirty.clear();
    }

    @Override
    public void close() {
        clearCache();
        super.close();
    }

    /** Nothing for Kafka Streams to forward from this cache. */
    @Override
    public boolean setFlushListener(CacheFlushListener<Bytes, V> listener, boolean sendOldValues) {
        return false;
    }

    private V deserialize(byte[] bytes) {
        return bytes == null ? null : serde.deserializer().deserialize(name(), bytes);
    }

    /** The inner store's entries as objects: the held one where there is one (it is the same value). */
    private KeyValueIterator<Bytes, V> objects(KeyValueIterator<Bytes, byte[]> inner) {
        return new KeyValueIterator<>() {
            @Override
            public void close() {
                inner.close();
            }

            @Override
            public Bytes peekNextKey() {
                return inner.peekNextKey();
            }

            @Override
            public boolean hasNext() {
                return inner.hasNext();
            }

            @Override
            public KeyValue<Bytes, V> next() {
                KeyValue<Bytes, byte[]> kv = inner.next();
                V held = CommitWrittenStore.this.held.get(kv.key);
                return KeyValue.pair(kv.key, held != null ? held : deserialize(kv.value));
            }
        };
    }
}
