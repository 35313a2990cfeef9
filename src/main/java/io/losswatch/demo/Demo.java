package io.losswatch.demo;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.config.Setting;
import io.losswatch.config.Settings;
import io.losswatch.embedded.EmbeddedKafka;
import io.losswatch.generator.DurationConverter;
import io.losswatch.generator.GenerateCommand;
import io.losswatch.generator.LateModel;
import io.losswatch.generator.TrafficGenerator;
import io.losswatch.runtime.LosswatchApplication;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code losswatch demo}: in one process, an embedded broker, the processor with its dashboard, the
 * synthetic traffic and a console report of the results. Started in that order and stopped in the reverse one.
 */
public final class Demo implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);
    static final String APPLICATION_ID = "losswatch-demo";
    /** Labels come at most label-delay late; the join waits that long and this much more. */
    private static final Duration JOIN_SLACK = Duration.ofSeconds(5);
    private static final Duration JOIN_GRACE = Duration.ofSeconds(10);

    private final PrintWriter out;
    /** What to stop, last started first. */
    private final Deque<Runnable> stops = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private LosswatchApplication app;
    private TrafficGenerator generator;

    private Demo(PrintWriter out) {
        this.out = out;
    }

    /** Starts everything and prints where to look; on failure stops what had started and rethrows. */
    public static Demo start(DemoSettings settings, PrintWriter out) {
        Demo demo = new Demo(out);
        try {
            demo.startAll(settings);
        } catch (RuntimeException e) {
            demo.close();
            throw e;
        }
        return demo;
    }

    private void startAll(DemoSettings s) {
        printOverrides(s);
        boolean temporary = s.dir().isEmpty();
        Path dir;
        try {
            dir = s.dir().isPresent() ? s.dir().get().toAbsolutePath() : Files.createTempDirectory("losswatch-demo-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory: " + e.getMessage(), e);
        }
        if (temporary) {
            stops.push(() -> deleteRecursively(dir));
        }

        // the broker
        int port = s.kafkaPort();
        if (port != 0 && !s.kafkaPortStrict() && !EmbeddedKafka.isFree(port)) {
            out.printf("Port %d is in use (another Kafka?): the demo's broker takes a free port instead.%n", port);
            port = 0;
        }
        out.println("Starting an embedded Kafka broker ...");
        out.flush();
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), port);
        stops.push(kafka::close);
        String bootstrap = kafka.bootstrapServers();

        // the processor, with the dashboard, API and /metrics
        int httpPort = s.httpPort();
        if (httpPort != 0 && !s.httpPortStrict() && !EmbeddedKafka.isFree(httpPort)) {
            out.printf("Port %d is in use: the dashboard takes a free port instead.%n", httpPort);
            httpPort = 0;
        }
        LosswatchConfig config = LosswatchConfig.from(processorProperties(s, bootstrap, dir, httpPort));
        app = LosswatchApplication.start(config);
        stops.push(app::close);
        awaitRunning(Duration.ofSeconds(120));
        String dashboard = "http://localhost:" + app.httpPort() + "/";

        // what it publishes, on the console; then the traffic
        ConsoleReport report = ConsoleReport.start(bootstrap, config.topics(), estimated(s), s.minLabelled(), out);
        stops.push(report::close);
        generator = TrafficGenerator.start(s.traffic(), producerProperties(bootstrap), s.format());
        stops.push(generator::close);

        out.println();
        out.println("losswatch demo is running. Ctrl-C stops it.");
        out.println();
        out.printf("  Dashboard     %s%n", dashboard);
        out.printf("  Metrics       %smetrics  (Prometheus)   API: %sapi/models%n", dashboard, dashboard);
        out.printf("  Kafka         %s  (embedded, KRaft; data in %s%s)%n", bootstrap, dir,
                temporary ? ", deleted on exit" : ", kept");
        LosswatchConfig.Topics t = config.topics();
        out.printf("  Topics        in: %s, %s   out: %s, %s, %s, %s, %s%n", t.predictions(), t.labels(), t.losses(),
                t.metrics(), t.predictionMetrics(), t.alerts(), t.dlq());
        out.println();
        GenerateCommand.describe(out, s.traffic(), generator.traffic(), bootstrap);
        GenerateCommand.describeFormat(out, s.format());
        out.println();
        out.printf(Locale.ROOT, "Windows of %s. Each line below is one final window: about %s after it ends for"
                + " models with inline labels, up to %s for the others (they wait for late labels).%n",
                DurationConverter.format(s.window()), DurationConverter.format(grace(s.window())),
                DurationConverter.format(finalDelay(s)));
        s.traffic().lateModel().ifPresent(late -> out.printf(Locale.ROOT, "%s's labels come %s to %s late. About %s"
                + " after each of its windows ends, a 'before labels' line (topic %s) gives its psi and, once %d of its"
                + " predictions are labelled, its estimated loss, from the predictions alone; its realized line"
                + " follows minutes later. Its estimated_loss and prediction_drift alerts can fire before any label of"
                + " the windows they judge exists.%n", LateModel.NAME, DurationConverter.format(late.labelDelayMin()),
                DurationConverter.format(late.labelDelayMax()), DurationConverter.format(grace(s.window())),
                t.predictionMetrics(), s.minLabelled()));
        out.printf("Your own tools can read the same results, e.g.:%n"
                + "  kafka-console-consumer.sh --bootstrap-server %s --topic %s --isolation-level read_committed%n",
                bootstrap, t.metrics());
        out.println();
        out.flush();
    }

    /** A setting the demo sets, why, and the default it replaces (the global one's for a per-model key). */
    record Change(String key, String value, String why) {
        /** The default of the setting (for losswatch.model.&lt;model&gt;.&lt;suffix&gt;, the global setting's). */
        Optional<Setting> setting() {
            return Settings.find(key).or(() -> Settings.parseModelKey(key).map(Settings.ModelKey::global));
        }

        /** Whether the value differs from the default (compared as parsed: PT30S is PT0.5M). */
        boolean changesDefault() {
            return setting().map(st -> !Objects.equals(st.parse(value, ""), st.parse(st.defaultValue(), "")))
                    .orElse(true);
        }
    }

    /**
     * The losswatch settings the demo chooses, each with why: windows short enough to see results within a
     * minute, a join window for its latest labels, alerts and estimates that warm up within its story.
     */
    static List<Change> overrides(DemoSettings s) {
        List<Change> o = new ArrayList<>();
        Duration window = s.window();
        o.add(new Change("losswatch.window.size", window.toString(), "results every " + DurationConverter.format(window)));
        o.add(new Change("losswatch.window.grace", grace(window).toString(), "a sixth of the window, 1s to 5s"));
        Duration latest = latestLabel(s);
        o.add(new Change("losswatch.join.window", latest.plus(JOIN_SLACK).toString(), "labels come at most "
                + DurationConverter.format(latest) + " late: wait that long and " + DurationConverter.format(JOIN_SLACK)
                + " more before counting one as missing"));
        o.add(new Change("losswatch.join.grace", JOIN_GRACE.toString(),
                "a label waits this long (event time) for its prediction"));
        // the baseline learns from the windows before the drift
        long windowsBeforeDrift = s.traffic().driftStart().toMillis() / window.toMillis();
        o.add(new Change("losswatch.alert.warmup.windows",
                Long.toString(Math.max(2, Math.min(8, windowsBeforeDrift - 1))),
                "the alert baseline learns from the windows before churn's drift at "
                        + DurationConverter.format(s.traffic().driftStart())));
        // a window counts once it holds a third of the predictions a model gets in one
        double perWindow = s.traffic().rate() * window.toMillis() / 1000.0 / s.traffic().models();
        o.add(new Change("losswatch.alert.min.count", Long.toString(Math.max(10, Math.min(100, (long) (perWindow / 3)))),
                "a third of the predictions a model gets in a window"));
        o.add(new Change("losswatch.estimate.min.labelled", Long.toString(s.minLabelled()),
                "estimates from a model version's first " + s.minLabelled() + " labels"));
        // psi's reference: the first 5 windows, however few predictions a faster, smaller demo puts in them
        long reference = Math.max(100, Math.min(1000, (long) (5 * perWindow)));
        o.add(new Change("losswatch.estimate.reference.min.predictions", Long.toString(reference),
                "psi's reference is a model version's first 5 windows, about " + reference + " predictions"));
        s.traffic().lateModel().ifPresent(late -> o.add(new Change(
                "losswatch.model." + LateModel.NAME + ".alert.warmup.windows", "2",
                LateModel.NAME + "'s realized windows come " + DurationConverter.format(late.labelDelayMax())
                        + " late: its estimated_loss rule compares with a baseline of its first 2")));
        // the settings that read the shape it sends (CONTRACT §10)
        for (String line : TrafficGenerator.settingsFor(s.format())) {
            o.add(new Change(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1),
                    "--format " + s.format() + ": how to read what the generator sends"));
        }
        return o;
    }

    /** The processor's settings: the demo's {@link #overrides} and where its broker, state and dashboard are. */
    static Properties processorProperties(DemoSettings s, String bootstrap, Path dir, int httpPort) {
        Properties p = new Properties();
        p.setProperty("losswatch.http.bind", "127.0.0.1");
        p.setProperty("losswatch.http.port", Integer.toString(httpPort));
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("application.id", APPLICATION_ID);
        p.setProperty("state.dir", dir.resolve("state").toString());
        p.setProperty("losswatch.topic.predictions", s.traffic().predictionsTopic());
        p.setProperty("losswatch.topic.labels", s.traffic().labelsTopic());
        overrides(s).forEach(o -> p.setProperty(o.key(), o.value()));
        return p;
    }

    /** One line per setting the demo changes from its default, so nobody takes the demo's for the defaults. */
    private void printOverrides(DemoSettings s) {
        List<Change> changed = overrides(s).stream().filter(Change::changesDefault).toList();
        out.println("The demo changes these settings so that its story fits in minutes; `losswatch run` uses the"
                + " defaults in config/application.properties:");
        int width = changed.stream().mapToInt(o -> o.key().length() + o.value().length() + 1).max().orElse(0);
        for (Change o : changed) {
            String def = o.setting().map(Setting::defaultValue).orElse("none");
            out.printf(Locale.ROOT, "  %-" + width + "s  default %-6s %s%n", o.key() + "=" + o.value(), def, o.why());
        }
        out.println();
        out.flush();
    }

    /** The models whose label-free lines the console prints: the late-labelled one. */
    private static Set<String> estimated(DemoSettings s) {
        return s.traffic().lateModel().isPresent() ? Set.of(LateModel.NAME) : Set.of();
    }

    /** The latest a label comes after its prediction. */
    private static Duration latestLabel(DemoSettings s) {
        Duration latest = s.traffic().labelDelay();
        if (s.traffic().lateModel().isPresent() && s.traffic().lateModel().get().labelDelayMax().compareTo(latest) > 0) {
            latest = s.traffic().lateModel().get().labelDelayMax();
        }
        return latest;
    }

    /** A sixth of the window, from 1 to 5 seconds: enough for the skew between partitions. */
    static Duration grace(Duration window) {
        long ms = Math.max(1000, Math.min(5000, window.toMillis() / 6));
        return Duration.ofMillis(ms - ms % 1000);
    }

    private static Duration finalDelay(DemoSettings s) {
        return grace(s.window()).plus(latestLabel(s)).plus(JOIN_SLACK).plus(JOIN_GRACE);
    }

    private static Properties producerProperties(String bootstrap) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        return p;
    }

    /** Traffic starts once the processor runs, so it is processed as it comes rather than as a backlog. */
    private void awaitRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (app.streams().state() != KafkaStreams.State.RUNNING) {
            if (!processorRunning() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the processor did not start (Kafka Streams " + app.streams().state() + ")");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the processor was starting", e);
            }
        }
    }

    /** Whether the processor is still running (false once Kafka Streams stopped or failed). */
    public boolean processorRunning() {
        KafkaStreams.State state = app.streams().state();
        return state != KafkaStreams.State.ERROR && state != KafkaStreams.State.NOT_RUNNING
                && state != KafkaStreams.State.PENDING_ERROR && state != KafkaStreams.State.PENDING_SHUTDOWN;
    }

    public TrafficGenerator generator() {
        return generator;
    }

    /** Stops the traffic, the console, the processor and the broker, in that order; safe to call twice. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        while (!stops.isEmpty()) {
            try {
                stops.pop().run();
            } catch (RuntimeException e) {
                LOG.warn("demo: error while stopping: {}", e.toString());
            }
        }
        out.flush();
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("demo: cannot delete {}: {}", dir, e.toString());
        }
    }
}
