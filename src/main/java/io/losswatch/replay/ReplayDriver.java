package io.losswatch.replay;

import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.internals.ClientUtils;
import org.apache.kafka.streams.processor.internals.InternalTopologyBuilder;
import org.apache.kafka.streams.processor.internals.ProcessorTopology;
import org.apache.kafka.streams.processor.internals.StateDirectory;

/**
 * Drives a topology in-process, each sub-topology as Kafka Streams runs it (a {@link SubtopologyTask}),
 * in two threads. The intake sub-topologies (those that read only the input topics: parsing, scoring,
 * the intake's partials) run in the caller's thread; the rest (the label join, the window aggregator,
 * the alerts) run in a second thread, fed in order with what the intake wrote. So a replay uses the
 * machine's second core, and its output stays a function of its input alone:
 * <ul>
 *   <li>each input record, and everything it causes, is processed before the next, in both threads (the
 *       second thread takes the intake's output one input record, or one clock step, at a time);</li>
 *   <li>within a thread, a record written to an internal topic goes to the task that reads it, and tasks
 *       are run in sub-topology order until none has a record left;</li>
 *   <li>the wall clock moves only in {@link #advanceWallClockTime}: every task runs the punctuations then
 *       due and processes what they wrote, and commits every {@link #COMMIT_INTERVAL_MS}. A commit flushes
 *       the stores and changes no output.</li>
 * </ul>
 * kafka-streams-test-utils' {@code TopologyTestDriver} runs all sub-topologies as one task in one thread
 * (across sub-topologies it takes the record with the oldest timestamp, where this driver runs them in
 * sub-topology order, as live Kafka Streams may), commits after every record and compiles every source
 * topic's name as a regular expression for every record: 3-5 times slower for a replay. ReplayDriverTest
 * checks the two give the same windows and alerts. The classes used are Kafka Streams' internals, as that driver's
 * are; ReplayIT checks a Kafka Streams upgrade (a replay equals the live run).
 */
final class ReplayDriver implements AutoCloseable {
    /** Steps handed to the second thread at once: few enough to keep memory bounded, enough to make hand-over cheap. */
    private static final int CHUNK = 512;
    private static final List<Step> END = List.of();
    /**
     * Wall-clock time between commits. A replay's commits change no output and nothing is restored from them;
     * they only let the stores that write at a commit (the intake's partials) write, so they are spaced out.
     */
    static final long COMMIT_INTERVAL_MS = 30_000;

    private final StateDirectory stateDirectory;
    private final List<SubtopologyTask> intake = new ArrayList<>();
    private final List<SubtopologyTask> rest = new ArrayList<>();
    private final Map<String, SubtopologyTask> intakeByTopic = new HashMap<>();
    private final Map<String, SubtopologyTask> restByTopic = new HashMap<>();
    /** What the rest wrote to topics the topology does not read, by topic, until taken (its thread only). */
    private final Map<String, Queue<ProducerRecord<byte[], byte[]>>> outputs = new HashMap<>();
    private final Runnable drain;
    private final BlockingQueue<List<Step>> handOver = new ArrayBlockingQueue<>(16);
    private List<Step> chunk = new ArrayList<>(CHUNK);
    private final Thread worker;
    private volatile Throwable failure;
    private boolean failureThrown;
    /** The second thread's CPU time, once it is done. */
    private volatile long workerCpuNanos;
    private boolean closed;
    private long intakeCommitted;
    private long restCommitted;

    /** A step for the second thread: records the intake wrote, or a clock step (and then whether to drain). */
    private record Step(List<ProducerRecord<byte[], byte[]>> records, long wallClockMs, boolean tick, boolean drain) {
    }

