package io.losswatch.topology;

import static io.losswatch.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * A quiet predictions topic (issue 19 point 2): by default wall-clock time closes nothing (CONTRACT §6:
 * stream time closes windows); with losswatch.input.idle.wallclock.advance=true an idle partition's
 * event time moves on with the wall clock, from its newest event, once it has been idle for
 * losswatch.input.idle.timeout. Window 1 minute + grace 10 s, join window 1 minute + grace 10 s.
 */
class QuietInputTopologyTest {
    private static final long SECOND = 1_000;
    private static final long IDLE = 10 * SECOND; // losswatch.input.idle.timeout's default

    private static TopologyFixture fixture(boolean advance) {
        Map<String, String> settings = new HashMap<>(Map.of("losswatch.join.window", "PT1M", "losswatch.join.grace", "PT10S"));
        settings.put("losswatch.input.idle.wallclock.advance", Boolean.toString(advance));
        return new TopologyFixture(settings);
    }

    /** A labelled prediction at T0 + 5 s and one waiting for its label ("u") at T0 + 6 s, the last input. */
    private static void twoPredictions(TopologyFixture f) {
        f.labelled("m", "v1", T0 + 5 * SECOND, 0.8, 1);
        f.prediction(T0 + 6 * SECOND, "{\"prediction_id\":\"u\",\"model\":\"m\",\"model_version\":\"v1\","
                + "\"timestamp\":" + (T0 + 6 * SECOND) + ",\"prediction\":0.3}");
    }

    /** Flushes every 100 ms, as Kafka Streams would, until quiet; returns how many records topic got meanwhile. */
    private static int flushUntil(TopologyFixture f, long[] quiet, long until, TestOutputTopic<String, byte[]> topic) {
        while (quiet[0] < until) {
            f.flush();
            quiet[0] += PredictionIntake.FLUSH_INTERVAL.toMillis();
        }
        return topic.readRecordsToList().size();
    }

    /**
     * Lets the wall clock run on to quiet after the last input (the fixture's last flush was 100 ms after it),
     * the stream thread running all along: flushes a second apart at most, as Kafka Streams' loop calls them
     * (a longer gap is a stall, which is not quiet input).
     */
    private static void quietFor(TopologyFixture f, long[] quiet, long until) {
        pass(f, until - quiet[0]);
        quiet[0] = until;
    }

    /** Lets ms of wall-clock time pass with the stream thread running (flushes a second apart at most). */
    private static void pass(TopologyFixture f, long ms) {
        for (long left = ms; left > 0; left -= SECOND) {
            f.driver.advanceWallClockTime(Duration.ofMillis(Math.min(SECOND, left)));
        }
    }

    @Test
    void byDefaultWallClockTimeClosesNothing() {
        try (TopologyFixture f = fixture(false)) {
            twoPredictions(f);
            long[] quiet = {100};
            quietFor(f, quiet, 2 * 3_600 * SECOND);
            assertThat(f.predictionMetrics()).as("prediction-metrics after two quiet hours").isEmpty();
            assertThat(f.metrics()).as("model-metrics after two quiet hours").isEmpty();
            assertThat(f.deadLetters()).isEmpty();

            // a newer event still closes them, as before
            f.advanceTo(T0 + 6 * SECOND + 70 * SECOND + 1);
            assertThat(f.predictionMetrics()).hasSize(1);
            assertThat(f.metrics()).hasSize(1);
        }
    }

    @Test
    void withTheAdvanceAQuietInputsWindowsCloseByTheWallClock() {
        try (TopologyFixture f = fixture(true)) {
            twoPredictions(f);
            long[] quiet = {100};
            // event time starts moving after the idle timeout, from the newest event (T0 + 6 s), in whole
            // seconds: the window [T0, T0 + 1 min) is due at T0 + 70 s, 64 s of advance
            quietFor(f, quiet, IDLE + 63_500);
            assertThat(f.predictionMetrics()).as("63 s of advance: T0 + 69 s, not yet past the grace").isEmpty();

            quietFor(f, quiet, IDLE + 65_000);
            List<JsonNode> labelFree = f.predictionMetrics();
            assertThat(labelFree).as("prediction-metrics (CONTRACT §9) once T0 + 70 s is reached").hasSize(1);
            assertThat(labelFree.get(0).get("window_start").asLong()).isEqualTo(T0);
            assertThat(labelFree.get(0).get("predictions").asLong()).isEqualTo(2);
            assertThat(labelFree.get(0).get("labelled").asLong()).isEqualTo(1);
            assertThat(f.metrics()).as("model-metrics still waits for u's label (join wait ends after T0 + 76 s)").isEmpty();

            // the join's wait for u's label ends by the advanced time too: u counts as unlabelled
            quietFor(f, quiet, IDLE + 80_000);
            List<JsonNode> windows = f.metrics();
            assertThat(windows).hasSize(1);
            JsonNode w = windows.get(0);
            assertThat(w.get("window_start").asLong()).isEqualTo(T0);
            assertThat(w.get("count").asLong()).isEqualTo(1);
            assertThat(w.get("unlabelled").asLong()).isEqualTo(1);
            assertThat(w.get("final").asBoolean()).isTrue();
            assertThat(f.deadLetters()).isEmpty();

            // the trade-off: what arrives now dated in that window is late, and u's label no longer joins
            f.labelled("m", "v1", T0 + 30 * SECOND, 0.6, 0);
            f.label(T0 + 20 * SECOND, "{\"prediction_id\":\"u\",\"label\":1,\"timestamp\":" + (T0 + 20 * SECOND) + "}");
            List<TestRecord<byte[], byte[]>> dead = f.deadLetters();
            assertThat(dead).extracting(r -> TopologyFixture.header(r, "losswatch.error.reason"))
                    .containsExactly("late_event", "unmatched_label");
            assertThat(f.metrics()).as("a closed window stays closed").isEmpty();
        }
    }

