package io.losswatch.runtime;

import io.losswatch.config.ConfigException;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.demo.DemoCommand;
import io.losswatch.embedded.EmbeddedKafka;
import io.losswatch.embedded.EmbeddedKafkaSettings;
import io.losswatch.generator.GenerateCommand;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line (CONTRACT §2). Exit codes: 0 clean stop, 1 failure while running, 2 bad usage
 * or configuration (one line on stderr naming what is wrong), 3 Kafka refused the SASL credentials,
 * 4 TLS to Kafka failed (untrusted certificate, trust store that cannot be opened); 3 and 4 with one
 * line naming the cause ({@link ClusterCheck}).
 */
@Command(name = "losswatch", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Real-time loss monitoring for deployed ML models, on Kafka Streams.",
        subcommands = {Main.Run.class, DemoCommand.class, GenerateCommand.class, io.losswatch.bench.BenchCommand.class,
                io.losswatch.replay.ReplayCommand.class})
public final class Main implements Callable<Integer> {
    static final int EXIT_USAGE = 2;
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of main). */
    public static int execute(String... args) {
        FormatLocale.apply();
        CommandLine cli = new CommandLine(new Main());
        cli.setExitCodeExceptionMapper(e -> e instanceof ConfigException ? EXIT_USAGE : 1);
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("losswatch: " + e.getMessage()
                    + " (see 'losswatch --help')");
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException) {
                commandLine.getErr().println("losswatch: " + e.getMessage());
                return EXIT_USAGE;
            }
            throw e;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.err);
        return EXIT_USAGE;
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run the stream processor against the broker named in the configuration.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE", required = true,
                description = "Java properties file: losswatch.* settings, every other key goes to Kafka Streams.")
        Path config;

        @Override
        public Integer call() {
            LosswatchConfig loaded = LosswatchConfig.load(config, System.getenv());
            loaded.warnings().forEach(w -> LOG.warn("losswatch: {}", w));
            EmbeddedKafkaSettings embedded = EmbeddedKafkaSettings.of(loaded);
            if (!embedded.enabled()) {
                return LosswatchApplication.runUntilShutdown(loaded);
            }
            // losswatch.embedded.kafka=true: the broker starts first, becomes bootstrap.servers, and stops last
            EmbeddedKafka broker;
            try {
                broker = EmbeddedKafka.start(embedded.dir(), embedded.port());
            } catch (EmbeddedKafka.EmbeddedKafkaException e) {
                LOG.error("losswatch: {}", e.getMessage());
                return 1;
            }
            String configured = loaded.kafkaProperties().getProperty("bootstrap.servers");
            if (!broker.bootstrapServers().equals(configured)) {
                LOG.info("losswatch: using the embedded broker at {} instead of bootstrap.servers={}",
                        broker.bootstrapServers(), configured);
            }
            return LosswatchApplication.runUntilShutdown(
                    loaded.withKafkaProperty("bootstrap.servers", broker.bootstrapServers()), broker::close);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"losswatch " + (v == null ? "development build" : v)};
        }
    }
}
