package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Quiet time by hand: flushes every 100 ms, poll.ms 100 (stall limit 2 s). */
class QuietTimeTest {
    private static QuietTime quiet(boolean stallAware) {
        return new QuietTime(100, 100, stallAware, 0);
    }

    @Test
    void aRunningLoopCountsEveryFlushInterval() {
        QuietTime q = quiet(true);
        long t = 0;
        for (int i = 0; i < 100; i++) {
            t += 100;
            q.flush(t);
        }
        assertThat(q.flush(t + 100)).isEqualTo(10_100);
    }

    @Test
    void aStallCountsOneFlushInterval() {
        QuietTime q = quiet(true);
        assertThat(q.flush(100)).isEqualTo(100);
        assertThat(q.flush(60_100)).as("a minute without a flush").isEqualTo(200);
        assertThat(q.flush(60_200)).isEqualTo(300);
        assertThat(q.flush(62_200)).as("a gap of exactly 2 s is the loop").isEqualTo(2_300);
    }

    @Test
    void ofAStallInWhichARecordArrivedOnlyWhatFollowsTheRecordCounts() {
        QuietTime q = quiet(true);
        q.flush(100);
        // the thread stalls for a minute, then processes the records that waited before it flushes
        q.input(60_050);
        assertThat(q.flush(60_100)).isEqualTo(50);
        assertThat(q.flush(60_200)).isEqualTo(150);
        // the stall is not carried on: ten seconds of running later it is quiet for ten seconds
        long t = 60_200;
        while (t < 70_050) {
            t += 100;
            q.flush(t);
        }
        assertThat(q.flush(t + 100)).isEqualTo(t + 100 - 60_050);
    }

    @Test
    void aLongPollIsTheLoopNotAStall() {
        QuietTime q = new QuietTime(100, 5_000, true, 0);
        assertThat(q.flush(5_100)).as("poll.ms 5 s: a gap of 5.1 s is one quiet loop").isEqualTo(5_100);
        assertThat(q.flush(20_200)).as("over 2 x poll.ms + flush: a stall").isEqualTo(5_200);
    }

    @Test
    void withoutStallsEveryGapCounts() {
        QuietTime q = quiet(false);
        assertThat(q.flush(3_600_000)).as("a replay's jump over a quiet hour").isEqualTo(3_600_000);
        q.input(3_600_050);
        assertThat(q.flush(3_600_100)).isEqualTo(50);
    }
}
