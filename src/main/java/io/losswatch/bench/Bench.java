package io.losswatch.bench;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.runtime.LosswatchApplication;
import io.losswatch.topology.LosswatchTopology;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One benchmark run, every figure against the same broker and data: load, the limit, losswatch end
 * to end, losswatch with two segment fields on the same events carrying them, latency at half
 * losswatch's throughput, then the hot path under JMH once the broker is gone. Progress goes to
 * {@code log}; the caller prints the result.
 */
final class Bench {
    static final String LIMIT_TOPIC = "bench-limit-copy";
    static final String PASS_THROUGH_TOPIC = "bench-streams-copy";
    /** The same events with a country and a device, for losswatch with two segment fields (CONTRACT §11). */
    static final String SEGMENTED_TOPIC = "bench-predictions-segmented";

    record Options(long events, int models, int partitions, int latencySeconds, boolean skipJmh, Path workDir,
                   String brokerHeap, int eventMinutes, long warmupEvents, int rounds,
                   Map<String, String> settings, List<String> brokerJavaOptions, boolean latencyBreakdown,
                   int latencySettleSeconds) {
    }

    private final Options options;
    private final PrintStream log;

    Bench(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    BenchResult run() throws IOException {
        Files.createDirectories(options.workDir());
        Path dir = Files.createTempDirectory(options.workDir(), "run-");
        log.printf("bench: work directory %s%n", dir);
        long spanMs = options.eventMinutes() * 60_000L;
        BenchData data = new BenchData(options.events(), options.models(),
                BenchData.alignedStart(System.currentTimeMillis(), spanMs), spanMs);
        Map<BenchData.WindowKey, Long> expected = data.expectedWindows();
        BenchData segmentedData = data.withSegments();
        Map<BenchData.WindowKey, Long> expectedSegmented = segmentedData.expectedWindows();
        List<BenchResult.Check> checks = new ArrayList<>();
        Properties props = losswatchConfig("", dir.resolve("state"), "");
        LosswatchConfig.Topics topics = LosswatchConfig.from(props).topics();
        Duration timeout = Duration.ofSeconds(120 + options.events() / 5_000);

        LimitCopy.Result limit = null;
        LosswatchRun.Throughput losswatch = null;
        List<Double> limitRounds = new ArrayList<>();
        StreamsPassThrough.Result passThrough = null;
        List<Double> passThroughRounds = new ArrayList<>();
        List<Double> losswatchRounds = new ArrayList<>();
        LosswatchRun.Throughput segments = null;
        CpuClock.Sample segmentsCpu = null;
        List<Double> segmentsRounds = new ArrayList<>();
        Path stateDir = dir.resolve("state");
        LatencyRun.Result latency = null;
        BenchResult.Heap heap;
        long commitInterval;
        CpuClock.Sample limitCpu = null;
        CpuClock.Sample losswatchCpu = null;
        try (BrokerProcess broker = BrokerProcess.start(dir.resolve("broker"), options.brokerHeap(),
                options.brokerJavaOptions())) {
            String bootstrap = broker.bootstrapServers();
            log.printf("bench: broker (pid %d, -Xmx%s) on %s%n", broker.pid(), options.brokerHeap(), bootstrap);
            String brokerPid = Long.toString(broker.pid());
            if (options.warmupEvents() > 0) {
                warmUp(bootstrap, dir, spanMs, timeout);
            }
            createTopics(bootstrap, List.of(topics.predictions(), LIMIT_TOPIC, SEGMENTED_TOPIC), options.partitions());

            long t = System.nanoTime();
            long records = Loader.load(bootstrap, topics.predictions(), data, options.partitions());
            log.printf(Locale.ROOT, "bench: loaded %,d records in %.1f s%n", records, (System.nanoTime() - t) / 1e9);
            Loader.load(bootstrap, SEGMENTED_TOPIC, segmentedData, options.partitions());

            props.setProperty("bootstrap.servers", bootstrap);
            LosswatchConfig benchConfig = LosswatchConfig.from(props);
            commitInterval = new StreamsConfig(LosswatchTopology.streamsProperties(benchConfig.kafkaProperties(),
                    benchConfig.topics().dlq())).getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
            HeapSampler sampler = new HeapSampler();
            LosswatchApplication app = null;
            try {
                for (int round = 1; round <= options.rounds(); round++) {
                    String tag = options.rounds() == 1 ? "" : "round " + round + ": ";
                    String suffix = round == 1 ? "" : "-" + round;
                    String limitTopic = LIMIT_TOPIC + suffix;
                    String passThroughTopic = PASS_THROUGH_TOPIC + suffix;
                    createTopics(bootstrap, round > 1 ? List.of(limitTopic, passThroughTopic) : List.of(passThroughTopic),
                            options.partitions());
                    CpuClock.Sample cpu = CpuClock.now(broker.pid(), "bench-limit-copy");
                    Map<String, Double> brokerThreads = CpuClock.threadsByName(brokerPid);
                    LimitCopy.Result l = LimitCopy.run(bootstrap, topics.predictions(), limitTopic, records, timeout,
                            "bench-limit" + suffix);
                    CpuClock.Sample after = CpuClock.now(broker.pid(), "bench-limit-copy");
                    log.printf(Locale.ROOT, "bench: %slimit %,.0f events/s%n", tag, l.eventsPerSecond());
                    log.println("bench: " + tag + "the broker's CPU by thread during the limit's run: " + CpuClock.topThreads(
                            brokerThreads, CpuClock.threadsByName(brokerPid), 8));
                    limitRounds.add(l.eventsPerSecond());
                    if (limit == null || l.eventsPerSecond() > limit.eventsPerSecond()) {
                        limit = l;
                        limitCpu = new CpuClock.Sample(after.jvmSeconds() - cpu.jvmSeconds(), l.threadCpuSeconds(),
                                after.brokerSeconds() - cpu.brokerSeconds());
                    }
                    checks.add(new BenchResult.Check(tag + "limit: records copied (read_committed)", records,
                            Clients.readAll(bootstrap, limitTopic, r -> { })));

                    StreamsPassThrough.Result pt = StreamsPassThrough.run(bootstrap, topics.predictions(),
                            passThroughTopic, records, dir.resolve("pass-through-state" + suffix),
                            "bench-pass-through" + suffix, timeout);
                    log.printf(Locale.ROOT, "bench: %sKafka Streams pass-through %,.0f events/s%n", tag,
                            pt.eventsPerSecond());
                    passThroughRounds.add(pt.eventsPerSecond());
                    checks.add(new BenchResult.Check(tag + "Kafka Streams pass-through: records copied", records,
                            Clients.readAll(bootstrap, passThroughTopic, r -> { })));
                    if (passThrough == null || pt.eventsPerSecond() > passThrough.eventsPerSecond()) {
                        passThrough = pt;
                    }

                    // losswatch with two segment fields, on the same events carrying them: a new application each round
                    Properties segmentProps = losswatchConfig(bootstrap, dir.resolve("state-segments" + suffix),
                            "seg" + round + "-");
                    segmentProps.setProperty("losswatch.topic.predictions", SEGMENTED_TOPIC);
                    segmentProps.setProperty("losswatch.segment.fields", BenchData.SEGMENT_FIELDS);
                    LosswatchConfig.Topics segmentOut = LosswatchConfig.from(segmentProps).topics();
                    if (app != null) {
                        app.close();
                        app = null;
                    }
                    cpu = CpuClock.now(broker.pid(), "StreamThread");
                    Map<String, Double> segmentBrokerThreads = CpuClock.threadsByName(brokerPid);
                    try (LosswatchApplication segmentApp = LosswatchRun.start(segmentProps)) {
                        LosswatchRun.Throughput sw = LosswatchRun.measure(segmentApp, bootstrap, segmentOut.metrics(),
                                records, expectedSegmented, timeout);
                        CpuClock.Sample swCpu = CpuClock.now(broker.pid(), "StreamThread").minus(cpu);
                        log.println("bench: " + tag + "the broker's CPU by thread during losswatch's run with segments: "
                                + CpuClock.topThreads(segmentBrokerThreads, CpuClock.threadsByName(brokerPid), 8));
                        log.printf(Locale.ROOT, "bench: %slosswatch with segments %,.0f events/s%n", tag,
                                sw.eventsPerSecond());
                        segmentsRounds.add(sw.eventsPerSecond());
                        if (segments == null || sw.eventsPerSecond() > segments.eventsPerSecond()) {
                            segments = sw;
                            segmentsCpu = swCpu;
                        }
                        checks.add(new BenchResult.Check(tag + "segments: final windows", expectedSegmented.size(),
                                sw.finalWindows()));
                        checks.add(new BenchResult.Check(tag + "segments: sum of final window counts", 3 * data.events,
                                sw.windowCountSum()));
                        checks.add(new BenchResult.Check(tag + "segments: windows published twice", 0,
                                sw.duplicateWindows()));
                        checks.add(new BenchResult.Check(tag + "segments: dead letters", 0,
                                Clients.readAll(bootstrap, segmentOut.dlq(), r -> { })));
                    }

                    // each round is a new application with output topics and state of its own, on the same input
                    Properties roundProps = props;
                    if (round > 1) {
                        roundProps = losswatchConfig(bootstrap, dir.resolve("state" + suffix), "r" + round + "-");
                        roundProps.setProperty("losswatch.topic.predictions", topics.predictions());
                    }
                    LosswatchConfig.Topics out = LosswatchConfig.from(roundProps).topics();
                    stateDir = dir.resolve(round == 1 ? "state" : "state" + suffix);
                    if (app != null) {
                        app.close();
                    }
                    cpu = CpuClock.now(broker.pid(), "StreamThread");
                    Map<String, Double> threadsBefore = CpuClock.threadsByName();
                    Map<String, Double> brokerThreadsBefore = CpuClock.threadsByName(brokerPid);
                    app = LosswatchRun.start(roundProps);
                    LosswatchRun.Throughput w = LosswatchRun.measure(app, bootstrap, out.metrics(), records, expected,
                            timeout);
                    CpuClock.Sample wCpu = CpuClock.now(broker.pid(), "StreamThread").minus(cpu);
                    log.println("bench: " + tag + "CPU by thread during losswatch's run: "
                            + CpuClock.topThreads(threadsBefore, CpuClock.threadsByName(), 10));
                    log.println("bench: " + tag + "the broker's CPU by thread during losswatch's run: " + CpuClock.topThreads(
                            brokerThreadsBefore, CpuClock.threadsByName(brokerPid), 8));
                    log.printf(Locale.ROOT, "bench: %slosswatch %,.0f events/s%n", tag, w.eventsPerSecond());
                    losswatchRounds.add(w.eventsPerSecond());
                    if (losswatch == null || w.eventsPerSecond() > losswatch.eventsPerSecond()) {
                        losswatch = w;
                        losswatchCpu = wCpu;
                    }
                    checks.add(new BenchResult.Check(tag + "losswatch: final windows", expected.size(), w.finalWindows()));
                    checks.add(new BenchResult.Check(tag + "losswatch: sum of final window counts", data.events,
                            w.windowCountSum()));
                    checks.add(new BenchResult.Check(tag + "losswatch: windows published twice", 0,
                            w.duplicateWindows()));
                    checks.add(new BenchResult.Check(tag + "losswatch: loss records (read_committed)", records,
                            Clients.readAll(bootstrap, out.losses(), r -> { })));
                    checks.add(new BenchResult.Check(tag + "losswatch: dead letters", 0,
                            Clients.readAll(bootstrap, out.dlq(), r -> { })));
                    if (round == options.rounds() && options.latencySeconds() > 0) {
                        double rate = Math.max(1, Math.round(losswatch.eventsPerSecond() / 2));
                        log.printf(Locale.ROOT, "bench: latency at %,.0f events/s for %d s after %d s of settling%n", rate,
                                options.latencySeconds(), options.latencySettleSeconds());
                        latency = LatencyRun.run(bootstrap, topics.predictions(), out.losses(), data, rate,
                                Duration.ofSeconds(options.latencySettleSeconds()), Duration.ofSeconds(options.latencySeconds()),
                                Duration.ofSeconds(60), options.latencyBreakdown(), log);
                        log.println("bench: latency phase, stream thread: " + LosswatchRun.threadLatencies(app));
                        checks.add(new BenchResult.Check("latency: loss records for the records sent", latency.sent(),
                                latency.received()));
                        checks.add(new BenchResult.Check("latency: loss records seen twice", 0, latency.duplicates()));
                    }
                }
            } finally {
                if (app != null) {
                    app.close();
                }
                sampler.close();
            }
            heap = new BenchResult.Heap(sampler.peakUsedBytes(), sampler.peakAfterGcBytes(), sampler.maxHeapBytes());
        }
        long stateBytes = size(stateDir);

        HotPath.Result hotPath = null;
        if (!options.skipJmh()) {
            log.println("bench: hot path under JMH (about 30 s)");
            hotPath = HotPath.run(dir.resolve("jmh.txt"));
        }
        BenchResult.Setup setup = new BenchResult.Setup(options.events(), options.models(), options.partitions(),
                options.partitions(), options.brokerHeap(), Runtime.getRuntime().availableProcessors(), expected.size(),
                options.settings());
        return new BenchResult(setup, limit, losswatch, latency, hotPath, heap, stateBytes, commitInterval, limitCpu,
                losswatchCpu, passThrough, limitRounds, passThroughRounds, losswatchRounds, checks,
                new BenchResult.Segments(BenchData.SEGMENT_FIELDS, segments, segmentsCpu, segmentsRounds));
    }

    /** losswatch's configuration for one run: the default, then the settings given with --set. */
    private Properties losswatchConfig(String bootstrap, Path stateDir, String topicPrefix) {
        Properties props = LosswatchRun.config(bootstrap, stateDir, options.partitions(), topicPrefix);
        props.putAll(options.settings());
        return props;
    }

    /**
     * Runs the limit and losswatch once on smaller data of their own (topics prefixed "warmup-"), so
     * the measured runs find this JVM's JIT compiler done with their code, as in a long-running
     * deployment: on two cores, compiling losswatch's code took a core for much of a cold run.
     */
    private void warmUp(String bootstrap, Path dir, long spanMs, Duration timeout) {
        String prefix = "warmup-";
        BenchData warm = new BenchData(options.warmupEvents(), options.models(),
                BenchData.alignedStart(System.currentTimeMillis(), spanMs), spanMs);
        Properties props = losswatchConfig(bootstrap, dir.resolve("warmup-state"), prefix);
        LosswatchConfig.Topics topics = LosswatchConfig.from(props).topics();
        createTopics(bootstrap, List.of(topics.predictions(), prefix + LIMIT_TOPIC), options.partitions());
        long records = Loader.load(bootstrap, topics.predictions(), warm, options.partitions());
        LimitCopy.run(bootstrap, topics.predictions(), prefix + LIMIT_TOPIC, records, timeout, prefix + "bench-limit");
        try (LosswatchApplication app = LosswatchRun.start(props)) {
            LosswatchRun.measure(app, bootstrap, topics.metrics(), records, warm.expectedWindows(), timeout);
        }
        log.printf(Locale.ROOT, "bench: warmed up on %,d records%n", records);
    }

    private static void createTopics(String bootstrap, List<String> names, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<NewTopic> topics = names.stream().map(n -> new NewTopic(n, partitions, (short) 1)).toList();
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
            // an idempotent producer that meets a partition before its leader is known can go on
            // failing with OUT_OF_ORDER_SEQUENCE_NUMBER: load only once every partition has a leader
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!allHaveLeaders(admin, names)) {
                if (System.nanoTime() > deadline) {
                    throw new BenchException("topics " + names + " have no leader after 60 s");
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted while creating topics");
        } catch (ExecutionException | TimeoutException e) {
            throw new BenchException("cannot create topics: " + e);
        }
    }

    /**
     * Whether every partition of the topics has a leader; false while a just-created topic is not yet
     * in the broker's metadata (describeTopics then fails with UnknownTopicOrPartitionException).
     */
    private static boolean allHaveLeaders(Admin admin, List<String> names)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            return admin.describeTopics(names).allTopicNames().get(60, TimeUnit.SECONDS).values().stream()
                    .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                return false;
            }
            throw e;
        }
    }

    /** Bytes of the regular files under dir. */
    static long size(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
