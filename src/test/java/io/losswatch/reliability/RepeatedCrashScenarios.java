package io.losswatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.it.KafkaBroker;
import io.losswatch.it.LosswatchProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash: the real jar, killed with SIGKILL again and again while records flow in and are processed,
 * restarted each time on the same state directory. Exactly-once v2 means a read_committed consumer
 * sees every result exactly once, whatever the kills interrupted: loss records, final windows (with
 * the oracle's figures) and dead letters. Subclasses say which broker.
 */
abstract class RepeatedCrashScenarios {
    static final int KILLS = 3;

    abstract KafkaBroker broker();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;
    private LosswatchProcess app;

    @AfterEach
    void tearDown() {
        if (app != null) {
            app.kill();
        }
    }

    @Test
    void killedThreeTimesMidStreamEveryResultAppearsExactlyOnce() throws Exception {
        long began = System.nanoTime();
        Pipeline pipeline = new Pipeline(broker(), work, t -> t
                .labelled(0, 5, 30, 31)
                .separatelyLabelled(1, 6, 20)
                .separatelyLabelled(3, 6, 20)
                .neverLabelled(2)
                .neverLabelled(4));
        List<List<ProducerRecord<String, String>>> parts = pipeline.parts(KILLS + 1);
        List<String> report = new ArrayList<>();
        app = pipeline.start("instance");
        for (int kill = 1; kill <= KILLS; kill++) {
            // records flow in while the instance processes them; it dies without a clean close
            Pipeline.Sender sender = pipeline.sendInBackground(parts.get(kill - 1), 5, Duration.ofMillis(50));
            long processed = Pipeline.awaitEventsProcessed(app, 20, Pipeline.WAIT);
            boolean stillSending = sender.sending();
            app.kill();
            sender.joinAndCheck();
            long restart = System.nanoTime();
            app = pipeline.start("instance");
            report.add(String.format("kill %d: after %d records processed by that run, sender %s; restart to RUNNING %d ms",
                    kill, processed, stillSending ? "still sending" : "done", (System.nanoTime() - restart) / 1_000_000));
        }
        pipeline.send(parts.get(KILLS), 10, Duration.ofMillis(40));

        List<String> losses = pipeline.assertLossesExactlyOnce();
        pipeline.moveEventTimeOn();
        pipeline.assertDeadLettersExactlyOnce();
        pipeline.assertWindowsExact();
        assertThat(app.isAlive()).isTrue();
        report.forEach(System.out::println);
        System.out.printf("repeated crash: %d kills, %d input records, %d loss records, %d windows, %d dead letters, %d s%n",
                KILLS, pipeline.timeline.size(), losses.size(),
                pipeline.traffic.expectedLosses.size(), pipeline.expectedDeadLetters.size(),
                (System.nanoTime() - began) / 1_000_000_000);
    }
}
