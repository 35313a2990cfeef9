package io.losswatch.topology;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Where the topology keeps its state. The steps are the same either way; only the stores differ.
 */
public enum Storage {
    /** RocksDB stores backed by changelog topics: {@code run}, which must survive restarts and moves. */
    PERSISTENT,
    /**
     * In-memory stores of objects, without changelogs ({@link ObjectStore}): a replay that drives the topology
     * in-process from start to end (CONTRACT §12), where nothing is restored and nothing may be written to the
     * cluster, so nothing needs serialising.
     */
    IN_MEMORY;

    /** A key-value store builder of this kind. */
    public <K, V> StoreBuilder<KeyValueStore<K, V>> keyValueStoreBuilder(String name, Serde<K> keys, Serde<V> values) {
        if (this == PERSISTENT) {
            return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keys, values);
        }
        return ObjectStore.builder(name, keys);
    }
}
