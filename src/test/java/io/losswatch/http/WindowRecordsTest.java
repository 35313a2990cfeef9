package io.losswatch.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A series' records kept by window start, whichever order they come in. */
class WindowRecordsTest {
    private record R(long start, String tag) {
    }

    private static WindowRecords<R> records() {
        return new WindowRecords<>(R::start);
    }

    @Test
    void keepsOnePerStartInStartOrderWhateverTheArrivalOrder() {
        WindowRecords<R> w = records();
        w.put(new R(60, "a"), 10);
        w.put(new R(180, "b"), 10);
        w.put(new R(0, "c"), 10);
        w.put(new R(120, "d"), 10);
        w.put(new R(60, "e"), 10); // a replayed window replaces the kept one
        assertThat(w.between(Long.MIN_VALUE, Long.MAX_VALUE)).extracting(R::tag).containsExactly("c", "e", "d", "b");
        assertThat(w.size()).isEqualTo(4);
        assertThat(w.first().tag()).isEqualTo("c");
        assertThat(w.last().tag()).isEqualTo("b");
    }

    @Test
    void pastTheBoundTheOldestGoesEvenWhenItIsTheNewcomer() {
        WindowRecords<R> w = records();
        for (long s = 0; s < 5; s++) {
            w.put(new R(s * 60, "w" + s), 3);
        }
        assertThat(w.between(0, 1_000)).extracting(R::start).containsExactly(120L, 180L, 240L);
        w.put(new R(60, "late"), 3); // older than all three kept: it is the one past the bound
        assertThat(w.between(0, 1_000)).extracting(R::start).containsExactly(120L, 180L, 240L);
    }

    @Test
    void betweenTakesBothEndsAndCountAfterLeavesTheGivenStartOut() {
        WindowRecords<R> w = records();
        for (long s : new long[] {0, 60, 120, 180}) {
            w.put(new R(s, "w" + s), 10);
        }
        assertThat(w.between(60, 120)).extracting(R::start).containsExactly(60L, 120L);
        assertThat(w.between(61, 119)).isEmpty();
        assertThat(w.between(30, 150)).extracting(R::start).containsExactly(60L, 120L);
        assertThat(w.between(200, 100)).isEmpty();
        assertThat(w.countAfter(60)).isEqualTo(2);
        assertThat(w.countAfter(59)).isEqualTo(3);
        assertThat(w.countAfter(180)).isZero();
        assertThat(w.countAfter(-1)).isEqualTo(4);
        assertThat(records().last()).isNull();
        assertThat(records().countAfter(0)).isZero();
    }
}
