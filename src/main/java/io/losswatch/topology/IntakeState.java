package io.losswatch.topology;

import io.losswatch.loss.PredictionPoint;
import io.losswatch.loss.Score;
import io.losswatch.loss.WindowStats;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * The prediction intake's state: the open partials of one input partition, its event-time clock and
 * the last offset it read. Kept as objects and written to a logged key-value store only when Kafka
 * Streams commits, so an event costs a map lookup and a merge instead of a serialised, cached store
 * write per changed value (three per event before: the partial, the clock and the offset; 17% of
 * the stream thread in JFR).
 *
 * <p>Exactly-once still holds: Kafka Streams flushes every caching store ({@code flushCache}) when a
 * task prepares its commit, before the changelog records and the input offsets are committed in one
 * transaction. This store is such a caching store, so what a commit covers is what a restart restores.
 * Restoring and standby tasks write the inner store directly; the objects are read from it when the
 * processor starts ({@link #load}). Only the prediction intake's processor reads what it holds: a
 * step that read {@code intake-partials} through Kafka Streams would see the last commit's contents.
 *
 * <p>The stores keep the layout earlier versions wrote and read (this version reads all of it; since the
 * label-free metrics the partials' own form is newer, which earlier versions cannot read: see
 * docs/estimation.md, Upgrading): partials in the inner store under
 * their window key in {@link WindowStatsSerde}'s form, the clock and the offset in the
 * {@code intake-clock} store (which is not cached, so what this store writes into it when flushed is
 * in the same commit).
 */
final class IntakeState extends WrappedStateStore<KeyValueStore<Bytes, byte[]>, Bytes, byte[]> {
    private static final String CLOCK_KEY = "clock";
    private static final String OFFSET_KEY = "offset";

    /** In the order first touched since the last flush, so the aggregator sees segment values in input order. */
    private final Map<Bytes, WindowStats> open = new java.util.LinkedHashMap<>();
    /** Keys changed since the last commit: written (or deleted, when no longer open) at the next. */
    private final Set<Bytes> dirty = new HashSet<>();
    /**
     * Keys the inner store holds (written at a commit and not deleted since): a partial sent before any
     * commit wrote it needs no tombstone, so most partials cost the changelog nothing or one record, not two.
     */
    private final Set<Bytes> stored = new HashSet<>();
    private long clock = -1;
    private long lastOffset = -1;
    private boolean clockDirty;
    /** Where the clock and the offset are kept; given by the processor, which may read stores. */
    private KeyValueStore<String, Long> clockStore;

    IntakeState(KeyValueStore<Bytes, byte[]> inner) {
        super(inner);
    }

    /**
     * A builder for the topology: the inner store is an uncached key-value store of the given storage
     * (persistent and logged for {@code run}).
     */
    static StoreBuilder<IntakeState> builder(String name, Storage storage) {
        StoreBuilder<KeyValueStore<Bytes, byte[]>> inner = storage.keyValueStoreBuilder(
                name, Serdes.Bytes(), Serdes.ByteArray()).withCachingDisabled();
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<IntakeState> withCachingEnabled() {
                throw new UnsupportedOperationException("the intake state is its own cache");
            }

            @Override
            public StoreBuilder<IntakeState> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<IntakeState> withLoggingEnabled(Map<String, String> config) {
                inner.withLoggingEnabled(config);
                return this;
            }

            @Override
            public StoreBuilder<IntakeState> withLoggingDisabled() {
                inner.withLoggingDisabled();
                return this;
            }

            @Override
            public IntakeState build() {
                return new IntakeState(inner.build());
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

    /**
     * Reads the partials, clock and offset back from the stores, which hold what the last commit
     * covered (restored from their changelogs after a crash or a move).
     */
    void load(KeyValueStore<String, Long> clockStore) {
        this.clockStore = clockStore;
        open.clear();
        dirty.clear();
        stored.clear();
        clockDirty = false;
        Long savedClock = clockStore.get(CLOCK_KEY);
        Long savedOffset = clockStore.get(OFFSET_KEY);
        clock = savedClock == null ? -1 : savedClock;
        lastOffset = savedOffset == null ? -1 : savedOffset;
        WindowStatsSerde serde = new WindowStatsSerde();
        try (KeyValueIterator<Bytes, byte[]> it = wrapped().all()) {
            it.forEachRemaining(kv -> {
                open.put(kv.key, serde.deserializer().deserialize(name(), kv.value));
                stored.add(kv.key);
            });
        }
    }

    /**
     * The open partial under key (created when absent), to be changed by the caller: one lookup for all an
     * event adds to one series (its loss, its prediction, its lesson), not one per kind.
     */
    WindowStats partial(Bytes key) {
        WindowStats stats = open.get(key);
        if (stats == null) {
            stats = new WindowStats();
            open.put(key, stats);
        }
        dirty.add(key);
        return stats;
    }

    /** Merges add into the open partial under key (created when absent). */
    void add(Bytes key, WindowStats add) {
        open.computeIfAbsent(key, k -> new WindowStats()).merge(add);
        dirty.add(key);
    }

    /** Adds one scored prediction to the open partial under key (created when absent), as {@link WindowStats#addScored}. */
    void addScored(Bytes key, Score.Loss score, long eventTime) {
        open.computeIfAbsent(key, k -> new WindowStats()).addScored(score, eventTime);
        dirty.add(key);
    }

    /**
     * Adds a valid prediction to the open partial under key (created when absent): its sketch, and for a
     * scored one (lesson not null) what it teaches the calibration.
     */
    void addPrediction(Bytes key, PredictionPoint point, String scoredFunction, PredictionPoint.Lesson lesson) {
        WindowStats stats = open.computeIfAbsent(key, k -> new WindowStats());
        stats.addPrediction(point);
        if (lesson != null) {
            stats.learn(scoredFunction, lesson);
        }
        dirty.add(key);
    }

    /** The open partials by window key; {@link #clearPartials} ends them. */
    Map<Bytes, WindowStats> partials() {
        return open;
    }

    /** All open partials have been sent on: they end (deleted at the next commit). */
    void clearPartials() {
        dirty.addAll(open.keySet());
        open.clear();
    }

    long clock() {
        return clock;
    }

    void clock(long clock) {
        this.clock = clock;
        clockDirty = true;
    }

    long lastOffset() {
        return lastOffset;
    }

    void lastOffset(long offset) {
        this.lastOffset = offset;
        clockDirty = true;
    }

    /** Called by Kafka Streams when the task prepares a commit: writes what changed since the last one. */
    @Override
    public void flushCache() {
        if (dirty.isEmpty() && !clockDirty) {
            return;
        }
        WindowStatsSerde serde = new WindowStatsSerde();
        KeyValueStore<Bytes, byte[]> store = wrapped();
        String name = name();
        for (Bytes key : dirty) {
            WindowStats stats = open.get(key);
            if (stats != null) {
                store.put(key, serde.serializer().serialize(name, stats));
                stored.add(key);
            } else if (stored.remove(key)) {
                store.put(key, null);
            }
        }
        dirty.clear();
        if (clockDirty) {
            clockStore.put(CLOCK_KEY, clock);
            clockStore.put(OFFSET_KEY, lastOffset);
            clockDirty = false;
        }
    }

    /**
     * Called when the inner store may have been written without this layer (the task is recycled
     * between standby and active): the objects are stale; the processor's init loads them again.
     */
    @Override
    public void clearCache() {
        open.clear();
        dirty.clear();
        stored.clear();
        clockDirty = false;
        clock = -1;
        lastOffset = -1;
    }

    @Override
    public void close() {
        clearCache();
        super.close();
    }

    /** Nothing for Kafka Streams to forward from this cache: the intake forwards its partials itself. */
    @Override
    public boolean setFlushListener(CacheFlushListener<Bytes, byte[]> listener, boolean sendOldValues) {
        return false;
    }

    /** Visible for tests: the inner store, as a restart would read it. */
    KeyValueStore<Bytes, byte[]> committed() {
        return wrapped();
    }

}
