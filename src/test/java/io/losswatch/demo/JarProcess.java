package io.losswatch.demo;

import io.losswatch.it.Signals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar target/losswatch.jar ARGS} as a user runs it, in its own JVM, stdout and stderr
 * in one log file. Processes still alive when the test JVM exits are killed.
 */
public final class JarProcess {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly)));
    }

    private final Process process;
    private final Path log;

    private JarProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static JarProcess start(Path workDir, String logName, String... args) throws IOException {
        String configured = System.getProperty("losswatch.jar");
        Path jar = Path.of(configured != null ? configured : "target/losswatch.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build it first (mvn package)");
        }
        Files.createDirectories(workDir);
        Path log = workDir.resolve(logName);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-XX:+UseSerialGC", "-jar", jar.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        LIVE.add(process);
        return new JarProcess(process, log);
    }

    /** Waits until the output matches pattern; returns the match, or fails with the output's tail. */
    public Matcher awaitOutput(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(output());
            if (m.find()) {
                return m;
            }
            if (!process.isAlive()) {
                throw new AssertionError("exited with " + process.exitValue() + " before printing " + pattern + "\n" + tail());
            }
            sleep(100);
        }
        throw new AssertionError("no " + pattern + " after " + timeout + "\n" + tail());
    }

    /** SIGTERM, as an orchestrator sends; returns the exit code. */
    public int stop(Duration timeout) {
        process.destroy();
        return awaitExit(timeout);
    }

    /** Sends a signal by name ("INT" is Ctrl-C's) to the java process itself; returns the exit code. */
    public int stopWith(String signal, Duration timeout) {
        Signals.send(process, signal);
        return awaitExit(timeout);
    }

    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("still running after " + timeout + "\n" + tail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        LIVE.remove(process);
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Optional<Integer> exitCode() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String tail() {
        List<String> lines = output().lines().toList();
        return "---- " + log + " (last 80 lines) ----\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
