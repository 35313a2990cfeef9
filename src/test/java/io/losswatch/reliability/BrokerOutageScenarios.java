package io.losswatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.it.KafkaBroker;
import io.losswatch.it.LosswatchProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broker outage: the broker goes away for 20 s mid-stream and comes back with its data at the same
 * address. losswatch (its own JVM) rides it out without a restart of its own, and nothing is lost or
 * duplicated: every loss record, final window and dead letter exactly once. Subclasses say which broker
 * (the in-process one stops its broker server; the container is paused).
 */
abstract class BrokerOutageScenarios {
    static final Duration OUTAGE = Duration.ofSeconds(20);

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
    void brokerDownFor20SecondsMidStreamLosswatchRecoversByItselfAndNothingIsLostOrDuplicated() throws Exception {
        long began = System.nanoTime();
        Pipeline pipeline = new Pipeline(broker(), work, t -> t
                .labelled(0, 4, 30, 53)
                .separatelyLabelled(2, 6, 20)
                .neverLabelled(1));
        List<List<ProducerRecord<String, String>>> parts = pipeline.parts(3);
        app = pipeline.start("instance");
        long pid = app.pid();

        // the broker goes away while records flow in and are processed; the sender's records wait in its buffer
        Pipeline.Sender sender = pipeline.sendInBackground(parts.get(0), 5, Duration.ofMillis(100));
        long processedBefore = Pipeline.awaitEventsProcessed(app, 20, Pipeline.WAIT);
        boolean stillSending = sender.sending();
        broker().stopBroker();
        long stoppedAt = System.nanoTime();
        Thread.sleep(OUTAGE.toMillis());
        assertThat(app.isAlive()).as("losswatch alive through the outage\n" + app.logTail()).isTrue();
        broker().startBroker();
        long back = System.nanoTime();
        long down = (back - stoppedAt) / 1_000_000;
        sender.joinAndCheck();

        // it goes on by itself: the rest of the traffic is processed by the same process
        long processedAtReturn = Pipeline.eventsProcessed(app);
        pipeline.send(parts.get(1), 10, Duration.ofMillis(20));
        Pipeline.awaitEventsProcessed(app, processedAtReturn + 1, Pipeline.WAIT);
        long firstNewRecordMs = (System.nanoTime() - back) / 1_000_000;
        pipeline.send(parts.get(2), 10, Duration.ofMillis(20));

        List<String> losses = pipeline.assertLossesExactlyOnce();
        pipeline.moveEventTimeOn();
        pipeline.assertDeadLettersExactlyOnce();
        pipeline.assertWindowsExact();
        assertThat(app.isAlive()).isTrue();
        assertThat(app.pid()).isEqualTo(pid);
        assertThat(app.get("/health/ready").status()).as(app.logTail()).isEqualTo(200);
        assertThat(app.logText()).as("no stream thread died").doesNotContain("stream thread failed");
        System.out.printf("broker outage: down %d ms while the sender was %s, after %d records processed; the same process "
                        + "processed again %d ms after the broker returned; %d input records, %d loss records, %d windows, "
                        + "%d dead letters; %d s%n", down, stillSending ? "still sending" : "done", processedBefore,
                firstNewRecordMs, pipeline.timeline.size(), losses.size(), pipeline.traffic.expectedLosses.size(),
                pipeline.expectedDeadLetters.size(), (System.nanoTime() - began) / 1_000_000_000);
    }
}
