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
 * One benchmark run, every figure against the same broker and data: load, then in each of
 * {@code rounds} alternating rounds the limit, the Kafka Streams pass-through, the naive peer,
 * losswatch with two segment fields on the same events carrying them, losswatch without loss records
 * and losswatch; latency at half losswatch's median throughput, then the hot path under JMH once the
 * broker is gone. Progress goes to {@code log}; the caller prints the result.
 */
final class Bench {
    static final String LIMIT_TOPIC = "bench-limit-copy";
    static final String PASS_THROUGH_TOPIC = "bench-streams-copy";
    static final String NAIVE_LOSSES_TOPIC = "bench-naive-losses";
    static final String NAIVE_MEANS_TOPIC = "bench-naive-means";
    /** The same events with a country and a device, for losswatch with two segment fields (CONTRACT §11). */
    static final String SEGMENTED_TOPIC = "bench-predictions-segmented";

    record Options(long events, int models, int partitions, int latencySeconds, boolean skipJmh, Path workDir,
                   String brokerHeap, int eventMinutes, long warmupEvents, int rounds,
                   Map<String, String> settings, List<String> brokerJavaOptions, boolean latencyBreakdown,
                   int latencySettleSeconds, boolean skipSegments) {
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
        Map<BenchData.WindowKey, Long> expectedSegmented = options.skipSegments() ? Map.of()
                : segmentedData.expectedWindows();
        List<BenchResult.Check> checks = new ArrayList<>();
        Properties props = losswatchConfig("", dir.resolve("state"), "");
        LosswatchConfig.Topics topics = LosswatchConfig.from(props).topics();
        Duration timeout = Duration.ofSeconds(120 + options.events() / 5_000);

        Path stateDir = dir.resolve("state");
        LatencyRun.Result latency = null;
        BenchResult.Heap heap;
        long commitInterval;
        Rounds limitRounds = new Rounds();
        Rounds passThroughRounds = new Rounds();
        Rounds naiveRounds = new Rounds();
        Rounds segmentsRounds = new Rounds();
        Rounds lossesOffRounds = new Rounds();
        Rounds losswatchRounds = new Rounds();
        LimitCopy.Result limit = null;
        StreamsPassThrough.Result passThrough = null;
        NaivePeer.Result naive = null;
        LosswatchRun.Throughput segments = null;
        LosswatchRun.Throughput lossesOff = null;
        LosswatchRun.Throughput losswatch = null;
        // the Kafka settings given with --set reach the naive peer too: the same exactly-once settings as losswatch's
        Map<String, String> kafkaSettings = new java.util.TreeMap<>();
        options.settings().forEach((k, v) -> {
            if (!k.startsWith("losswatch.")) {
                kafkaSettings.put(k, v);
            }
        });
        try (BrokerProcess broker = BrokerProcess.start(dir.resolve("broker"), options.brokerHeap(),
                options.brokerJavaOptions())) {
            String bootstrap = broker.bootstrapServers();
            log.printf("bench: broker (pid %d, -Xmx%s) on %s%n", broker.pid(), options.brokerHeap(), bootstrap);
            String brokerPid = Long.toString(broker.pid());
            if (options.warmupEvents() > 0) {
                warmUp(bootstrap, dir, spanMs, timeout, kafkaSettings);
            }
            createTopics(bootstrap, List.of(topics.predictions(), LIMIT_TOPIC, SEGMENTED_TOPIC), options.partitions());

            long t = System.nanoTime();
            long records = Loader.load(bootstrap, topics.predictions(), data, options.partitions());
            log.printf(Locale.ROOT, "bench: loaded %,d records in %.1f s%n", records, (System.nanoTime() - t) / 1e9);
            if (!options.skipSegments()) {
                Loader.load(bootstrap, SEGMENTED_TOPIC, segmentedData, options.partitions());
            }

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
                    String naiveLosses = NAIVE_LOSSES_TOPIC + suffix;
                    String naiveMeans = NAIVE_MEANS_TOPIC + suffix;
                    List<String> roundTopics = new ArrayList<>(List.of(passThroughTopic, naiveLosses, naiveMeans));
                    if (round > 1) {
                        roundTopics.add(limitTopic);
                    }
                    createTopics(bootstrap, roundTopics, options.partitions());
                    // the previous round's losswatch stops first: nothing else of this JVM runs beside a contender
                    if (app != null) {
                        app.close();
                        app = null;
                    }

                    // the limit: a plain exactly-once copy
                    CpuClock.Sample cpu = CpuClock.now(broker.pid(), "bench-limit-copy");
                    Map<String, Double> brokerThreads = CpuClock.threadsByName(brokerPid);
                    LimitCopy.Result l = LimitCopy.run(bootstrap, topics.predictions(), limitTopic, records, timeout,
                            "bench-limit" + suffix);
                    CpuClock.Sample after = CpuClock.now(broker.pid(), "bench-limit-copy");
                    log.printf(Locale.ROOT, "bench: %slimit %,.0f events/s%n", tag, l.eventsPerSecond());
                    log.println("bench: " + tag + "the broker's CPU by thread during the limit's run: " + CpuClock.topThreads(
                            brokerThreads, CpuClock.threadsByName(brokerPid), 8));
                    limit = l;
                    limitRounds.add(l.eventsPerSecond(), new CpuClock.Sample(after.jvmSeconds() - cpu.jvmSeconds(),
                            l.threadCpuSeconds(), after.brokerSeconds() - cpu.brokerSeconds()));
                    checks.add(new BenchResult.Check(tag + "limit: records copied (read_committed)", records,
                            Clients.readAll(bootstrap, limitTopic, r -> { })));

                    // Kafka Streams copying the input, doing nothing else
                    cpu = CpuClock.now(broker.pid(), "StreamThread");
                    StreamsPassThrough.Result pt = StreamsPassThrough.run(bootstrap, topics.predictions(),
                            passThroughTopic, records, dir.resolve("pass-through-state" + suffix),
                            "bench-pass-through" + suffix, timeout);
                    log.printf(Locale.ROOT, "bench: %sKafka Streams pass-through %,.0f events/s%n", tag,
                            pt.eventsPerSecond());
                    passThrough = pt;
                    passThroughRounds.add(pt.eventsPerSecond(), CpuClock.now(broker.pid(), "StreamThread").minus(cpu));
                    checks.add(new BenchResult.Check(tag + "Kafka Streams pass-through: records copied", records,
                            Clients.readAll(bootstrap, passThroughTopic, r -> { })));

                    // the naive peer: what a user would write instead of losswatch
                    cpu = CpuClock.now(broker.pid(), "StreamThread");
                    NaivePeer.Result np = NaivePeer.run(bootstrap, topics.predictions(), naiveLosses, naiveMeans, records,
                            expected, dir.resolve("naive-state" + suffix), "bench-naive" + suffix, kafkaSettings, timeout);
                    // its stream thread's CPU is taken inside the run, before its threads end
                    CpuClock.Sample npCpu = CpuClock.now(broker.pid(), "StreamThread").minus(cpu);
                    naiveRounds.add(np.eventsPerSecond(), new CpuClock.Sample(npCpu.jvmSeconds(), np.threadCpuSeconds(),
                            npCpu.brokerSeconds()));
                    naive = np;
                    log.printf(Locale.ROOT, "bench: %snaive Kafka Streams peer %,.0f events/s (%,d of %,d final windows,"
                                    + " %,d events in them, %,d records dropped as late)%n", tag, np.eventsPerSecond(),
                            np.windows(), np.expectedWindows(), np.countSum(), np.dropped());
                    checks.add(new BenchResult.Check(tag + "naive peer: loss records (read_committed)", records,
                            Clients.readAll(bootstrap, naiveLosses, r -> { })));

                    // losswatch with two segment fields, on the same events carrying them: a new application each round
                    if (!options.skipSegments()) {
                        Properties segmentProps = segmentsConfig(bootstrap, dir.resolve("state-segments" + suffix),
                                "seg" + round + "-", SEGMENTED_TOPIC);
                        LosswatchConfig.Topics segmentOut = LosswatchConfig.from(segmentProps).topics();
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
                            segmentsRounds.add(sw.eventsPerSecond(), swCpu);
                            segments = sw;
                            checks.add(new BenchResult.Check(tag + "segments: final windows", expectedSegmented.size(),
                                    sw.finalWindows()));
                            checks.add(new BenchResult.Check(tag + "segments: sum of final window counts", 3 * data.events,
                                    sw.windowCountSum()));
                            checks.add(new BenchResult.Check(tag + "segments: windows published twice", 0,
                                    sw.duplicateWindows()));
                            checks.add(new BenchResult.Check(tag + "segments: dead letters", 0,
                                    Clients.readAll(bootstrap, segmentOut.dlq(), r -> { })));
                        }
                    }

                    // losswatch with losswatch.losses.enabled=false: the same windows, no loss record per event
                    Properties offProps = losswatchConfig(bootstrap, dir.resolve("state-no-losses" + suffix),
                            "nl" + round + "-");
                    offProps.setProperty("losswatch.topic.predictions", topics.predictions());
                    offProps.setProperty("losswatch.losses.enabled", "false");
                    LosswatchConfig.Topics offOut = LosswatchConfig.from(offProps).topics();
                    cpu = CpuClock.now(broker.pid(), "StreamThread");
                    try (LosswatchApplication offApp = LosswatchRun.start(offProps)) {
                        LosswatchRun.Throughput off = LosswatchRun.measure(offApp, bootstrap, offOut.metrics(), records,
                                expected, timeout);
                        lossesOffRounds.add(off.eventsPerSecond(), CpuClock.now(broker.pid(), "StreamThread").minus(cpu));
                        lossesOff = off;
                        log.printf(Locale.ROOT, "bench: %slosswatch without loss records %,.0f events/s%n", tag,
                                off.eventsPerSecond());
                        checks.add(new BenchResult.Check(tag + "without loss records: final windows", expected.size(),
                                off.finalWindows()));
                        checks.add(new BenchResult.Check(tag + "without loss records: sum of final window counts",
                                data.events, off.windowCountSum()));
                        checks.add(new BenchResult.Check(tag + "without loss records: windows published twice", 0,
                                off.duplicateWindows()));
                        checks.add(new BenchResult.Check(tag + "without loss records: loss records", 0,
                                Clients.readAll(bootstrap, offOut.losses(), r -> { })));
                        checks.add(new BenchResult.Check(tag + "without loss records: dead letters", 0,
                                Clients.readAll(bootstrap, offOut.dlq(), r -> { })));
                    }

                    // losswatch: each round a new application with output topics and state of its own, on the same input
                    Properties roundProps = props;
                    if (round > 1) {
                        roundProps = losswatchConfig(bootstrap, dir.resolve("state" + suffix), "r" + round + "-");
                        roundProps.setProperty("losswatch.topic.predictions", topics.predictions());
                    }
                    LosswatchConfig.Topics out = LosswatchConfig.from(roundProps).topics();
                    stateDir = dir.resolve(round == 1 ? "state" : "state" + suffix);
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
                    losswatchRounds.add(w.eventsPerSecond(), wCpu);
                    losswatch = w;
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
                        double rate = Math.max(1, Math.round(BenchResult.median(losswatchRounds.perSecond) / 2));
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
            log.printf("bench: hot path under JMH (%d forks of %d x 2 s warm-up and %d x 2 s measured, about %d s)%n",
                    HotPath.FORKS, HotPath.WARMUP_ITERATIONS, HotPath.ITERATIONS,
                    HotPath.FORKS * (2 * (HotPath.WARMUP_ITERATIONS + HotPath.ITERATIONS) + 3));
            hotPath = HotPath.run(dir.resolve("jmh.txt"));
        }
        BenchResult.Setup setup = new BenchResult.Setup(options.events(), options.models(), options.partitions(),
                options.partitions(), options.brokerHeap(), Runtime.getRuntime().availableProcessors(), expected.size(),
                options.settings(), options.rounds());
        long n = limit.records();
        List<BenchResult.Contender> contenders = new ArrayList<>(List.of(
                limitRounds.contender(BenchResult.LIMIT, n),
                passThroughRounds.contender(BenchResult.PASS_THROUGH, n),
                naiveRounds.contender(BenchResult.NAIVE, n),
                losswatchRounds.contender(BenchResult.LOSSWATCH, n),
                lossesOffRounds.contender(BenchResult.LOSSES_OFF, n)));
        if (!options.skipSegments()) {
            contenders.add(segmentsRounds.contender(BenchResult.segmentsRow(BenchData.SEGMENT_FIELDS), n));
        }
        return new BenchResult(setup, limit, losswatch, passThrough, naive, lossesOff, options.skipSegments() ? null
                : new BenchResult.Segments(BenchData.SEGMENT_FIELDS, segments, segmentsRounds.perSecond),
                List.copyOf(contenders), latency, hotPath, heap, stateBytes, commitInterval, checks);
    }

    /** One contender's figure and CPU in each round, in order. */
    private static final class Rounds {
        final List<Double> perSecond = new ArrayList<>();
        final List<CpuClock.Sample> cpu = new ArrayList<>();

        void add(double eventsPerSecond, CpuClock.Sample sample) {
            perSecond.add(eventsPerSecond);
            cpu.add(sample);
        }

        BenchResult.Contender contender(String name, long records) {
            return new BenchResult.Contender(name, records, List.copyOf(perSecond), List.copyOf(cpu));
        }
    }

    /** losswatch's configuration for one run: the default, then the settings given with --set. */
    private Properties losswatchConfig(String bootstrap, Path stateDir, String topicPrefix) {
        Properties props = LosswatchRun.config(bootstrap, stateDir, options.partitions(), topicPrefix);
        props.putAll(options.settings());
        return props;
    }

    /** losswatch's configuration for a run with two segment fields, reading predictionsTopic (events that carry them). */
    private Properties segmentsConfig(String bootstrap, Path stateDir, String topicPrefix, String predictionsTopic) {
        Properties props = losswatchConfig(bootstrap, stateDir, topicPrefix);
        props.setProperty("losswatch.topic.predictions", predictionsTopic);
        props.setProperty("losswatch.segment.fields", BenchData.SEGMENT_FIELDS);
        return props;
    }

    /**
     * Runs the limit, the naive peer and losswatch once on smaller data of their own (topics prefixed
     * "warmup-"), and losswatch with segments unless they are skipped, so the measured runs find this
     * JVM's JIT compiler done with their code, as in a long-running deployment: on two cores, compiling
     * losswatch's code took a core for much of a cold run. The segments' code (a partial per segment value,
     * their windows, records and alerts) is run only with segments: without its own warm-up the first
     * round's run with segments was the one that compiled it (docs/benchmarks.md, seventh session).
     */
    private void warmUp(String bootstrap, Path dir, long spanMs, Duration timeout, Map<String, String> kafkaSettings) {
        String prefix = "warmup-";
        BenchData warm = new BenchData(options.warmupEvents(), options.models(),
                BenchData.alignedStart(System.currentTimeMillis(), spanMs), spanMs);
        Properties props = losswatchConfig(bootstrap, dir.resolve("warmup-state"), prefix);
        LosswatchConfig.Topics topics = LosswatchConfig.from(props).topics();
        createTopics(bootstrap, List.of(topics.predictions(), prefix + LIMIT_TOPIC, prefix + NAIVE_LOSSES_TOPIC,
                prefix + NAIVE_MEANS_TOPIC), options.partitions());
        long records = Loader.load(bootstrap, topics.predictions(), warm, options.partitions());
        LimitCopy.run(bootstrap, topics.predictions(), prefix + LIMIT_TOPIC, records, timeout, prefix + "bench-limit");
        NaivePeer.run(bootstrap, topics.predictions(), prefix + NAIVE_LOSSES_TOPIC, prefix + NAIVE_MEANS_TOPIC, records,
                warm.expectedWindows(), dir.resolve("warmup-naive-state"), prefix + "bench-naive", kafkaSettings, timeout);
        try (LosswatchApplication app = LosswatchRun.start(props)) {
            LosswatchRun.measure(app, bootstrap, topics.metrics(), records, warm.expectedWindows(), timeout);
        }
        if (!options.skipSegments()) {
            BenchData warmSegmented = warm.withSegments();
            String segmentedTopic = prefix + SEGMENTED_TOPIC;
            createTopics(bootstrap, List.of(segmentedTopic), options.partitions());
            Loader.load(bootstrap, segmentedTopic, warmSegmented, options.partitions());
            Properties segmentProps = segmentsConfig(bootstrap, dir.resolve("warmup-state-segments"), prefix + "seg-",
                    segmentedTopic);
            try (LosswatchApplication app = LosswatchRun.start(segmentProps)) {
                LosswatchRun.measure(app, bootstrap, LosswatchConfig.from(segmentProps).topics().metrics(), records,
                        warmSegmented.expectedWindows(), timeout);
            }
        }
        log.printf(Locale.ROOT, "bench: warmed up on %,d records%s%n", records,
                options.skipSegments() ? "" : ", and losswatch with segments on the same events carrying them");
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
