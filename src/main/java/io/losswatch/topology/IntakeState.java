package io.losswatch.topology;

import io.losswatch.loss.PredictionPoint;
import io.losswatch.loss.Score;
import io.losswatch.loss.WindowStats;
import io.losswatch.event.Segment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
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

    /**
     * The open partials, grouped by (model, version, window) in the order first touched since the last
     * flush, each group's segment values in the order first touched: the order the aggregator sees them in.
     * An event finds its group with one lookup on a key of strings (no store key encoded per event) and its
     * segment values' partials inside the group.
     */
    private final Map<WindowOf, OpenWindow> open = new LinkedHashMap<>();
    /** Partials changed since the last commit (each once, {@link OpenPartial#toWrite}): written at the next. */
    private final List<OpenPartial> dirty = new ArrayList<>();
    /** Store keys of partials ended (sent on) since the last commit that a commit had written: deleted at the next. */
    private final List<Bytes> ended = new ArrayList<>();
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
        ended.clear();
        stored.clear();
        clockDirty = false;
        Long savedClock = clockStore.get(CLOCK_KEY);
        Long savedOffset = clockStore.get(OFFSET_KEY);
        clock = savedClock == null ? -1 : savedClock;
        lastOffset = savedOffset == null ? -1 : savedOffset;
        WindowStatsSerde serde = new WindowStatsSerde();
        try (KeyValueIterator<Bytes, byte[]> it = wrapped().all()) {
            it.forEachRemaining(kv -> {
                OpenPartial partial = openPartial(kv.key);
                partial.key = kv.key;
                partial.stats = serde.deserializer().deserialize(name(), kv.value);
                stored.add(kv.key);
            });
        }
    }

    /**
     * The open partials of one (model, version, window) (created when absent), to be changed through
     * {@link OpenWindow#whole} and {@link OpenWindow#segment}.
     */
    OpenWindow window(long start, String model, String version) {
        WindowOf of = new WindowOf(start, model, version);
        OpenWindow window = open.get(of);
        if (window == null) {
            window = new OpenWindow(of);
            open.put(of, window);
        }
        return window;
    }

    /** The open partials by (model, version, window), in the order first touched; {@link #clearPartials} ends them. */
    Iterable<OpenWindow> windows() {
        return open.values();
    }

    /** The open partial under a store key (created when absent), as a restart reads them; and for tests. */
    private OpenPartial openPartial(Bytes key) {
        SeriesKey.Window w = SeriesKey.readWindow(key);
        SeriesKey series = w.series();
        OpenWindow window = window(w.start(), series.model(), series.modelVersion());
        return series.segment() == null ? window.wholePartial() : window.segmentPartial(series.segment());
    }

    /** Visible for tests: merges add into the open partial under a store key (created when absent). */
    void add(Bytes key, WindowStats add) {
        OpenPartial partial = openPartial(key);
        partial.key = key;
        partial.changed().merge(add);
    }

    /** Visible for tests: the open partials by store key. */
    Map<Bytes, WindowStats> partials() {
        Map<Bytes, WindowStats> out = new LinkedHashMap<>();
        for (OpenWindow window : open.values()) {
            if (window.whole != null) {
                out.put(window.whole.key(), window.whole.stats);
            }
            for (OpenPartial s : window.segments.values()) {
                out.put(s.key(), s.stats);
            }
        }
        return out;
    }

    /** All open partials have been sent on: they end (deleted at the next commit where a commit wrote them). */
    void clearPartials() {
        for (OpenWindow window : open.values()) {
            if (window.whole != null) {
                window.whole.end();
            }
            for (OpenPartial s : window.segments.values()) {
                s.end();
            }
        }
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
        if (dirty.isEmpty() && ended.isEmpty() && !clockDirty) {
            return;
        }
        WindowStatsSerde serde = new WindowStatsSerde();
        KeyValueStore<Bytes, byte[]> store = wrapped();
        String name = name();
        Set<Bytes> written = ended.isEmpty() ? Set.of() : new HashSet<>();
        for (OpenPartial partial : dirty) {
            partial.toWrite = false;
            if (partial.open) {
                Bytes key = partial.key();
                store.put(key, serde.serializer().serialize(name, partial.stats));
                stored.add(key);
                if (!ended.isEmpty()) {
                    written.add(key);
                }
            }
        }
        dirty.clear();
        // a series sent on and opened again since the last commit was just written under the same key
        for (Bytes key : ended) {
            if (!written.contains(key) && stored.remove(key)) {
                store.put(key, null);
            }
        }
        ended.clear();
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
        ended.clear();
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

    /** Which (model, version, window) a group of open partials is for. */
    record WindowOf(long start, String model, String version) {
    }

    /** The open partials of one (model, version, window): the whole model's and its segment values'. */
    final class OpenWindow {
        final WindowOf of;
        private OpenPartial whole;
        private final Map<Segment, OpenPartial> segments = new LinkedHashMap<>(4);

        private OpenWindow(WindowOf of) {
            this.of = of;
        }

        /** The whole model's partial (created when absent), marked to be written at the next commit. */
        WindowStats whole() {
            return wholePartial().changed();
        }

        /** One segment value's partial (created when absent), marked to be written at the next commit. */
        WindowStats segment(Segment segment) {
            return segmentPartial(segment).changed();
        }

        /** The whole model's partial as it is, null when none (only segment partials read back from an old state). */
        WindowStats wholeStats() {
            return whole == null ? null : whole.stats;
        }

        /** The segment values' partials, in the order first touched. */
        void forEachSegment(BiConsumer<Segment, WindowStats> action) {
            segments.forEach((segment, partial) -> action.accept(segment, partial.stats));
        }

        /** Visible for tests: the segment values' partials, in the order first touched. */
        Map<Segment, WindowStats> segmentStats() {
            Map<Segment, WindowStats> out = new LinkedHashMap<>();
            forEachSegment(out::put);
            return out;
        }

        private OpenPartial wholePartial() {
            if (whole == null) {
                whole = new OpenPartial(of, null);
            }
            return whole;
        }

        private OpenPartial segmentPartial(Segment segment) {
            OpenPartial partial = segments.get(segment);
            if (partial == null) {
                partial = new OpenPartial(of, segment);
                segments.put(segment, partial);
            }
            return partial;
        }
    }

    /** One series' open partial; its store key is built when a commit first writes it, not per event. */
    private final class OpenPartial {
        private final WindowOf of;
        private final Segment segment;
        WindowStats stats = new WindowStats();
        Bytes key;
        boolean toWrite;
        boolean open = true;

        private OpenPartial(WindowOf of, Segment segment) {
            this.of = of;
            this.segment = segment;
        }

        Bytes key() {
            if (key == null) {
                key = SeriesKey.windowKey(of.start(), of.model(), of.version(), segment);
            }
            return key;
        }

        /** Its stats, about to be changed: written at the next commit. */
        WindowStats changed() {
            if (!toWrite) {
                toWrite = true;
                dirty.add(this);
            }
            return stats;
        }

        /** Sent on: no longer written; deleted at the next commit when one wrote it. */
        void end() {
            open = false;
            if (key != null && stored.contains(key)) {
                ended.add(key);
            }
        }
    }
}
