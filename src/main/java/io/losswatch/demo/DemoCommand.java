package io.losswatch.demo;

import io.losswatch.embedded.EmbeddedKafka;
import io.losswatch.generator.DurationConverter;
import io.losswatch.generator.GeneratorOptions;
import io.losswatch.generator.LateModel;
import io.losswatch.generator.TrafficGenerator;
import io.losswatch.runtime.LosswatchApplication;
import io.losswatch.runtime.StopSignals;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code losswatch demo} (CONTRACT §2): see it work with no set-up at all. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Start everything in one process: an embedded Kafka broker (KRaft), the processor, the"
                + " dashboard and synthetic traffic from several models, one of which drifts after a while,"
                + " and one more (" + LateModel.NAME + ") whose labels come minutes late and whose predictions"
                + " shift: losswatch estimates its loss before the labels come. Prints the settings it changes,"
                + " the dashboard URL and the broker's address; Ctrl-C stops it all.",
            "Durations: 30s, 2m, 1h, 500ms or ISO-8601 (PT2M)."})
public final class DemoCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);
    static final int DEFAULT_KAFKA_PORT = 9092;
    static final int DEFAULT_HTTP_PORT = 8080;

    @Spec
    CommandSpec spec;

    @Option(names = "--kafka-port", paramLabel = "PORT",
            description = "The broker's port on localhost; 0: any free port (default: 9092, or a free port if"
                    + " 9092 is taken).")
    Integer kafkaPort;

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "The dashboard's port on localhost; 0: any free port (default: 8080, or a free port if"
                    + " 8080 is taken).")
    Integer httpPort;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Keep the broker's data and the processor's state here (default: a temporary directory,"
                    + " deleted on exit).")
    Path dir;

    @Option(names = "--window", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "Window size (default: ${DEFAULT-VALUE}).")
    Duration window;

    @Option(names = "--models", paramLabel = "N", defaultValue = "4",
            description = "Number of models besides " + LateModel.NAME + " (default: ${DEFAULT-VALUE}).")
    int models;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "40",
            description = "Records per second, all models together but " + LateModel.NAME + ", which sends one"
                    + " model's share on top (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--label-delay", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Separate labels come 0 to this long after their prediction (default: ${DEFAULT-VALUE}).")
    Duration labelDelay;

    @Option(names = "--drift-start", paramLabel = "DURATION", defaultValue = "3m", converter = DurationConverter.class,
            description = "When the first model's loss starts to rise (default: ${DEFAULT-VALUE}).")
    Duration driftStart;

    @Option(names = "--drift-ramp", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long the rise takes (default: ${DEFAULT-VALUE}).")
    Duration driftRamp;

    @Option(names = "--drift-size", paramLabel = "LOSS", defaultValue = "0.6",
            description = "How much the first model's mean log loss rises (default: ${DEFAULT-VALUE}).")
    double driftSize;

    @Option(names = "--malformed-share", paramLabel = "SHARE", defaultValue = "0.01",
            description = "Share of malformed records (default: ${DEFAULT-VALUE}).")
    double malformedShare;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json",
            description = "The shape of the predictions it sends: json (CONTRACT §4); kserve: as KServe's inference"
                    + " logger writes them; nested: a nested custom shape. The last two are read with field mappings,"
                    + " printed with the other settings (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    // the late-labelled model's timing: hidden, for tests that cannot wait minutes

    @Option(names = "--late-label-delay-min", hidden = true, defaultValue = "2m", converter = DurationConverter.class)
    Duration lateLabelDelayMin;

    @Option(names = "--late-label-delay-max", hidden = true, defaultValue = "3m", converter = DurationConverter.class)
    Duration lateLabelDelayMax;

    @Option(names = "--shift-start", hidden = true, defaultValue = "210s", converter = DurationConverter.class)
    Duration shiftStart;

    @Option(names = "--shift-ramp", hidden = true, defaultValue = "30s", converter = DurationConverter.class)
    Duration shiftRamp;

    @Option(names = "--shift-size", hidden = true, defaultValue = "0.25")
    double shiftSize;

    @Option(names = "--min-labelled", hidden = true, defaultValue = "300")
    long minLabelled;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop by itself after this long (default: run until Ctrl-C).")
    Duration runFor;

    DemoSettings settings() {
        if (window.isNegative() || window.isZero()) {
            throw new ParameterException(spec.commandLine(),
                    "--window=" + window + ": expected a duration greater than zero");
        }
        if (kafkaPort != null && (kafkaPort < 0 || kafkaPort > 65_535)) {
            throw new ParameterException(spec.commandLine(), "--kafka-port=" + kafkaPort + ": expected 0 to 65535");
        }
        if (httpPort != null && (httpPort < 0 || httpPort > 65_535)) {
            throw new ParameterException(spec.commandLine(), "--http-port=" + httpPort + ": expected 0 to 65535");
        }
        if (runFor != null && (runFor.isNegative() || runFor.isZero())) {
            throw new ParameterException(spec.commandLine(),
                    "--duration=" + runFor + ": expected a duration greater than zero");
        }
        if (!TrafficGenerator.FORMATS.contains(format)) {
            throw new ParameterException(spec.commandLine(), "--format: expected json, kserve or nested, got " + format);
        }
        if (minLabelled < 1) {
            throw new ParameterException(spec.commandLine(), "--min-labelled=" + minLabelled + ": expected 1 or more");
        }
        GeneratorOptions traffic;
        try {
            LateModel late = new LateModel(lateLabelDelayMin, lateLabelDelayMax, shiftStart, shiftRamp, shiftSize);
            traffic = new GeneratorOptions(models, rate, Optional.empty(), labelDelay, 0.02, driftStart, driftRamp,
                    driftSize, malformedShare, seed, "predictions", "labels", Optional.of(late));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return new DemoSettings(kafkaPort == null ? DEFAULT_KAFKA_PORT : kafkaPort, kafkaPort != null,
                httpPort == null ? DEFAULT_HTTP_PORT : httpPort, httpPort != null,
                Optional.ofNullable(dir), window, Optional.ofNullable(runFor), traffic, minLabelled, format);
    }

    @Override
    public Integer call() throws InterruptedException {
        DemoSettings settings = settings();
        PrintWriter out = spec.commandLine().getOut();
        Demo demo;
        try {
            demo = Demo.start(settings, out);
        } catch (EmbeddedKafka.EmbeddedKafkaException | LosswatchApplication.StartupException
                 | IllegalStateException e) {
            spec.commandLine().getErr().println("losswatch: " + e.getMessage());
            return 1;
        }
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                out.println("Stopping the demo ...");
                out.flush();
                demo.close();
                out.println("losswatch demo stopped.");
                out.flush();
            }
        };
        // Ctrl-C and SIGTERM end the loop below, which stops everything and returns 0 (StopSignals);
        // the hook covers any other JVM shutdown
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "losswatch-demo-shutdown"));
        AtomicBoolean requested = new AtomicBoolean();
        StopSignals.onStop(() -> requested.set(true));
        long deadline = settings.runFor().map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
        boolean failed = false;
        while (!stopped.get() && !requested.get() && System.nanoTime() < deadline) {
            if (!demo.processorRunning() && !stopped.get()) {
                LOG.error("losswatch: the processor stopped; stopping the demo");
                failed = true;
                break;
            }
            Thread.sleep(200);
        }
        stop.run();
        return failed ? 1 : 0;
    }
}
