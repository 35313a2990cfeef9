package io.losswatch.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads the merged input ahead in a thread of its own (reading a file or a topic, finding each record's
 * event time and merging), so the thread that feeds the topology only feeds it. Same records, same order;
 * at most {@link #BATCHES} batches of {@link #BATCH} records are held.
 */
final class ReadAhead implements AutoCloseable {
    static final int BATCH = 1024;
    static final int BATCHES = 8;
    private static final List<InputRecord> END = List.of();

    private final BlockingQueue<List<InputRecord>> batches = new ArrayBlockingQueue<>(BATCHES);
    private final Thread reader;
    private volatile Throwable failure;
    private volatile boolean stopped;
    /** The reading thread's CPU time, once it is done. */
    private volatile long cpuNanos;
    private List<InputRecord> batch = List.of();
    private int next;
    private boolean ended;

    ReadAhead(MergedInput input) {
        reader = new Thread(() -> read(input), "replay-input");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(MergedInput input) {
        try {
            List<InputRecord> b = new ArrayList<>(BATCH);
            for (InputRecord r = input.next(); r != null && !stopped; r = input.next()) {
                b.add(r);
                if (b.size() == BATCH) {
                    put(b);
                    b = new ArrayList<>(BATCH);
                }
            }
            if (!b.isEmpty()) {
                put(b);
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            cpuNanos = ThreadCpu.now();
            try {
                put(END);
            } catch (InterruptedException e) {
                // closed: nobody takes it
            }
        }
    }

    private void put(List<InputRecord> b) throws InterruptedException {
        while (!batches.offer(b, 100, TimeUnit.MILLISECONDS)) {
            if (stopped) {
                throw new InterruptedException("closed");
            }
        }
    }

    /** The next record in merged order, or null when the input is done. */
    InputRecord next() {
        while (next == batch.size()) {
            if (ended) {
                return null;
            }
            try {
                batch = batches.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading the input", e);
            }
            next = 0;
            if (batch == END) {
                ended = true;
                rethrow();
            }
        }
        return batch.get(next++);
    }

    private void rethrow() {
        Throwable t = failure;
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    /** The reading thread's CPU time; after {@link #close}. */
    long cpuNanos() {
        return cpuNanos;
    }

    /** Stops reading (if the input is not done) and waits for the reader, so its sources may be closed. */
    @Override
    public void close() {
        stopped = true;
        Threads.stop(reader, batches::clear);
    }
}
