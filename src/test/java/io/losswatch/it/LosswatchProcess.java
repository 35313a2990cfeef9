package io.losswatch.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The real application as a user runs it: {@code java -jar target/losswatch.jar run --config FILE}
 * in its own JVM, its stdout and stderr in a log file in the work directory. The jar is the one
 * {@code mvn package} built; failsafe passes its path as the system property {@code losswatch.jar}.
 */
public final class LosswatchProcess {
    /** Logged by the application on each Kafka Streams state change. */
    private static final Pattern RUNNING = Pattern.compile("losswatch: streams state \\w+ -> RUNNING");
    private static final int TAIL_LINES = 60;
    /** Logged by the HTTP server once it listens (losswatch.http.port=0 picks a free port). */
    private static final Pattern DASHBOARD = Pattern.compile("losswatch: dashboard on http://[^:]+:(\\d+)/");
    /** Processes still alive when the test JVM exits are killed, so none outlives the build. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "losswatch-it-cleanup"));
    }

    private final Process process;
    private final Path log;

    private LosswatchProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The settings of every topic losswatch reads or writes (CONTRACT §3, §9). */
    private static final List<String> TOPIC_SETTINGS = List.of("losswatch.topic.predictions", "losswatch.topic.labels",
            "losswatch.topic.losses", "losswatch.topic.metrics", "losswatch.topic.alerts", "losswatch.topic.dlq",
            "losswatch.topic.prediction.metrics");

    /**
     * Settings for an instance of its own on a shared test broker: its application.id and every topic name
     * start with prefix (prefix + the topic's default name, e.g. prefix + "model-metrics"), state under
     * stateDir, HTTP on any free port. Callers add their own settings to the (mutable, ordered) map.
     */
    public static Map<String, String> isolatedConfig(String bootstrap, String prefix, Path stateDir) {
        Map<String, String> config = new java.util.LinkedHashMap<>();
        config.put("bootstrap.servers", bootstrap);
        config.put("application.id", prefix + "losswatch");
        config.put("state.dir", stateDir.toString());
        for (String key : TOPIC_SETTINGS) {
            config.put(key, prefix + io.losswatch.config.Settings.find(key).orElseThrow().defaultValue());
        }
        config.put("losswatch.http.port", "0");
        return config;
    }

    /** Writes settings as a Java properties file in dir (losswatch.properties) and returns its path. */
    public static Path writeConfig(Path dir, Map<String, String> settings) throws IOException {
        Properties props = new Properties();
        props.putAll(settings);
        Files.createDirectories(dir);
        Path file = dir.resolve("losswatch.properties");
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(out, "written by the integration test");
        }
        return file;
    }

    /** Starts {@code java -jar losswatch.jar run --config configFile} in workDir; does not wait for it. */
    public static LosswatchProcess start(Path configFile, Path workDir) throws IOException {
        return start(configFile, workDir, List.of(), Map.of());
    }

    /** As {@link #start(Path, Path)}, with these environment variables added (e.g. LOSSWATCH_* overrides). */
    public static LosswatchProcess start(Path configFile, Path workDir, Map<String, String> environment)
            throws IOException {
        return start(configFile, workDir, List.of(), environment);
    }

    /** As {@link #start(Path, Path)}, with extra JVM options (e.g. {@code -Dlogback.configurationFile=...}). */
    public static LosswatchProcess start(Path configFile, Path workDir, List<String> jvmOptions) throws IOException {
        return start(configFile, workDir, jvmOptions, Map.of());
    }

    /** With extra JVM options and environment variables. */
    public static LosswatchProcess start(Path configFile, Path workDir, List<String> jvmOptions,
                                         Map<String, String> environment) throws IOException {
        Path jar = jar();
        Files.createDirectories(workDir);
        Path log = nextLog(workDir);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // small and single-threaded GC: two of these may run at once beside the broker on a small machine
        command.add("-Xmx512m");
        command.add("-XX:+UseSerialGC");
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "run", "--config", configFile.toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        LIVE.add(process);
        System.out.printf("losswatch started: pid %d, log %s%n", process.pid(), log);
        return new LosswatchProcess(process, log);
    }

    /** Waits until Kafka Streams reports RUNNING; fails (and kills the process) with the log's tail otherwise. */
    public void waitUntilRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (RUNNING.matcher(logText()).find()) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("losswatch exited with code " + process.exitValue()
                        + " before it was running\n" + logTail());
            }
            sleep(100);
        }
        kill();
        throw new AssertionError("losswatch was not running after " + timeout + "\n" + logTail());
    }

    /** SIGKILL: the process ends at once, with no clean close of Kafka Streams. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** SIGTERM, as an orchestrator would; waits for the clean shutdown and returns the exit code. */
    public int stop() {
        process.destroy();
        return awaitExit(Duration.ofSeconds(60));
    }

    /**
     * Sends a signal by name ("INT" is Ctrl-C's) to the java process itself, as {@code kill -s} does;
     * waits for the clean shutdown and returns the exit code.
     */
    public int stopWith(String signal) {
        Signals.send(process, signal);
        return awaitExit(Duration.ofSeconds(60));
    }

    /** Waits for the process to end by itself; returns its exit code, or fails with the log's tail. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("losswatch still running after " + timeout + "\n" + logTail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        LIVE.remove(process);
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The HTTP port the application logged it listens on; fails if it has not logged one yet. */
    public int httpPort() {
        java.util.regex.Matcher m = DASHBOARD.matcher(logText());
        if (!m.find()) {
            throw new AssertionError("losswatch has not logged its HTTP port\n" + logTail());
        }
        return Integer.parseInt(m.group(1));
    }

    /** An HTTP GET on this instance's server: status code and body. */
    public HttpAnswer get(String path) {
        try {
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(10)).build();
            java.net.http.HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + httpPort() + path)).timeout(Duration.ofSeconds(30)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new HttpAnswer(r.statusCode(), r.body());
        } catch (IOException e) {
            // say whether the process is still there, and what it last wrote: "connection refused" alone tells nothing
            String state = process.isAlive() ? "alive" : "exited with code " + process.exitValue();
            throw new UncheckedIOException("GET " + path + " on losswatch pid " + pid() + " (" + state + ")\n" + logTail(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Status and body of an HTTP answer. */
    public record HttpAnswer(int status, String body) {
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return log;
    }

    /** Everything the process has written so far. */
    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last lines of the log, headed by its path, for failure messages. */
    public String logTail() {
        List<String> lines = logText().lines().toList();
        List<String> tail = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
        return "---- last " + tail.size() + " lines of " + log + " ----\n" + String.join("\n", tail);
    }

    private static Path jar() {
        String configured = System.getProperty("losswatch.jar");
        Path jar = Path.of(configured != null ? configured : "target/losswatch.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build it first (mvn package)");
        }
        return jar;
    }

    /** losswatch-1.log, losswatch-2.log, ...: a restart in the same directory keeps the earlier log. */
    private static Path nextLog(Path workDir) {
        for (int i = 1; ; i++) {
            Path candidate = workDir.resolve("losswatch-" + i + ".log");
            if (!Files.exists(candidate)) {
                return candidate;
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
