package io.losswatch.topology;

import static io.losswatch.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.losswatch.alert.AlertStep;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;

/**
 * A segment field with 10^6 distinct values (CONTRACT §11): a million labelled predictions over ten
 * windows, every one with a country never seen before. State stays bounded by the cap: the tracked values
 * are the first 100, every later value counts under __other__, and each store holds at most the whole
 * model's entry and 101 segments' (the cap and __other__). Heap and state sizes are printed for
 * docs/benchmarks.md (Segments). Named *IT: a couple of minutes, so it runs in verify, not in test.
 */
class SegmentCardinalityIT {
    private static final int EVENTS = Integer.getInteger("segments.events", 1_000_000);
    private static final int WINDOWS = 10;
    private static final long MINUTE = 60_000;

    @Test
    void aMillionDistinctValuesKeepStateBoundedByTheCap() throws Exception {
        Map<String, String> settings = Map.of("losswatch.segment.fields", "country");
        try (TopologyFixture f = new TopologyFixture(settings)) {
            TestInputTopic<byte[], byte[]> in = f.driver.createInputTopic("predictions", new ByteArraySerializer(),
                    new ByteArraySerializer());
            long heapBefore = usedHeapAfterGc();
            int perWindow = EVENTS / WINDOWS;
            Map<Long, Map<String, Long>> counts = new HashMap<>();
            List<Long> heap = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                long t = T0 + (i / perWindow) * MINUTE + (i % perWindow) * (MINUTE / 2 / perWindow);
                in.pipeInput(null, ("{\"prediction_id\":\"p" + i + "\",\"model\":\"m\",\"timestamp\":" + t
                        + ",\"prediction\":0.7,\"label\":" + (i & 1) + ",\"country\":\"c" + i + "\"}").getBytes(), t);
                if (i % 1000 == 999) {
                    f.flush();
                    f.drainOutputs();
                }
                if (i % perWindow == perWindow - 1) {
                    heap.add(usedHeapAfterGc() - heapBefore);
                    for (JsonNode m : f.metrics()) {
                        String segment = m.has("segment") ? m.get("segment").get("country").asText() : "";
                        assertThat(counts.computeIfAbsent(m.get("window_start").asLong(), k -> new HashMap<>())
                                .put(segment, m.get("count").asLong())).isNull();
                    }
                }
            }
            f.advanceTo(T0 + (WINDOWS + 1) * MINUTE);
            for (JsonNode m : f.metrics()) {
                String segment = m.has("segment") ? m.get("segment").get("country").asText() : "";
                counts.computeIfAbsent(m.get("window_start").asLong(), k -> new HashMap<>()).put(segment, m.get("count").asLong());
            }

            // the first window: the first 100 values each once, the rest under __other__; later ones: __other__ only
            Map<String, Long> first = counts.get(T0);
            assertThat(first).hasSize(1 + 100 + 1);
            for (int i = 0; i < 100; i++) {
                assertThat(first.get("c" + i)).isEqualTo(1L);
            }
            assertThat(first.get("__other__")).isEqualTo(perWindow - 100L);
            assertThat(first.get("")).isEqualTo((long) perWindow);
            for (int w = 1; w < WINDOWS; w++) {
                assertThat(counts.get(T0 + w * MINUTE)).containsExactlyInAnyOrderEntriesOf(
                        Map.of("", (long) perWindow, "__other__", (long) perWindow));
            }
            // the stores: one list of 100 values; the whole model and at most 101 segments each, and the clock
            // model that closed the last window (its whole series and its "" segment: it has no country)
            assertThat(entries(f, Names.SEGMENT_VALUES_STORE)).isEqualTo(1);
            int clock = 2;
            @SuppressWarnings("unchecked")
            List<String> tracked = (List<String>) f.driver.getKeyValueStore(Names.SEGMENT_VALUES_STORE).all().next().value;
            assertThat(tracked).hasSize(100).first().isEqualTo("c0");
            assertThat(entries(f, Names.ESTIMATE_STORE)).isEqualTo(1 + 101 + clock);
            assertThat(entries(f, AlertStep.STATE_STORE)).isLessThanOrEqualTo(1 + 101 + clock);
            assertThat(entries(f, Names.WINDOW_STORE)).isLessThanOrEqualTo(1 + 101 + clock);
            long stateBytes;
            try (Stream<Path> files = Files.walk(f.stateDir)) {
                stateBytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            System.out.printf(Locale.ROOT, "segments: %,d predictions, %,d distinct country values, cap 100: heap after GC"
                            + " above the start, per window: %s MiB; state directory %.1f MiB; stores: segment-values %d,"
                            + " estimate-calibration %d, alert-state %d, window-aggregates %d entries%n",
                    EVENTS, EVENTS, heap.stream().map(b -> String.format(Locale.ROOT, "%.1f", b / 1048576.0)).toList(),
                    stateBytes / 1048576.0, entries(f, Names.SEGMENT_VALUES_STORE), entries(f, Names.ESTIMATE_STORE),
                    entries(f, AlertStep.STATE_STORE), entries(f, Names.WINDOW_STORE));
        }
    }

    private static long entries(TopologyFixture f, String store) {
        long n = 0;
        try (KeyValueIterator<Object, Object> it = TopologyFixture.keyValues(f.driver.getAllStateStores().get(store)).all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    private static long usedHeapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
