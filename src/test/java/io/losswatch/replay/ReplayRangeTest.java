package io.losswatch.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.losswatch.config.ConfigException;
import io.losswatch.config.LosswatchConfig;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The range and margin arithmetic of {@link ReplayRange}. Expected values are worked out by hand from the
 * settings (written next to each figure), not taken from the code.
 */
class ReplayRangeTest {
    /** 2025-11-24T16:00:30Z: half a minute into a window. */
    private static final long FROM = 1_764_000_000_000L + 30_000; // 1764000000000 is 2025-11-24T16:00:00Z
    private static final long HOUR = 3_600_000;
    private static final long MIN = 60_000;

    private static LosswatchConfig config(Map<String, String> settings) {
        Properties p = new Properties();
        p.putAll(settings);
        return LosswatchConfig.from(p);
    }

    @Test
    void defaultSettingsGiveAJoinWindowOfLeadInFromAWholeWindowAndJoinWindowPlusGracesOfLeadOut() {
        long to = FROM + 2 * HOUR;
        ReplayRange r = ReplayRange.of(FROM, to, config(Map.of()));
        // lead-in: join window 1 h back from 16:00:30 is 15:00:30, down to its window start 15:00:00
        assertThat(r.predictionsFrom()).isEqualTo(FROM - 30_000 - HOUR);
        assertThat(r.leadIn()).isEqualTo(HOUR + 30_000);
        assertThat(r.labelsFrom()).isEqualTo(FROM);
        // lead-out: join window 1 h + join grace 1 min + window 1 min + window grace 10 s
        assertThat(r.feedEnd()).isEqualTo(to + HOUR + MIN + MIN + 10_000);
        // Kafka: 5 min (losswatch.input.max.future) earlier and later
        assertThat(r.kafkaStart(true)).isEqualTo(FROM - 30_000 - HOUR - 5 * MIN);
        assertThat(r.kafkaStart(false)).isEqualTo(FROM - 5 * MIN);
        assertThat(r.kafkaStop()).isEqualTo(to + HOUR + 2 * MIN + 10_000 + 5 * MIN);
    }

    @Test
    void feedsAndPrintsByEventTimeWithHalfOpenBounds() {
        long to = FROM + HOUR;
        ReplayRange r = ReplayRange.of(FROM, to, config(Map.of("losswatch.join.window", "PT10M",
                "losswatch.join.grace", "PT30S", "losswatch.window.grace", "PT5S")));
        long leadInStart = FROM - 30_000 - 10 * MIN; // 10 min back from hh:00:30 is hh-1:50:30, window start hh-1:50:00
        long end = to + 10 * MIN + 30_000 + MIN + 5_000; // join window + join grace + window + window grace
        assertThat(r.feedsPrediction(leadInStart)).isTrue();
        assertThat(r.feedsPrediction(leadInStart - 1)).isFalse();
        assertThat(r.feedsPrediction(end - 1)).isTrue();
        assertThat(r.feedsPrediction(end)).isFalse();
        assertThat(r.feedsLabel(FROM - 1)).as("a label before from belongs to a prediction before the lead-in").isFalse();
        assertThat(r.feedsLabel(FROM)).isTrue();
        assertThat(r.feedsLabel(end - 1)).isTrue();
        assertThat(r.feedsLabel(end)).isFalse();
        assertThat(r.prints(FROM)).isTrue();
        assertThat(r.prints(FROM - 1)).isFalse();
        assertThat(r.prints(to - 1)).isTrue();
        assertThat(r.prints(to)).isFalse();
    }

    @Test
    void hoppingWindowsRoundTheLeadInDownToAnAdvance() {
        ReplayRange r = ReplayRange.of(FROM + 7_000, null, config(Map.of("losswatch.window.size", "PT1M",
                "losswatch.window.advance", "PT20S")));
        // FROM + 7 s is hh:00:37; 1 h back hh-1:00:37; the hop before it starts at hh-1:00:20
        assertThat(r.predictionsFrom()).isEqualTo(FROM - 30_000 - HOUR + 20_000);
        assertThat(r.feedEnd()).as("no --to: to the end of the input").isEqualTo(Long.MAX_VALUE);
        assertThat(r.kafkaStop()).isEqualTo(Long.MAX_VALUE);
        assertThat(r.prints(Long.MAX_VALUE - 1)).isTrue();
    }

    @Test
    void aFileWithoutFromOrToFeedsAndPrintsEverything() {
        ReplayRange r = ReplayRange.of(null, null, config(Map.of()));
        assertThat(r.feedsPrediction(0)).isTrue();
        assertThat(r.feedsLabel(0)).isTrue();
        assertThat(r.prints(0)).isTrue();
        assertThat(r.kafkaStart(true)).isZero();
    }

    @Test
    void toMustBeAfterFromAndTimesAreIsoInstants() {
        assertThatThrownBy(() -> ReplayRange.of(FROM, FROM, config(Map.of()))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--to");
        assertThat(ReplayRange.parseTime("--from", "2025-11-24T16:00:30Z")).isEqualTo(FROM);
        assertThat(ReplayRange.parseTime("--from", "2025-11-24T17:00:30+01:00")).isEqualTo(FROM);
        assertThatThrownBy(() -> ReplayRange.parseTime("--from", "1764000030000")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--from 1764000030000: expected an ISO-8601 instant");
    }

    @Test
    void sweepsCombineEveryValueTheFirstKeyVaryingSlowest() {
        assertThat(Sweep.combinations(java.util.List.of())).containsExactly(Map.of());
        assertThat(Sweep.combinations(java.util.List.of("a=1,2", "b=x,y")).stream().map(Map::toString).toList())
                .containsExactly("{a=1, b=x}", "{a=1, b=y}", "{a=2, b=x}", "{a=2, b=y}");
        assertThatThrownBy(() -> Sweep.combinations(java.util.List.of("a=1,1"))).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> Sweep.combinations(java.util.List.of("=1"))).isInstanceOf(ConfigException.class);
    }
}
