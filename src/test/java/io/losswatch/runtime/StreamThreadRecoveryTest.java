package io.losswatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

class StreamThreadRecoveryTest {
    /** As Kafka Streams reported it after a 20 s broker outage in ContainerKafkaBrokerOutageIT. */
    private static StreamsException commitAfterAbort() {
        return new StreamsException("Error encountered trying to commit a transaction",
                new InvalidTxnStateException("The producer attempted a transactional operation in an invalid state."));
    }

    @Test
    void aCommitRefusedAfterTheBrokerAbortedTheTransactionGetsANewThread() {
        assertThat(new StreamThreadRecovery().replace(commitAfterAbort(), 0)).isTrue();
    }

    @Test
    void anyOtherFailureStopsTheApplication() {
        StreamThreadRecovery r = new StreamThreadRecovery();
        assertThat(r.replace(new StreamsException("boom", new IllegalStateException("a bug")), 0)).isFalse();
        assertThat(r.replace(new NullPointerException(), 0)).isFalse();
    }

    @Test
    void threeTimesInTenMinutesAtMostThenItStops() {
        StreamThreadRecovery r = new StreamThreadRecovery();
        assertThat(r.replace(commitAfterAbort(), 0)).isTrue();
        assertThat(r.replace(commitAfterAbort(), 60_000)).isTrue();
        assertThat(r.replace(commitAfterAbort(), 120_000)).isTrue();
        assertThat(r.replace(commitAfterAbort(), 180_000)).as("a fourth within ten minutes").isFalse();
        assertThat(r.replace(commitAfterAbort(), 600_001)).as("ten minutes after the first").isTrue();
    }
}
