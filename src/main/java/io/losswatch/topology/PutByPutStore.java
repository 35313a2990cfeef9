package io.losswatch.topology;

import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueStore;

/** A key-value store of losswatch's own whose putIfAbsent and putAll are its get and put, one key at a time. */
interface PutByPutStore<K, V> extends KeyValueStore<K, V> {
    @Override
    default V putIfAbsent(K key, V value) {
        V existing = get(key);
        if (existing == null) {
            put(key, value);
        }
        return existing;
    }

    @Override
    default void putAll(List<KeyValue<K, V>> entries) {
        entries.forEach(kv -> put(kv.key, kv.value));
    }
}
