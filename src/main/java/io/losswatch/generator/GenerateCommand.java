package io.losswatch.generator;

import io.losswatch.generator.Traffic.Kind;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code losswatch generate}: the demo's synthetic traffic against any broker, to try or load-test a set-up. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send synthetic predictions and labels to a Kafka broker: several models with realistic"
                + " scores, labels inline or after a delay, a few malformed records, and one model whose loss"
                + " drifts upward.", "Durations: 30s, 2m, 1h, 500ms or ISO-8601 (PT2M)."},
        footer = {"", "Example: losswatch generate --bootstrap-server kafka:9092 --rate 500 --duration 10m"})
public final class GenerateCommand implements Callable<Integer> {
    private static final long PROGRESS_EVERY_MS = 10_000;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT", defaultValue = "localhost:9092",
            description = "Kafka to send to (default: ${DEFAULT-VALUE}).")
    String bootstrapServer;

    @Option(names = "--producer-config", paramLabel = "FILE",
            description = "Java properties for the producer: security.protocol, sasl.*, ssl.*, ...")
    Path producerConfig;

    @Option(names = "--models", paramLabel = "N", defaultValue = "4",
            description = "Number of models, 1-100 (default: ${DEFAULT-VALUE}).")
    int models;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "50",
            description = "Records per second, all models together (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to send predictions (default: until Ctrl-C); labels still due follow.")
    Duration duration;

    @Option(names = "--label-delay", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Separate labels come 0 to this long after their prediction (default: ${DEFAULT-VALUE}).")
    Duration labelDelay;

    @Option(names = "--unlabelled-share", paramLabel = "SHARE", defaultValue = "0.02",
            description = "Share of separately labelled predictions that never get a label"
                    + " (default: ${DEFAULT-VALUE}).")
    double unlabelledShare;

    @Option(names = "--drift-start", paramLabel = "DURATION", defaultValue = "15m", converter = DurationConverter.class,
            description = "When the first model's loss starts to rise (default: ${DEFAULT-VALUE}: after losswatch's"
                    + " alert baseline has warmed up with its default 1-minute windows).")
    Duration driftStart;

    @Option(names = "--drift-ramp", paramLabel = "DURATION", defaultValue = "1m", converter = DurationConverter.class,
            description = "How long the rise takes to reach its full size (default: ${DEFAULT-VALUE}).")
    Duration driftRamp;

    @Option(names = "--drift-size", paramLabel = "LOSS", defaultValue = "0.5",
            description = "How much the first model's mean log loss rises; 0: no drift (default: ${DEFAULT-VALUE}).")
    double driftSize;

    @Option(names = "--malformed-share", paramLabel = "SHARE", defaultValue = "0.01",
            description = "Share of malformed records: not JSON, out of range, missing field, label with no"
                    + " prediction (default: ${DEFAULT-VALUE}).")
    double malformedShare;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--predictions-topic", paramLabel = "TOPIC", defaultValue = "predictions",
            description = "(default: ${DEFAULT-VALUE})")
    String predictionsTopic;

    @Option(names = "--labels-topic", paramLabel = "TOPIC", defaultValue = "labels",
            description = "(default: ${DEFAULT-VALUE})")
    String labelsTopic;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json",
            description = "json (CONTRACT §4); kserve: KServe inference-logger events; nested: a nested custom shape;"
                    + " the last two read with the settings printed at start (default: ${DEFAULT-VALUE})")
    String format;

    /** For the kserve and nested formats, what the records look like and the settings that read them. */
    public static void describeFormat(PrintWriter out, String format) {
        if (format.equals("kserve")) {
            out.println("As KServe's inference logger writes them (a request and a V2 response per prediction, inline"
                    + " labels on the labels topic, ids <prediction_id>-0); read them with:");
        } else if (format.equals("nested")) {
            out.println("Predictions in a nested shape, e.g. " + NestedShape.nest("{\"prediction_id\":\"p-1\",\"model\":\"churn\","
                    + "\"model_version\":\"v7\",\"timestamp\":1764000000000,\"prediction\":0.75,\"label\":1}") + "; read them with:");
        }
        TrafficGenerator.settingsFor(format).forEach(line -> out.println("  " + line));
    }

    /** The options as the generator takes them; a bad value is a usage error naming the option. */
    GeneratorOptions options() {
        try {
            return new GeneratorOptions(models, rate, Optional.ofNullable(duration), labelDelay, unlabelledShare,
                    driftStart, driftRamp, driftSize, malformedShare, seed, predictionsTopic, labelsTopic);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        GeneratorOptions options = options();
        Properties producer = producerProperties();
        PrintWriter out = spec.commandLine().getOut();
        if (!TrafficGenerator.FORMATS.contains(format)) {
            throw new ParameterException(spec.commandLine(), "--format: expected json, kserve or nested, got " + format);
        }
        TrafficGenerator generator = TrafficGenerator.start(options, producer, format);
        describe(out, options, generator.traffic(), bootstrapServer);
        describeFormat(out, format);
        out.println(duration == null ? "Press Ctrl-C to stop." : "Stops after " + DurationConverter.format(duration)
                + " (and the labels still due); Ctrl-C stops at once.");
        out.flush();

        AtomicBoolean finished = new AtomicBoolean();
        Runnable finish = () -> {
            if (finished.compareAndSet(false, true)) {
                generator.close();
                out.println(summary(generator.sent(), generator.failed()));
                out.flush();
            }
        };
        Thread hook = new Thread(finish, "losswatch-generator-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        long lastProgress = System.currentTimeMillis();
        while (!generator.isDone()) {
            Thread.sleep(200);
            if (System.currentTimeMillis() - lastProgress >= PROGRESS_EVERY_MS && !generator.isDone()) {
                lastProgress = System.currentTimeMillis();
                out.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS).format(CLOCK) + "  "
                        + summary(generator.sent(), generator.failed()));
                out.flush();
            }
        }
        finish.run();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running and has nothing left to do
        }
        return generator.failure() == null ? 0 : 1;
    }

    private Properties producerProperties() {
        Properties p = new Properties();
        if (producerConfig != null) {
            try (Reader in = Files.newBufferedReader(producerConfig, StandardCharsets.UTF_8)) {
                p.load(in);
            } catch (IOException | IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--producer-config: cannot read " + producerConfig
                        + ": " + e.getMessage());
            }
        }
        p.put("bootstrap.servers", bootstrapServer);
        return p;
    }

    /** The lines that say what is being sent: topics, rate, and each model with its expected loss. */
    public static void describe(PrintWriter out, GeneratorOptions o, Traffic traffic, String bootstrap) {
        int models = traffic.models().size();
        double rate = o.rate() + (o.lateModel().isPresent() ? o.lateModelRate() : 0);
        out.printf(Locale.ROOT, "Sending to %s: %s predictions/s over %d model%s (topics %s, %s)%n", bootstrap,
                number(rate), models, models == 1 ? "" : "s", o.predictionsTopic(), o.labelsTopic());
        for (Traffic.ModelInfo m : traffic.models()) {
            boolean late = o.lateModel().isPresent() && m.name().equals(LateModel.NAME);
            String labels = m.labelsInline() ? "labels inline"
                    : late ? "labels " + DurationConverter.format(o.lateModel().get().labelDelayMin()) + " to "
                            + DurationConverter.format(o.lateModel().get().labelDelayMax()) + " later"
                    : "labels up to " + DurationConverter.format(o.labelDelay()) + " later";
            String loss = String.format(Locale.ROOT, "expected log loss %.2f", m.expectedLogLoss());
            if (m.drifts()) {
                loss += String.format(Locale.ROOT, ", drifting to %.2f from %s", m.driftedLogLoss(),
                        DurationConverter.format(o.driftStart()));
            }
            if (m.shifts()) {
                loss += String.format(Locale.ROOT, ", rising to %.2f from %s (more hard cases)", m.driftedLogLoss(),
                        DurationConverter.format(o.lateModel().get().shiftStart()));
            }
            out.printf(Locale.ROOT, "  %-12s %-4s %-26s %s%n", m.name(), m.version(), labels, loss);
        }
        if (o.malformedShare() > 0) {
            out.printf(Locale.ROOT, "  %s%% of records malformed: invalid_json, out_of_range, missing_field,"
                    + " unmatched_label%n", number(o.malformedShare() * 100));
        }
    }

    static String summary(Map<Kind, Long> sent, long failed) {
        long malformed = sent.entrySet().stream().filter(e -> e.getKey().malformed())
                .mapToLong(Map.Entry::getValue).sum();
        return String.format(Locale.ROOT, "sent %d predictions, %d labels, %d malformed records%s",
                sent.get(Kind.PREDICTION), sent.get(Kind.LABEL), malformed,
                failed == 0 ? "" : "; " + failed + " failed");
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.2f", d);
    }
}
