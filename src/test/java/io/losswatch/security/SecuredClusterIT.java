package io.losswatch.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.losswatch.it.LosswatchProcess;
import io.losswatch.topology.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jar (its own JVM) against a broker that requires SASL/SCRAM-SHA-512 over TLS: with the
 * credentials in its file or in the environment it computes exact results; with a wrong password,
 * a trust store without the broker's CA, or a trust store it cannot open, it stops within seconds
 * with one line naming the cause and a distinct exit code. No password or token appears in its log
 * or on /metrics.
 */
class SecuredClusterIT {
    @RegisterExtension
    static final SecuredKafkaCluster KAFKA = new SecuredKafkaCluster();

    private static final long T0 = 1_764_000_000_000L; // a whole minute
    private static final Pattern HTTP_PORT = Pattern.compile("losswatch: dashboard on http://127\\.0\\.0\\.1:(\\d+)/");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Start-up failures losswatch must report within this; measured figures are printed and in docs/reliability.md. */
    private static final Duration FAIL_FAST = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @Test
    void credentialsInTheConfigFile() throws Exception {
        Map<String, String> config = pipelineConfig("file");
        config.putAll(KAFKA.clientSecurity());
        LosswatchProcess losswatch = LosswatchProcess.start(LosswatchProcess.writeConfig(work, config), work);
        runPipeline(losswatch, "file", null);
    }