    /**
     * The driver of topology with config, its wall clock at initialWallClockMs. drain runs in the second
     * thread after each clock step that asks for it: it reads the output with {@link #take}.
     */
    ReplayDriver(Topology topology, Properties config, long initialWallClockMs, Runnable drain) {
        this.drain = drain;
        intakeCommitted = initialWallClockMs;
        restCommitted = initialWallClockMs;
        Properties props = new Properties();
        props.putAll(config);
        props.putIfAbsent(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "replay-has-no-cluster:0");
        // every record is there when it is processed: a task never waits for an input that is empty
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, Long.toString(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
        StreamsConfig streamsConfig = new ClientUtils.QuietStreamsConfig(props);
        InternalTopologyBuilder builder = internalBuilder(topology);
        builder.rewriteTopology(streamsConfig);
        builder.buildTopology(); // prepares the builder's subscriptions, as Kafka Streams does before building tasks
        stateDirectory = new StateDirectory(streamsConfig, Time.SYSTEM,
                builder.hasPersistentStores(), false);
        // each sub-topology's task; those that read no topic the topology writes are the intake
        Map<Integer, ProcessorTopology> subtopologies = new TreeMap<>();
        builder.nodeGroups().keySet().forEach(id -> subtopologies.put(id, builder.buildSubtopology(id)));
        Set<String> written = new HashSet<>();
        subtopologies.values().forEach(t -> written.addAll(t.sinkTopics()));
        subtopologies.forEach((id, subtopology) -> {
            SubtopologyTask t = new SubtopologyTask(id, subtopology, streamsConfig, stateDirectory,
                    builder.topologyConfigs().getTaskConfig(), initialWallClockMs);
            boolean readsInputOnly = t.sourceTopics().stream().noneMatch(written::contains);
            (readsInputOnly ? intake : rest).add(t);
            t.sourceTopics().forEach(topic -> (readsInputOnly ? intakeByTopic : restByTopic).put(topic, t));
        });
        worker = new Thread(this::work, "replay-aggregation");
        worker.setDaemon(true);
        worker.start();
    }

    /** Processes one record of a topic the topology reads, and everything it causes, before the next. */
    void pipe(String topic, byte[] key, byte[] value, Headers headers, long timestamp) {
        SubtopologyTask t = intakeByTopic.get(topic);
        if (t != null) {
            t.enqueue(topic, key, value, headers, timestamp);
            List<ProducerRecord<byte[], byte[]>> forRest = new ArrayList<>();
            runAll(intake, intakeByTopic, forRest);
            if (!forRest.isEmpty()) {
                add(new Step(forRest, 0, false, false));
            }
        } else if (restByTopic.containsKey(topic)) {
            add(new Step(List.of(new ProducerRecord<>(topic, null, timestamp, key, value, headers)), 0, false, false));
        } else {
            throw new IllegalArgumentException("the topology does not read " + topic);
        }
    }

    /**
     * Moves the wall clock to wallClockMs: every task runs the punctuations due, processes what they caused and
     * commits; then, if drain, the drain callback runs (in the second thread).
     */
    void advanceWallClockTime(long wallClockMs, boolean drain) {
        List<ProducerRecord<byte[], byte[]>> forRest = new ArrayList<>();
        for (SubtopologyTask t : intake) {
            route(t.punctuate(wallClockMs), intakeByTopic, forRest);
        }
        runAll(intake, intakeByTopic, forRest);
        if (wallClockMs - intakeCommitted >= COMMIT_INTERVAL_MS) {
            intake.forEach(SubtopologyTask::commit);
            intakeCommitted = wallClockMs;
        }
        add(new Step(forRest, wallClockMs, true, drain));
    }

    /** What the topology wrote to topic (one it does not read) since the last call, oldest first; from drain. */
    Queue<ProducerRecord<byte[], byte[]>> take(String topic) {
        Queue<ProducerRecord<byte[], byte[]>> records = outputs.remove(topic);
        return records == null ? new ArrayDeque<>() : records;
    }

    /** Lets go of what was written to the topics not in keep; from drain. */
    void dropOutputsExcept(Collection<String> keep) {
        outputs.keySet().retainAll(keep);
    }

    /** Runs the tasks until none has a record queued; what goes elsewhere is added to elsewhere or kept as output. */
    private void runAll(List<SubtopologyTask> tasks, Map<String, SubtopologyTask> byTopic,
                        List<ProducerRecord<byte[], byte[]>> elsewhere) {
        boolean any = true;
        while (any) {
            any = false;
            for (SubtopologyTask t : tasks) {
                while (t.hasRecordsQueued()) {
                    any = true;
                    route(t.processNext(), byTopic, elsewhere);
                }
            }
        }
    }

    /** Sends each record to the task of this thread that reads it, else to elsewhere if the other thread reads it, else out. */
    private void route(List<ProducerRecord<byte[], byte[]>> written, Map<String, SubtopologyTask> byTopic,
                       List<ProducerRecord<byte[], byte[]>> elsewhere) {
        for (ProducerRecord<byte[], byte[]> r : written) {
            SubtopologyTask t = byTopic.get(r.topic());
            if (t != null) {
                t.enqueue(r.topic(), r.key(), r.value(), r.headers(), r.timestamp());
            } else if (intakeByTopic.containsKey(r.topic())) {
                throw new IllegalStateException("a later step wrote to " + r.topic() + ", which an intake reads");
            } else if (restByTopic.containsKey(r.topic())) {
                elsewhere.add(r);
            } else if (elsewhere == null) {
                outputs.computeIfAbsent(r.topic(), k -> new ArrayDeque<>()).add(r);
            }
            // the intake's own output (losses, dead letters) is not printed by a replay: let go
        }
    }

    private void add(Step step) {
        chunk.add(step);
        if (chunk.size() >= CHUNK) {
            handOver(chunk);
            chunk = new ArrayList<>(CHUNK);
        }
    }

    private void handOver(List<Step> steps) {
        try {
            while (!handOver.offer(steps, 100, TimeUnit.MILLISECONDS)) {
                rethrowFailure();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing records over", e);
        }
        rethrowFailure();
    }

    /** The second thread: the steps in order, each to the end. */
    private void work() {
        try {
            for (List<Step> steps = handOver.take(); steps != END; steps = handOver.take()) {
                for (Step s : steps) {
                    if (s.tick()) {
                        for (SubtopologyTask t : rest) {
                            route(t.punctuate(s.wallClockMs()), restByTopic, null);
                        }
                    }
                    for (ProducerRecord<byte[], byte[]> r : s.records()) {
                        restByTopic.get(r.topic()).enqueue(r.topic(), r.key(), r.value(), r.headers(), r.timestamp());
                    }
                    runAll(rest, restByTopic, null);
                    if (s.tick()) {
                        if (s.wallClockMs() - restCommitted >= COMMIT_INTERVAL_MS) {
                            rest.forEach(SubtopologyTask::commit);
                            restCommitted = s.wallClockMs();
                        }
                        if (s.drain()) {
                            drain.run();
                        }
                    }
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
        workerCpuNanos = ThreadCpu.now();
    }

    /** The second thread's CPU time (joins, windows, alerts, printing); after {@link #close}. */
    long workerCpuNanos() {
        return workerCpuNanos;
    }

    /** Throws the second thread's failure, once: a later call (close, after a failed step) does not throw it again. */
    private void rethrowFailure() {
        Throwable t = failure;
        if (t == null || failureThrown) {
            return;
        }
        failureThrown = true;
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    /** Waits for the second thread to finish what it was given, and closes every task. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (failure == null) {
                if (!chunk.isEmpty()) {
                    handOver(chunk);
                }
                handOver(END);
                worker.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // a failure here, or an interrupt: the second thread ends before the tasks close
            Threads.stop(worker, worker::interrupt);
            for (SubtopologyTask t : intake) {
                t.close();
            }
            for (SubtopologyTask t : rest) {
                t.close();
            }
            stateDirectory.clean();
        }
        rethrowFailure();
    }

    /**
     * The topology's internal builder. Kafka Streams keeps it in a protected field, which its own test
     * driver reads from the same package; we read it the one way open to another package.
     */
    private static InternalTopologyBuilder internalBuilder(Topology topology) {
        try {
            Field f = Topology.class.getDeclaredField("internalTopologyBuilder");
            f.setAccessible(true);
            return (InternalTopologyBuilder) f.get(topology);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this Kafka Streams version's Topology has no internal builder field", e);
        }
    }
}
