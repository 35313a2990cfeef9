package io.losswatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.it.EmbeddedKafkaBroker;
import io.losswatch.it.LosswatchProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping and starting {@code run} as a user does, the real jar on a real (in-process) broker: Ctrl-C
 * and SIGTERM are clean stops with exit code 0.
 */
class StopAndRestartIT {
    @RegisterExtension
    static final EmbeddedKafkaBroker KAFKA = new EmbeddedKafkaBroker();

    @TempDir
    Path work;

    private Path config(String applicationId) throws Exception {
        return LosswatchProcess.writeConfig(work, Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "application.id", applicationId,
                "state.dir", work.resolve("state").toString(),
                "losswatch.http.port", "0",
                "losswatch.topic.predictions", applicationId + "-predictions",
                "losswatch.topic.labels", applicationId + "-labels"));
    }

    @Test
    void ctrlCAndSigtermAreCleanStopsWithExitCode0() throws Exception {
        Path config = config("stop-signals");
        LosswatchProcess first = LosswatchProcess.start(config, work);
        first.waitUntilRunning(Duration.ofSeconds(120));
        assertThat(first.stopWith("INT")).as("exit code after Ctrl-C (SIGINT)\n" + first.logTail()).isZero();
        assertThat(first.logText()).contains("streams state PENDING_SHUTDOWN -> NOT_RUNNING");

        LosswatchProcess second = LosswatchProcess.start(config, work);
        second.waitUntilRunning(Duration.ofSeconds(120));
        assertThat(second.stopWith("TERM")).as("exit code after SIGTERM\n" + second.logTail()).isZero();
        assertThat(second.logText()).contains("streams state PENDING_SHUTDOWN -> NOT_RUNNING");
    }
}