    @Test
    void credentialsFromTheEnvironment() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        KAFKA.clientSecurity().forEach((key, value) -> env.put(variable(key), value));
        String token = TestCertificates.randomPassword("http-token");
        env.put("LOSSWATCH_HTTP_TOKEN", token);
        // the file names the broker and nothing secret
        Path file = LosswatchProcess.writeConfig(work, pipelineConfig("env"));
        assertThat(java.nio.file.Files.readString(file)).doesNotContain("sasl").doesNotContain("ssl");
        LosswatchProcess losswatch = LosswatchProcess.start(file, work, env);
        runPipeline(losswatch, "env", token);
        assertThat(losswatch.logText()).doesNotContain(token);
    }

    @Test
    void aWrongPasswordStopsStartUpWithOneLineAndExitCode3() throws Exception {
        Map<String, String> config = pipelineConfig("badpw");
        config.putAll(KAFKA.clientSecurity());
        String wrong = TestCertificates.randomPassword("wrong");
        config.put("sasl.jaas.config", SecuredKafkaCluster.jaas(SecuredKafkaCluster.USER, wrong));
        String line = expectStartupFailure(config, 3);
        assertThat(line).isEqualTo("losswatch: cannot connect to Kafka at " + KAFKA.bootstrapServers()
                + ": authentication failed: Authentication failed during authentication due to invalid credentials with"
                + " SASL mechanism SCRAM-SHA-512; check sasl.jaas.config (user name and password) and sasl.mechanism");
        assertThat(lastLog).doesNotContain(wrong).doesNotContain(KAFKA.password());
    }

    @Test
    void anUntrustedCertificateStopsStartUpWithOneLineAndExitCode4() throws Exception {
        Map<String, String> config = pipelineConfig("untrusted");
        config.putAll(KAFKA.clientSecurity());
        config.put("ssl.truststore.location", KAFKA.certificates().untrustedTrustStore().toString());
        String line = expectStartupFailure(config, 4);
        assertThat(line).startsWith("losswatch: cannot connect to Kafka at " + KAFKA.bootstrapServers()
                        + ": TLS handshake failed: the broker's certificate is not trusted (")
                .contains("PKIX path")
                .endsWith("); check that ssl.truststore.location holds the CA that signed the broker's certificate");
        assertThat(lastLog).doesNotContain(KAFKA.password()).doesNotContain(KAFKA.certificates().trustStorePassword());
    }

    @Test
    void aTrustStoreThatCannotBeOpenedStopsStartUpWithOneLineAndExitCode4() throws Exception {
        Map<String, String> config = pipelineConfig("badstore");
        config.putAll(KAFKA.clientSecurity());
        String wrong = TestCertificates.randomPassword("wrong-store");
        config.put("ssl.truststore.password", wrong);
        String line = expectStartupFailure(config, 4);
        assertThat(line).isEqualTo("losswatch: cannot set up TLS for Kafka: cannot load the trust store "
                + KAFKA.certificates().trustStore() + " (ssl.truststore.location): keystore password was incorrect;"
                + " check ssl.truststore.location, ssl.truststore.password and ssl.truststore.type");
        assertThat(lastLog).doesNotContain(wrong).doesNotContain(KAFKA.password());
    }

    @Test
    void credentialsRefusedOnceRunningStopTheProcessWithOneLineAndExitCode3() throws Exception {
        // start-up's check passes (admin client), then the stream thread's consumer is refused
        Map<String, String> config = pipelineConfig("late");
        config.putAll(KAFKA.clientSecurity());
        String wrong = TestCertificates.randomPassword("wrong-consumer");
        config.put("main.consumer.sasl.jaas.config", SecuredKafkaCluster.jaas(SecuredKafkaCluster.USER, wrong));
        long start = System.nanoTime();
        LosswatchProcess losswatch = LosswatchProcess.start(LosswatchProcess.writeConfig(work, config), work);
        int code = losswatch.awaitExit(FAIL_FAST);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String log = losswatch.logText();
        List<String> lines = log.lines().map(l -> l.replaceFirst("^\\S+ ERROR \\S+ - ", ""))
                .filter(l -> l.startsWith("losswatch: cannot")).toList();
        System.out.printf("refused while running: exit code %d after %d ms (JVM start included): %s%n", code, ms, lines);
        assertThat(code).as(losswatch.logTail()).isEqualTo(3);
        assertThat(lines).as(losswatch.logTail()).containsExactly("losswatch: cannot connect to Kafka at "
                + KAFKA.bootstrapServers() + ": authentication failed: Authentication failed during authentication due to"
                + " invalid credentials with SASL mechanism SCRAM-SHA-512; check sasl.jaas.config (user name and password)"
                + " and sasl.mechanism");
        assertThat(log).contains("streams state").doesNotContain(wrong).doesNotContain(KAFKA.password());
    }

    // ---- the pipeline ------------------------------------------------------------------------------

    /** Four labelled predictions in one window, then a later one that closes it; exact losses and window. */
    private void runPipeline(LosswatchProcess losswatch, String prefix, String token) throws Exception {
        losswatch.waitUntilRunning(Duration.ofSeconds(120));
        double[][] traffic = {{0.9, 1}, {0.2, 0}, {0.6, 1}, {0.7, 0}};
        List<String> values = new ArrayList<>();
        for (int i = 0; i < traffic.length; i++) {
            values.add(prediction("p-" + i, T0 + 1_000L * (i + 1), traffic[i][0], (int) traffic[i][1]));
        }
        values.add(prediction("p-close", T0 + 120_000L, 0.5, 1));
        produce(prefix + "-predictions", values);

        List<ConsumerRecord<String, String>> losses = consume(prefix + "-losses", 5);
        assertThat(losses).hasSize(5);
        Map<String, Double> lossById = new HashMap<>();
        for (ConsumerRecord<String, String> r : losses) {
            JsonNode n = Json.MAPPER.readTree(r.value());
            lossById.put(n.get("prediction_id").asText(), n.get("loss").asDouble());
        }
        double[] expected = {-Math.log(0.9), -Math.log(0.8), -Math.log(0.6), -Math.log(0.3)};
        for (int i = 0; i < expected.length; i++) {
            assertThat(lossById.get("p-" + i)).as("loss of p-" + i).isCloseTo(expected[i], within(1e-12));
        }
        List<ConsumerRecord<String, String>> windows = consume(prefix + "-metrics", 1);
        assertThat(windows).hasSize(1);
        JsonNode w = Json.MAPPER.readTree(windows.get(0).value());
        assertThat(w.get("model").asText()).isEqualTo("churn");
        assertThat(w.get("window_start").asLong()).isEqualTo(T0);
        assertThat(w.get("count").asLong()).isEqualTo(4);
        assertThat(w.get("final").asBoolean()).isTrue();
        double mean = (expected[0] + expected[1] + expected[2] + expected[3]) / 4;
        assertThat(w.get("mean_loss").asDouble()).isCloseTo(mean, within(1e-12));
        assertThat(w.get("max_loss").asDouble()).isCloseTo(-Math.log(0.3), within(1e-12));

        // /metrics: behind the token when there is one; no secret on it either way
        int port = httpPort(losswatch);
        if (token != null) {
            assertThat(get(port, "/metrics", null).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> scrape = get(port, "/metrics", token);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("losswatch_windows_final_total{model=\"churn\"} 1.0");
        assertNoSecrets(scrape.body(), "/metrics", token);

        // a requested stop is a clean one: 0 (README, exit codes), not the JVM's 143 for SIGTERM
        assertThat(losswatch.stop()).as("exit code after SIGTERM").isZero();
        assertNoSecrets(losswatch.logText(), "the log " + losswatch.logFile(), token);
    }

    private static void assertNoSecrets(String text, String where, String token) {
        assertThat(text).as(where + " shows the SCRAM password").doesNotContain(KAFKA.password());
        assertThat(text).as(where + " shows the trust store password").doesNotContain(KAFKA.certificates().trustStorePassword());
        assertThat(text).as(where + " shows the key store password").doesNotContain(KAFKA.certificates().brokerKeyStorePassword());
        if (token != null) {
            assertThat(text).as(where + " shows the HTTP token").doesNotContain(token);
        }
    }

    private Map<String, String> pipelineConfig(String prefix) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("bootstrap.servers", KAFKA.bootstrapServers());
        c.put("application.id", "losswatch-secured-" + prefix);
        c.put("state.dir", work.resolve("state").toString());
        c.put("num.stream.threads", "1");
        c.put("losswatch.http.port", "0");
        c.put("losswatch.topic.partitions", "1");
        for (String t : List.of("predictions", "labels", "losses", "metrics", "alerts", "dlq")) {
            c.put("losswatch.topic." + t, prefix + "-" + t);
        }
        return c;
    }

    /** The LOSSWATCH_KAFKA_ variable for a Kafka key (docs/configuration.md: '.' is '_'). */
    private static String variable(String kafkaKey) {
        return "LOSSWATCH_KAFKA_" + kafkaKey.replace(".", "_").toUpperCase(Locale.ROOT);
    }

    private String lastLog = "";

    /** Starts losswatch, which must exit by itself within FAIL_FAST with exitCode; returns its one losswatch error line. */
    private String expectStartupFailure(Map<String, String> config, int exitCode) throws Exception {
        long start = System.nanoTime();
        LosswatchProcess losswatch = LosswatchProcess.start(LosswatchProcess.writeConfig(work, config), work);
        int code = losswatch.awaitExit(FAIL_FAST);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        lastLog = losswatch.logText();
        List<String> lines = lastLog.lines().map(l -> l.replaceFirst("^\\S+ ERROR \\S+ - ", ""))
                .filter(l -> l.startsWith("losswatch: cannot")).toList();
        System.out.printf("start-up failure: exit code %d after %d ms (JVM start included): %s%n%s%n", code, ms, lines,
                losswatch.logTail());
        assertThat(code).as(losswatch.logTail()).isEqualTo(exitCode);
        assertThat(lines).as(losswatch.logTail()).hasSize(1);
        assertThat(lastLog).doesNotContain("streams state").as("Kafka Streams was never started");
        return lines.get(0);
    }

    // ---- clients -----------------------------------------------------------------------------------

    private static String prediction(String id, long time, double p, int label) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prediction_id", id);
        m.put("model", "churn");
        m.put("model_version", "v1");
        m.put("timestamp", time);
        m.put("prediction", p);
        m.put("label", label);
        return Json.MAPPER.writeValueAsString(m);
    }

    private static void produce(String topic, List<String> values) throws Exception {
        Properties p = KAFKA.clientProperties();
        p.put("acks", "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (String v : values) {
                producer.send(new ProducerRecord<>(topic, "churn", v)).get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Reads topic read_committed until count records arrived (or 120 s), then 2.5 s more to catch extras. */
    private static List<ConsumerRecord<String, String>> consume(String topic, int count) {
        Properties p = KAFKA.clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                if (out.size() >= count && settleUntil == Long.MAX_VALUE) {
                    settleUntil = System.nanoTime() + Duration.ofMillis(2500).toNanos();
                }
            }
        }
        return out;
    }

    private static int httpPort(LosswatchProcess losswatch) {
        Matcher m = HTTP_PORT.matcher(losswatch.logText());
        assertThat(m.find()).as("the HTTP port in the log").isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
