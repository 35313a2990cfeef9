package io.losswatch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bench's arithmetic (medians, per-round ratios, per-window CPU, capacity) and its table's shape. */
class BenchResultTest {
    private static final long N = 1_003;

    private static BenchResult.Contender contender(String name, double... perSecond) {
        List<Double> rounds = java.util.Arrays.stream(perSecond).boxed().toList();
        // stream thread: 5 µs an event, JVM 8, broker 3 (the same every round)
        List<CpuClock.Sample> cpu = rounds.stream().map(r -> new CpuClock.Sample(8e-6 * N, 5e-6 * N, 3e-6 * N)).toList();
        return new BenchResult.Contender(name, N, rounds, cpu);
    }

    @Test
    void medianOfOddAndEvenCountsAndRatiosRoundByRound() {
        assertThat(BenchResult.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(BenchResult.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
        assertThat(BenchResult.median(List.of())).isNaN();
        BenchResult.Contender limit = contender(BenchResult.LIMIT, 100, 200, 400);
        BenchResult.Contender other = contender(BenchResult.LOSSWATCH, 50, 40, 200);
        // each round against its own limit: 0.5, 0.2, 0.5; not 80 / 200
        assertThat(other.ratios(limit)).containsExactly(0.5, 0.2, 0.5);
        assertThat(other.medianRatio(limit)).isEqualTo(0.5);
        assertThat(other.median()).isEqualTo(50);
        assertThat(other.min()).isEqualTo(40);
        assertThat(other.max()).isEqualTo(200);
        assertThat(other.microsPerEvent(CpuClock.Sample::threadSeconds)).isCloseTo(5, within(1e-9));
        assertThat(other.threadMicrosPerWindow(100)).isCloseTo(5e-6 * N * 1e6 / 100, within(1e-9));
    }

    @Test
    void capacityChargesTheEventsAndTheWindowOfEachModel() {
        // 10 µs an event at 1 event/s, 600 µs a window once a minute: 20 µs a model-second, 50,000 models
        assertThat(BenchResult.capacity(10, 600, 1)).isCloseTo(50_000, within(1e-6));
        assertThat(BenchResult.capacity(10, 600, 10)).isCloseTo(1e6 / 110, within(1e-6));
    }

    @Test
    void theTablePrintsARowPerContenderWithMedianSpreadAndRatio() {
        List<BenchResult.Contender> contenders = List.of(contender(BenchResult.LIMIT, 100, 200),
                contender(BenchResult.PASS_THROUGH, 80, 90), contender(BenchResult.NAIVE, 20, 30),
                contender(BenchResult.LOSSWATCH, 30, 50), contender(BenchResult.LOSSES_OFF, 45, 80),
                contender(BenchResult.segmentsRow("country,device"), 25, 40));
        LosswatchRun.Throughput t = new LosswatchRun.Throughput(N, 0, 1_000_000_000L, 10, 1_000, 0, Map.of());
        BenchResult result = new BenchResult(
                new BenchResult.Setup(1_000, 5, 3, 3, "512m", 2, 10, Map.of(), 2),
                new LimitCopy.Result(N, 0, 1_000_000_000L, 0.1), t, new StreamsPassThrough.Result(N, 1.0),
                new NaivePeer.Result(N, 1.0, 10, 10, 1_000, 0, 0.005), t,
                new BenchResult.Segments("country,device", t, List.of(25.0, 40.0)), contenders, null, null,
                new BenchResult.Heap(1, 1, 1), 1, 100, List.of());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        result.print(new PrintStream(out, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);

        assertThat(table).contains("2 rounds");
        // losswatch 30/100 and 50/200: 0.3 and 0.25, median 0.275; the median of its figures is 40
        assertThat(table).containsPattern("losswatch end to end +40 +30 +50 +0\\.275 +1,003\n");
        // over the naive peer: 30/20 and 50/30
        assertThat(result.naiveRatio()).isCloseTo((1.5 + 5.0 / 3) / 2, within(1e-12));
        assertThat(table).contains("ratio losswatch/naive peer", "(rounds 1.500, 1.667)");
        assertThat(result.lossesOffRatio()).isCloseTo(0.425, within(1e-12));
        assertThat(table).contains("CPU per final window", "losswatch 501.5 us", "100.0 events each");
        assertThat(table).contains("one core serves, losswatch", "one core serves, losses.enabled=false",
                "one core serves, naive peer");
        for (BenchResult.Contender c : contenders) {
            assertThat(table.lines().filter(line -> line.startsWith(c.name() + " ")
                    && line.substring(c.name().length()).trim().split("\\s+").length == 5)).as(c.name()).hasSize(1);
        }
    }
}
