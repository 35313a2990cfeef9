package io.losswatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench runs end to end on a tiny data set (its broker in a JVM of its own) and its outputs are
 * consistent: the same record counts on every side. It checks no speed: timings are printed, never
 * asserted.
 */
class BenchIT {
    @TempDir
    Path dir;

    @Test
    void tinyRunIsConsistentAndPrintsEveryRow() throws Exception {
        Bench.Options options = new Bench.Options(5_000, 5, 3, 3, true, dir, "512m", 60, 1_000, 2,
                Map.of("commit.interval.ms", "200"), List.of("-Xss1m"), true, 1, false);
        BenchResult result = new Bench(options, System.err).run();

        assertThat(result.checks()).allSatisfy(c -> assertThat(c.actual()).as(c.what()).isEqualTo(c.expected()));
        assertThat(result.consistent()).isTrue();
        assertThat(result.checks()).extracting(BenchResult.Check::what)
                .contains("round 2: limit: records copied (read_committed)", "round 2: losswatch: loss records (read_committed)");
        assertThat(result.limit().records()).isEqualTo(5_003);
        assertThat(result.losswatch().records()).isEqualTo(5_003);
        assertThat(result.passThrough().records()).isEqualTo(5_003);
        assertThat(result.naive().records()).isEqualTo(5_003);
        assertThat(result.naive().windows()).isPositive().isLessThanOrEqualTo(result.naive().expectedWindows());
        assertThat(result.lossesOff().records()).isEqualTo(5_003);
        assertThat(result.lossesOff().windowCountSum()).isEqualTo(5_000);
        assertThat(result.checks()).extracting(BenchResult.Check::what).contains(
                "round 2: naive peer: loss records (read_committed)", "round 2: without loss records: loss records",
                "round 2: without loss records: sum of final window counts");
        // every contender measured in every round; its median within its spread
        assertThat(result.contenders()).extracting(BenchResult.Contender::name).containsExactly(
                BenchResult.LIMIT, BenchResult.PASS_THROUGH, BenchResult.NAIVE, BenchResult.LOSSWATCH,
                BenchResult.LOSSES_OFF, BenchResult.segmentsRow("country,device"));
        assertThat(result.contenders()).allSatisfy(c -> {
            assertThat(c.perSecond()).as(c.name()).hasSize(2).allSatisfy(v -> assertThat(v).isPositive());
            assertThat(c.cpu()).as(c.name()).hasSize(2);
            if (!c.name().equals(BenchResult.PASS_THROUGH)) { // its CPU is not taken
                assertThat(c.microsPerEvent(CpuClock.Sample::threadSeconds)).as(c.name() + " thread CPU").isPositive();
            }
            assertThat(c.median()).as(c.name()).isBetween(c.min(), c.max());
            List<Double> ratios = c.ratios(result.contender(BenchResult.LIMIT));
            assertThat(ratios).hasSize(2);
            assertThat(c.medianRatio(result.contender(BenchResult.LIMIT)))
                    .isBetween(ratios.stream().min(Double::compare).orElseThrow(), ratios.stream().max(Double::compare).orElseThrow());
        });
        assertThat(result.losswatch().windowCountSum()).isEqualTo(5_000);
        assertThat(result.segments().throughput().records()).isEqualTo(5_003);
        // each event in its whole model's window, its country's and its device's
        assertThat(result.segments().throughput().windowCountSum()).isEqualTo(3 * 5_000);
        assertThat(result.segments().rounds()).hasSize(2);
        assertThat(result.latency().received()).isEqualTo(result.latency().sent()).isPositive();
        // 1 s of settling and 3 s measured, at a whole number of events per second
        assertThat(result.latency().sent()).isEqualTo(4 * (long) result.latency().offeredRate());
        assertThat(result.latency().settleSeconds()).isEqualTo(1);
        assertThat(result.latency().settleP50Ms()).isPositive();
        // the read_uncommitted reader saw the phase's records too (how its times compare is not asserted: timings)
        assertThat(result.latency().writtenP50Ms()).isPositive();
        assertThat(result.latency().writtenP99Ms()).isPositive();
        assertThat(result.commitIntervalMs()).as("--set reaches losswatch's configuration").isEqualTo(200);
        assertThat(result.stateBytes()).isPositive();
        assertThat(result.heap().peakUsedBytes()).isPositive();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        result.print(new PrintStream(out, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("limit (EOS copy, 1 thread)", "losswatch end to end", "ratio losswatch/limit",
                "losswatch with segments (country,device)", "ratio with/without segments",
                "with two segment fields >= 80% of without", "round 2: segments: final windows",
                "Kafka Streams pass-through (EOS)", "ratio losswatch/Streams pass-through",
                "hot path (1 thread)", "latency produce -> loss record", "peak heap", "state store size",
                "targets", "checks", "of which produce -> written", "p99 latency <= 2 x commit interval (400 ms)",
                "in the 1 s of settling before (not counted)",
                "losswatch settings: the defaults but {commit.interval.ms=200} (--set)");
        assertThat(table).contains("2 rounds", "naive Kafka Streams peer (EOS)", "losswatch, losses.enabled=false",
                "ratio losswatch/naive peer", "ratio losses.enabled=false/limit", "CPU per final window",
                "one core serves, losswatch", "losswatch >= 1.5 x the naive peer", "losses.enabled=false >= 45% of the limit",
                "stream thread CPU per final window <= 25 us");
        // the header names the columns; each contender's row has its median, min, max, ratio and records
        assertThat(table.lines().filter(line -> line.matches("\\s+events/s\\s+min\\s+max\\s+/limit\\s+records")))
                .hasSize(1);
        for (BenchResult.Contender c : result.contenders()) {
            assertThat(table.lines().filter(line -> line.startsWith(c.name() + " ")
                    && line.substring(c.name().length()).trim().split("\\s+").length == 5)).as(c.name()).hasSize(1);
        }
        assertThat(table).doesNotContain("FAILED");
    }
}
