package io.losswatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.it.EmbeddedKafkaBroker;
import io.losswatch.it.LosswatchProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping and starting {@code run} as a user does, the real jar on a real (in-process) broker: Ctrl-C
 * and SIGTERM are clean stops with exit code 0, and an instance restarted after a clean stop is ready
 * about as fast as at its first start, because the stopped instance left its consumer group.
 */
class StopAndRestartIT {
    @RegisterExtension
    static final EmbeddedKafkaBroker KAFKA = new EmbeddedKafkaBroker();
    /** The application's own log lines for the state changes that bound a rebalance. */
    private static final Pattern REBALANCING = Pattern.compile("(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*streams state \\w+ -> REBALANCING");
    private static final Pattern RUNNING = Pattern.compile("(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*streams state REBALANCING -> RUNNING");
    /** Kafka's default session.timeout.ms: how long a member that closed without leaving stays in its group. */
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(45);

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

    @Test
    void aCleanRestartIsReadyAboutAsFastAsAFirstStart() throws Exception {
        String applicationId = "restart";
        Path config = config(applicationId);
        long t0 = System.nanoTime();
        LosswatchProcess first = LosswatchProcess.start(config, work);
        first.waitUntilRunning(Duration.ofSeconds(120));
        long firstMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        Duration firstRebalance = rebalance(first.logText());
        assertThat(first.stop()).as("exit code after SIGTERM\n" + first.logTail()).isZero();

        // the cause of a slow restart, checked on the broker: a member that closed without leaving stays in the group
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(java.util.List.of(applicationId))
                    .describedGroups().get(applicationId).get(30, TimeUnit.SECONDS);
            assertThat(group.members()).as("members of group %s after a clean stop", applicationId).isEmpty();
        }

        long t1 = System.nanoTime();
        LosswatchProcess second = LosswatchProcess.start(config, work);
        second.waitUntilRunning(Duration.ofSeconds(120));
        long secondMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
        Duration secondRebalance = rebalance(second.logText());
        System.out.printf("first start: ready after %d ms (rebalancing %d ms); restart after a clean stop:"
                + " ready after %d ms (rebalancing %d ms)%n", firstMs, firstRebalance.toMillis(), secondMs,
                secondRebalance.toMillis());
        // Left alone, the old member would hold the rebalance until its session timed out: 45 s after its
        // last heartbeat, of which stopping and starting the JVM take a few. Half the session timeout
        // cannot be reached by a rebalance that does not wait for it, however busy the machine.
        assertThat(secondRebalance).as("rebalancing at the restart\n" + second.logTail())
                .isLessThan(SESSION_TIMEOUT.dividedBy(2));
        assertThat(second.stop()).isZero();
    }

    /** From the first state change to REBALANCING to the first REBALANCING -> RUNNING, by the log's clock. */
    private static Duration rebalance(String log) {
        Matcher from = REBALANCING.matcher(log);
        Matcher to = RUNNING.matcher(log);
        assertThat(from.find() && to.find()).as("state changes in the log\n" + log).isTrue();
        Duration d = Duration.between(LocalTime.parse(from.group(1)), LocalTime.parse(to.group(1)));
        return d.isNegative() ? d.plusDays(1) : d;
    }
}
