package io.losswatch.runtime;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.common.errors.InvalidTxnStateException;

/**
 * Which stream-thread failures a new thread recovers from. After a stall longer than the transaction
 * timeout (a broker outage, a long pause) the broker aborts the open transaction, and a broker can then
 * answer the next commit with {@link InvalidTxnStateException} instead of the recoverable epoch error
 * (KAFKA-19690). Kafka Streams takes that for fatal; but the transaction is aborted, so nothing of it is
 * visible, and a new thread starts a new producer, fences the old one and goes on from the last committed
 * offsets and state: exactly-once holds. Any other failure, or this one too often, stops the application.
 */
final class StreamThreadRecovery {
    static final int MAX_REPLACEMENTS = 3;
    static final Duration PERIOD = Duration.ofMinutes(10);

    private final Deque<Long> replacements = new ArrayDeque<>();

    /** True if the thread that failed with e at nowMs is to be replaced, false if the application is to stop. */
    synchronized boolean replace(Throwable e, long nowMs) {
        if (!abortedTransaction(e)) {
            return false;
        }
        while (!replacements.isEmpty() && replacements.peekFirst() <= nowMs - PERIOD.toMillis()) {
            replacements.removeFirst();
        }
        if (replacements.size() >= MAX_REPLACEMENTS) {
            return false;
        }
        replacements.addLast(nowMs);
        return true;
    }

    private static boolean abortedTransaction(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InvalidTxnStateException) {
                return true;
            }
        }
        return false;
    }
}
