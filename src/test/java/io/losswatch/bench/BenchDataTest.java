package io.losswatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.event.EventParser;
import io.losswatch.event.ParseResult;
import io.losswatch.event.PredictionEvent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The bench's data and its bookkeeping; no broker. */
class BenchDataTest {
    private final BenchData data = new BenchData(20_000, 7, BenchData.alignedStart(1_764_000_123_456L, 600_000), 600_000);

    @Test
    void everyEventIsAValidLabelledPredictionOfTheContractsShape() {
        LosswatchConfig config = LosswatchConfig.from(new Properties());
        EventParser parser = new EventParser(config.inputMaxBytes(), config.inputMaxNesting());
        for (long i = 0; i < 2_000; i++) {
            ParseResult<PredictionEvent> parsed = parser.parsePrediction(data.event(i), 0);
            assertThat(parsed).isInstanceOf(ParseResult.Ok.class);
            PredictionEvent p = ((ParseResult.Ok<PredictionEvent>) parsed).event();
            assertThat(p.isLabelled()).isTrue();
            assertThat(p.predictionId()).isEqualTo("p-" + i);
            assertThat(p.eventTime()).isEqualTo(data.eventTime(i));
            assertThat(p.prediction().doubleValue()).isBetween(0.0, 1.0);
        }
    }

    @Test
    void expectedWindowsCountEveryEventOnceAndEndBeforeTheEndMarkersCloseThem() {
        Map<BenchData.WindowKey, Long> windows = data.expectedWindows();
        assertThat(windows.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(data.events);
        assertThat(windows.keySet().stream().map(BenchData.WindowKey::model).distinct()).hasSize(7);
        long lastStart = windows.keySet().stream().mapToLong(BenchData.WindowKey::windowStart).max().orElseThrow();
        assertThat(data.endTime()).isGreaterThanOrEqualTo(lastStart + BenchData.WINDOW_MS + BenchData.GRACE_MS);
        assertThat(data.endTime()).isLessThan(1_764_000_123_456L);
    }

    @Test
    void latencyRecordsCarryTheirSequenceNumber() {
        byte[] loss = ("{\"prediction_id\":\"lat-12345\",\"model\":\"model-00001\",\"loss\":0.1}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(LatencyRun.sequence(loss)).isEqualTo(12345);
        assertThat(LatencyRun.sequence(data.event(3))).isEqualTo(-1);
        assertThat(new String(data.latencyEvent(77, 1), StandardCharsets.UTF_8)).contains("\"prediction_id\":\"lat-77\"");
    }

    @Test
    void percentilesAreNearestRank() {
        long[] sorted = new long[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = (i + 1) * 1_000_000L;
        }
        assertThat(LatencyRun.percentile(sorted, 0.50)).isEqualTo(50.0);
        assertThat(LatencyRun.percentile(sorted, 0.99)).isEqualTo(99.0);
    }
}
