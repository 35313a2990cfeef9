package io.losswatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.it.KafkaBroker;
import io.losswatch.it.LosswatchProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rebalance: two instances (two JVMs) with one application.id share two partitions, each keeping a
 * standby copy of the other's state (num.standby.replicas=1, handed to Kafka Streams unchanged). One is
 * SIGKILLed mid-stream; the other takes all its tasks over within a bounded time, and the results stay
 * complete and exact. Subclasses say which broker.
 */
abstract class FailoverScenarios {
    /** Session timeout 6 s + the dead instance's open transaction (aborted after transaction.timeout.ms, 10 s) + restore. */
    static final Duration TAKEOVER_BOUND = Duration.ofSeconds(60);

    abstract KafkaBroker broker();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;
    private LosswatchProcess first;
    private LosswatchProcess second;

    @AfterEach
    void tearDown() {
        for (LosswatchProcess p : new LosswatchProcess[] {first, second}) {
            if (p != null) {
                p.kill();
            }
        }
    }

    @Test
    void oneOfTwoInstancesKilledTheOtherTakesOverWithItsStandbysAndResultsStayExact() throws Exception {
        long began = System.nanoTime();
        Pipeline pipeline = new Pipeline(broker(), work, t -> t
                .labelled(0, 4, 30, 47)
                .separatelyLabelled(1, 6, 20)
                .neverLabelled(3));
        pipeline.config.put("num.standby.replicas", "1");
        pipeline.config.put("num.stream.threads", "1");
        List<List<ProducerRecord<String, String>>> parts = pipeline.parts(3);
        List<String> logTasks = TaskAssignments.jvmOptions(work);

        first = pipeline.start("first", logTasks);
        pipeline.send(parts.get(0), 5, Duration.ofMillis(20));
        second = pipeline.start("second", logTasks);
        // the group settles: both own tasks, and the second keeps standbys of the first's stateful tasks
        await(Duration.ofSeconds(90), () -> {
            TaskAssignments.Assignment a = TaskAssignments.latest(first.logText());
            TaskAssignments.Assignment b = TaskAssignments.latest(second.logText());
            return !a.active().isEmpty() && !b.active().isEmpty() && !b.standby().isEmpty();
        }, () -> "no active tasks on both and standbys on the second:\n" + first.logTail() + "\n" + second.logTail());
        TaskAssignments.Assignment beforeFirst = TaskAssignments.latest(first.logText());
        TaskAssignments.Assignment beforeSecond = TaskAssignments.latest(second.logText());
        assertThat(beforeFirst.active()).as("each of the second's standbys is one of the first's active tasks")
                .containsAll(beforeSecond.standby());
        Set<String> allTasks = new TreeSet<>(beforeFirst.active());
        allTasks.addAll(beforeSecond.active());

        // the first dies mid-stream while records flow
        Pipeline.Sender sender = pipeline.sendInBackground(parts.get(1), 5, Duration.ofMillis(100));
        long before = Pipeline.eventsProcessed(first) + Pipeline.eventsProcessed(second);
        long processed = awaitProcessedByBoth(before + 20) - before;
        boolean stillSending = sender.sending();
        int assignmentsBefore = TaskAssignments.all(second.logText()).size();
        long killedAt = System.nanoTime();
        first.kill();
        first = null;
        // the survivor is given every task (its standbys become active) and runs again
        await(TAKEOVER_BOUND, () -> {
            List<TaskAssignments.Assignment> all = TaskAssignments.all(second.logText());
            return all.size() > assignmentsBefore && all.get(all.size() - 1).active().containsAll(allTasks);
        }, () -> "the survivor did not take over every task " + allTasks + " within " + TAKEOVER_BOUND + "\n"
                + second.logTail());
        long takeoverMs = (System.nanoTime() - killedAt) / 1_000_000;
        sender.joinAndCheck();

        pipeline.send(parts.get(2), 5, Duration.ofMillis(20));

        List<String> losses = pipeline.assertLossesExactlyOnce();
        pipeline.moveEventTimeOn();
        pipeline.assertDeadLettersExactlyOnce();
        pipeline.assertWindowsExact();
        assertThat(second.isAlive()).isTrue();
        System.out.printf("failover: tasks %s; first active %s, second active %s standby %s; killed after the two "
                        + "processed %d records of the second part (sender %s); survivor given every task %d ms after the kill; %d input records, %d loss "
                        + "records, %d windows, %d dead letters; %d s%n", allTasks, beforeFirst.active(), beforeSecond.active(),
                beforeSecond.standby(), processed, stillSending ? "still sending" : "done", takeoverMs, pipeline.timeline.size(), losses.size(),
                pipeline.traffic.expectedLosses.size(), pipeline.expectedDeadLetters.size(),
                (System.nanoTime() - began) / 1_000_000_000);
    }

    /** Waits (bounded) until the two instances together have processed n input records since they started. */
    private long awaitProcessedByBoth(long n) throws InterruptedException {
        long deadline = System.nanoTime() + Pipeline.WAIT.toNanos();
        long seen = 0;
        while (System.nanoTime() < deadline) {
            seen = Pipeline.eventsProcessed(first) + Pipeline.eventsProcessed(second);
            if (seen >= n) {
                return seen;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the two instances processed " + seen + " records, not " + n + "\n" + second.logTail());
    }

    private static void await(Duration timeout, BooleanSupplier condition, java.util.function.Supplier<String> message)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                throw new AssertionError(message.get());
            }
            Thread.sleep(100);
        }
    }
}
