package io.losswatch.embedded;

import io.losswatch.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker (KRaft, broker and controller in one) running inside this JVM, built
 * from Apache Kafka's own server classes: what {@code demo} and {@code losswatch.embedded.kafka=true}
 * start. Its log directory is formatted once, the way {@code kafka-storage.sh format} does, and kept:
 * topics, offsets and transactions survive a restart on the same directory.
 *
 * <p>It listens on localhost only (one plaintext listener for clients, one for its controller) and
 * is set up for exactly-once on one node (replication factor 1 for the internal topics).
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String HOST = "localhost";
    private static final int NODE_ID = 1;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaRaftServer server;
    private final Path dir;
    private final int port;
    private final boolean formatted;
    private volatile boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, Path dir, int port, boolean formatted) {
        this.server = server;
        this.dir = dir;
        this.port = port;
        this.formatted = formatted;
    }

    /**
     * Starts the broker on port (0: any free port) with its data in dir, formatting dir first if it
     * is new; returns once the broker accepts clients.
     *
     * @throws EmbeddedKafkaException with a one-line message when the port is taken, the directory
     *                                is unusable or locked by another broker, or start-up fails
     */
    public static EmbeddedKafka start(Path dir, int port) {
        Path absolute = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(absolute);
        } catch (IOException e) {
            throw new EmbeddedKafkaException("embedded Kafka: cannot create its directory " + absolute + ": " + e, e);
        }
        int clientPort = port == 0 ? freePort() : requireFree(port);
        int controllerPort = freePort();
        Map<String, String> props = serverProperties(absolute, clientPort, controllerPort);
        boolean format = !Files.exists(absolute.resolve("meta.properties"));
        if (format) {
            format(absolute, props);
        }
        KafkaRaftServer server;
        try {
            server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        } catch (RuntimeException e) {
            throw new EmbeddedKafkaException("embedded Kafka: cannot use " + absolute + ": " + oneLine(e), e);
        }
        try {
            server.startup();
        } catch (RuntimeException e) {
            shutdownQuietly(server);
            throw new EmbeddedKafkaException("embedded Kafka: start-up failed: " + oneLine(e), e);
        }
        EmbeddedKafka kafka = new EmbeddedKafka(server, absolute, clientPort, format);
        try {
            kafka.awaitReady(READY_TIMEOUT);
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        LOG.info("embedded Kafka: broker ready on {} with data in {}{}", kafka.bootstrapServers(), absolute,
                format ? " (new)" : "");
        return kafka;
    }

    /** The broker's server configuration: one combined node, one client and one controller listener. */
    static Map<String, String> serverProperties(Path dir, int clientPort, int controllerPort) {
        Map<String, String> p = new TreeMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + clientPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + clientPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dir.toString());
        // one node: exactly-once needs its internal topics at replication factor 1
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // dead letters carry oversized input whole (up to 8 MiB)
        p.put("message.max.bytes", Integer.toString(Settings.MAX_RECORD_BYTES));
        p.put("num.partitions", "3");
        return p;
    }

    /** kafka-storage.sh format --config server.properties --cluster-id ID, in this JVM. */
    private static void format(Path dir, Map<String, String> props) {
        Path config;
        try {
            config = Files.createTempFile("losswatch-embedded-kafka", ".properties");
            Properties p = new Properties();
            p.putAll(props);
            try (Writer out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
                p.store(out, "embedded Kafka, for formatting its log directory");
            }
        } catch (IOException e) {
            throw new EmbeddedKafkaException("embedded Kafka: cannot write its configuration: " + e, e);
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        String clusterId = Uuid.randomUuid().toString();
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            int code = StorageTool.execute(new String[] {"format", "--config", config.toString(),
                "--cluster-id", clusterId}, out);
            if (code != 0) {
                throw new EmbeddedKafkaException("embedded Kafka: formatting " + dir + " failed: "
                        + output.toString(StandardCharsets.UTF_8).strip(), null);
            }
        } catch (RuntimeException e) {
            if (e instanceof EmbeddedKafkaException) {
                throw e;
            }
            throw new EmbeddedKafkaException("embedded Kafka: formatting " + dir + " failed: " + oneLine(e), e);
        } finally {
            try {
                Files.deleteIfExists(config);
            } catch (IOException e) {
                LOG.debug("cannot delete {}", config, e);
            }
        }
        LOG.info("embedded Kafka: formatted {} (cluster id {})", dir, clusterId);
    }

    private void awaitReady(Duration timeout) {
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin client = Admin.create(admin)) {
            while (true) {
                try {
                    if (!client.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EmbeddedKafkaException("embedded Kafka: interrupted while starting", e);
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new EmbeddedKafkaException("embedded Kafka: broker not ready after "
                                + timeout.toSeconds() + " s: " + oneLine(e), e);
                    }
                }
                sleep(100);
            }
        }
    }

    /** host:port for clients: bootstrap.servers of losswatch, the generator and the user's own tools. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    /** Whether this start formatted a new log directory (false: it found earlier data and kept it). */
    public boolean formattedNewDirectory() {
        return formatted;
    }

    /** Stops the broker cleanly (a controlled shutdown, logs flushed); safe to call more than once. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        shutdownQuietly(server);
        LOG.info("embedded Kafka: stopped");
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("embedded Kafka: error while stopping: {}", oneLine(e));
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + HOST, e);
        }
    }

    private static int requireFree(int port) {
        if (!isFree(port)) {
            throw new EmbeddedKafkaException("embedded Kafka: port " + port + " on " + HOST
                    + " is in use (is another Kafka running?); choose another port, or 0 for any free port", null);
        }
        return port;
    }

    /** Whether port can be bound on localhost now. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName()
                : root.getClass().getSimpleName() + ": " + root.getMessage();
        return message.replace('\n', ' ');
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedKafkaException("embedded Kafka: interrupted while starting", e);
        }
    }

    /** Start-up of the embedded broker failed; the message is one line for the user. */
    public static final class EmbeddedKafkaException extends RuntimeException {
        EmbeddedKafkaException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
