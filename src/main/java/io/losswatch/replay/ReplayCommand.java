package io.losswatch.replay;

import io.losswatch.config.ConfigException;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.event.FieldSource;
import io.losswatch.event.InputMapping;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code losswatch replay} (CONTRACT §12): what losswatch would have published for a range of the past,
 * with the configuration's settings and any overrides, printed as JSON lines on stdout with a summary on
 * stderr. Exit codes: 0 (also for a range with no data), 1 when reading fails, 2 for bad arguments or
 * settings (one line).
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay the prediction and label topics (or JSON-lines files) of a time range through losswatch's"
                + " own topology, without touching the live application: window records and alerts as JSON lines on"
                + " stdout, a summary on stderr. See docs/alerting.md (tuning with --sweep).")
public final class ReplayCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", required = true,
            description = "The application's properties file: its topics, Kafka connection and settings.")
    Path config;

    @Option(names = "--from", paramLabel = "TIME",
            description = "Start of the event-time range, an ISO-8601 instant (2026-11-24T06:00:00Z); required with topics.")
    String from;

    @Option(names = "--to", paramLabel = "TIME",
            description = "End of the range (exclusive); default: what the topics hold when the replay starts.")
    String to;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A setting on top of the file's, as in the file; repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--sweep", paramLabel = "KEY=V1,V2,...",
            description = "Replay once per value (per combination, when repeated); each line then carries \"settings\","
                    + " and stderr ends with a table of the alerts each combination fired.")
    List<String> sweeps = new ArrayList<>();

    @Option(names = "--predictions-file", paramLabel = "FILE",
            description = "Read predictions from this JSON-lines file instead of the topic: no Kafka at all.")
    Path predictionsFile;

    @Option(names = "--labels-file", paramLabel = "FILE",
            description = "Labels from this JSON-lines file (with --predictions-file).")
    Path labelsFile;

    @Override
    public Integer call() {
        try {
            return new Replay(this, System.out, System.err).run();
        } catch (ReplayException | org.apache.kafka.common.KafkaException e) {
            // the input cannot be read (a topic that is not there, a broker that went away): one line, exit 1
            System.out.flush();
            System.err.println("losswatch: replay failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        }
    }

    /** The whole command: arguments checked, then one replay per combination. */
    static final class Replay {
        private final ReplayCommand args;
        private final PrintStream out;
        private final PrintStream err;

        Replay(ReplayCommand args, PrintStream out, PrintStream err) {
            this.args = args;
            this.out = out;
            this.err = err;
        }

        int run() {
            Long fromMs = args.from == null ? null : ReplayRange.parseTime("--from", args.from);
            Long toMs = args.to == null ? null : ReplayRange.parseTime("--to", args.to);
            boolean files = args.predictionsFile != null;
            if (!files && args.labelsFile != null) {
                throw new ConfigException("--labels-file: expected --predictions-file too (files replace both topics)");
            }
            if (!files && fromMs == null) {
                throw new ConfigException("--from: required when reading the topics (optional with --predictions-file)");
            }
            List<Map<String, String>> combinations = Sweep.combinations(args.sweeps);
            // every combination's settings are checked before anything is read or printed
            List<LosswatchConfig> configs = new ArrayList<>();
            for (Map<String, String> combination : combinations) {
                Map<String, String> overrides = new LinkedHashMap<>(args.settings);
                overrides.putAll(combination);
                // a replay prints windows and alerts, never the per-event loss records: not made at all
                overrides.put("losswatch.losses.enabled", "false");
                LosswatchConfig c = LosswatchConfig.load(args.config, System.getenv(), overrides);
                ReplayRange.of(fromMs, toMs, c);
                configs.add(c);
            }
            List<ReplaySummary> summaries = new ArrayList<>();
            for (int i = 0; i < combinations.size(); i++) {
                LosswatchConfig c = configs.get(i);
                ReplayRange range = ReplayRange.of(fromMs, toMs, c);
                ReplayRun run = new ReplayRun(c, range, combinations.get(i), out);
                long started = System.nanoTime();
                EventTimes times = new EventTimes(c);
                if (files) {
                    try (FileSource p = new FileSource(args.predictionsFile, true, needsEnvelope(c, "predictions"), times,
                            range, run.counts);
                         FileSource l = args.labelsFile == null ? null : new FileSource(args.labelsFile, false,
                                 needsEnvelope(c, "labels"), times, range, run.counts)) {
                        run.run(new MergedInput(l == null ? List.of(p) : List.of(p, l)));
                    }
                } else {
                    try (KafkaSources sources = new KafkaSources(c, range, times, run.counts)) {
                        run.run(new MergedInput(sources.sources()));
                    }
                }
                out.flush();
                ReplaySummary summary = new ReplaySummary(combinations.get(i), range, run.counts,
                        System.nanoTime() - started);
                summary.print(err);
                summaries.add(summary);
            }
            if (!args.sweeps.isEmpty()) {
                ReplaySummary.printSweep(summaries, err);
            }
            return 0;
        }
    }

    /** A file of topic is read as kcat -J envelopes when its reading needs the key or a header (CONTRACT §10). */
    static boolean needsEnvelope(LosswatchConfig config, String topic) {
        InputMapping m = config.inputMapping(topic);
        return m.format() == InputMapping.Format.KSERVE
                || m.fields().values().stream().anyMatch(f -> f instanceof FieldSource.Header || f instanceof FieldSource.Key);
    }
}
