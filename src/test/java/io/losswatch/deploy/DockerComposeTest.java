package io.losswatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.losswatch.config.EnvironmentOverrides;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.config.Settings;
import io.losswatch.generator.GenerateCommand;
import io.losswatch.http.HttpSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docker-compose.yml, the Dockerfile and the Prometheus and Grafana files they mount, checked without
 * a Docker engine: the services and images, ports and volumes, every referenced file, and that the
 * configuration they pass is what losswatch, Kafka, Prometheus and Grafana each expect of the others.
 */
class DockerComposeTest {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("").toAbsolutePath();

    private static JsonNode yaml(String file) throws IOException {
        return YAML.readTree(ROOT.resolve(file).toFile());
    }

    private static JsonNode compose() throws IOException {
        return yaml("docker-compose.yml");
    }

    private static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        service.path("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void theServicesAndTheirImages() throws IOException {
        JsonNode services = compose().get("services");
        assertThat(fieldNames(services)).containsExactlyInAnyOrder("kafka", "losswatch", "generator", "prometheus", "grafana");
        String kafkaVersion = pomProperty("kafka.version");
        assertThat(services.at("/kafka/image").asText()).as("the official image, the version losswatch is built with")
                .isEqualTo("apache/kafka:" + kafkaVersion);
        assertThat(services.at("/prometheus/image").asText()).matches("prom/prometheus:v\\d+\\.\\d+\\.\\d+");
        assertThat(services.at("/grafana/image").asText()).matches("grafana/grafana:\\d+\\.\\d+\\.\\d+");
        for (String built : List.of("losswatch", "generator")) {
            assertThat(services.at("/" + built + "/build").asText()).as(built + " is built from this repository").isEqualTo(".");
            assertThat(services.at("/" + built + "/image").asText()).isEqualTo("losswatch:local");
        }
        assertThat(ROOT.resolve("Dockerfile")).isRegularFile();
        assertThat(strings(services.at("/generator/profiles"))).as("the generator only on demand").containsExactly("generator");
        for (String always : List.of("kafka", "losswatch", "prometheus", "grafana")) {
            assertThat(services.get(always).has("profiles")).as(always + " starts by default").isFalse();
        }
    }

    @Test
    void kafkaIsASingleKraftNodeReadyForExactlyOnce() throws IOException {
        JsonNode kafka = compose().at("/services/kafka");
        Map<String, String> env = environment(kafka);
        assertThat(env.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
        assertThat(env).doesNotContainKey("KAFKA_ZOOKEEPER_CONNECT");
        assertThat(Uuid.fromString(env.get("CLUSTER_ID"))).as("a valid cluster id").isNotNull();
        assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).isEqualTo(env.get("KAFKA_NODE_ID") + "@kafka:9093");
        for (String rf : List.of("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")) {
            assertThat(env.get(rf)).as(rf).isEqualTo("1");
        }
        assertThat(Integer.parseInt(env.get("KAFKA_MESSAGE_MAX_BYTES"))).isGreaterThanOrEqualTo(Settings.MAX_RECORD_BYTES);
        // every listener has a protocol, the advertised ones are reachable from containers and from the host
        Map<String, String> protocols = new LinkedHashMap<>();
        for (String pair : env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").split(",")) {
            protocols.put(pair.split(":")[0], pair.split(":")[1]);
        }
        for (String listener : env.get("KAFKA_LISTENERS").split(",")) {
            assertThat(protocols).containsKey(listener.substring(0, listener.indexOf(':')));
        }
        assertThat(env.get("KAFKA_ADVERTISED_LISTENERS")).contains("://kafka:9092").contains("://localhost:9094");
        assertThat(strings(kafka.get("ports"))).contains("127.0.0.1:9094:9094");
        assertThat(kafka.at("/healthcheck/test").toString()).contains("kafka-broker-api-versions.sh");
        assertThat(strings(kafka.get("volumes"))).contains("kafka-data:" + env.get("KAFKA_LOG_DIRS"));
    }

