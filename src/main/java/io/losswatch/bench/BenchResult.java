package io.losswatch.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Everything one bench run measured and checked, and the table it prints. limit, losswatch,
 * passThrough, naive and lossesOff are the last round's results (their record counts and windows);
 * the figures are in contenders, every round of each.
 */
record BenchResult(Setup setup, LimitCopy.Result limit, LosswatchRun.Throughput losswatch,
                   StreamsPassThrough.Result passThrough, NaivePeer.Result naive, LosswatchRun.Throughput lossesOff,
                   Segments segments, List<Contender> contenders, LatencyRun.Result latency, HotPath.Result hotPath,
                   Heap heap, long stateBytes, long commitIntervalMs, List<Check> checks) {

    static final String LIMIT = "limit (EOS copy, 1 thread)";
    static final String PASS_THROUGH = "Kafka Streams pass-through (EOS)";
    static final String NAIVE = "naive Kafka Streams peer (EOS)";
    static final String LOSSWATCH = "losswatch end to end";
    static final String LOSSES_OFF = "losswatch, losses.enabled=false";

    static String segmentsRow(String fields) {
        return "losswatch with segments (" + fields + ")";
    }

    /** Event rates per model at which the capacity of one core is printed. */
    static final double[] CAPACITY_RATES = {1, 10};

    /**
     * losswatch with segment fields (CONTRACT §11) on the same events carrying them: the last round's
     * run and every round's figure.
     */
    record Segments(String fields, LosswatchRun.Throughput throughput, List<Double> rounds) {
    }

    /**
     * One contender: its events/s and CPU in each round, in the order run. The rounds alternate between
     * contenders, so round i of one and round i of another ran minutes apart at most.
     */
    record Contender(String name, long records, List<Double> perSecond, List<CpuClock.Sample> cpu) {
        double median() {
            return BenchResult.median(perSecond);
        }

        double min() {
            return perSecond.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        double max() {
            return perSecond.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        /** Each round's figure over the same round's figure of other. */
        List<Double> ratios(Contender other) {
            List<Double> out = new ArrayList<>();
            for (int i = 0; i < Math.min(perSecond.size(), other.perSecond.size()); i++) {
                out.add(perSecond.get(i) / other.perSecond.get(i));
            }
            return out;
        }

        /** The median of the per-round ratios to other: each round compared with its own minutes. */
        double medianRatio(Contender other) {
            return BenchResult.median(ratios(other));
        }

        /** Median over the rounds of a CPU figure (thread, JVM or broker seconds) per event, in µs. */
        double microsPerEvent(ToDoubleFunction<CpuClock.Sample> seconds) {
            return BenchResult.median(cpu.stream().map(c -> seconds.applyAsDouble(c) * 1e6 / records).toList());
        }

        /** Median over the rounds of the stream thread's CPU per final window of the data, in µs. */
        double threadMicrosPerWindow(long windows) {
            return BenchResult.median(cpu.stream().map(c -> c.threadSeconds() * 1e6 / windows).toList());
        }
    }

    record Setup(long events, int models, int partitions, long endMarkers, String brokerHeap, int cores,
                 long expectedWindows, Map<String, String> settings, int rounds) {
    }

    record Heap(long peakUsedBytes, long peakLiveBytes, long maxBytes) {
    }

    record Check(String what, long expected, long actual) {
        boolean ok() {
            return expected == actual;
        }
    }

    /** The median: the middle value, or the mean of the two middle ones; NaN for none. */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    Contender contender(String name) {
        return contenders.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no contender " + name));
    }

    boolean consistent() {
        return checks.stream().allMatch(Check::ok);
    }

    /** losswatch over the limit: the median of the per-round ratios. */
    double ratio() {
        return contender(LOSSWATCH).medianRatio(contender(LIMIT));
    }

    double naiveRatio() {
        return contender(LOSSWATCH).medianRatio(contender(NAIVE));
    }

    double lossesOffRatio() {
        return contender(LOSSES_OFF).medianRatio(contender(LIMIT));
    }

    /** With segments over without; NaN when the run skipped segments. */
    double segmentsRatio() {
        return segments == null ? Double.NaN : contender(segmentsRow(segments.fields())).medianRatio(contender(LOSSWATCH));
    }

    double stateBytesPerThousandModels() {
        return stateBytes * 1000.0 / setup.models();
    }

    /**
     * Models one core's stream thread serves, each at eventsPerSecond with one-minute windows, at this
     * run's costs: 1 s over (rate × CPU per event + CPU per window / 60). Both figures are the whole
     * thread's CPU divided by events and by windows, so each charges all of it. A run's costs depend on
     * how many events share a window and a partial: in real time at a few events a second per model
     * each event is flushed as a partial of its own (every 100 ms), which a run with about one event
     * a window ({@code --models 10000}) measures and a run with 50 does not (docs/benchmarks.md).
     */
    static double capacity(double microsPerEvent, double microsPerWindow, double eventsPerSecond) {
        return 1e6 / (eventsPerSecond * microsPerEvent + microsPerWindow / 60);
    }

    void print(PrintStream out) {
        out.printf(Locale.ROOT, "losswatch bench: %,d events (+%d end markers) over %,d models, %d partitions;"
                        + " broker in its own JVM (-Xmx%s); %d cores%n",
                setup.events(), setup.endMarkers(), setup.models(), setup.partitions(), setup.brokerHeap(), setup.cores());
        out.println("losswatch settings: " + (setup.settings().isEmpty() ? "the defaults"
                : "the defaults but " + setup.settings() + " (--set)"));
        out.printf(Locale.ROOT, "%d rounds, each contender once a round in the order below but the limit first;"
                + " figures are medians of the rounds, min-max their spread, ratios medians of each round's ratio%n",
                setup.rounds());
        Contender lim = contender(LIMIT);
        out.printf(Locale.ROOT, "%-42s %12s %12s %12s %10s %12s%n", "", "events/s", "min", "max", "/limit", "records");
        for (Contender c : contenders) {
            out.printf(Locale.ROOT, "%-42s %,12.0f %,12.0f %,12.0f %10.3f %,12d%n", c.name(), c.median(), c.min(), c.max(),
                    c.medianRatio(lim), c.records());
        }
        Contender lw = contender(LOSSWATCH);
        Contender off = contender(LOSSES_OFF);
        Contender naivePeer = contender(NAIVE);
        Contender seg = segments == null ? null : contender(segmentsRow(segments.fields()));
        ratioLine(out, "ratio losswatch/limit", lw, lim);
        ratioLine(out, "ratio losswatch/naive peer", lw, naivePeer);
        ratioLine(out, "ratio losses.enabled=false/limit", off, lim);
        ratioLine(out, "ratio losses.enabled=false/losswatch", off, lw);
        if (seg != null) {
            ratioLine(out, "ratio with/without segments", seg, lw);
        } else {
            out.printf(Locale.ROOT, "%-42s %10s%n", "ratio with/without segments", "skipped");
        }
        ratioLine(out, "ratio losswatch/Streams pass-through", lw, contender(PASS_THROUGH));
        out.printf(Locale.ROOT, "%-42s %s%n", "  rounds (events/s, in order)", "");
        for (Contender c : contenders) {
            out.printf(Locale.ROOT, "    %-40s %s%n", c.name(), rounds(c.perSecond()));
        }
        out.printf(Locale.ROOT, "%-42s %,d of %,d final windows, %,d events in them, %,d records dropped as late"
                        + " (last round; it has no watermarks)%n", "  naive peer", naive.windows(), naive.expectedWindows(),
                naive.countSum(), naive.dropped());
        out.printf(Locale.ROOT, "%-42s limit %.1f us/event in its thread, %.1f in the bench JVM, %.1f in the broker;"
                        + " losswatch %.1f in its stream thread, %.1f in its JVM, %.1f in the broker%n", "  CPU per event",
                lim.microsPerEvent(CpuClock.Sample::threadSeconds), lim.microsPerEvent(CpuClock.Sample::jvmSeconds),
                lim.microsPerEvent(CpuClock.Sample::brokerSeconds),
                lw.microsPerEvent(CpuClock.Sample::threadSeconds), lw.microsPerEvent(CpuClock.Sample::jvmSeconds),
                lw.microsPerEvent(CpuClock.Sample::brokerSeconds));
        for (Contender c : seg == null ? List.of(off, naivePeer) : List.of(off, naivePeer, seg)) {
            out.printf(Locale.ROOT, "%-42s %.1f us/event in its stream thread, %.1f in its JVM, %.1f in the broker%n",
                    "  CPU per event, " + shortName(c), c.microsPerEvent(CpuClock.Sample::threadSeconds),
                    c.microsPerEvent(CpuClock.Sample::jvmSeconds), c.microsPerEvent(CpuClock.Sample::brokerSeconds));
        }
        long windows = setup.expectedWindows();
        out.printf(Locale.ROOT, "%-42s losswatch %.1f us, losses.enabled=false %.1f us, naive peer %.1f us of stream"
                        + " thread CPU (%,d final windows, %.1f events each)%n", "  CPU per final window",
                lw.threadMicrosPerWindow(windows), off.threadMicrosPerWindow(windows),
                naivePeer.threadMicrosPerWindow(windows), windows, (double) setup.events() / windows);
        for (Contender c : List.of(lw, off, naivePeer)) {
            StringBuilder line = new StringBuilder();
            for (double rate : CAPACITY_RATES) {
                line.append(String.format(Locale.ROOT, "%s%,.0f models at %s event%s/s each", line.length() == 0 ? "" : "; ",
                        capacity(c.microsPerEvent(CpuClock.Sample::threadSeconds), c.threadMicrosPerWindow(windows), rate),
                        rate == Math.rint(rate) ? String.format(Locale.ROOT, "%.0f", rate) : Double.toString(rate),
                        rate == 1 ? "" : "s"));
            }
            out.printf(Locale.ROOT, "%-42s %s (one-minute windows, at this run's costs, %.1f events a window; in real"
                            + " time at these rates each event is a partial of its own, as with about 1 event a window)%n",
                    "  one core serves, " + shortName(c), line, (double) setup.events() / windows);
        }
        StringBuilder time = new StringBuilder();
        losswatch.threadTime().forEach((k, v) -> time.append(String.format(Locale.ROOT, " %s %.0f%%,", k, 100 * v)));
        out.printf(Locale.ROOT, "%-34s%s%n", "  losswatch stream thread time", time.length() == 0 ? " n/a"
                : time.substring(0, time.length() - 1));
        if (hotPath != null) {
            out.printf(Locale.ROOT, "%-34s %,14.0f   ± %,.0f (%.1f%%; JMH, 99.9%% CI, %d forks x %d iterations)%n",
                    "hot path (1 thread)", hotPath.eventsPerSecond(), hotPath.error(),
                    100 * hotPath.error() / hotPath.eventsPerSecond(), HotPath.FORKS, HotPath.ITERATIONS);
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
        out.printf(Locale.ROOT, "  %-50s %s%n", "losswatch >= 1.5 x the naive peer",
                verdict(naiveRatio() >= 1.5, String.format(Locale.ROOT, "%.2f x", naiveRatio())));
        out.printf(Locale.ROOT, "  %-50s %s%n", "losses.enabled=false >= 45% of the limit",
                verdict(lossesOffRatio() >= 0.45, String.format(Locale.ROOT, "%.0f%%", 100 * lossesOffRatio())));
        out.printf(Locale.ROOT, "  %-50s %s%n", "with two segment fields >= 80% of without",
                segments == null ? "not measured (--skip-segments)" : verdict(segmentsRatio() >= 0.8,
                        String.format(Locale.ROOT, "%.0f%%", 100 * segmentsRatio())));
        double perWindow = contender(LOSSWATCH).threadMicrosPerWindow(setup.expectedWindows());
        out.printf(Locale.ROOT, "  %-50s %s%n", "stream thread CPU per final window <= 25 us",
                verdict(perWindow <= 25, String.format(Locale.ROOT, "%.1f us (%.1f events a window)", perWindow,
                        (double) setup.events() / setup.expectedWindows())));
        out.printf(Locale.ROOT, "  %-50s %s%n", "hot path >= 1,500,000 events/s per core",
                hotPath == null ? "not measured (--skip-jmh)"
                        : verdict(hotPath.eventsPerSecond() >= 1_500_000,
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

    private static void ratioLine(PrintStream out, String what, Contender a, Contender b) {
        List<Double> r = a.ratios(b);
        out.printf(Locale.ROOT, "%-42s %10.3f   (rounds %s)%n", what, median(r),
                String.join(", ", r.stream().map(v -> String.format(Locale.ROOT, "%.3f", v)).toList()));
    }

    private static String shortName(Contender c) {
        return switch (c.name()) {
            case LOSSES_OFF -> "losses.enabled=false";
            case NAIVE -> "naive peer";
            case LOSSWATCH -> "losswatch";
            default -> c.name().startsWith("losswatch with segments") ? "with segments" : c.name();
        };
    }

    private static String rounds(List<Double> perSecond) {
        return String.join(", ", perSecond.stream().map(v -> String.format(Locale.ROOT, "%,.0f", v)).toList());
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
