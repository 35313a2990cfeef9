package io.losswatch.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code losswatch bench}: throughput and latency measured against Kafka's own limit in the same run
 * (docs/benchmarks.md). Prints a table on standard output and exits 0, or 1 when the run's outputs
 * are inconsistent (a record lost or duplicated somewhere).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure losswatch against a plain exactly-once Kafka copy of the same data, in one run,"
                + " on a broker started in its own JVM. See docs/benchmarks.md.")
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--events", paramLabel = "N", defaultValue = "2000000",
            description = "Labelled predictions to load (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--models", paramLabel = "M", defaultValue = "100",
            description = "Models they come from (default: ${DEFAULT-VALUE}).")
    int models;

    @Option(names = "--partitions", paramLabel = "P", defaultValue = "3",
            description = "Partitions of every topic (default: ${DEFAULT-VALUE}, as losswatch.topic.partitions).")
    int partitions;

    @Option(names = "--latency-seconds", paramLabel = "S", defaultValue = "30",
            description = "Length of the latency phase; 0 skips it (default: ${DEFAULT-VALUE}).")
    int latencySeconds;

    @Option(names = "--latency-settle-seconds", paramLabel = "S", defaultValue = "30",
            description = "Seconds at the latency phase's rate before it measures, reported apart: the broker and"
                    + " losswatch settle after the throughput rounds (default: ${DEFAULT-VALUE}).")
    int latencySettleSeconds;

    @Option(names = "--event-minutes", paramLabel = "MIN", defaultValue = "60",
            description = "Event-time span of the data, in one-minute windows (default: ${DEFAULT-VALUE}).")
    int eventMinutes;

    @Option(names = "--warmup-events", paramLabel = "W", defaultValue = "200000",
            description = "Events of a warm-up run of the limit, the naive peer and losswatch (and losswatch with"
                    + " segments, unless skipped) on topics of their own before the measured runs, so the JIT compiler"
                    + " is done; 0 for none (default: ${DEFAULT-VALUE}).")
    long warmupEvents;

    @Option(names = "--rounds", paramLabel = "R", defaultValue = "5",
            description = "Measure every contender R times, alternating, on the same input; the table gives each one's"
                    + " median and spread (min-max) and the median of each round's ratio to that round's limit"
                    + " (default: ${DEFAULT-VALUE}: this machine's speed varies 2x from minute to minute).")
    int rounds;

    @Option(names = "--skip-jmh", description = "Do not run the JMH hot-path benchmark.")
    boolean skipJmh;

    @Option(names = "--skip-segments", description = "Do not run losswatch with two segment fields (with many models"
            + " it is the longest contender).")
    boolean skipSegments;

    @Option(names = "--broker-heap", paramLabel = "SIZE", defaultValue = "1g",
            description = "Heap of the broker's JVM, -Xms and -Xmx (default: ${DEFAULT-VALUE}).")
    String brokerHeap;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the broker's log, losswatch's state and JMH's report go; kept after the run"
                    + " (default: a temporary directory, deleted after the run).")
    Path workDir;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A setting for losswatch's runs (not the limit's or the pass-through's; a Kafka key also"
                    + " reaches the naive peer), as in its properties file, to measure what it changes; repeatable."
                    + " A losswatch.topic.* name set here is the same for every run, which then share that topic."
                    + " Default: none.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--broker-java-option", paramLabel = "OPTION",
            description = "An option for the broker's JVM, such as -XX:StartFlightRecording=filename=broker.jfr to"
                    + " profile it; repeatable. Default: none.")
    List<String> brokerJavaOptions = new ArrayList<>();

    @Option(names = "--latency-breakdown", description = "Also read the loss records before their transaction commits"
            + " (read_uncommitted), to split the latency into processing and the wait for the commit. The second"
            + " reader is more load on the machine.")
    boolean latencyBreakdown;

    @Override
    public Integer call() throws IOException {
        if (events < 1 || models < 1 || partitions < 1 || eventMinutes < 1 || rounds < 1
                || latencySeconds < 0 || latencySettleSeconds < 0 || warmupEvents < 0) {
            throw new ParameterException(spec.commandLine(), "bench: --events, --models, --partitions,"
                    + " --event-minutes and --rounds must be at least 1, --latency-seconds, --latency-settle-seconds"
                    + " and --warmup-events at least 0");
        }
        boolean temporary = workDir == null;
        Path dir = temporary ? Files.createTempDirectory("losswatch-bench") : workDir;
        try {
            BenchResult result = new Bench(new Bench.Options(events, models, partitions, latencySeconds, skipJmh,
                    dir, brokerHeap, eventMinutes, warmupEvents, rounds, settings,
                    brokerJavaOptions, latencyBreakdown, latencySettleSeconds, skipSegments), System.err).run();
            result.print(System.out);
            return result.consistent() ? 0 : 1;
        } catch (BenchException e) {
            System.err.println("losswatch bench: " + e.getMessage());
            return 1;
        } finally {
            if (temporary) {
                Bench.deleteRecursively(dir);
            }
        }
    }
}