    @Test
    void losswatchIsConfiguredThroughEnvironmentVariablesThatAreValidSettings() throws IOException {
        JsonNode losswatch = compose().at("/services/losswatch");
        Map<String, String> env = environment(losswatch);
        for (String variable : env.keySet()) {
            String key = EnvironmentOverrides.keyFor(variable);
            assertThat(key).as(variable + " is a losswatch variable").isNotNull();
            if (key.startsWith(Settings.PREFIX)) {
                assertThat(Settings.find(key)).as(variable + " sets a known setting").isPresent();
            }
        }
        // exactly what the container does: the image's default file, then these variables
        LosswatchConfig config = LosswatchConfig.load(ROOT.resolve("config/application.properties"), env);
        assertThat(config.kafkaProperties().getProperty("bootstrap.servers")).isEqualTo("kafka:9092");
        HttpSettings http = HttpSettings.from(config);
        assertThat(http.bind()).as("reachable from other containers").isEqualTo("0.0.0.0");
        assertThat(strings(losswatch.get("ports"))).containsExactly("127.0.0.1:" + http.port() + ":" + http.port());
        assertThat(losswatch.at("/depends_on/kafka/condition").asText()).isEqualTo("service_healthy");
        assertThat(losswatch.at("/healthcheck/test").toString()).contains("/health/ready")
                .contains("/dev/tcp/127.0.0.1/" + http.port());
        // the state directory of the default file lies in the volume
        String stateDir = config.kafkaProperties().getProperty("state.dir");
        assertThat(strings(losswatch.get("volumes"))).contains("losswatch-data:/app/data");
        assertThat("/app/" + stateDir).startsWith("/app/data/");
    }

    @Test
    void theGeneratorsCommandIsValidAndPointsAtTheBroker() throws IOException {
        JsonNode generator = compose().at("/services/generator");
        List<String> command = strings(generator.get("command"));
        assertThat(command.get(0)).isEqualTo("generate");
        GenerateCommand parsed = new GenerateCommand();
        new CommandLine(parsed).parseArgs(command.subList(1, command.size()).toArray(String[]::new));
        assertThat(command).containsSequence("--bootstrap-server", "kafka:9092");
        assertThat(generator.at("/depends_on/losswatch/condition").asText())
                .as("losswatch has created the topics").isEqualTo("service_healthy");
    }

