package io.losswatch.runtime;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.http.HttpSettings;
import io.losswatch.http.LosswatchHttp;
import io.losswatch.http.TopicFeed;
import io.losswatch.topology.DeadLetterOnProcessingError;
import io.losswatch.topology.LosswatchTopology;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running processor: creates missing topics, starts Kafka Streams on the losswatch topology
 * and stops it cleanly on shutdown. Runtime concerns only; what it computes is in the topology.
 */
public final class LosswatchApplication implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LosswatchApplication.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaStreams streams;
    private final LosswatchHttp http;
    /** How Kafka Streams closes: see {@link #closeOptions}. */
    private final CloseOptions closeOptions;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean failed;
    /** Set when Kafka Streams failed on authentication or TLS (ClusterCheck's exit codes). */
    private volatile int securityExitCode;

    private LosswatchApplication(KafkaStreams streams, LosswatchHttp http, CloseOptions closeOptions) {
        this.streams = streams;
        this.http = http;
        this.closeOptions = closeOptions;
    }

    /**
     * Runs until asked to stop (Ctrl-C, SIGTERM) or Kafka Streams fails; returns the exit code: 0 after a
     * requested stop, 1 after a failure, ClusterCheck's codes for authentication and TLS.
     */
    public static int runUntilShutdown(LosswatchConfig config) {
        return runUntilShutdown(config, () -> { });
    }

    /**
     * As {@link #runUntilShutdown(LosswatchConfig)}, then runs afterStop once Kafka Streams is closed, on
     * every path (Ctrl-C, failure, failed start-up): how the embedded broker of
     * {@code losswatch.embedded.kafka=true} stops last. Ctrl-C and SIGTERM only wake this thread, which
     * closes everything and returns; any other JVM shutdown (SIGHUP, System.exit) closes everything in
     * the shutdown hook, so the JVM does not exit before it has finished.
     */
    public static int runUntilShutdown(LosswatchConfig config, Runnable afterStop) {
        LosswatchApplication app;
        try {
            app = start(config);
        } catch (StartupException e) {
            LOG.error("losswatch: {}", e.getMessage());
            afterStop.run();
            return e.exitCode;
        }
        AtomicBoolean stopping = new AtomicBoolean();
        Runnable stopAll = () -> {
            if (stopping.compareAndSet(false, true)) {
                app.close();
                afterStop.run();
            }
        };
        Thread hook = new Thread(stopAll, "losswatch-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        StopSignals.onStop(app.stopped::countDown);
        app.awaitStop();
        // asked to stop or failed: close here; stopped by the hook: it is already closing, nothing to do
        stopAll.run();
        return app.securityExitCode != 0 ? app.securityExitCode : app.failed ? 1 : 0;
    }

    /** Creates topics and starts processing; returns once Kafka Streams has been started. */
    public static LosswatchApplication start(LosswatchConfig config) {
        Properties props = LosswatchTopology.streamsProperties(config.kafkaProperties(), config.topics().dlq());
        StreamsConfig streamsConfig = new StreamsConfig(props);
        int predictionPartitions;
        Map<String, Long> retention;
        // the first request to Kafka: a wrong password or an untrusted certificate stops start-up here, in one line
        try (Admin admin = ClusterCheck.connect(streamsConfig.getAdminConfigs("losswatch-topic-creator"), props,
                config.connectTimeout())) {
            TopicCreator.ensureTopics(admin, config, 60_000);
            predictionPartitions = TopicCreator.partitionCount(admin, config.topics().predictions(), 60_000);
            retention = outputRetention(admin, config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StartupException("cannot create topics on " + props.getProperty("bootstrap.servers") + ": "
                    + cause.getClass().getSimpleName() + ": " + cause.getMessage(), e);
        }
        // HTTP (io.losswatch.http): /metrics hears the topology, the dashboard tails the output topics
        LosswatchHttp http = LosswatchHttp.create(HttpSettings.from(config),
                new TopicFeed.Topics(config.topics().metrics(), config.topics().alerts(), config.topics().dlq(),
                        config.topics().predictionMetrics()), props);
        props.put(DeadLetterOnProcessingError.LISTENER, http.pipelineListener());
        warnAboutOutputOlderThanRetention(props, retention);
        KafkaStreams streams = new KafkaStreams(LosswatchTopology.build(config, http.pipelineListener(), predictionPartitions), props);
        LosswatchApplication app = new LosswatchApplication(streams, http, closeOptions(streamsConfig));
        streams.setStateListener((newState, oldState) -> {
            LOG.info("losswatch: streams state {} -> {}", oldState, newState);
            if (newState == KafkaStreams.State.ERROR) {
                app.failed = true;
            }
            if (newState == KafkaStreams.State.NOT_RUNNING || newState == KafkaStreams.State.ERROR) {
                app.stopped.countDown();
            }
        });
        StreamThreadRecovery recovery = new StreamThreadRecovery();
        streams.setUncaughtExceptionHandler(e -> {
            if (recovery.replace(e, System.currentTimeMillis())) {
                LOG.warn("losswatch: the broker aborted the stream thread's transaction during a stall ({}); starting a new"
                        + " stream thread, which goes on from the last commit", e.getMessage());
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            // credentials or certificates that stop working while running: one line, their exit code
            ClusterCheck.classify(e, props).ifPresentOrElse(f -> {
                app.securityExitCode = f.exitCode();
                LOG.error("losswatch: {}", f.message());
            }, () -> LOG.error("losswatch: stream thread failed; shutting down", e));
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        try {
            http.start(streams);
        } catch (IllegalStateException e) {
            streams.close(CLOSE_TIMEOUT);
            http.close();
            throw new StartupException(e.getMessage(), e);
        }
        streams.start();
        LOG.info("losswatch: processing {} and {} on {}", config.topics().predictions(), config.topics().labels(),
                props.getProperty("bootstrap.servers"));
        return app;
    }

    /** The output topics' retention (TopicCreator.retentionByTopic), or none when it cannot be read. */
    private static Map<String, Long> outputRetention(Admin admin, LosswatchConfig config)
            throws InterruptedException, TimeoutException {
        try {
            return TopicCreator.retentionByTopic(admin, config, 60_000);
        } catch (ExecutionException e) {
            // e.g. no DescribeConfigs permission: losswatch works without it, it only cannot warn
            LOG.info("losswatch: cannot read the output topics' retention.ms ({}): no warning for output older than it",
                    e.getCause() == null ? e : e.getCause().toString());
            return Map.of();
        }
    }

    /** Adds OutputRetentionWarning to Kafka Streams' producer, after any interceptor of the user's. */
    private static void warnAboutOutputOlderThanRetention(Properties props, Map<String, Long> retention) {
        String key = StreamsConfig.PRODUCER_PREFIX + ProducerConfig.INTERCEPTOR_CLASSES_CONFIG;
        String user = props.getProperty(key, props.getProperty(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, "")).strip();
        props.put(key, (user.isEmpty() ? "" : user + ",") + OutputRetentionWarning.class.getName());
        props.put(StreamsConfig.PRODUCER_PREFIX + OutputRetentionWarning.RETENTION_BY_TOPIC, retention);
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** The port the HTTP server listens on. */
    public int httpPort() {
        return http.port();
    }

    public void awaitStop() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Leave the consumer group on close, unless the instance is a static member ({@code group.instance.id}).
     * By default Kafka Streams (classic group protocol) closes without leaving: the group keeps the gone
     * member until {@code session.timeout.ms} (45 s) has passed, and a restarted instance, which joins as
     * a new member, waits in the rebalance for that (StopAndRestartIT: ready after 43 s, 41 s of it
     * rebalancing, against 7 s for a first start; 3 s once the stopped instance leaves). A static member
     * comes back under its old identity and takes its tasks back without a rebalance, so it stays in the
     * group as Kafka intends. With {@code group.protocol=streams} a dynamic member leaves in any case.
     */
    static CloseOptions closeOptions(StreamsConfig config) {
        boolean staticMember = config.getMainConsumerConfigs("losswatch", "losswatch", 0)
                .get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG) != null;
        return CloseOptions.groupMembershipOperation(staticMember ? CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP
                : CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(CLOSE_TIMEOUT);
    }

    @Override
    public void close() {
        streams.close(closeOptions);
        http.close();
        stopped.countDown();
    }

    /** Start-up failed for a reason worth one line to the user. */
    public static final class StartupException extends RuntimeException {
        final int exitCode;

        StartupException(String message, Throwable cause) {
            this(message, cause, 1);
        }

        StartupException(String message, Throwable cause, int exitCode) {
            super(message, cause);
            this.exitCode = exitCode;
        }
    }
}
