package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.loss.WindowStats;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The window and estimate stores keep objects and write them when Kafka Streams commits, in the bytes a
 * cached store wrote: what a commit covers is what a restart reads back, and nothing more.
 */
class CommitWrittenStoreTest {
    private static final long T0 = TopologyFixture.T0;
    private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    private final KeyValueStore<Bytes, byte[]> inner = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(Names.WINDOW_STORE), Serdes.Bytes(), Serdes.ByteArray())
            .withLoggingDisabled().build();
    private final WindowStatsSerde serde = new WindowStatsSerde();

    CommitWrittenStoreTest() {
        inner.init(context.getStateStoreContext(), inner);
    }

    private static WindowStats losses(double... values) {
        WindowStats s = new WindowStats();
        for (double v : values) {
            s.addLoss("log_loss", v, false);
        }
        return s;
    }

    private List<Bytes> innerKeys() {
        List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = inner.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    @Test
    void writesTheSerdesBytesAtACommitOnlyAndReadsThemBack() {
        CommitWrittenStore<WindowStats> store = new CommitWrittenStore<>(inner, serde, false);
        Bytes a = SeriesKey.windowKey(T0, "churn", "v1", null);
        WindowStats s = losses(0.5);
        store.put(a, s);
        s.merge(losses(1.5)); // changed in place and put back, as the aggregator does
        store.put(a, store.get(a));
        assertThat(innerKeys()).as("nothing before a commit").isEmpty();
        store.flushCache();
        assertThat(inner.get(a)).isEqualTo(serde.serializer().serialize("t", s));

        CommitWrittenStore<WindowStats> restarted = new CommitWrittenStore<>(inner, serde, false);
        assertThat(restarted.get(a).count).isEqualTo(2);
        assertThat(restarted.get(a).sum).isEqualTo(2.0);
    }

    @Test
    void aDeleteIsWrittenAtTheCommitAndARangeSeesWhatChangedSince() {
        CommitWrittenStore<WindowStats> store = new CommitWrittenStore<>(inner, serde, false);
        Bytes a = SeriesKey.windowKey(T0, "churn", "v1", null);
        Bytes b = SeriesKey.windowKey(T0 + 60_000, "churn", "v1", null);
        Bytes c = SeriesKey.windowKey(T0 + 120_000, "churn", "v1", null);
        store.put(a, losses(1));
        store.put(b, losses(2));
        store.flushCache();
        store.delete(a);
        store.put(c, losses(3));
        assertThat(store.get(a)).isNull();
        assertThat(inner.get(a)).as("until the commit").isNotNull();
        List<KeyValue<Bytes, WindowStats>> range = new ArrayList<>();
        try (KeyValueIterator<Bytes, WindowStats> it = store.range(a, c)) {
            it.forEachRemaining(range::add);
        }
        assertThat(range).extracting(kv -> kv.key).containsExactly(b, c);
        assertThat(range.get(1).value.sum).isEqualTo(3.0);
        store.flushCache();
        assertThat(innerKeys()).containsExactly(b, c);
    }

    @Test
    void whatNoCommitCoveredIsDroppedWhenTheTaskIsClosedOrRecycled() {
        CommitWrittenStore<WindowStats> store = new CommitWrittenStore<>(inner, serde, true);
        Bytes a = SeriesKey.windowKey(T0, "churn", "v1", null);
        store.put(a, losses(1));
        store.flushCache();
        store.get(a).merge(losses(5)); // ahead of the last commit, never put
        store.put(SeriesKey.windowKey(T0, "fraud", "", null), losses(2));
        store.clearCache();
        store.flushCache();
        assertThat(innerKeys()).containsExactly(a);
        assertThat(store.get(a).count).as("as the last commit wrote it").isEqualTo(1);
    }

    @Test
    void retainedValuesAreTheSameObjectsAfterACommitOthersAreReadAgain() {
        Bytes a = SeriesKey.windowKey(T0, "churn", "v1", null);
        CommitWrittenStore<WindowStats> retaining = new CommitWrittenStore<>(inner, serde, true);
        WindowStats s = losses(1);
        retaining.put(a, s);
        retaining.flushCache();
        assertThat(retaining.get(a)).isSameAs(s);
        CommitWrittenStore<WindowStats> dropping = new CommitWrittenStore<>(inner, serde, false);
        dropping.put(a, s);
        dropping.flushCache();
        assertThat(dropping.get(a)).isNotSameAs(s);
        assertThat(dropping.get(a).sum).isEqualTo(1.0);
    }
}
