package io.losswatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.it.LosswatchProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code run} tells a user at start-up, the real jar: a broker that does not answer, keys that have
 * no effect.
 */
class StartUpIT {
    @TempDir
    Path work;

    @Test
    void noBrokerAnsweringStopsStartUpWithOneLineNamingBootstrapServers() throws Exception {
        String bootstrap = "localhost:" + unusedPort();
        Path config = LosswatchProcess.writeConfig(work, Map.of(
                "bootstrap.servers", bootstrap,
                "bootstrap.server", "localhost:2",
                "consumer.session.timeout.ms", "45000",
                "losswatch.http.port", "0",
                "losswatch.connect.timeout", "PT10S"));
        long start = System.nanoTime();
        LosswatchProcess losswatch = LosswatchProcess.start(config, work);
        int code = losswatch.awaitExit(Duration.ofSeconds(60));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        List<String> lines = losswatch.logText().lines().toList();
        long warnings = lines.stream().filter(l -> l.contains(" WARN ")).count();
        System.out.printf("no broker, losswatch.connect.timeout=PT10S: exit code %d after %d ms, %d WARN lines%n",
                code, ms, warnings);

        assertThat(code).as(losswatch.logTail()).isEqualTo(1);
        // the typo is named with the key it should have been; a valid prefixed key is not
        assertThat(lines.get(0)).endsWith(" WARN  io.losswatch.runtime.Main - losswatch: unknown key bootstrap.server (in "
                + config + "): neither losswatch nor Kafka Streams nor Kafka's clients know this key, so it has no"
                + " effect; did you mean bootstrap.servers?");
        assertThat(losswatch.logText()).doesNotContain("consumer.session.timeout.ms");
        // one error line, the last, the same whichever timeout ends the wait
        assertThat(lines.stream().filter(l -> l.contains(" ERROR ")).toList()).as(losswatch.logTail()).hasSize(1);
        assertThat(lines.get(lines.size() - 1)).endsWith("losswatch: cannot connect to Kafka at " + bootstrap
                + ": no broker answered within 10 s (losswatch.connect.timeout); check that bootstrap.servers names"
                + " brokers that run and are reachable from this machine, and that security.protocol matches their listener");
        assertThat(losswatch.logText()).doesNotContain("node assignment").doesNotContain("Exception");
        // the admin client backs off from 1 s to 10 s: about 4 attempts in 10 s, one WARN line each
        // (Kafka's default backoff, 50 ms to 1 s, logged 66 lines in the 60 s start-up used to wait)
        assertThat(warnings).as(losswatch.logTail()).isBetween(2L, 8L);
        assertThat(ms).as("the wait ends at the timeout, not at Kafka's 60 s").isLessThan(40_000);
    }

    /** A port nothing listens on: bound, then released. */
    private static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("localhost"))) {
            return s.getLocalPort();
        }
    }
}
