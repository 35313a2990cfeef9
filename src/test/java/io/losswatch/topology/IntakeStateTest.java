package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.losswatch.event.Segment;
import io.losswatch.loss.WindowStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The intake's state is written to its store when Kafka Streams commits, not per event: what a
 * commit covers is what a restart reads back.
 */
class IntakeStateTest {
    private static final long T0 = TopologyFixture.T0;

    private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    private final KeyValueStore<Bytes, byte[]> inner = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore("intake-partials"), Serdes.Bytes(), Serdes.ByteArray())
            .withLoggingDisabled().build();
    private final KeyValueStore<String, Long> clocks = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore("intake-clock"), Serdes.String(), Serdes.Long())
            .withLoggingDisabled().build();

    IntakeStateTest() {
        inner.init(context.getStateStoreContext(), inner);
        clocks.init(context.getStateStoreContext(), clocks);
    }

    private static WindowStats losses(double... values) {
        WindowStats s = new WindowStats();
        for (double v : values) {
            s.addLoss("log_loss", v, false);
        }
        return s;
    }

    private static Map<Bytes, byte[]> contents(KeyValueStore<Bytes, byte[]> store) {
        Map<Bytes, byte[]> out = new HashMap<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            it.forEachRemaining(kv -> out.put(kv.key, kv.value));
        }
        return out;
    }

    @Test
    void writesOnlyWhenFlushedAndReadsBackWhatWasWritten() {
        IntakeState state = new IntakeState(inner);
        Bytes a = WindowAggregator.windowKey(T0, "churn", "v1");
        Bytes b = WindowAggregator.windowKey(T0, "fraud", "");
        state.load(clocks);
        state.add(a, losses(0.5));
        state.add(a, losses(1.5));
        state.add(b, losses(2.0));
        state.clock(T0 + 30_000);
        state.lastOffset(41);
        assertThat(contents(inner)).as("nothing is written before a commit").isEmpty();

        state.flushCache();
        assertThat(contents(inner)).hasSize(2);
        assertThat(clocks.get("clock")).isEqualTo(T0 + 30_000);
        assertThat(clocks.get("offset")).isEqualTo(41);

        IntakeState restarted = new IntakeState(inner);
        restarted.load(clocks);
        assertThat(restarted.clock()).isEqualTo(T0 + 30_000);
        assertThat(restarted.lastOffset()).isEqualTo(41);
        assertThat(restarted.partials()).containsOnlyKeys(a, b);
        WindowStats churn = restarted.partials().get(a);
        assertThat(churn.count).isEqualTo(2);
        assertThat(churn.sum).isEqualTo(2.0);
        assertThat(churn.min).isEqualTo(0.5);
        assertThat(churn.max).isEqualTo(1.5);
        // (0.5 − 1)² + (1.5 − 1)²
        assertThat(churn.m2).isCloseTo(0.5, within(1e-15));
        assertThat(restarted.partials().get(b).sum).isEqualTo(2.0);
    }

    @Test
    void sentPartialsAreDeletedAtTheNextCommitAndTheClockStays() {
        IntakeState state = new IntakeState(inner);
        Bytes a = WindowAggregator.windowKey(T0, "churn", "v1");
        state.load(clocks);
        state.add(a, losses(0.25));
        state.clock(T0 + 1_000);
        state.lastOffset(7);
        state.flushCache();
        state.clearPartials();
        assertThat(state.partials()).isEmpty();
        assertThat(contents(inner)).as("still the last commit's").containsKey(a);

        state.flushCache();
        assertThat(contents(inner)).isEmpty();
        IntakeState restarted = new IntakeState(inner);
        restarted.load(clocks);
        assertThat(restarted.partials()).isEmpty();
        assertThat(restarted.clock()).isEqualTo(T0 + 1_000);
        assertThat(restarted.lastOffset()).isEqualTo(7);
    }

    @Test
    void aPartialSentBeforeAnyCommitWroteItCostsTheStoreNothing() {
        KeyValueStore<Bytes, byte[]> counted = new CountingStore(inner);
        IntakeState state = new IntakeState(counted);
        Bytes a = WindowAggregator.windowKey(T0, "churn", "v1");
        Bytes b = WindowAggregator.windowKey(T0, "fraud", "");
        state.load(clocks);
        state.add(a, losses(0.5));
        state.flushCache();
        assertThat(((CountingStore) counted).puts).as("a written").isEqualTo(1);
        state.add(b, losses(1.0));
        state.clearPartials();
        state.flushCache();
        // a is deleted (the last commit wrote it), b was never written: no tombstone for it
        assertThat(((CountingStore) counted).puts).isEqualTo(2);
        assertThat(contents(inner)).isEmpty();
        state.add(b, losses(2.0));
        state.flushCache();
        assertThat(contents(inner)).containsOnlyKeys(b);
        // a restart reads b back and deletes it once sent
        IntakeState restarted = new IntakeState(counted);
        restarted.load(clocks);
        assertThat(restarted.partials()).containsOnlyKeys(b);
        restarted.clearPartials();
        restarted.flushCache();
        assertThat(contents(inner)).isEmpty();
    }

    @Test
    void aSeriesSentOnAndOpenedAgainBeforeTheNextCommitIsWrittenNotDeleted() {
        CountingStore counted = new CountingStore(inner);
        IntakeState state = new IntakeState(counted);
        Bytes a = WindowAggregator.windowKey(T0, "churn", "v1");
        state.load(clocks);
        state.add(a, losses(0.5));
        state.flushCache();
        state.clearPartials();
        state.add(a, losses(2.0));
        state.flushCache();
        // the commit writes the new partial under the old key: no tombstone before it
        assertThat(counted.puts).isEqualTo(2);
        IntakeState restarted = new IntakeState(counted);
        restarted.load(clocks);
        assertThat(restarted.partials()).containsOnlyKeys(a);
        assertThat(restarted.partials().get(a).sum).isEqualTo(2.0);
        assertThat(restarted.partials().get(a).count).isEqualTo(1);
    }

    @Test
    void segmentPartialsAreKeptWithTheirModelsWindowInTheOrderFirstTouchedAndReadBackSo() {
        IntakeState state = new IntakeState(inner);
        state.load(clocks);
        Segment fr = new Segment("country", "FR");
        Segment de = new Segment("country", "DE");
        state.window(T0, "churn", "v1").whole().addLoss("log_loss", 1.0, false);
        state.window(T0, "churn", "v1").segment(fr).addLoss("log_loss", 1.0, false);
        state.window(T0, "fraud", "").whole().addLoss("log_loss", 3.0, false);
        state.window(T0, "churn", "v1").whole().addLoss("log_loss", 2.0, false);
        state.window(T0, "churn", "v1").segment(de).addLoss("log_loss", 2.0, false);
        state.window(T0, "churn", "v1").segment(fr).addLoss("log_loss", 4.0, false);

        List<IntakeState.OpenWindow> windows = new ArrayList<>();
        state.windows().forEach(windows::add);
        assertThat(windows).extracting(w -> w.of.model()).containsExactly("churn", "fraud");
        assertThat(windows.get(0).wholeStats().sum).isEqualTo(3.0);
        assertThat(windows.get(0).segmentStats()).containsOnlyKeys(fr, de);
        assertThat(windows.get(0).segmentStats().keySet()).containsExactly(fr, de);
        assertThat(windows.get(0).segmentStats().get(fr).sum).isEqualTo(5.0);

        state.flushCache();
        assertThat(contents(inner)).containsOnlyKeys(
                WindowAggregator.windowKey(T0, "churn", "v1"), WindowAggregator.windowKey(T0, "fraud", ""),
                SeriesKey.windowKey(T0, "churn", "v1", fr), SeriesKey.windowKey(T0, "churn", "v1", de));
        IntakeState restarted = new IntakeState(inner);
        restarted.load(clocks);
        List<IntakeState.OpenWindow> read = new ArrayList<>();
        restarted.windows().forEach(read::add);
        assertThat(read).hasSize(2);
        IntakeState.OpenWindow churn = read.stream().filter(w -> w.of.model().equals("churn")).findFirst().orElseThrow();
        assertThat(churn.wholeStats().count).isEqualTo(2);
        assertThat(churn.segmentStats().get(fr).count).isEqualTo(2);
        assertThat(churn.segmentStats().get(de).sum).isEqualTo(2.0);
    }

    /** Counts puts into the inner store (a delete is a put of null). */
    private static final class CountingStore extends org.apache.kafka.streams.state.internals.WrappedStateStore<
            KeyValueStore<Bytes, byte[]>, Bytes, byte[]> implements KeyValueStore<Bytes, byte[]> {
        int puts;

        CountingStore(KeyValueStore<Bytes, byte[]> inner) {
            super(inner);
        }

        @Override
        public void put(Bytes key, byte[] value) {
            puts++;
            wrapped().put(key, value);
        }

        @Override
        public byte[] putIfAbsent(Bytes key, byte[] value) {
            return wrapped().putIfAbsent(key, value);
        }

        @Override
        public void putAll(java.util.List<org.apache.kafka.streams.KeyValue<Bytes, byte[]>> entries) {
            wrapped().putAll(entries);
        }

        @Override
        public byte[] delete(Bytes key) {
            puts++;
            return wrapped().delete(key);
        }

        @Override
        public byte[] get(Bytes key) {
            return wrapped().get(key);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
            return wrapped().range(from, to);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> all() {
            return wrapped().all();
        }

        @Override
        public long approximateNumEntries() {
            return wrapped().approximateNumEntries();
        }
    }

    @Test
    void clearingTheCacheDropsWhatNoCommitCovered() {
        IntakeState state = new IntakeState(inner);
        state.load(clocks);
        state.add(WindowAggregator.windowKey(T0, "churn", "v1"), losses(3.0));
        state.clock(T0);
        state.clearCache();
        assertThat(state.clock()).isEqualTo(-1);
        state.flushCache();
        assertThat(contents(inner)).isEmpty();
        assertThat(clocks.get("clock")).isNull();
    }

    @Test
    void readsStateInTheFormEarlierVersionsWrote() {
        // an earlier version put every partial and the clock and offset through cached stores per event
        Bytes a = WindowAggregator.windowKey(T0, "churn", "v1");
        inner.put(a, new WindowStatsSerde().serializer().serialize("t", losses(0.5, 1.5)));
        clocks.put("clock", T0 + 5_000);
        clocks.put("offset", 12L);
        IntakeState state = new IntakeState(inner);
        state.load(clocks);
        assertThat(state.clock()).isEqualTo(T0 + 5_000);
        assertThat(state.lastOffset()).isEqualTo(12);
        assertThat(state.partials().get(a).count).isEqualTo(2);
        assertThat(state.partials().get(a).sum).isEqualTo(2.0);
    }

    /** Under Kafka Streams' own task (TopologyTestDriver commits after every record), without any flush punctuation. */
    @Test
    void kafkaStreamsWritesTheStateAtEveryCommit() {
        try (TopologyFixture f = new TopologyFixture()) {
            TestInputTopic<byte[], byte[]> predictions = f.driver.createInputTopic("predictions",
                    new ByteArraySerializer(), new ByteArraySerializer());
            long t = T0 + 12_000;
            for (double p : new double[] {0.9, 0.2}) {
                predictions.pipeInput(new TestRecord<>(null, TopologyFixture.utf8(String.format(
                        "{\"model\":\"churn\",\"model_version\":\"v1\",\"timestamp\":%d,\"prediction\":%s,\"label\":1}",
                        t, p)), null, t));
            }
            IntakeState state = (IntakeState) f.driver.getAllStateStores().get(Names.INTAKE_PARTIALS_STORE);
            @SuppressWarnings("unchecked")
            KeyValueStore<String, Long> clockStore =
                    (KeyValueStore<String, Long>) f.driver.getAllStateStores().get(Names.INTAKE_CLOCK_STORE);
            Map<Bytes, byte[]> committed = contents(state.committed());
            byte[] partial = committed.get(WindowAggregator.windowKey(T0, "churn", "v1"));
            assertThat(partial).as("the partial as the last commit covered it").isNotNull();
            WindowStats stats = new WindowStatsSerde().deserializer().deserialize("t", partial);
            assertThat(stats.count).isEqualTo(2);
            // −ln 0.9 − ln 0.2, by hand: 0.105360515657826 + 1.609437912434100
            assertThat(stats.sum + stats.compensation).isCloseTo(1.714798428091926, within(1e-12));
            assertThat(clockStore.get("clock")).isEqualTo(t);
            assertThat(clockStore.get("offset")).isEqualTo(1);

            f.flush();
            assertThat(contents(state.committed())).as("sent on by the flush, deleted at the commit after it").isEmpty();
            assertThat(clockStore.get("clock")).isEqualTo(t);
        }
    }
}
