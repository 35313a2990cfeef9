package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.loss.WindowStats;
import io.losswatch.topology.Routed.Partial;
import io.losswatch.topology.Routed.Watermark;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The aggregator with several input partitions, which TopologyTestDriver (one partition per topic)
 * cannot show: a window is final only when every partition's watermark has passed it.
 */
class WindowAggregatorTest {
    private static final long T0 = 1_764_000_000_000L; // a whole minute
    private static final long MINUTE = 60_000;
    private static final LosswatchConfig CONFIG = LosswatchConfig.from(new Properties()); // 1 min windows, 10 s grace

    private MockProcessorContext<String, Routed> context;
    private KeyValueStore<Bytes, WindowStats> windows;
    private KeyValueStore<Integer, Watermark> watermarks;
    private WindowAggregator aggregator;

    @BeforeEach
    void setUp() {
        context = new MockProcessorContext<>();
        windows = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.WINDOW_STORE), Serdes.Bytes(),
                new JsonSerde<>(WindowStats.class)).withLoggingDisabled().build();
        watermarks = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.WATERMARK_STORE), Serdes.Integer(),
                new JsonSerde<>(Watermark.class)).withLoggingDisabled().build();
        windows.init(context.getStateStoreContext(), windows);
        watermarks.init(context.getStateStoreContext(), watermarks);
        context.addStateStore(windows);
        context.addStateStore(watermarks);
        aggregator = new WindowAggregator(CONFIG, PipelineListener.NONE);
        aggregator.init(context);
    }

    private void send(Routed value) {
        aggregator.process(new Record<>("k", value, T0));
    }

    private static Partial partial(int partition, long windowStart, double... losses) {
        WindowStats s = new WindowStats();
        for (double l : losses) {
            s.addLoss("mae", l, false);
        }
        return new Partial("churn", "v1", windowStart, s, "predictions", partition, 7);
    }

    private static Partial pending(int partition, long windowStart, int delta) {
        WindowStats s = new WindowStats();
        s.pending = delta;
        return new Partial("churn", "v1", windowStart, s, "predictions", partition, 7);
    }

    /** The windows sent to the model-metrics sink (a final one goes to the alert step as well). */
    private List<WindowMetrics> finals() {
        return context.forwarded().stream().filter(f -> f.childName().equals(java.util.Optional.of(LosswatchTopology.METRICS_SINK)))
                .map(f -> f.record().value())
                .filter(v -> v instanceof Routed.Metrics).map(v -> ((Routed.Metrics) v).metrics()).toList();
    }

    /** Each record goes by name to the children it is for, and to no other. */
    @Test
    void eachRecordGoesToTheChildrenItIsFor() {
        send(partial(0, T0, 1, 2));
        send(new Watermark(0, 1, T0 + MINUTE + 10_000, false));
        send(partial(0, T0, 5)); // the window is final: a late partial
        java.util.Map<String, List<String>> routes = new java.util.TreeMap<>();
        for (var f : context.forwarded()) {
            routes.computeIfAbsent(f.record().value().getClass().getSimpleName(), k -> new java.util.ArrayList<>())
                    .add(f.childName().orElse("(every child)"));
        }
        assertThat(routes).containsOnlyKeys("Losses", "Metrics", "DeadLetter");
        // a loss batch per partial, the late one's too: the alert step sees every loss once
        assertThat(routes.get("Losses")).containsExactly(io.losswatch.alert.AlertStep.EVALUATOR, io.losswatch.alert.AlertStep.EVALUATOR);
        assertThat(routes.get("Metrics")).containsExactly(LosswatchTopology.METRICS_SINK, io.losswatch.alert.AlertStep.EVALUATOR);
        assertThat(routes.get("DeadLetter")).containsExactly(LosswatchTopology.deadLetterBranch(WindowAggregator.NAME));
    }

    /** With losswatch.metrics.emit=update an interim window goes to the model-metrics sink only: the rules judge final ones. */
    @Test
    void anInterimWindowGoesToTheSinkOnly() {
        Properties update = new Properties();
        update.setProperty("losswatch.metrics.emit", "update");
        aggregator = new WindowAggregator(LosswatchConfig.from(update), PipelineListener.NONE);
        aggregator.init(context);
        context.setCurrentSystemTimeMs(T0 + 30_000);
        send(partial(0, T0, 1, 2));
        var windowsSent = context.forwarded().stream().filter(f -> f.record().value() instanceof Routed.Metrics).toList();
        assertThat(windowsSent).hasSize(1);
        assertThat(((Routed.Metrics) windowsSent.get(0).record().value()).metrics().finalResult()).isFalse();
        assertThat(windowsSent.get(0).childName()).contains(LosswatchTopology.METRICS_SINK);
    }

    private List<Routed.DeadLetter> deadLetters() {
        return context.forwarded().stream().map(f -> f.record().value())
                .filter(v -> v instanceof Routed.DeadLetter).map(v -> (Routed.DeadLetter) v).toList();
    }

    @Test
    void aWindowWaitsForEveryPartitionsWatermark() {
        send(partial(0, T0, 1, 2));
        send(new Watermark(0, 2, T0 + 5 * MINUTE, false));
        assertThat(finals()).as("partition 1 has not reported yet").isEmpty();

        send(new Watermark(1, 2, T0 + 30_000, false));
        assertThat(finals()).as("partition 1 is still inside the window").isEmpty();

        // partition 1's share of the window arrives late in wall-clock terms, but before its watermark passes
        send(partial(1, T0, 6));
        send(new Watermark(1, 2, T0 + MINUTE + 10_000, false));
        assertThat(finals()).singleElement().satisfies(m -> {
            assertThat(m.count()).isEqualTo(3);
            assertThat(m.meanLoss()).isEqualTo(3.0); // (1 + 2 + 6) / 3
            assertThat(m.maxLoss()).isEqualTo(6.0);
            assertThat(m.windowStart()).isEqualTo(T0);
            assertThat(m.finalResult()).isTrue();
        });
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void graceIsMeasuredFromTheSlowestPartition() {
        send(partial(0, T0, 4));
        send(new Watermark(0, 2, T0 + MINUTE + 9_999, false));
        send(new Watermark(1, 2, T0 + 10 * MINUTE, false));
        assertThat(finals()).as("end + grace not yet passed by partition 0").isEmpty();
        send(new Watermark(0, 2, T0 + MINUTE + 10_000, false));
        assertThat(finals()).hasSize(1);
    }

    @Test
    void anIdlePartitionDoesNotHoldWindowsOpen() {
        send(partial(0, T0, 0.5));
        send(new Watermark(1, 2, -1, true));
        send(new Watermark(0, 2, T0 + 2 * MINUTE, false));
        assertThat(finals()).singleElement().satisfies(m -> assertThat(m.meanLoss()).isCloseTo(0.5, within(0.0)));
    }

    @Test
    void aPartialForAWindowAlreadyFinalIsDeadLetteredAsLate() {
        send(partial(0, T0, 1));
        send(new Watermark(0, 2, T0 + 2 * MINUTE, false));
        send(new Watermark(1, 2, -1, true));
        assertThat(finals()).hasSize(1);
        // partition 1 wakes up with an event of the closed window
        send(partial(1, T0, 9));
        assertThat(deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo("late_event");
            assertThat(d.source().partition()).isEqualTo(1);
            assertThat(new String(d.source().value())).contains("\"count\":1");
        });
        assertThat(finals()).as("the final record is not changed").hasSize(1);
    }

    @Test
    void aWindowWithPendingLabelsWaitsForThemAfterItsWatermarksPass() {
        send(partial(0, T0, 1));
        send(pending(1, T0, 1));
        send(new Watermark(0, 2, T0 + 5 * MINUTE, false));
        send(new Watermark(1, 2, T0 + 5 * MINUTE, false));
        assertThat(finals()).isEmpty();
        // the join resolves the pending prediction: a joined loss of 3
        WindowStats joined = new WindowStats();
        joined.addLoss("mae", 3, false);
        joined.addLabelDelay(20_000);
        joined.pending = -1;
        send(new Routed.Contribution("churn", "v1", T0 + 1_000, joined, "predictions", 1, 8));
        assertThat(finals()).singleElement().satisfies(m -> {
            assertThat(m.count()).isEqualTo(2);
            assertThat(m.meanLoss()).isEqualTo(2.0);
            assertThat(m.joinedLabels()).isEqualTo(1);
        });
    }

    @Test
    void watermarksSurviveARestart() {
        send(partial(0, T0, 1));
        send(new Watermark(0, 2, T0 + 5 * MINUTE, false));
        // a new processor instance on the same stores, as after a crash
        aggregator = new WindowAggregator(CONFIG, PipelineListener.NONE);
        aggregator.init(context);
        send(new Watermark(1, 2, T0 + 5 * MINUTE, false));
        assertThat(finals()).hasSize(1);
    }

    @Test
    void theClockNeverMovesBackSoAWindowFoundLateIsNotOpenedAgainByAWakingPartition() {
        // partition 1 is idle, so partition 0 alone moves the clock past the window at T0
        send(new Watermark(1, 2, T0 + 20_000, true));
        send(new Watermark(0, 2, T0 + 5 * MINUTE, false));
        // the join gives up on a prediction of partition 1 in that window: no window to take it, so late
        WindowStats unlabelled = new WindowStats();
        unlabelled.unlabelled = 1;
        unlabelled.pending = -1;
        send(new Routed.Contribution("churn", "v1", T0 + 15_000, unlabelled, "predictions", 1, 8));
        assertThat(deadLetters()).singleElement().satisfies(d -> assertThat(d.reason()).isEqualTo("late_event"));
        // partition 1 wakes up behind the clock, and its partial still carries that prediction's pending +1
        send(new Watermark(1, 2, T0 + 30_000, false));
        send(pending(1, T0, 1));
        send(new Watermark(1, 2, T0 + 10 * MINUTE, false));
        // nothing may wait for a label that was already accounted for
        try (var it = windows.all()) {
            assertThat(it.hasNext()).as("no window left waiting in the store").isFalse();
        }
        assertThat(finals()).isEmpty();
        assertThat(deadLetters()).hasSize(1);
    }

    @Test
    void theHighestClockSurvivesARestart() {
        send(new Watermark(1, 2, T0, true));
        send(new Watermark(0, 2, T0 + 5 * MINUTE, false));
        aggregator = new WindowAggregator(CONFIG, PipelineListener.NONE);
        aggregator.init(context);
        send(new Watermark(1, 2, T0 + 30_000, false));
        assertThat(aggregator.clock()).isEqualTo(T0 + 5 * MINUTE);
    }

    /**
     * A late event's dead letter carries its contribution as JSON written by losswatch's mapper, numbers as in
     * every other record it writes: 2 × Double.MIN_VALUE is 9.9E-324 there (the shortest text that reads back as
     * it), where Java 17's Double.toString, which a tree's toString used, gives 1.0E-323.
     */
    @Test
    void aLateEventsDeadLetterWritesItsNumbersAsEveryOtherRecord() throws Exception {
        WindowStats stats = new WindowStats();
        stats.count = 1;
        stats.sum = 2 * Double.MIN_VALUE;
        Routed.Contribution c = new Routed.Contribution("m", "v1", T0, stats, "predictions", 2, 41);
        Routed.DeadLetter dead = (Routed.DeadLetter) WindowAggregator.lateEvent(c, "late").orElseThrow().value();
        String json = new String(dead.source().value(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).contains("\"sum\":9.9E-324").doesNotContain("1.0E-323");
        assertThat(Json.MAPPER.readTree(json).get("stats").get("sum").doubleValue()).isEqualTo(2 * Double.MIN_VALUE);
        assertThat(dead.source().value()).isEqualTo(Json.MAPPER.writeValueAsBytes(c));
    }
}
