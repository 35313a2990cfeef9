package io.losswatch.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/** Everything one bench run measured and checked, and the table it prints. */
record BenchResult(Setup setup, LimitCopy.Result limit, LosswatchRun.Throughput losswatch,
                   LatencyRun.Result latency, HotPath.Result hotPath, Heap heap, long stateBytes,
                   long commitIntervalMs, CpuClock.Sample limitCpu, CpuClock.Sample losswatchCpu,
                   StreamsPassThrough.Result passThrough, List<Double> limitRounds, List<Double> passThroughRounds,
                   List<Double> losswatchRounds, List<Check> checks, Segments segments) {

    /**
     * losswatch with segment fields (CONTRACT §11) on the same events carrying them: the fastest round,
     * its CPU and every round's figure.
     */
    record Segments(String fields, LosswatchRun.Throughput throughput, CpuClock.Sample cpu, List<Double> rounds) {
        double ratio(LosswatchRun.Throughput without) {
            return throughput.eventsPerSecond() / without.eventsPerSecond();
        }
    }

    record Setup(long events, int models, int partitions, long endMarkers, String brokerHeap, int cores,
                 long expectedWindows, Map<String, String> settings) {
    }

    record Heap(long peakUsedBytes, long peakLiveBytes, long maxBytes) {
    }

    record Check(String what, long expected, long actual) {
        boolean ok() {
            return expected == actual;
        }
    }

    boolean consistent() {
        return checks.stream().allMatch(Check::ok);
    }

    double ratio() {
        return losswatch.eventsPerSecond() / limit.eventsPerSecond();
    }

    double stateBytesPerThousandModels() {
        return stateBytes * 1000.0 / setup.models();
    }

    void print(PrintStream out) {
        out.printf(Locale.ROOT, "losswatch bench: %,d events (+%d end markers) over %,d models, %d partitions;"
                        + " broker in its own JVM (-Xmx%s); %d cores%n",
                setup.events(), setup.endMarkers(), setup.models(), setup.partitions(), setup.brokerHeap(), setup.cores());
        out.println("losswatch settings: " + (setup.settings().isEmpty() ? "the defaults"
                : "the defaults but " + setup.settings() + " (--set)"));
        out.printf(Locale.ROOT, "%-34s %14s %10s %14s%n", "", "events/s", "seconds", "records");
        out.printf(Locale.ROOT, "%-34s %,14.0f %10.2f %,14d%n", "limit (EOS copy, 1 thread)",
                limit.eventsPerSecond(), limit.seconds(), limit.records());
        out.printf(Locale.ROOT, "%-34s %,14.0f %10.2f %,14d%n", "Kafka Streams pass-through (EOS)",
                passThrough.eventsPerSecond(), passThrough.seconds(), passThrough.records());
        out.printf(Locale.ROOT, "%-34s %,14.0f %10.2f %,14d%n", "losswatch end to end",
                losswatch.eventsPerSecond(), losswatch.seconds(), losswatch.records());
        LosswatchRun.Throughput seg = segments.throughput();
        out.printf(Locale.ROOT, "%-34s %,14.0f %10.2f %,14d%n", "losswatch with segments (" + segments.fields() + ")",
                seg.eventsPerSecond(), seg.seconds(), seg.records());
        out.printf(Locale.ROOT, "%-34s %14.2f%n", "ratio losswatch/limit", ratio());
        out.printf(Locale.ROOT, "%-34s %14.2f%n", "ratio with/without segments", segments.ratio(losswatch));
        out.printf(Locale.ROOT, "%-34s %14.2f%n", "ratio losswatch/Streams pass-through",
                losswatch.eventsPerSecond() / passThrough.eventsPerSecond());
        if (limitRounds.size() > 1) {
            out.printf(Locale.ROOT, "%-34s limit %s; pass-through %s; losswatch %s; with segments %s events/s"
                            + " (the fastest of each above)%n", "  rounds", rounds(limitRounds), rounds(passThroughRounds),
                    rounds(losswatchRounds), rounds(segments.rounds()));
        }
        out.printf(Locale.ROOT, "%-34s limit %.1f us/event in its thread, %.1f in the bench JVM, %.1f in the broker;"
                        + " losswatch %.1f in its stream thread, %.1f in its JVM, %.1f in the broker%n", "  CPU per event",
                micros(limitCpu.threadSeconds(), limit.records()), micros(limitCpu.jvmSeconds(), limit.records()),
                micros(limitCpu.brokerSeconds(), limit.records()),
                micros(losswatchCpu.threadSeconds(), losswatch.records()),
                micros(losswatchCpu.jvmSeconds(), losswatch.records()),
                micros(losswatchCpu.brokerSeconds(), losswatch.records()));
        out.printf(Locale.ROOT, "%-34s %.1f us/event in its stream thread, %.1f in its JVM, %.1f in the broker%n",
                "  CPU per event with segments", micros(segments.cpu().threadSeconds(), seg.records()),
                micros(segments.cpu().jvmSeconds(), seg.records()), micros(segments.cpu().brokerSeconds(), seg.records()));
        StringBuilder time = new StringBuilder();
        losswatch.threadTime().forEach((k, v) -> time.append(String.format(Locale.ROOT, " %s %.0f%%,", k, 100 * v)));
        out.printf(Locale.ROOT, "%-34s%s%n", "  losswatch stream thread time", time.length() == 0 ? " n/a"
                : time.substring(0, time.length() - 1));
        if (hotPath != null) {
            out.printf(Locale.ROOT, "%-34s %,14.0f   ± %,.0f (JMH, 99.9%% CI)%n", "hot path (1 thread)",
                    hotPath.eventsPerSecond(), hotPath.error());
        } else {
            out.printf(Locale.ROOT, "%-34s %14s%n", "hot path (1 thread)", "skipped");
        }
        if (latency != null) {
            out.printf(Locale.ROOT, "%-34s p50 %.1f ms, p99 %.1f ms, max %.1f ms at %,.0f events/s offered"
                            + " (%,d records)%n", "latency produce -> loss record",
                    latency.p50Ms(), latency.p99Ms(), latency.maxMs(), latency.offeredRate(), latency.sent());
            if (latency.settleSeconds() > 0) {
                out.printf(Locale.ROOT, "%-34s p50 %.1f ms, p99 %.1f ms in the %d s of settling before (not counted)%n",
                        "", latency.settleP50Ms(), latency.settleP99Ms(), latency.settleSeconds());
            }
            if (!Double.isNaN(latency.writtenP50Ms())) {
                out.printf(Locale.ROOT, "%-34s p50 %.1f ms, p99 %.1f ms (read_uncommitted: before the commit)%n",
                        "  of which produce -> written", latency.writtenP50Ms(), latency.writtenP99Ms());
            }
        } else {
            out.printf(Locale.ROOT, "%-34s %14s%n", "latency produce -> loss record", "skipped");
        }
        out.printf(Locale.ROOT, "%-34s %.1f MiB in use, %.1f MiB live after GC (max heap %.0f MiB)%n",
                "peak heap (losswatch's JVM)", mib(heap.peakUsedBytes()), mib(heap.peakLiveBytes()), mib(heap.maxBytes()));
        out.printf(Locale.ROOT, "%-34s %.1f KiB per 1,000 models (%.1f KiB in all)%n", "state store size",
                stateBytesPerThousandModels() / 1024, stateBytes / 1024.0);
        out.println("targets");
        out.printf(Locale.ROOT, "  %-50s %s%n", "losswatch >= 50% of the limit end to end",
                verdict(ratio() >= 0.5, String.format(Locale.ROOT, "%.0f%%", 100 * ratio())));
        out.printf(Locale.ROOT, "  %-50s %s%n", "with two segment fields >= 80% of without",
                verdict(segments.ratio(losswatch) >= 0.8,
                        String.format(Locale.ROOT, "%.0f%%", 100 * segments.ratio(losswatch))));
        out.printf(Locale.ROOT, "  %-50s %s%n", "hot path >= 1,000,000 events/s per core",
                hotPath == null ? "not measured (--skip-jmh)"
                        : verdict(hotPath.eventsPerSecond() >= 1_000_000,
                        String.format(Locale.ROOT, "%,.0f", hotPath.eventsPerSecond())));
        out.printf(Locale.ROOT, "  %-50s %s%n", "p99 latency <= 2 x commit interval (" + 2 * commitIntervalMs + " ms)",
                latency == null ? "not measured" : verdict(latency.p99Ms() <= 2 * commitIntervalMs,
                        String.format(Locale.ROOT, "%.1f ms", latency.p99Ms())));
        out.println("checks");
        for (Check c : checks) {
            out.printf(Locale.ROOT, "  %-50s %,14d %s %,14d  %s%n", c.what(), c.actual(), c.ok() ? "=" : "!=",
                    c.expected(), c.ok() ? "OK" : "FAILED");
        }
    }

    private static String verdict(boolean met, String figure) {
        return (met ? "met: " : "NOT met: ") + figure;
    }

    private static String rounds(List<Double> perSecond) {
        return String.join(", ", perSecond.stream().map(v -> String.format(Locale.ROOT, "%,.0f", v)).toList());
    }

    private static double micros(double seconds, long events) {
        return seconds * 1e6 / events;
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
