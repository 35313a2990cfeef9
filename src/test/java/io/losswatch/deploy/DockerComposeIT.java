package io.losswatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The Compose smoke test: docker-compose.yml run for real with Compose (Debian's docker-compose or
 * Docker's), where a Docker engine answers. losswatch is built from the Dockerfile, then Kafka,
 * losswatch, the generator and Prometheus come up with src/test/docker/compose-smoke.yml laid over the
 * file (the generator's drift after 40 s instead of 15 min, 5 s windows). It checks that final windows
 * of every model appear on {@code model-metrics} (read from the host at localhost:9094), that
 * Prometheus scrapes the losswatch target and fires the shipped {@code LosswatchModelLossDrift} rule
 * for the drifting model, then takes the stack down with its volumes. Grafana is not started (its image
 * is not at hand in CI; {@link DockerComposeTest} checks its files). Skipped, with one line saying why,
 * where no engine or no Compose is found: {@code .ci/docker-up} starts an engine for it.
 */
class DockerComposeIT {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final String PROJECT = "losswatch-smoke";
    private static final List<String> SERVICES = List.of("kafka", "losswatch", "generator", "prometheus");
    private static final Set<String> MODELS = Set.of("churn", "fraud", "credit-risk", "ctr");
    /** The generator's first model drifts (GenerateCommand --drift-start). */
    private static final String DRIFTING = "churn";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path logs = Path.of(System.getProperty("losswatch.jar", "target/losswatch.jar")).toAbsolutePath()
            .getParent().resolve("compose-smoke");

    @Test
    void theStackRunsAndPrometheusFiresTheDriftAlert() throws Exception {
        String compose = composeCommand();
        String why = compose == null ? "no docker-compose (or docker compose) on PATH"
                : !engineAnswers() ? "no Docker engine answers" + (System.getenv("DOCKER_HOST") == null ? ""
                        : " at DOCKER_HOST=" + System.getenv("DOCKER_HOST")) : null;
        if (why != null) {
            System.out.println("DockerComposeIT skipped: " + why + " (.ci/docker-up starts an engine)");
        }
        assumeTrue(why == null, why);
        for (int port : List.of(8080, 9090, 9094)) {
            assertThat(free(port)).as("docker-compose.yml publishes 127.0.0.1:" + port + ", which is in use").isTrue();
        }
        Files.createDirectories(logs);

        // losswatch:local from the Dockerfile; host networking lets its Maven stage reach Maven Central on
        // engines without outbound NAT (the one .ci/docker-up starts), and changes nothing elsewhere
        run(Duration.ofMinutes(15), "build.log", "docker", "build", "--force-rm", "--network", "host", "-t", "losswatch:local", ".");
        try {
            List<String> up = new ArrayList<>(compose(compose));
            up.addAll(List.of("--profile", "generator", "up", "-d", "--no-build"));
            up.addAll(SERVICES);
            long start = System.nanoTime();
            run(Duration.ofMinutes(6), "up.log", up.toArray(String[]::new));
            long upSeconds = (System.nanoTime() - start) / 1_000_000_000;

            Set<String> finalWindows = awaitFinalWindows(Duration.ofMinutes(3));
            long windowsSeconds = (System.nanoTime() - start) / 1_000_000_000;
            assertThat(finalWindows).as("models with final windows on model-metrics").containsAll(MODELS);

            awaitPrometheus("the losswatch target is up", Duration.ofMinutes(2), "/api/v1/targets",
                    data -> stream(data.get("activeTargets")).anyMatch(t -> t.at("/labels/job").asText().equals("losswatch")
                            && t.get("health").asText().equals("up")));
            JsonNode alert = awaitPrometheus("LosswatchModelLossDrift fires for " + DRIFTING, Duration.ofMinutes(5),
                    "/api/v1/alerts", data -> stream(data.get("alerts")).anyMatch(DockerComposeIT::driftFiring));
            assertThat(stream(alert.get("alerts")).filter(DockerComposeIT::driftFiring).map(a -> a.at("/labels/model").asText()))
                    .as("only the drifting model").containsOnly(DRIFTING);
            System.out.printf("compose smoke: stack up (healthy) %d s after up; final windows of %s by %d s; "
                    + "LosswatchModelLossDrift firing for %s by %d s%n", upSeconds, finalWindows, windowsSeconds, DRIFTING,
                    (System.nanoTime() - start) / 1_000_000_000);
        } catch (AssertionError | Exception e) {
            List<String> logsCommand = new ArrayList<>(compose(compose));
            logsCommand.addAll(List.of("--profile", "generator", "logs", "--no-color"));
            try {
                run(Duration.ofMinutes(1), "stack.log", logsCommand.toArray(String[]::new));
            } catch (AssertionError | IOException logsFailed) {
                e.addSuppressed(logsFailed);
            }
            throw e;
        } finally {
            List<String> down = new ArrayList<>(compose(compose));
            down.addAll(List.of("--profile", "generator", "down", "-v", "--remove-orphans"));
            run(Duration.ofMinutes(3), "down.log", down.toArray(String[]::new));
        }
        String volumes = run(Duration.ofMinutes(1), "volumes.log", "docker", "volume", "ls", "-q",
                "--filter", "label=com.docker.compose.project=" + PROJECT);
        assertThat(volumes.strip()).as("down -v removed the volumes").isEmpty();
    }

    private static boolean driftFiring(JsonNode alert) {
        return alert.at("/labels/alertname").asText().equals("LosswatchModelLossDrift") && alert.get("state").asText().equals("firing");
    }

    /** Final windows on model-metrics, read committed from the host's listener, until every model has one. */
    private static Set<String> awaitFinalWindows(Duration timeout) throws IOException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9094");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Set<String> models = new TreeSet<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = List.of();
            while (partitions.isEmpty() && System.nanoTime() < deadline) {
                partitions = consumer.partitionsFor("model-metrics", Duration.ofSeconds(10)).stream()
                        .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!models.containsAll(MODELS) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(1))) {
                    JsonNode window = JSON.readTree(r.value());
                    if (window.path("final").asBoolean()) {
                        models.add(window.get("model").asText());
                    }
                }
            }
        }
        return models;
    }

    private static JsonNode awaitPrometheus(String what, Duration timeout, String path,
            java.util.function.Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:9090" + path))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                last = response.body();
                if (response.statusCode() == 200) {
                    JsonNode data = JSON.readTree(response.body()).get("data");
                    if (done.test(data)) {
                        return data;
                    }
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(2000);
        }
        throw new AssertionError("Prometheus: " + what + " within " + timeout + "; last answer of " + path + ": " + last);
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        if (array != null) {
            array.forEach(out::add);
        }
        return out.stream();
    }

    private static List<String> compose(String command) {
        List<String> c = new ArrayList<>(Arrays.asList(command.split(" ")));
        c.addAll(List.of("-p", PROJECT, "-f", "docker-compose.yml", "-f", "src/test/docker/compose-smoke.yml"));
        return c;
    }

    /** Debian's docker-compose (v1), or Docker's compose plugin. */
    private static String composeCommand() throws InterruptedException {
        if (onPath("docker-compose")) {
            return "docker-compose";
        }
        return onPath("docker") && exitCode(Duration.ofSeconds(20), "docker", "compose", "version") == 0 ? "docker compose" : null;
    }

    private static boolean engineAnswers() throws InterruptedException {
        return onPath("docker") && exitCode(Duration.ofSeconds(20), "docker", "version") == 0;
    }

    private static boolean onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    private static int exitCode(Duration timeout, String... command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Runs a command in the project's folder, its output in target/compose-smoke/LOG; fails on a non-zero exit. */
    private String run(Duration timeout, String log, String... command) throws IOException, InterruptedException {
        Path file = logs.resolve(log);
        Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(file.toFile()).start();
        boolean exited = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            p.destroyForcibly().waitFor();
        }
        String output = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(exited && p.exitValue() == 0).as(String.join(" ", command) + (exited ? " exited " + p.exitValue()
                : " timed out after " + timeout) + "; its output (" + file + "):\n" + tail(output)).isTrue();
        return output;
    }

    private static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.isBound();
        } catch (IOException e) {
            return false;
        }
    }
}