    /**
     * A stall of the stream thread (a long commit, a GC pause, a broker outage: no flush for longer than
     * {@link QuietTime#STALL_MS}) is not quiet input: the partition's records may have been waiting
     * all along. Only the time the thread ran without input counts towards the idle timeout.
     */
    @Test
    void aStallOfTheStreamThreadIsNotQuietInput() {
        try (TopologyFixture f = fixture(true)) {
            twoPredictions(f);
            // a minute and a half without a flush: the window would be due 65 s after the idle timeout
            f.driver.advanceWallClockTime(Duration.ofMillis(IDLE + 80_000));
            assertThat(f.predictionMetrics()).as("after a stall of 90 s").isEmpty();
            assertThat(f.metrics()).isEmpty();
            pass(f, IDLE + 63_000);
            assertThat(f.predictionMetrics()).as("73 s of running time: 63 s of advance, T0 + 69 s").isEmpty();
            pass(f, 2_000);
            assertThat(f.predictionMetrics()).as("75 s of running time: T0 + 71 s, past the window and grace").hasSize(1);
            assertThat(f.deadLetters()).isEmpty();
        }
    }

    @Test
    void theAdvanceStartsOnlyAfterTheIdleTimeoutAndNewInputStopsIt() {
        try (TopologyFixture f = fixture(true)) {
            f.labelled("m", "v1", T0 + 5 * SECOND, 0.8, 1);
            long[] quiet = {100};
            quietFor(f, quiet, IDLE + 30_000); // event time T0 + 35 s
            // input within the window: on time, and the advance starts again from T0 + 35 s
            f.labelled("m", "v1", T0 + 10 * SECOND, 0.7, 1);
            pass(f, IDLE + 34_000); // T0 + 69 s at most
            assertThat(f.predictionMetrics()).isEmpty();
            pass(f, 2_000);
            List<JsonNode> windows = f.metrics();
            assertThat(windows).hasSize(1);
            assertThat(windows.get(0).get("count").asLong()).isEqualTo(2);
            assertThat(f.deadLetters()).isEmpty();
        }
    }

    /**
     * Issue 19 point 6, by default: the intake sends its watermark when it changed (a new event time, the
     * partition turning idle) and otherwise every {@link PredictionIntake#HEARTBEAT}, not at every flush.
     */
    @Test
    void anUnchangedWatermarkIsSentOnlyAsAHeartbeat() {
        try (TopologyFixture f = fixture(false)) {
            TestOutputTopic<String, byte[]> toJoin = f.driver.createOutputTopic(
                    "losswatch-test-" + Names.PREDICTIONS_BY_ID + "-repartition", new StringDeserializer(), new ByteArrayDeserializer());
            f.labelled("m", "v1", T0 + 5 * SECOND, 0.8, 1); // its flush 100 ms later sends the new event time
            assertThat(toJoin.readRecordsToList()).as("the new event time").hasSize(1);
            long[] quiet = {100};
            long heartbeat = IDLE + PredictionIntake.HEARTBEAT.toMillis();
            assertThat(flushUntil(f, quiet, IDLE - 200, toJoin)).as("97 flushes later: nothing changed").isZero();
            assertThat(flushUntil(f, quiet, IDLE + 200, toJoin)).as("the partition turned idle").isEqualTo(1);
            assertThat(flushUntil(f, quiet, heartbeat - 200, toJoin)).as("idle and unchanged").isZero();
            assertThat(flushUntil(f, quiet, heartbeat + 200, toJoin)).as("the heartbeat").isEqualTo(1);
        }
    }
}
