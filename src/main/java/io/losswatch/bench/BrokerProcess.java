package io.losswatch.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The broker in a JVM of its own with a fixed heap, as in a deployment: started from this JVM's own
 * class path (the losswatch jar carries Kafka's server classes), stopped by closing its input.
 */
final class BrokerProcess implements AutoCloseable {
    private final Process process;
    private final String bootstrapServers;

    private BrokerProcess(Process process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    static BrokerProcess start(Path dir, String heap, List<String> extraJvmArgs) throws IOException {
        Files.createDirectories(dir);
        Path log = dir.resolveSibling("broker.log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xms" + heap);
        command.add("-Xmx" + heap);
        command.addAll(extraJvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BenchBroker.class.getName());
        command.add("0");
        command.add(dir.resolve("kafka").toString());
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(BenchBroker.READY)) {
                String bootstrap = line.substring(BenchBroker.READY.length()).trim();
                Thread drain = new Thread(() -> drain(out), "bench-broker-stdout");
                drain.setDaemon(true);
                drain.start();
                return new BrokerProcess(process, bootstrap);
            }
        }
        process.destroyForcibly();
        throw new IOException("the broker JVM stopped before it was ready; see " + log);
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    long pid() {
        return process.pid();
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // the broker logs through logback to stdout; nothing to keep
            }
        } catch (IOException e) {
            // the broker is gone
        }
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
