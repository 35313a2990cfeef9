package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** The replay's store of objects behaves as Kafka Streams' in-memory store does where the topology relies on it. */
class ObjectStoreTest {

    private static List<String> keys(KeyValueIterator<?, ?> it) {
        List<String> keys = new ArrayList<>();
        try (it) {
            it.forEachRemaining(kv -> keys.add(String.valueOf(kv.key)));
        }
        return keys;
    }

    @Test
    void keysAreOrderedAsTheirSerialisedBytesNotAsJavaOrdersThem() {
        // Kafka's Integer serde writes big-endian two's complement, so -1 (FF FF FF FF) sorts after 2
        KeyValueStore<Integer, String> store = ObjectStore.<Integer, String>builder("s", Serdes.Integer()).build();
        store.put(2, "two");
        store.put(-1, "minus one");
        store.put(0, "zero");
        assertThat(keys(store.all())).containsExactly("0", "2", "-1");
        assertThat(keys(store.reverseAll())).containsExactly("-1", "2", "0");
        assertThat(keys(store.range(0, 2))).as("both ends included").containsExactly("0", "2");
        assertThat(keys(store.range(2, 0))).as("from after to: nothing").isEmpty();
    }

    @Test
    void getReturnsWhatWasPutAndNullDeletes() {
        KeyValueStore<String, List<String>> store = ObjectStore.<String, List<String>>builder("s", Serdes.String()).build();
        List<String> value = new ArrayList<>(List.of("a"));
        store.put("k", value);
        assertThat(store.get("k")).isSameAs(value);
        assertThat(store.putIfAbsent("k", List.of("b"))).isSameAs(value);
        store.put("k", null);
        assertThat(store.get("k")).isNull();
        assertThat(store.approximateNumEntries()).isZero();
        store.putAll(List.of(KeyValue.pair("x", List.of("1")), KeyValue.pair("y", List.of("2"))));
        assertThat(store.delete("x")).containsExactly("1");
        assertThat(keys(store.all())).containsExactly("y");
    }

    @Test
    void anIteratorSkipsKeysDeletedAfterItWasMadeAndSeesNewValues() {
        // LabelJoin deletes the timers it walks; WindowAggregator collects, then changes
        KeyValueStore<String, String> store = ObjectStore.<String, String>builder("s", Serdes.String()).build();
        for (String k : List.of("a", "b", "c", "d")) {
            store.put(k, k.toUpperCase());
        }
        List<String> seen = new ArrayList<>();
        try (KeyValueIterator<String, String> it = store.range("a", "d")) {
            while (it.hasNext()) {
                KeyValue<String, String> kv = it.next();
                seen.add(kv.key + "=" + kv.value);
                if (kv.key.equals("a")) {
                    store.delete("b");
                    store.put("c", "changed");
                    store.put("bb", "added later");
                }
            }
        }
        assertThat(seen).containsExactly("a=A", "c=changed", "d=D");
    }

    @Test
    void aPrefixScanReadsTheKeysStartingWithThePrefixBytes() {
        KeyValueStore<String, String> store = ObjectStore.<String, String>builder("s", Serdes.String()).build();
        for (String k : List.of("ab", "abc", "abd", "ac", "b")) {
            store.put(k, k);
        }
        assertThat(keys(store.prefixScan("ab", new StringSerializer()))).containsExactly("ab", "abc", "abd");
    }
}