    @Test
    void portsAreDistinctAndVolumesAreDeclaredOrExistingFiles() throws IOException {
        JsonNode compose = compose();
        Set<String> hostPorts = new HashSet<>();
        Set<String> namedVolumes = new HashSet<>(fieldNames(compose.get("volumes")));
        Set<String> usedVolumes = new HashSet<>();
        compose.get("services").fields().forEachRemaining(service -> {
            for (String port : strings(service.getValue().path("ports"))) {
                assertThat(port).as(service.getKey() + " publishes on the loopback interface only")
                        .matches("127\\.0\\.0\\.1:\\d+:\\d+");
                assertThat(hostPorts.add(port.split(":")[1])).as("host port " + port + " used once").isTrue();
            }
            for (String volume : strings(service.getValue().path("volumes"))) {
                String source = volume.split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(ROOT.resolve(source).normalize()).as(service.getKey() + " mounts " + source).exists();
                } else {
                    assertThat(namedVolumes).as(service.getKey() + "'s volume " + source + " is declared").contains(source);
                    usedVolumes.add(source);
                }
            }
        });
        assertThat(hostPorts).contains("8080", "9090", "3000", "9094");
        assertThat(usedVolumes).as("no declared volume is unused").isEqualTo(namedVolumes);
    }

    @Test
    void prometheusScrapesLosswatchAndAlertsOnAFiringModel() throws IOException {
        JsonNode prometheus = yaml("config/prometheus/prometheus.yml");
        JsonNode job = prometheus.get("scrape_configs").get(0);
        assertThat(job.get("metrics_path").asText()).isEqualTo("/metrics");
        assertThat(strings(job.at("/static_configs/0/targets"))).containsExactly("losswatch:8080");
        Map<String, String> mounts = mounts("prometheus");
        for (String rules : strings(prometheus.get("rule_files"))) {
            assertThat(mounts).as("the rule file is mounted beside prometheus.yml").containsValue("/etc/prometheus/" + rules);
        }
        assertThat(mounts).containsEntry("./config/prometheus/prometheus.yml", "/etc/prometheus/prometheus.yml");

        List<String> expressions = new ArrayList<>();
        yaml("config/prometheus/alerts.yml").get("groups").forEach(g -> g.get("rules").forEach(r -> {
            assertThat(r.has("alert") && r.has("expr")).as(r.toString()).isTrue();
            expressions.add(r.get("expr").asText());
        }));
        assertThat(expressions).anyMatch(e -> e.contains("losswatch_alert_firing") && e.endsWith("== 1"));
    }

    @Test
    void grafanaHasTheDataSourceAndADashboardOnLosswatchsMetrics() throws IOException {
        Map<String, String> mounts = mounts("grafana");
        JsonNode datasource = yaml("config/grafana/provisioning/datasources/prometheus.yml").at("/datasources/0");
        assertThat(datasource.get("type").asText()).isEqualTo("prometheus");
        assertThat(datasource.get("url").asText()).isEqualTo("http://prometheus:9090");
        String uid = datasource.get("uid").asText();

        JsonNode provider = yaml("config/grafana/provisioning/dashboards/losswatch.yml").at("/providers/0");
        String dashboardsIn = provider.at("/options/path").asText();
        assertThat(mounts).containsEntry("./config/grafana/dashboards", dashboardsIn);
        assertThat(mounts).containsEntry("./config/grafana/provisioning", "/etc/grafana/provisioning");

        List<Path> dashboards;
        try (var files = Files.list(ROOT.resolve("config/grafana/dashboards"))) {
            dashboards = files.filter(f -> f.toString().endsWith(".json")).toList();
        }
        assertThat(dashboards).isNotEmpty();
        Set<String> expressions = new HashSet<>();
        for (Path file : dashboards) {
            JsonNode dashboard = JSON.readTree(file.toFile());
            assertThat(dashboard.get("uid").asText()).isNotBlank();
            for (JsonNode panel : dashboard.get("panels")) {
                assertThat(panel.at("/datasource/uid").asText()).as(panel.get("title").asText()).isEqualTo(uid);
                for (JsonNode target : panel.get("targets")) {
                    assertThat(target.at("/datasource/uid").asText()).isEqualTo(uid);
                    expressions.add(target.get("expr").asText());
                }
            }
        }
        // the contract's metrics (§8), each on a panel
        for (String metric : List.of("losswatch_window_mean_loss", "losswatch_alert_firing", "losswatch_dlq_records_total")) {
            assertThat(expressions).as(metric).anyMatch(e -> e.contains(metric));
        }
        String home = environment(compose().at("/services/grafana")).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH");
        assertThat(home).startsWith(dashboardsIn + "/");
        assertThat(ROOT.resolve("config/grafana/dashboards").resolve(home.substring(dashboardsIn.length() + 1))).exists();
    }

    @Test
    void theDockerfileBuildsTheJarAndRunsItAsANonRootUser() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        List<String> from = lines(dockerfile, "FROM ");
        assertThat(from).containsExactly("FROM maven:3-eclipse-temurin-17 AS build", "FROM eclipse-temurin:17-jre");
        assertThat(lines(dockerfile, "USER ")).containsExactly("USER losswatch");
        assertThat(lines(dockerfile, "ENTRYPOINT ")).containsExactly("ENTRYPOINT [\"java\",\"-jar\",\"/app/losswatch.jar\"]");
        assertThat(lines(dockerfile, "CMD ")).containsExactly("CMD [\"run\",\"--config\",\"/app/config/application.properties\"]");
        for (String copy : lines(dockerfile, "COPY ")) {
            if (!copy.contains("--from=")) {
                assertThat(ROOT.resolve(copy.split("\\s+")[1])).as(copy).exists();
            }
        }
        assertThat(dockerfile).contains("COPY config/application.properties /app/config/application.properties");
        // what the build leaves out of its context must not be needed by it
        List<String> ignored = Files.readString(ROOT.resolve(".dockerignore")).lines()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertThat(ignored).contains("target/").noneMatch(l -> l.contains("src") || l.contains("config") || l.contains("pom"));
    }

    /** A second opinion where Compose is installed (Debian's docker-compose validates without an engine). */
    @Test
    void composeItselfAcceptsTheFile() throws Exception {
        boolean installed = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "docker-compose")));
        assumeTrue(installed, "docker-compose is not installed");
        Process p = new ProcessBuilder("docker-compose", "--profile", "generator", "config", "-q")
                .directory(ROOT.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(output).isZero();
    }

    private static Map<String, String> mounts(String service) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String volume : strings(compose().at("/services/" + service + "/volumes"))) {
            String[] parts = volume.split(":");
            out.put(parts[0], parts[1]);
        }
        return out;
    }

    private static List<String> lines(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).map(String::strip).toList();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String pomProperty(String name) throws IOException {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(m.find()).as(name + " in pom.xml").isTrue();
        return m.group(1);
    }
}
